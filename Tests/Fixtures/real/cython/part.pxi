# Included into reader.pyx.
def write_into(buff):
    cdef void *mem
    cdef Py_ssize_t size
    PyObject_AsWriteBuffer(buff, &mem, &size)  # expect: BUF003 call
    return size
