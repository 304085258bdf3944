/* Functions inside SWIG's `%fragment` sections are named as such, not as `fragment`. */
%module fragments
%fragment("get_buf", "header") {
static int get_buf(PyObject *o, const void **p, Py_ssize_t *n) {
    return PyObject_AsReadBuffer(o, p, n); // expect: BUF002 call in=get_buf
}
}
%fragment("check_buf", "header") {
static int check_buf(PyObject *o) {
    return PyObject_CheckReadBuffer(o); // expect: BUF004 call in=check_buf
}
}
