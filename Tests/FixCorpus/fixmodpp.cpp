// The C++ side of the fix corpus: methods in a namespace, a class helper,
// exceptions, the usual exits, arrays of pointers filled in a loop and an
// object that keeps the pointer it is given.
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

// A loop filling allocated pointers from a sequence, with a goto-cleanup:
// a non-buffer element or a length mismatch fails in the middle.
static PyObject *xor_seq(PyObject *, PyObject *seq)
{
    PyObject *fast, *result = NULL;
    const char **ptrs = NULL;
    Py_ssize_t k, count, n, len = -1;
    long x = 0;

    fast = PySequence_Fast(seq, "xor_seq needs a sequence");
    if (fast == NULL)
        return NULL;
    count = PySequence_Fast_GET_SIZE(fast);
    ptrs = PyMem_New(const char *, count > 0 ? count : 1);
    if (ptrs == NULL)
        goto done;
    for (k = 0; k < count; k++) {
        if (PyObject_AsCharBuffer(PySequence_Fast_GET_ITEM(fast, k), &ptrs[k], &n) < 0)
            goto done;
        if (len >= 0 && n != len) {
            PyErr_SetString(PyExc_ValueError, "blocks differ in length");
            goto done;
        }
        len = n;
    }
    for (k = 0; k < count; k++)
        x = (x << 1) ^ (len > 0 ? static_cast<unsigned char>(ptrs[k][len - 1]) : 0);
    result = PyLong_FromLong(x);
done:
    PyMem_Free(ptrs);
    Py_DECREF(fast);
    return result;
}

// zfec's Encoder_encode in C++: in a loop, a check that raises the project's own error,
// then the fetch into an element of allocated pointers.
static PyObject *encode_firsts(PyObject *, PyObject *seq)
{
    PyObject *fast, *result = NULL;
    PyObject **items;
    const unsigned char **blocks = NULL;
    Py_ssize_t i, k, sz, oldsz = 0, total = 0;

    fast = PySequence_Fast(seq, "encode_firsts needs a sequence");
    if (fast == NULL)
        return NULL;
    k = PySequence_Fast_GET_SIZE(fast);
    items = PySequence_Fast_ITEMS(fast);
    blocks = PyMem_New(const unsigned char *, k > 0 ? k : 1);
    if (blocks == NULL) {
        PyErr_NoMemory();
        goto err;
    }
    for (i = 0; i < k; i++) {
        if (!PyObject_CheckReadBuffer(items[i])) {
            PyErr_Format(PyExc_ValueError, "Precondition violation: %zd'th item is required to offer the single-segment read character buffer protocol, but it does not.", i);
            goto err;
        }
        if (PyObject_AsReadBuffer(items[i], (const void **)&(blocks[i]), &sz))
            goto err;
        if (oldsz != 0 && oldsz != sz) {
            PyErr_SetString(PyExc_ValueError, "Precondition violation: Input blocks are required to be all the same length.");
            goto err;
        }
        oldsz = sz;
    }
    for (i = 0; i < k; i++)
        total = total * 7 + (oldsz > 0 ? blocks[i][oldsz - 1] : 0);
    result = PyLong_FromSsize_t(total * 100 + oldsz);
err:
    PyMem_Free(blocks);
    Py_DECREF(fast);
    return result;
}

// A loop filling a local array of pointers; a callee throws between an
// acquisition and the use of the pointers, and the function catches it.
static PyObject *bang_blocks(PyObject *, PyObject *args)
{
    const unsigned char *blocks[4];
    Py_ssize_t i, n, count = PyTuple_GET_SIZE(args);
    int lens[4];
    long total = 0;

    if (count > 4) {
        PyErr_SetString(PyExc_ValueError, "at most 4 blocks");
        return NULL;
    }
    try {
        for (i = 0; i < count; i++) {
            if (PyObject_AsReadBuffer(PyTuple_GET_ITEM(args, i), (const void **)&blocks[i], &n) < 0)
                return NULL;
            require_no_bang(n, n > 0 ? static_cast<char>(blocks[i][0]) : 0);
            lens[i] = static_cast<int>(n);
        }
        for (i = 0; i < count; i++)
            total += lens[i] > 0 ? blocks[i][lens[i] - 1] + lens[i] : 0;
        return PyLong_FromLong(total);
    } catch (const std::exception &e) {
        PyErr_SetString(PyExc_ValueError, e.what());
        return NULL;
    }
}

// A writable variant: each block is filled; a read-only block fails with the
// old function's TypeError.
static PyObject *stamp_blocks(PyObject *, PyObject *args)
{
    char *blocks[3];
    int n;
    Py_ssize_t i, count = PyTuple_GET_SIZE(args);

    if (count > 3) {
        PyErr_SetString(PyExc_ValueError, "at most 3 blocks");
        return NULL;
    }
    for (i = 0; i < count; i++) {
        Py_ssize_t len;
        if (PyObject_AsWriteBuffer(PyTuple_GET_ITEM(args, i), (void **)&blocks[i], &len) < 0)
            return NULL;
        n = static_cast<int>(len);
        if (n > 0)
            blocks[i][0] = static_cast<char>('0' + i);
    }
    return PyLong_FromSsize_t(count);
}

// An object that keeps the pointer it is given: the view must live as long
// as the pointer does, and be let go when the object gets another or dies.
struct Holder {
    PyObject_HEAD
    const char *data;
    Py_ssize_t len;
};

static void Holder_dealloc(Holder *self)
{
    PyTypeObject *type = Py_TYPE(self);
    type->tp_free(reinterpret_cast<PyObject *>(self));
    Py_DECREF(type);
}

static int Holder_set(Holder *self, PyObject *obj)
{
    const char *s;
    Py_ssize_t n;
    if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
        return -1;
    require_no_bang(n, n > 0 ? s[0] : 0);
    self->data = s;
    self->len = n;
    return 0;
}

static PyObject *Holder_keep(Holder *self, PyObject *obj)
{
    try {
        if (Holder_set(self, obj) < 0)
            return NULL;
    } catch (const std::exception &e) {
        PyErr_SetString(PyExc_ValueError, e.what());
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *Holder_first(Holder *self, PyObject *)
{
    if (self->data == NULL || self->len == 0)
        Py_RETURN_NONE;
    return PyLong_FromLong(static_cast<unsigned char>(self->data[0]));
}

static PyMethodDef Holder_methods[] = {
    {"keep", reinterpret_cast<PyCFunction>(Holder_keep), METH_O, NULL},
    {"first", reinterpret_cast<PyCFunction>(Holder_first), METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Holder_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void *>(Holder_dealloc)},
    {Py_tp_methods, Holder_methods},
    {Py_tp_new, reinterpret_cast<void *>(PyType_GenericNew)},
    {0, NULL}
};

static PyType_Spec Holder_spec = {"fixmodpp.Holder", sizeof(Holder), 0, Py_TPFLAGS_DEFAULT, Holder_slots};

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
    {"xor_seq", xor_seq, METH_O, NULL},
    {"encode_firsts", encode_firsts, METH_O, NULL},
    {"bang_blocks", bang_blocks, METH_VARARGS, NULL},
    {"stamp_blocks", stamp_blocks, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "fixmodpp", NULL, -1, methods};

} // namespace fixpp

PyMODINIT_FUNC PyInit_fixmodpp(void)
{
    PyObject *m = PyModule_Create(&fixpp::module);
    if (m == NULL)
        return NULL;
    PyObject *holder = PyType_FromSpec(&fixpp::Holder_spec);
    if (holder == NULL || PyModule_AddObject(m, "Holder", holder) < 0) {
        Py_XDECREF(holder);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
