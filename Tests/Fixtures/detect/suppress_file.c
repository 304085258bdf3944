/* bufferlint: ignore-file[BUF004, as-char-buffer] */
#include <Python.h>

static int
f(PyObject *o)
{
    const char *s;
    Py_ssize_t n;
    if (PyObject_AsCharBuffer(o, &s, &n) < 0)
        return -1;
    if (PyObject_AsReadBuffer(o, (const void **)&s, &n) < 0) // expect: BUF002 call
        return -1;
    return PyObject_CheckReadBuffer(o) + PyObject_CheckReadBuffer(NULL);
}
