/* Tests of the old functions' results: the ones no returned value can change, and the inverted
   ones, carry a note; every ordinary way of testing the result carries none. */
#include <Python.h>
#include <string.h>

/* python-ldap's converter: returns 1 on success, 0 on failure; the test leaves on success. */
static int
from_object(PyObject *obj, char **out, Py_ssize_t *size)
{
    const void *data;
    Py_ssize_t len;
    if (!PyObject_AsReadBuffer(obj, &data, &len)) // expect: BUF002 call note=inverted
        return 0;
    *out = PyMem_Malloc(len ? len : 1);
    if (!*out)
        return 0;
    memcpy(*out, data, len);
    *size = len;
    return 1;
}

/* The branch taken on failure reads the pointer only a success sets. */
static Py_ssize_t
first_byte(PyObject *obj)
{
    const char *s;
    Py_ssize_t n;
    if (PyObject_AsCharBuffer(obj, &s, &n)) { // expect: BUF001 call note=inverted
        return s[0];
    }
    return -1;
}

/* gamera's test: the function returns 1 or 0, never a negative value. */
static int
reject(PyObject *obj)
{
    if (PyObject_CheckReadBuffer(obj) < 0) // expect: BUF004 call note=never
        return -1;
    return PyObject_CheckReadBuffer(obj) >= 0; // expect: BUF004 call note=always
}

static int
never_one(PyObject *obj)
{
    void *w;
    Py_ssize_t n;
    return 1 == PyObject_AsWriteBuffer(obj, &w, &n) ? -1 : 0; // expect: BUF003 call note=never
}

/* Ordinary tests: none is noted. */
static Py_ssize_t
ordinary(PyObject *obj)
{
    const void *p;
    const char *s;
    void *w;
    Py_ssize_t n, total = 0;
    if (PyObject_AsReadBuffer(obj, &p, &n) < 0) // expect: BUF002 call
        return -1;
    total += n;
    if (PyObject_AsReadBuffer(obj, &p, &n) == -1) // expect: BUF002 call
        return -1;
    if (PyObject_AsReadBuffer(obj, &p, &n) != 0) // expect: BUF002 call
        return -1;
    if (PyObject_AsCharBuffer(obj, &s, &n)) // expect: BUF001 call
        return -1;
    total += s[0];
    if (!PyObject_AsCharBuffer(obj, &s, &n)) { // expect: BUF001 call
        total += s[0];
    }
    if (0 > PyObject_AsWriteBuffer(obj, &w, &n)) // expect: BUF003 call
        return -1;
    if (PyObject_AsReadBuffer(obj, &p, &n) == 0) // expect: BUF002 call
        return total + n;
    if (!PyObject_CheckReadBuffer(obj) || PyObject_CheckReadBuffer(obj) == 0) // expect: BUF004 call
        // expect@-1: BUF004 call
        return -1;
    if (PyObject_CheckReadBuffer(obj) > 0 && PyObject_CheckReadBuffer(obj) != 1) // expect: BUF004 call
        // expect@-1: BUF004 call
        return -1;
    /* A probe that leaves on success and never reads the pointer after. */
    if (!PyObject_AsReadBuffer(obj, &p, &n)) // expect: BUF002 call
        return 1;
    PyErr_Clear();
    return total;
}
