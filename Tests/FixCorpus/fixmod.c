/* An extension written against the old buffer protocol, in the styles real
 * modules use: bufferlint fix must turn it into one that builds on 3.13 and
 * behaves the same (Tests/python/test_fix_corpus.py). */
#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>
#include <string.h>

#define GET_READ(o, p, n) \
    PyObject_AsReadBuffer((o), \
                          (p), (n))

struct holder {
    const char *data;
    Py_ssize_t len;
};
static struct holder last_seen;

/* return NULL on failure, then a loop over the bytes */
static PyObject *
read_sum(PyObject *self, PyObject *obj)
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

/* the return value reads the buffer */
static PyObject *
char_copy(PyObject *self, PyObject *obj)
{
    const char *s;
    Py_ssize_t n;

    if (PyObject_AsCharBuffer(obj, &s, &n) == -1)
        return NULL;
    return PyBytes_FromStringAndSize(s, n);
}

/* writable buffer, Py_RETURN_NONE */
static PyObject *
zero_fill(PyObject *self, PyObject *obj)
{
    void *p;
    Py_ssize_t n;

    if (PyObject_AsWriteBuffer(obj, &p, &n) < 0) {
        return NULL;
    }
    memset(p, 0, (size_t)n);
    Py_RETURN_NONE;
}

static PyObject *
is_readable(PyObject *self, PyObject *obj)
{
    return PyBool_FromLong(PyObject_CheckReadBuffer(obj));
}

/* goto-cleanup */
static PyObject *
head_copy(PyObject *self, PyObject *args)
{
    PyObject *obj, *result = NULL;
    Py_ssize_t want;
    const char *s;
    Py_ssize_t n;

    if (!PyArg_ParseTuple(args, "On", &obj, &want))
        goto done;
    if (PyObject_AsCharBuffer(obj, &s, &n) != 0)
        goto done;
    if (want < 0 || want > n) {
        PyErr_SetString(PyExc_ValueError, "want out of range");
        goto done;
    }
    result = PyBytes_FromStringAndSize(s, want);
done:
    return result;
}

/* several exits, unbraced */
static PyObject *
several_exits(PyObject *self, PyObject *args)
{
    PyObject *obj;
    int mode;
    const void *p;
    Py_ssize_t n;

    if (!PyArg_ParseTuple(args, "Oi", &obj, &mode))
        return NULL;
    if (PyObject_AsReadBuffer(obj, &p, &n))
        return NULL;
    if (mode == 0)
        return PyLong_FromSsize_t(n);
    else if (mode == 1)
        return PyBytes_FromStringAndSize((const char *)p, n < 1 ? n : 1);
    if (mode == 2) {
        PyErr_SetString(PyExc_ValueError, "mode 2");
        return NULL;
    }
    switch (mode) {
    case 3:
        Py_RETURN_TRUE;
    case 4:
        return PyLong_FromLong(n > 0 ? ((const unsigned char *)p)[n - 1] : -1);
    default:
        break;
    }
    Py_RETURN_FALSE;
}

/* a call in a loop: needs a view per iteration, so it stays compat */
static PyObject *
total_length(PyObject *self, PyObject *args)
{
    Py_ssize_t i, total = 0;

    for (i = 0; i < PyTuple_GET_SIZE(args); i++) {
        const void *p;
        Py_ssize_t n;
        if (PyObject_AsReadBuffer(PyTuple_GET_ITEM(args, i), &p, &n) < 0)
            return NULL;
        total += n;
    }
    return PyLong_FromSsize_t(total);
}

/* a void helper: exits by return; and by its end */
static void
copy_head(PyObject *obj, char *out, Py_ssize_t *outlen)
{
    const void *p;
    Py_ssize_t n;

    *outlen = -1;
    if (PyObject_AsReadBuffer(obj, &p, &n) < 0)
        return;
    memcpy(out, p, n < 8 ? (size_t)n : 8);
    *outlen = n < 8 ? n : 8;
}

static PyObject *
via_helper(PyObject *self, PyObject *obj)
{
    char buf[8];
    Py_ssize_t len;

    copy_head(obj, buf, &len);
    if (len < 0)
        return NULL;
    return PyBytes_FromStringAndSize(buf, len);
}

