/* After <iso646.h>, C reads `or`, `and` and `not` as the operators they spell. */
#include <Python.h>
#include <iso646.h>

#if PY_MAJOR_VERSION < 3 or defined(PY2_COMPAT)
static int py2(PyObject *o) { return PyObject_CheckReadBuffer(o); } // expect: BUF004 inactive
#endif

#if not defined(PY2_COMPAT) and PY_MAJOR_VERSION >= 3
static int py3(PyObject *o, const void **p, Py_ssize_t *n) { return PyObject_AsReadBuffer(o, p, n); } // expect: BUF002 call in=py3
#endif
