// The C++ callers of xwpp_write_buffer (xwrappp.cpp): a fix that changes the
// wrapper's signature must change every call here, and each caller must then
// own the view until every exit, a C++ exception caught here included.
#include "xwrappp.hpp"
#include <stdexcept>

namespace xwpp {

static void require_no_bang(char c)
{
    if (c == '!')
        throw std::runtime_error("no bang please");
}

static PyObject *xwpp_len(PyObject *, PyObject *obj)
{
    void *p;
    Py_ssize_t n;

    if (xwpp_write_buffer(obj, &p, &n) < 0)
        return NULL;
    return PyLong_FromSsize_t(n);
}

static PyObject *xwpp_first(PyObject *, PyObject *obj)
{
    void *p;
    Py_ssize_t n;

    if (xwpp_write_buffer(obj, &p, &n) < 0)
        return NULL;
    if (n == 0)
        Py_RETURN_NONE;
    return PyLong_FromLong(static_cast<const unsigned char *>(p)[0]);
}

// Stamps '#' over the first byte, unless it is '!': the check throws between
// the wrapper's call and the write, and the exception becomes a ValueError.
static PyObject *xwpp_stamp(PyObject *, PyObject *obj)
{
    void *p;
    Py_ssize_t n;

    try {
        if (xwpp_write_buffer(obj, &p, &n) < 0)
            return NULL;
        require_no_bang(n > 0 ? static_cast<const char *>(p)[0] : 0);
        if (n > 0)
            static_cast<char *>(p)[0] = '#';
        return PyLong_FromSsize_t(n);
    } catch (const std::exception &e) {
        PyErr_SetString(PyExc_ValueError, e.what());
        return NULL;
    }
}

static PyMethodDef methods[] = {
    {"xwpp_len", xwpp_len, METH_O, NULL},
    {"xwpp_first", xwpp_first, METH_O, NULL},
    {"xwpp_stamp", xwpp_stamp, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "xwmodpp", NULL, -1, methods};

} // namespace xwpp

PyMODINIT_FUNC PyInit_xwmodpp(void)
{
    return PyModule_Create(&xwpp::module);
}
