/* A project that defines its own replacements under the removed names. */
#include <Python.h>

#define PyObject_CheckReadBuffer(o) (0) // expect: BUF004 shadowing info

static int
PyObject_AsCharBuffer(PyObject *o, const char **s, Py_ssize_t *n) // expect: BUF001 shadowing info
{
    /* Bytes objects only: their buffer lives as long as the object. */
    if (!PyBytes_Check(o))
        return -1;
    *s = PyBytes_AS_STRING(o);
    *n = PyBytes_GET_SIZE(o);
    return 0;
}

static int
check(PyObject *o)
{
    /* The project's macro: these are not the removed function. */
    return PyObject_CheckReadBuffer(o) || PyObject_CheckReadBuffer(NULL);
}
