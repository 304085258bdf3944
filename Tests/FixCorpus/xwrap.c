/* A project wrapper in its own file: it hands the pointer of the old call to
 * callers in another file (xwmod.c), through its own out-parameters. */
#include "xwrap.h"

int
xw_read_buffer(PyObject *obj, const void **buf, Py_ssize_t *len)
{
    if (obj == Py_None) {
        PyErr_SetString(PyExc_TypeError, "None is not a buffer here");
        return -1;
    }
    return PyObject_AsReadBuffer(obj, buf, len);
}
