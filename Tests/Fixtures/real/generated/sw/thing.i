%module thing
%inline %{
int thing_len(PyObject *o) {
    const char *p; Py_ssize_t n;
    if (PyObject_AsCharBuffer(o, &p, &n) < 0) return -1;
    // expect@-1: BUF001 call
    return (int)n;
}
%}
