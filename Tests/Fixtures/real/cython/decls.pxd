# bufferlint: ignore-file[BUF004]
cdef extern from "Python.h":
    int PyObject_CheckReadBuffer(object)
    int PyObject_AsReadBuffer (object, const void **, Py_ssize_t *) except -1  # expect: BUF002 declaration

cdef extern int PyObject_AsCharBuffer(object, const char **, Py_ssize_t *) except -1  # expect: BUF001 declaration

cdef inline object as_bytes(object ob):
    cdef const char *c
    cdef Py_ssize_t n
    PyObject_AsCharBuffer(ob, &c, &n)  # expect: BUF001 call
    return c[:n]
