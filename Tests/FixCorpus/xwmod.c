/* The callers of xw_read_buffer (xwrap.c): a fix that changes the wrapper's
 * signature must change every call here, and each caller must then own the
 * view and release it on every path. */
#include "xwrap.h"
#include <string.h>

static PyObject *
xw_len(PyObject *self, PyObject *obj)
{
    const void *p;
    Py_ssize_t n;

    if (xw_read_buffer(obj, &p, &n) < 0)
        return NULL;
    return PyLong_FromSsize_t(n);
}

static PyObject *
xw_first(PyObject *self, PyObject *obj)
{
    const void *p;
    Py_ssize_t n;

    if (xw_read_buffer(obj, &p, &n) < 0)
        return NULL;
    if (n == 0)
        Py_RETURN_NONE;
    return PyLong_FromLong(((const unsigned char *)p)[0]);
}

static PyObject *
xw_equal(PyObject *self, PyObject *args)
{
    PyObject *a, *b;
    const void *pa, *pb;
    Py_ssize_t na, nb;

    if (!PyArg_ParseTuple(args, "OO", &a, &b))
        return NULL;
    if (xw_read_buffer(a, &pa, &na) < 0 || xw_read_buffer(b, &pb, &nb) < 0)
        return NULL;
    return PyBool_FromLong(na == nb && memcmp(pa, pb, (size_t)na) == 0);
}

static PyMethodDef methods[] = {
    {"xw_len", xw_len, METH_O, NULL},
    {"xw_first", xw_first, METH_O, NULL},
    {"xw_equal", xw_equal, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "xwmod", NULL, -1, methods};

PyMODINIT_FUNC
PyInit_xwmod(void)
{
    return PyModule_Create(&module);
}
