/* A module built as one translation unit: it includes its parts after its own settings. */
#include <Python.h>
#include "legacy.h"

#define MODULE_HAS_CHARBUF 1

static int
read_all(PyObject *o)
{
    const void *p;
    Py_ssize_t n;
    return LEGACY_READ(o, &p, &n); // expect: BUF002 macro-expansion macro=LEGACY_READ in=read_all
}

#include "part.c"
