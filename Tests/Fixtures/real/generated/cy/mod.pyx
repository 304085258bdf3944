# The source of mod.c: findings are reported here, not in the generated copy.
def f(obj):
    cdef const void *p
    cdef Py_ssize_t n
    PyObject_AsReadBuffer(obj, &p, &n)  # expect: BUF002 call
    return n
