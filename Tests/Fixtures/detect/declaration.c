/* A project that declares the removed functions itself. */
#include <Python.h>

PyAPI_FUNC(int) PyObject_AsReadBuffer(PyObject *obj, const void **buffer, Py_ssize_t *buffer_len); // expect: BUF002 declaration col=17 error
extern int PyObject_AsWriteBuffer(PyObject *, void **, Py_ssize_t *); // expect: BUF003 declaration
int
PyObject_CheckReadBuffer(PyObject *obj);
// expect: BUF004 declaration col=1
