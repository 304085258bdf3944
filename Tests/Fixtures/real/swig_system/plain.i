/* Without a header that could define it, an undefined macro is absent. */
%module plain

#if defined(FEATURE_FROM_SYSTEM_HEADER)
%inline %{
int a(PyObject *o) { const void *p; Py_ssize_t n; return PyObject_AsReadBuffer(o, &p, &n); }  // expect: BUF002 inactive
%}
#endif
