# cython: language_level=3
# The Cython side of the fix corpus: old buffer calls declared from Python.h.
import sys

cdef extern from "Python.h":
    int PyObject_AsReadBuffer(object obj, const void **buffer, Py_ssize_t *buffer_len) except -1
    int PyObject_AsWriteBuffer(object obj, void **buffer, Py_ssize_t *buffer_len) except -1


def cy_sum(obj):
    """The failure test of an `if`; an exception while the view is held."""
    cdef const void *data
    cdef Py_ssize_t length
    cdef Py_ssize_t i
    cdef unsigned long total = 0
    if PyObject_AsReadBuffer(obj, &data, &length) < 0:
        raise TypeError("cy_sum needs a buffer")
    if length and (<const unsigned char *>data)[0] == 33:
        raise ValueError("no bang please")

    for i in range(length):
        total += (<const unsigned char *>data)[i]
    return total


def cy_fill(obj, int value):
    """A call statement of its own; an early return."""
    cdef void *p
    cdef Py_ssize_t n
    cdef Py_ssize_t i
    PyObject_AsWriteBuffer(obj, &p, &n)
    if n == 0:
        return None
    for i in range(n):
        (<unsigned char *>p)[i] = value
    return n
