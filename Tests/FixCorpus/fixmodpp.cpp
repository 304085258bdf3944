// The C++ side of the fix corpus: methods in a namespace, a class helper,
// exceptions (which must keep the compat rewrite) and the usual exits.
#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include "Python.h"
#include <cstring>
#include <stdexcept>
#include <string>

namespace fixpp {

static PyObject *read_len(PyObject *, PyObject *obj)
{
    const void *p;
    Py_ssize_t n;
    if (PyObject_AsReadBuffer(obj, &p, &n) < 0) return NULL;
    long first = n > 0 ? static_cast<const unsigned char *>(p)[0] : -1;
    return Py_BuildValue("(nl)", n, first);
}

static PyObject *upper_copy(PyObject *, PyObject *obj)
{
    const char *s;
    Py_ssize_t n;
    if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
        return NULL;
    std::string copy(s, static_cast<size_t>(n));
    for (auto &c : copy) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
    return PyBytes_FromStringAndSize(copy.data(), static_cast<Py_ssize_t>(copy.size()));
}

static PyObject *fill(PyObject *, PyObject *args)
{
    PyObject *obj;
    int value;
    void *p;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "Oi", &obj, &value))
        return NULL;
    if (PyObject_AsWriteBuffer(obj, &p, &n) != 0)
        return NULL;
    if (n == 0)
        Py_RETURN_FALSE;
    std::memset(p, value, static_cast<size_t>(n));
    Py_RETURN_TRUE;
}

static PyObject *check(PyObject *, PyObject *obj)
{
    if (!PyObject_CheckReadBuffer(obj))
        Py_RETURN_FALSE;
    Py_RETURN_TRUE;
}

static PyObject *guarded_sum(PyObject *, PyObject *obj)
{
    const char *s;
    Py_ssize_t n;
    try {
        if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
            return NULL;
        if (n > 1000000)
            throw std::string("too long");
        long sum = 0;
        for (Py_ssize_t i = 0; i < n; i++) sum += static_cast<unsigned char>(s[i]);
        return PyLong_FromLong(sum);
    } catch (const std::string &e) {
        PyErr_SetString(PyExc_ValueError, e.c_str());
        return NULL;
    }
}

struct Counter {
    static Py_ssize_t count_byte(PyObject *obj, int byte)
    {
        const void *p;
        Py_ssize_t n, k = 0;
        if (PyObject_AsReadBuffer(obj, &p, &n) < 0)
            return -1;
        const unsigned char *b = static_cast<const unsigned char *>(p);
        for (Py_ssize_t i = 0; i < n; i++)
            if (b[i] == byte) k++;
        return k;
    }
};

static PyObject *count_byte(PyObject *, PyObject *args)
{
    PyObject *obj;
    int byte;
    if (!PyArg_ParseTuple(args, "Oi", &obj, &byte))
        return NULL;
    Py_ssize_t k = Counter::count_byte(obj, byte);
    if (k < 0) return NULL;
    return PyLong_FromSsize_t(k);
}

// Throws between the acquisition and the last use of the pointer.
static void require_no_bang(Py_ssize_t n, char first)
{
    if (n > 0 && first == '!')
        throw std::runtime_error("no bang please");
}

// The exception is caught in the function that holds the view.
static PyObject *bang_sum(PyObject *, PyObject *obj)
{
    const char *s;
    Py_ssize_t n;
    try {
        if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
            return NULL;
        require_no_bang(n, n > 0 ? s[0] : 0);
        long sum = 0;
        for (Py_ssize_t i = 0; i < n; i++) sum += static_cast<unsigned char>(s[i]);
        return PyLong_FromLong(sum);
    } catch (const std::exception &e) {
        PyErr_SetString(PyExc_ValueError, e.what());
        return NULL;
    }
}

// The exception leaves the function that holds the view, caught by its caller.
static long bang_first_impl(PyObject *obj)
{
    const void *p;
    Py_ssize_t n;
    if (PyObject_AsReadBuffer(obj, &p, &n) < 0)
        return -1;
    const unsigned char *b = static_cast<const unsigned char *>(p);
    require_no_bang(n, n > 0 ? static_cast<char>(b[0]) : 0);
    if (n == 0)
        return 0;
    return static_cast<long>(b[n - 1]);
}

static PyObject *bang_first(PyObject *, PyObject *obj)
{
    try {
        long r = bang_first_impl(obj);
        if (r < 0)
            return NULL;
        return PyLong_FromLong(r);
    } catch (const std::runtime_error &e) {
        PyErr_SetString(PyExc_RuntimeError, e.what());
        return NULL;
    }
}

// A check paired with the acquisition, in C++.
static PyObject *checked_fill(PyObject *, PyObject *obj)
{
    const char *s;
    Py_ssize_t n;
    if (!PyObject_CheckReadBuffer(obj))
        return PyUnicode_FromString("not a buffer");
    if (PyObject_AsCharBuffer(obj, &s, &n) != 0)
        return NULL;
    return PyLong_FromSsize_t(n > 0 ? s[n - 1] : -1);
}

static PyMethodDef methods[] = {
    {"read_len", read_len, METH_O, NULL},
    {"upper_copy", upper_copy, METH_O, NULL},
    {"fill", fill, METH_VARARGS, NULL},
    {"check", check, METH_O, NULL},
    {"guarded_sum", guarded_sum, METH_O, NULL},
    {"count_byte", count_byte, METH_VARARGS, NULL},
    {"bang_sum", bang_sum, METH_O, NULL},
    {"bang_first", bang_first, METH_O, NULL},
    {"checked_fill", checked_fill, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "fixmodpp", NULL, -1, methods};

} // namespace fixpp

PyMODINIT_FUNC PyInit_fixmodpp(void)
{
    return PyModule_Create(&fixpp::module);
}
