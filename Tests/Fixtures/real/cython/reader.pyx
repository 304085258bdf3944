# Cython module using the old buffer functions in every shape the scanner must tell apart.
# A comment naming PyObject_AsReadBuffer is never a finding.
from cpython.version cimport PY_MAJOR_VERSION

cdef extern from "Python.h":
    int PyObject_AsReadBuffer(object obj, const void **buf, Py_ssize_t *n) except -1  # expect: BUF002 declaration warning
    int PyObject_CheckReadBuffer(object)  # expect: BUF004 declaration

cdef extern from 'python.h':
    int PyObject_AsWriteBuffer(object, void **, Py_ssize_t *) except -1  # expect: BUF003 declaration

cdef extern from *:
    # old Pythons: PyObject_AsCharBuffer lived here
    ctypedef struct Holder:
        int (*PyObject_AsCharBuffer)(object, const char **, Py_ssize_t *)  # expect: BUF001 declaration

include "part.pxi"

DOC = """PyObject_AsReadBuffer(obj) in a docstring
and PyObject_AsWriteBuffer on its second line"""
RAW = r'PyObject_AsReadBuffer' + b"PyObject_AsCharBuffer" + f"{len('x')} PyObject_AsWriteBuffer"
TRIPLE = '''PyObject_CheckReadBuffer
'''

def read(obj):
    cdef const void *p
    cdef Py_ssize_t n
    if PyObject_AsReadBuffer(obj, &p, &n) < 0:  # expect: BUF002 call error
        return None
    assert PyObject_AsReadBuffer(obj, &p,  # expect: BUF002 call
                                 &n) == 0
    return n

cdef int writable(object obj) except -1:
    cdef void *p
    cdef Py_ssize_t n
    if PY_MAJOR_VERSION < 3:
        PyObject_AsWriteBuffer(obj, &p, &n)  # expect: BUF003 call
    return PyObject_CheckReadBuffer(obj) and 2  # expect: BUF004 call

class Thing:
    def PyObject_AsReadBuffer_like(self):
        return self.PyObject_AsReadBuffer(1)

fn = PyObject_AsReadBuffer  # expect: BUF002 reference