/* two buffers in one function */
static PyObject *
same_bytes(PyObject *self, PyObject *args)
{
    PyObject *a, *b;
    const void *pa, *pb;
    Py_ssize_t na, nb;

    if (!PyArg_ParseTuple(args, "OO", &a, &b))
        return NULL;
    if (PyObject_AsReadBuffer(a, &pa, &na) < 0)
        return NULL;
    if (PyObject_AsReadBuffer(b, &pb, &nb) < 0)
        return NULL;
    if (na != nb)
        Py_RETURN_FALSE;
    return PyBool_FromLong(memcmp(pa, pb, (size_t)na) == 0);
}

/* a call through a macro */
static PyObject *
macro_len(PyObject *self, PyObject *obj)
{
    const void *p;
    Py_ssize_t n;

    if (GET_READ(obj, &p, &n) < 0)
        return NULL;
    return PyLong_FromSsize_t(n);
}

/* the pointer is kept in a struct: the scoped rewrite must not be used */
static PyObject *
remember(PyObject *self, PyObject *obj)
{
    const char *s;
    Py_ssize_t n;

    if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
        return NULL;
    last_seen.data = s;
    last_seen.len = n;
    return PyLong_FromSsize_t(last_seen.len);
}

/* the result stored in a variable */
static PyObject *
mark_first(PyObject *self, PyObject *obj)
{
    void *p;
    Py_ssize_t n;
    int rc;

    rc = PyObject_AsWriteBuffer(obj, &p, &n);
    if (rc < 0)
        return NULL;
    if (n > 0)
        ((char *)p)[0] = 'X';
    return PyLong_FromSsize_t(n);
}

/* a check paired with an acquisition of the same object: one view, the
 * function's own error message when it is not a buffer */
static PyObject *
checked_len(PyObject *self, PyObject *obj)
{
    const void *p;
    Py_ssize_t n;

    if (!PyObject_CheckReadBuffer(obj)) {
        PyErr_SetString(PyExc_TypeError, "checked_len needs a contiguous buffer");
        return NULL;
    }
    if (PyByteArray_Check(obj) && PyByteArray_GET_SIZE(obj) > 5) {
        PyErr_SetString(PyExc_ValueError, "checked_len takes at most 5 bytes from a bytearray");
        return NULL;
    }
    if (PyObject_AsReadBuffer(obj, &p, &n) < 0)
        return NULL;
    return PyLong_FromSsize_t(n > 0 ? ((const unsigned char *)p)[0] + n : 0);
}

/* two acquisitions in one condition: when the second fails, the first is released */
static PyObject *
concat_len(PyObject *self, PyObject *args)
{
    PyObject *a, *b;
    const void *pa, *pb;
    Py_ssize_t na, nb;

    if (!PyArg_ParseTuple(args, "OO", &a, &b))
        return NULL;
    if (PyObject_AsReadBuffer(a, &pa, &na) == -1 || PyObject_AsReadBuffer(b, &pb, &nb) == -1)
        return NULL;
    na += na > 0 ? ((const unsigned char *)pa)[0] : 0;
    nb += nb > 0 ? ((const unsigned char *)pb)[0] : 0;
    return PyLong_FromSsize_t(na + nb);
}

