/* A small extension written against the old buffer protocol, as many were. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

static PyObject *
checksum(PyObject *self, PyObject *obj)
{
    const void *data;
    Py_ssize_t size, i;
    unsigned long sum = 0;

    if (PyObject_AsReadBuffer(obj, &data, &size) < 0)
        return NULL;
    for (i = 0; i < size; i++)
        sum += ((const unsigned char *)data)[i];
    return PyLong_FromUnsignedLong(sum);
}

static PyObject *
upper(PyObject *self, PyObject *obj)
{
    const char *s;
    Py_ssize_t n;

    if (PyObject_AsCharBuffer(obj, &s, &n) == -1)
        return NULL;
    return PyBytes_FromStringAndSize(s, n);
}

static PyObject *
zero(PyObject *self, PyObject *obj)
{
    void *p;
    Py_ssize_t n;

    if (PyObject_AsWriteBuffer(obj, &p, &n) < 0)
        return NULL;
    memset(p, 0, (size_t)n);
    Py_RETURN_NONE;
}

static PyObject *
is_buffer(PyObject *self, PyObject *obj)
{
    return PyBool_FromLong(PyObject_CheckReadBuffer(obj));
}

#if PY_MAJOR_VERSION < 3
static PyObject *
legacy_only(PyObject *self, PyObject *obj)
{
    const char *s;
    Py_ssize_t n;
    if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
        return NULL;
    return PyString_FromStringAndSize(s, n);
}
#endif

static PyMethodDef legacy_methods[] = {
    {"checksum", checksum, METH_O, "Sum of the bytes of a buffer."},
    {"upper", upper, METH_O, "A copy of a buffer as bytes."},
    {"zero", zero, METH_O, "Fill a writable buffer with zeros."},
    {"is_buffer", is_buffer, METH_O, "Whether an object gives a simple buffer."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef legacy_module = {
    PyModuleDef_HEAD_INIT, "legacy", NULL, -1, legacy_methods
};

PyMODINIT_FUNC
PyInit_legacy(void)
{
    return PyModule_Create(&legacy_module);
}
