// In C++ `and`, `or`, `not`, `bitand`, `bitor`, `xor`, `compl` and `not_eq` are operators,
// in `#if` as everywhere: these conditions are decided as the compiler decides them.
#include <Python.h>

#if (PY_VERSION_HEX >= 0x03000000) or defined(PYPY_VERSION)
static int modern(PyObject *o) { return PyObject_CheckBuffer(o); }
#else
static int legacy(PyObject *o) { return PyObject_CheckReadBuffer(o); } // expect: BUF004 inactive
#endif

#if not (PY_MAJOR_VERSION >= 3)
static int py2_read(PyObject *o, const void **p, Py_ssize_t *n) { return PyObject_AsReadBuffer(o, p, n); } // expect: BUF002 inactive
#endif

#if PY_MAJOR_VERSION not_eq 2 and (PY_MINOR_VERSION bitor 0) >= 0
static int py3_read(PyObject *o, const void **p, Py_ssize_t *n) { return PyObject_AsReadBuffer(o, p, n); } // expect: BUF002 call in=py3_read
#endif

#if (PY_MAJOR_VERSION bitand 1) xor 1
static int even_major(PyObject *o, void **p, Py_ssize_t *n) { return PyObject_AsWriteBuffer(o, p, n); } // expect: BUF003 inactive
#endif

#if compl 0
static int always(PyObject *o, const char **s, Py_ssize_t *n) { return PyObject_AsCharBuffer(o, s, n); } // expect: BUF001 call in=always
#endif
