#include "buf.h"

/* Hands the pointer out through `data`: a wrapper. */
int buf_get(PyObject *obj, const void **data, Py_ssize_t *size)
{
    return PyObject_AsReadBuffer(obj, data, size);  // expect: BUF002 call
}

/* Also a wrapper, through a cast of its parameter. */
int buf_get_writable(PyObject *obj, void **data, Py_ssize_t *size)
{
    Py_ssize_t n;
    int r = PyObject_AsWriteBuffer(obj, (void **)data, &n);  // expect: BUF003 call
    *size = n;
    return r;
}

/* Keeps the pointer to itself: not a wrapper. */
int buf_size(PyObject *obj)
{
    const void *p;
    Py_ssize_t n;
    if (PyObject_AsReadBuffer(obj, &p, &n) < 0)  // expect: BUF002 call
        return -1;
    return (int)n;
}

static int twice(PyObject *obj)
{
    const void *p;
    Py_ssize_t n;
    return buf_get(obj, &p, &n) + buf_get(obj, &p, &n);  // expect: BUF002 wrapper-call info macro=buf_get; expect: BUF002 wrapper-call info macro=buf_get
}

/* Returns the pointer it got: a wrapper too. */
static const void *buf_data(PyObject *obj)
{
    const void *data;
    Py_ssize_t n;
    if (PyObject_AsReadBuffer(obj, &data, &n) < 0 || n == 0)  // expect: BUF002 call
        return NULL;
    return (const void *)data;
}

/* Returns something else: not a wrapper. */
static int buf_ok(PyObject *obj)
{
    const void *data;
    Py_ssize_t n;
    int ok = PyObject_AsReadBuffer(obj, &data, &n) == 0;  // expect: BUF002 call
    return ok;
}

static Py_ssize_t use_data(PyObject *obj)
{
    Py_ssize_t n;
    n = 0;
    return buf_data(obj) ? n + buf_ok(obj) : -1;  // expect: BUF002 wrapper-call info macro=buf_data
}