/* the pointer is read without the GIL: not an escape */
static PyObject *
count_zeros(PyObject *self, PyObject *obj)
{
    const void *p;
    Py_ssize_t n, i, zeros = 0;

    if (PyObject_AsReadBuffer(obj, &p, &n) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    for (i = 0; i < n; i++)
        if (((const unsigned char *)p)[i] == 0)
            zeros++;
    Py_END_ALLOW_THREADS
    return PyLong_FromSsize_t(zeros);
}

/* a local copy of the pointer, read by the return value */
static PyObject *
last_byte(PyObject *self, PyObject *obj)
{
    const char *s, *end;
    Py_ssize_t n;

    if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
        return NULL;
    if (n == 0)
        Py_RETURN_NONE;
    end = s + n - 1;
    return PyLong_FromLong((unsigned char)*end);
}

/* a loop filling an array of pointers, one view each; a failure in the
 * middle leaves the views acquired so far to be released */
static PyObject *
sum_first_bytes(PyObject *self, PyObject *args)
{
    const unsigned char *blocks[4];
    Py_ssize_t i, n, total = 0, count = PyTuple_GET_SIZE(args);

    if (count > 4) {
        PyErr_SetString(PyExc_ValueError, "at most 4 blocks");
        return NULL;
    }
    for (i = 0; i < count; i++) {
        if (PyObject_AsReadBuffer(PyTuple_GET_ITEM(args, i), (const void **)&blocks[i], &n) < 0)
            return NULL;
        if (n == 0) {
            PyErr_SetString(PyExc_ValueError, "empty block");
            return NULL;
        }
    }
    for (i = 0; i < count; i++)
        total += blocks[i][0];
    return PyLong_FromSsize_t(total);
}

/* the same into allocated memory, with a goto-cleanup */
static PyObject *
xor_blocks(PyObject *self, PyObject *seq)
{
    PyObject *fast, *result = NULL;
    const char **ptrs = NULL;
    Py_ssize_t k, count, n, len = -1;
    long x = 0;

    fast = PySequence_Fast(seq, "xor_blocks needs a sequence");
    if (fast == NULL)
        return NULL;
    count = PySequence_Fast_GET_SIZE(fast);
    ptrs = PyMem_New(const char *, count > 0 ? count : 1);
    if (ptrs == NULL)
        goto done;
    for (k = 0; k < count; k++) {
        if (PyObject_AsReadBuffer(PySequence_Fast_GET_ITEM(fast, k), (const void **)&ptrs[k], &n))
            goto done;
        if (len >= 0 && n != len) {
            PyErr_SetString(PyExc_ValueError, "blocks differ in length");
            goto done;
        }
        len = n;
    }
    for (k = 0; k < count; k++)
        x ^= len > 0 ? ptrs[k][0] : 0;
    result = PyLong_FromLong(x);
done:
    PyMem_Free(ptrs);
    Py_DECREF(fast);
    return result;
}

/* an object keeps the pointer it is given: the view must live as long as the
 * pointer does, and be let go when the object gets another one or dies */
typedef struct {
    PyObject_HEAD
    const char *data;
    Py_ssize_t len;
} Keeper;

static void
Keeper_dealloc(Keeper *self)
{
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
Keeper_set(Keeper *self, PyObject *obj)
{
    const char *s;
    Py_ssize_t n;

    if (PyObject_AsCharBuffer(obj, &s, &n) < 0)
        return -1;
    self->data = s;
    self->len = n;
    return 0;
}

static PyObject *
Keeper_keep(Keeper *self, PyObject *obj)
{
    if (Keeper_set(self, obj) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
Keeper_first(Keeper *self, PyObject *unused)
{
    if (self->data == NULL || self->len == 0)
        Py_RETURN_NONE;
    return PyLong_FromLong((unsigned char)self->data[0]);
}

static PyMethodDef Keeper_methods[] = {
    {"keep", (PyCFunction)Keeper_keep, METH_O, NULL},
    {"first", (PyCFunction)Keeper_first, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject KeeperType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "fixmod.Keeper",
    .tp_basicsize = sizeof(Keeper),
    .tp_dealloc = (destructor)Keeper_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_methods = Keeper_methods,
    .tp_new = PyType_GenericNew,
};

/* a project wrapper handing the pointer to its three callers */
static int
get_read_buffer(PyObject *obj, const void **buf, Py_ssize_t *len)
{
    if (obj == Py_None) {
        PyErr_SetString(PyExc_TypeError, "None is not a buffer here");
        return -1;
    }
    return PyObject_AsReadBuffer(obj, buf, len);
}

static PyObject *
w_len(PyObject *self, PyObject *obj)
{
    const void *p;
    Py_ssize_t n;

    if (get_read_buffer(obj, &p, &n) < 0)
        return NULL;
    return PyLong_FromSsize_t(n);
}

static PyObject *
w_first(PyObject *self, PyObject *obj)
{
    const void *p;
    Py_ssize_t n;

    if (get_read_buffer(obj, &p, &n) < 0)
        return NULL;
    if (n == 0)
        Py_RETURN_NONE;
    return PyLong_FromLong(((const unsigned char *)p)[0]);
}

static PyObject *
w_equal(PyObject *self, PyObject *args)
{
    PyObject *a, *b;
    const void *pa, *pb;
    Py_ssize_t na, nb;

    if (!PyArg_ParseTuple(args, "OO", &a, &b))
        return NULL;
    if (get_read_buffer(a, &pa, &na) < 0 || get_read_buffer(b, &pb, &nb) < 0)
        return NULL;
    return PyBool_FromLong(na == nb && memcmp(pa, pb, (size_t)na) == 0);
}

/* gitdb's apply_delta: a check, then a fetch of the same object whose result is ignored
   (the check vouched for it) */
static PyObject *
delta_head(PyObject *self, PyObject *buf)
{
    const unsigned char *base;
    Py_ssize_t len;

    if (!PyObject_CheckReadBuffer(buf)) {
        PyErr_SetString(PyExc_ValueError, "First argument must be a buffer-compatible object, like a string, or a memory map");
        return NULL;
    }
    PyObject_AsReadBuffer(buf, (const void **)&base, &len);
    return PyLong_FromSsize_t(len > 0 ? base[0] * 1000 + len : 0);
}

/* gitdb's DeltaChunkList apply: the checks run over an array of the objects, then each
   object is fetched with its result ignored */
static PyObject *
delta_pair(PyObject *self, PyObject *args)
{
    PyObject *pybase, *pydelta;
    const unsigned char *base, *delta;
    Py_ssize_t nbase, ndelta;
    int i;

    if (!PyArg_ParseTuple(args, "OO", &pybase, &pydelta))
        return NULL;
    PyObject *objects[] = { pybase, pydelta };
    for (i = 0; i < 2; i++) {
        if (!PyObject_CheckReadBuffer(objects[i])) {
            PyErr_SetString(PyExc_ValueError, "Argument must be a buffer-compatible object, like a string, or a memory map");
            return NULL;
        }
    }
    PyObject_AsReadBuffer(pybase, (const void **)&base, &nbase);
    PyObject_AsReadBuffer(pydelta, (const void **)&delta, &ndelta);
    return PyLong_FromSsize_t((nbase > 0 ? base[0] : 0) * 100000 + (ndelta > 0 ? delta[ndelta - 1] : 0) * 100 + nbase + ndelta);
}

/* zfec's Encoder_encode: in a loop, a check that raises the project's own error, then the
   fetch into an element of allocated pointers */
static PyObject *
encode_firsts(PyObject *self, PyObject *seq)
{
    PyObject *fast, *result = NULL;
    PyObject **items;
    const unsigned char **blocks = NULL;
    Py_ssize_t i, k, sz, oldsz = 0, total = 0;

    fast = PySequence_Fast(seq, "encode_firsts needs a sequence");
    if (fast == NULL)
        return NULL;
    k = PySequence_Fast_GET_SIZE(fast);
    blocks = PyMem_New(const unsigned char *, k > 0 ? k : 1);
    if (blocks == NULL) {
        PyErr_NoMemory();
        goto err;
    }
    items = PySequence_Fast_ITEMS(fast);
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

static PyMethodDef fixmod_methods[] = {
    {"read_sum", read_sum, METH_O, NULL},
    {"char_copy", char_copy, METH_O, NULL},
    {"zero_fill", zero_fill, METH_O, NULL},
    {"is_readable", is_readable, METH_O, NULL},
    {"head_copy", head_copy, METH_VARARGS, NULL},
    {"several_exits", several_exits, METH_VARARGS, NULL},
    {"total_length", total_length, METH_VARARGS, NULL},
    {"via_helper", via_helper, METH_O, NULL},
    {"same_bytes", same_bytes, METH_VARARGS, NULL},
    {"macro_len", macro_len, METH_O, NULL},
    {"remember", remember, METH_O, NULL},
    {"mark_first", mark_first, METH_O, NULL},
    {"checked_len", checked_len, METH_O, NULL},
    {"concat_len", concat_len, METH_VARARGS, NULL},
    {"count_zeros", count_zeros, METH_O, NULL},
    {"last_byte", last_byte, METH_O, NULL},
    {"sum_first_bytes", sum_first_bytes, METH_VARARGS, NULL},
    {"xor_blocks", xor_blocks, METH_O, NULL},
    {"w_len", w_len, METH_O, NULL},
    {"w_first", w_first, METH_O, NULL},
    {"w_equal", w_equal, METH_VARARGS, NULL},
    {"delta_head", delta_head, METH_O, NULL},
    {"delta_pair", delta_pair, METH_VARARGS, NULL},
    {"encode_firsts", encode_firsts, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef fixmod_module = {
    PyModuleDef_HEAD_INIT, "fixmod", NULL, -1, fixmod_methods
};

PyMODINIT_FUNC
PyInit_fixmod(void)
{
    PyObject *m;

    if (PyType_Ready(&KeeperType) < 0)
        return NULL;
    m = PyModule_Create(&fixmod_module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&KeeperType);
    if (PyModule_AddObject(m, "Keeper", (PyObject *)&KeeperType) < 0) {
        Py_DECREF(&KeeperType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
