/* Suppression comments: each silences exactly what it names. */
#include <Python.h>

#define READ_IT(o, p, n) PyObject_AsReadBuffer(o, p, n) // bufferlint: ignore[BUF002]

#define CHECK_IT(o)                                        \
    /* bufferlint: ignore[as-write-buffer, BUF004] */      \
    PyObject_CheckReadBuffer(o)

#define WRITE_IT(o, p, n) PyObject_AsWriteBuffer(o, p, n) // expect: BUF003 macro-definition

static int
f(PyObject *o)
{
    const void *p;
    void *w;
    Py_ssize_t n;
    int a = PyObject_AsReadBuffer(o, &p, &n); // bufferlint: ignore[BUF002]
    // bufferlint: ignore[BUF001]
    int b = PyObject_AsCharBuffer(o, (const char **)&p, &n);
    int c = PyObject_AsWriteBuffer(o, &w, &n); // bufferlint: ignore
    int d = PyObject_AsReadBuffer(o, &p, &n); // bufferlint: ignore[BUF001]
    // expect@-1: BUF002 call
    // expect@-2: BUF000 reference info
    // bufferlint: ignore[BUF004]
    // expect@-1: BUF000 reference info
    int e = 0;
    int g = WRITE_IT(o, &w, &n); // bufferlint: ignore[BUF003]
    int h = WRITE_IT(o, &w, &n); // expect: BUF003 macro-expansion
    int i = READ_IT(o, &p, &n); // expect: BUF002 macro-expansion
    int j = CHECK_IT(o); // expect: BUF004 macro-expansion
    int k = 0; /* bufferlint: ignore[BUF002] */
    // expect@-1: BUF000 reference info
    return a + b + c + d + e + g + h + i + j + k;
}
