/* xwrap.h: the project helper shared by the files of the xwmod module. */
#ifndef XWRAP_H
#define XWRAP_H
#include <Python.h>

int xw_read_buffer(PyObject *obj, const void **buf, Py_ssize_t *len);

#endif
