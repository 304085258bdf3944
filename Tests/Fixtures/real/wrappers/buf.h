#include <Python.h>
int buf_get(PyObject *obj, const void **data, Py_ssize_t *size);
int buf_get_writable(PyObject *obj, void **data, Py_ssize_t *size);
int buf_size(PyObject *obj);
