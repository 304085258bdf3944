# A function declared under another Cython name: the string is the C name Cython emits, so the
# declaration is a declaration of the old function and every use of the alias is a use of it.
cdef extern from "Python.h":
    int buffer_to_writable_memory 'PyObject_AsWriteBuffer'(object, void **, Py_ssize_t *) except -1  # expect: BUF003 declaration
    int check_readable "PyObject_CheckReadBuffer"(object)  # expect: BUF004 declaration

def fill(obj):
    cdef void *p
    cdef Py_ssize_t n
    if buffer_to_writable_memory(obj, &p, &n) < 0:  # expect: BUF003 call in=fill
        return None
    (<char *>p)[0] = 0
    return n

def readable(obj):
    return check_readable(obj)  # expect: BUF004 call in=readable

checker = check_readable  # expect: BUF004 reference in=-

# A string that merely spells the name is not a declaration.
message = "PyObject_AsWriteBuffer"
