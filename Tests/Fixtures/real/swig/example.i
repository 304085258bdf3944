/* A SWIG interface with old buffer calls in each kind of code block. */
%module example

%include "settings.h"

%ignore PyObject_AsReadBuffer;
%rename(old_read) PyObject_AsReadBuffer;
%ignore example_read;

%{
#include <Python.h>

static int example_read(PyObject *obj, const void **out, Py_ssize_t *len)
{
    return PyObject_AsReadBuffer(obj, out, len);  // expect: BUF002 call
}
%}

/* SWIG wraps this prototype, so the wrapper calls it. */
int PyObject_AsCharBuffer(PyObject *obj, const char **buffer, Py_ssize_t *len);  // expect: BUF001 declaration

%typemap(in) (const void *data, Py_ssize_t size) {
    if (PyObject_AsReadBuffer($input, &$1, &$2) < 0) SWIG_fail;  // expect: BUF002 call
}

%typemap(in) (void *wdata, Py_ssize_t wsize) %{
%#if PY_VERSION_HEX < 0x03000000
    if (PyObject_AsWriteBuffer($input, &$1, &$2) < 0) SWIG_fail;  // expect: BUF003 inactive info
%#elif PY_VERSION_HEX < 0x030D0000
    if (PyObject_AsWriteBuffer($input, &$1, &$2) < 0) SWIG_fail;  // expect: BUF003 guarded info
%#else
    { Py_buffer v; if (PyObject_GetBuffer($input, &v, PyBUF_WRITABLE) < 0) SWIG_fail; $1 = v.buf; $2 = v.len; PyBuffer_Release(&v); }
%#endif
%}

%extend Blob {
    int readable(PyObject *o) {
        return PyObject_CheckReadBuffer(o);  // expect: BUF004 call
    }
}

#if PY_MAJOR_VERSION < 3
%inline %{
int legacy(PyObject *o) { const char *p; Py_ssize_t n; return PyObject_AsCharBuffer(o, &p, &n); }  // expect: BUF001 inactive
%}
#endif

#ifdef EXAMPLE_HAS_BLOBS
%inline %{
int blobs(PyObject *o) { const void *p; Py_ssize_t n; return example_read(o, &p, &n); }  // expect: BUF002 wrapper-call info macro=example_read
%}
#else
%inline %{
int no_blobs(PyObject *o) { const void *p; Py_ssize_t n; return PyObject_AsReadBuffer(o, &p, &n); }  // expect: BUF002 inactive
%}
#endif

%inline %{
int other(PyObject *o) {
    const char *s = "PyObject_AsReadBuffer";  /* PyObject_AsReadBuffer in a comment */
    return s[0];
}
%}
