#include <Python.h>
#include "db_macros.h"

static int
f(PyObject *o, const void **p, Py_ssize_t *n)
{
    int r = DB_READ(o, p, n);
#if DB_USE_OLD_CHECK
    r += PyObject_CheckReadBuffer(o);
#endif
    return r;
}
