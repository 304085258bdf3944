/* Calls of all four functions, in the shapes extensions write them. */
#include <Python.h>
#include <assert.h>

static PyObject *
checksum(PyObject *self, PyObject *obj)
{
    const void *data;
    Py_ssize_t size;
    if (PyObject_AsReadBuffer(obj, &data, &size) < 0)
    // expect: BUF002 call col=9 error in=checksum
        return NULL;
    return PyLong_FromSsize_t(size);
}

static PyObject *
upper(PyObject *self, PyObject *obj)
{
    const char *s;
    Py_ssize_t n;
    int rc = PyObject_AsCharBuffer(obj, &s, &n); // expect: BUF001 call col=14 in=upper
    if (rc == -1)
        return NULL;
    return PyLong_FromLong(s[0]);
}

static int
fill(PyObject *obj)
{
    void *p;
    Py_ssize_t n;
    if (PyObject_AsWriteBuffer(
    // expect: BUF003 call col=9 in=fill
            obj,
            &p,
            &n) < 0)
        return -1;
    return (int)n;
}

static int
readable(PyObject *obj)
{
    return PyObject_CheckReadBuffer(obj) && PyObject_CheckReadBuffer (obj);
    // expect: BUF004 call col=12 in=readable
    // expect: BUF004 call col=45 in=readable
}

static int
after_char_literals(PyObject *obj)
{
    char dq = '"', sq = '\'', bs = '\\'; int r = PyObject_CheckReadBuffer(obj); // expect: BUF004 call col=50 in=after_char_literals
    return r + dq + sq + bs;
}

static int
spaced(PyObject *obj, void **p, Py_ssize_t *n)
{
    return PyObject_AsWriteBuffer /* the old way */ (obj, p, n) + // expect: BUF003 call col=12 in=spaced
           PyObject_AsWriteBuffer
           // expect: BUF003 call col=12 in=spaced
           (obj, p, n);
}

static int
in_system_macro(PyObject *o)
{
    assert(PyObject_CheckReadBuffer(o)); // expect: BUF004 call col=12 in=in_system_macro
    if (o == NULL) return 0; else return PyObject_CheckReadBuffer(o); // expect: BUF004 call col=42
}

static int
parenthesised_callee(PyObject *obj, const void **p, Py_ssize_t *n)
{
    /* The tree sees a call whose callee is in parentheses. */
    return (PyObject_AsReadBuffer)(obj, p, n); // expect: BUF002 call col=13 in=parenthesised_callee
}
