// C++: version guards and inactive branches work as in C.
#include <Python.h>

namespace compat {
template <typename T>
int read(PyObject *o, T &len) {
    const void *p;
    Py_ssize_t n;
#if PY_VERSION_HEX < 0x030D0000
    int r = PyObject_AsReadBuffer(o, &p, &n);  // expect: BUF002 guarded info
#else
    Py_buffer v;
    int r = PyObject_GetBuffer(o, &v, PyBUF_SIMPLE);
    if (r == 0) { n = v.len; PyBuffer_Release(&v); }
#endif
    len = static_cast<T>(n);
    return r;
}

#if PY_MAJOR_VERSION < 3
inline int check(PyObject *o) { return PyObject_CheckReadBuffer(o); }  // expect: BUF004 inactive info
#endif

struct Writer {
    int put(PyObject *o) { void *p; Py_ssize_t n; return PyObject_AsWriteBuffer(o, &p, &n); }  // expect: BUF003 call error
};
}  // namespace compat
