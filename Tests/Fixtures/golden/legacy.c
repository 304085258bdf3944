/* A small extension module that still uses the old buffer protocol. */
#include <Python.h>

static PyObject *
checksum(PyObject *self, PyObject *obj)
{
    const void *data;
    Py_ssize_t size;
    if (PyObject_AsReadBuffer(obj, &data, &size) < 0)
        return NULL;
    return PyLong_FromSsize_t(size);
}

static PyObject *
fill(PyObject *self, PyObject *obj)
{
    void *data;
    Py_ssize_t size;
    if (PyObject_AsWriteBuffer(obj, &data, &size) < 0)
        return NULL;
    if (size > 0)
        ((char *)data)[0] = 0;
    Py_RETURN_NONE;
}

/* Kept as a table entry: a reference, not a call. */
static int (*read_fn)(PyObject *, const void **, Py_ssize_t *) = PyObject_AsReadBuffer;

#if PY_MAJOR_VERSION < 3
static int
old_check(PyObject *obj)
{
    return PyObject_CheckReadBuffer(obj);
}
#endif
