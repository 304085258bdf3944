// A C++ project wrapper in its own file: it hands the pointer of the old call
// to callers in another file (xwmodpp.cpp), through its own out-parameters.
#include "xwrappp.hpp"

int xwpp_write_buffer(PyObject *obj, void **buf, Py_ssize_t *len)
{
    if (obj == Py_None) {
        PyErr_SetString(PyExc_TypeError, "None is not a buffer here");
        return -1;
    }
    return PyObject_AsWriteBuffer(obj, buf, len);
}
