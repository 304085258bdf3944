/* Macros from a header SWIG reads but bufferlint does not: their values are unknown,
   so both branches count as compiled. */
%module features
%include <limits.h>

#if defined(FEATURE_FROM_SYSTEM_HEADER)
%inline %{
int a(PyObject *o) { const void *p; Py_ssize_t n; return PyObject_AsReadBuffer(o, &p, &n); }  // expect: BUF002 call
%}
#else
%inline %{
int b(PyObject *o) { void *p; Py_ssize_t n; return PyObject_AsWriteBuffer(o, &p, &n); }  // expect: BUF003 call
%}
#endif
