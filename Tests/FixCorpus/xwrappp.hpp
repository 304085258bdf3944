// xwrappp.hpp: the C++ project helper shared by the files of the xwmodpp module.
#ifndef XWRAPPP_HPP
#define XWRAPPP_HPP
#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>

int xwpp_write_buffer(PyObject *obj, void **buf, Py_ssize_t *len);

#endif
