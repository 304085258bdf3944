# cython: language_level=3
# The Cython side of the fix corpus: old buffer calls declared from Python.h.
import sys
from cpython.mem cimport PyMem_Malloc, PyMem_Free

cdef extern from "Python.h":
    int PyObject_AsCharBuffer(object obj, const char **buffer, Py_ssize_t *buffer_len) except -1
    int PyObject_AsReadBuffer(object obj, const void **buffer, Py_ssize_t *buffer_len) except -1
    int PyObject_AsWriteBuffer(object obj, void **buffer, Py_ssize_t *buffer_len) except -1
    int PyObject_CheckReadBuffer(object obj)

# Where cy_remember and cymod_part.pxi keep a pointer past the call.
cdef const char *_remembered = NULL
cdef Py_ssize_t _remembered_len = 0
cdef const void *_part_data = NULL
cdef Py_ssize_t _part_len = 0


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


def cy_readable(obj):
    """A check: compat, the old answer exactly (the exporter's error cleared)."""
    return PyObject_CheckReadBuffer(obj)


def cy_remember(obj):
    """The pointer goes to module-level variables: compat."""
    PyObject_AsCharBuffer(obj, &_remembered, &_remembered_len)
    return _remembered_len


def cy_remembered_first():
    if _remembered_len == 0:
        return None
    return _remembered[0]


cdef class Holder:
    """The pointer is kept in the object: compat."""
    cdef const void *data
    cdef Py_ssize_t size
    cdef object obj

    def hold(self, obj):
        PyObject_AsReadBuffer(obj, &self.data, &self.size)
        self.obj = obj
        return self.size

    def first(self):
        if self.size == 0:
            return None
        return (<const unsigned char *>self.data)[0]


def cy_pick(obj, int pick):
    """A call in an `if` body, the pointer used only in that block: the view is held there."""
    cdef const void *data
    cdef Py_ssize_t length
    result = "not picked"
    if pick:
        if PyObject_AsReadBuffer(obj, &data, &length) < 0:
            raise TypeError("cy_pick needs a buffer")
        if length == 0:
            return None
        result = (<const unsigned char *>data)[0] + length
    else:
        result = -1
    return result


def cy_first_bytes(items):
    """A call in a `for` body: a view per iteration, released by `continue` and `break` too."""
    cdef const char *p
    cdef Py_ssize_t n
    total = 0
    for x in items:
        PyObject_AsCharBuffer(x, &p, &n)
        if n == 0:
            continue
        if p[0] == 33:
            break
        total += p[0]
    return total


def cy_zero_first(obj):
    """A call in a `try` body whose `except` catches the old TypeError."""
    cdef void *p
    cdef Py_ssize_t n
    try:
        PyObject_AsWriteBuffer(obj, &p, &n)
        if n:
            (<unsigned char *>p)[0] = 90
        return n
    except TypeError as e:
        return "TypeError: %s" % e


def cy_choose(obj, int writable):
    """Calls in both branches of an if/else, the pointer used after it: compat."""
    cdef void *p = NULL
    cdef Py_ssize_t n = 0
    if writable:
        PyObject_AsWriteBuffer(obj, &p, &n)
    else:
        PyObject_AsReadBuffer(obj, <const void **>&p, &n)
    if n == 0:
        return None
    return (<unsigned char *>p)[n - 1]


def cy_count(obj, int byte):
    """A call at the top of the body followed by `cdef` statements: they move before it."""
    cdef const char *p
    cdef Py_ssize_t n
    PyObject_AsCharBuffer(obj, &p, &n)
    cdef Py_ssize_t i
    cdef Py_ssize_t count = 0
    for i in range(n):
        if <unsigned char>p[i] == byte:
            count += 1
    return count


def cy_firsts(items):
    """A call in a loop filling an array of pointers that are read after the loop: an array of views."""
    cdef Py_ssize_t count = len(items)
    cdef Py_ssize_t i
    cdef const char **ptrs = <const char **>PyMem_Malloc(count * sizeof(char *) + 1)
    cdef Py_ssize_t *lens = <Py_ssize_t *>PyMem_Malloc(count * sizeof(Py_ssize_t) + 1)
    if ptrs == NULL or lens == NULL:
        PyMem_Free(ptrs)
        PyMem_Free(lens)
        raise MemoryError()
    try:
        for i in range(count):
            PyObject_AsCharBuffer(items[i], &ptrs[i], &lens[i])
        out = []
        for i in range(count):
            out.append(ptrs[i][lens[i] - 1] if lens[i] else None)
        return out
    finally:
        PyMem_Free(ptrs)
        PyMem_Free(lens)


include "cymod_part.pxi"
