/* The SWIG side of the fix corpus: old buffer calls in typemaps and in a
 * %{ %} block, built with `swig -python`. */
%module swmod

%{
#include <Python.h>
#include <string.h>

static long first_plus(const char *p, Py_ssize_t n, int k)
{
    return n > 0 ? (unsigned char)p[0] + k : k;
}

static Py_ssize_t fill_bytes(char *p, Py_ssize_t n, int value)
{
    memset(p, value, (size_t)n);
    return n;
}

/* a helper in the C block: the pointer goes back to the caller (compat) */
static int borrowed_len(PyObject *obj, Py_ssize_t *out)
{
    const void *p;
    if (PyObject_AsReadBuffer(obj, &p, out) < 0)
        return -1;
    return 0;
}

static Py_ssize_t length_of(PyObject *obj)
{
    Py_ssize_t n;
    if (borrowed_len(obj, &n) < 0)
        return -1;
    return n;
}
%}

%typemap(in) (const char *p, Py_ssize_t n) {
    const void *data;
    Py_ssize_t size;
    if (PyObject_AsReadBuffer($input, &data, &size) == -1)
        SWIG_fail;
    $1 = (const char *)data;
    $2 = size;
}

%typemap(in) (char *p, Py_ssize_t n) (int unused) {
    void *data;
    Py_ssize_t size;
    if (PyObject_AsWriteBuffer($input, &data, &size) < 0) {
        SWIG_fail;
    }
    $1 = (char *)data;
    $2 = size;
}

%typemap(out) Py_ssize_t {
    if ($1 < 0) SWIG_fail;
    $result = PyLong_FromSsize_t($1);
}

long first_plus(const char *p, Py_ssize_t n, int k);
Py_ssize_t fill_bytes(char *p, Py_ssize_t n, int value);
Py_ssize_t length_of(PyObject *obj);
