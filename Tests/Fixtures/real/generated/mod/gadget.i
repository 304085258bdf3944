%module(threads=1) gadget
%inline %{
int gadget_size(PyObject *o) {
    void *p; Py_ssize_t n;
    return PyObject_AsWriteBuffer(o, &p, &n) < 0 ? -1 : (int)n;
}
%}
// expect@-3: BUF003 call
