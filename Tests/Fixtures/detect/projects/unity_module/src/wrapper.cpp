// C++ in the same project: the alternative tokens are operators in `#if`, and the project
// header's macro is found without -I.
#include <Python.h>
#include "legacy.h"

#if PY_MAJOR_VERSION < 3 or defined(PYPY_VERSION)
static int old_read(PyObject *o, const char **s, Py_ssize_t *n)
{
    return PyObject_AsCharBuffer(o, s, n); // expect: BUF001 inactive
}
#endif

int wrapped_read(PyObject *o)
{
    const void *p;
    Py_ssize_t n;
    return LEGACY_READ(o, &p, &n); // expect: BUF002 macro-expansion macro=LEGACY_READ in=wrapped_read
}
