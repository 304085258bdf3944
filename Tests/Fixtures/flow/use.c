/* BUF101 (result not checked before use) and BUF104 (use after release). */
#include <Python.h>
#include <string.h>

static const char *last_data;

/* --- reported --- */

static Py_ssize_t unchecked(PyObject *obj) {
    Py_buffer view;
    PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    Py_ssize_t n = view.len;  // expect: BUF101
    PyBuffer_Release(&view);
    return n;
}

static Py_ssize_t result_kept_but_not_tested(PyObject *obj) {
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    Py_ssize_t n = view.len;  // expect: BUF101
    if (rc == 0)
        PyBuffer_Release(&view);
    return n;
}

static PyObject *buf_after_release(PyObject *self, PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    PyBuffer_Release(&view);
    return PyBytes_FromStringAndSize(view.buf, 4);  // expect: BUF104
}

static Py_ssize_t len_after_release(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    PyBuffer_Release(&view);
    return view.len;  // expect: BUF104
}

static PyObject *copied_pointer_after_release(PyObject *self, PyObject *obj) {
    Py_buffer view;
    const char *p;
    Py_ssize_t n;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    p = (const char *)view.buf + 1;
    n = view.len - 1;
    PyBuffer_Release(&view);
    return PyBytes_FromStringAndSize(p, n);  // expect: BUF104
}

static int pointer_to_out_parameter(PyObject *obj, const char **out) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    *out = view.buf;  // expect: BUF104
    PyBuffer_Release(&view);
    return 0;
}

typedef struct { const char *data; Py_ssize_t size; } Slice;

static int pointer_to_field(PyObject *obj, Slice *slice) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    slice->data = view.buf;  // expect: BUF104
    slice->size = view.len;
    PyBuffer_Release(&view);
    return 0;
}

static int pointer_to_global(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    last_data = view.buf;  // expect: BUF104
    PyBuffer_Release(&view);
    return 0;
}

static PyObject *use_after_release_on_one_branch(PyObject *self, PyObject *args) {
    PyObject *obj;
    int early;
    Py_buffer view;
    if (!PyArg_ParseTuple(args, "Oi", &obj, &early))
        return NULL;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    if (early)
        PyBuffer_Release(&view);
    PyObject *res = PyLong_FromSsize_t(view.len);  // expect: BUF104
    if (!early)
        PyBuffer_Release(&view);
    return res;
}

/* --- not reported --- */

static Py_ssize_t checked_through_variable(PyObject *obj) {
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    if (rc != 0)
        return -1;
    Py_ssize_t n = view.len;
    PyBuffer_Release(&view);
    return n;
}

static Py_ssize_t checked_by_assignment_in_condition(PyObject *obj) {
    Py_buffer view;
    int rc;
    if ((rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE)) < 0)
        return rc;
    Py_ssize_t n = view.len;
    PyBuffer_Release(&view);
    return n;
}

static PyObject *copy_before_release(PyObject *self, PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    PyObject *res = PyBytes_FromStringAndSize(view.buf, view.len);
    PyBuffer_Release(&view);
    return res;
}

static int pointer_reassigned_after_release(PyObject *obj, char *dst) {
    Py_buffer view;
    const char *p;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    p = view.buf;
    memcpy(dst, p, 1);
    PyBuffer_Release(&view);
    p = dst;
    return p[0];
}

static int out_pointer_kept_alive(PyObject *obj, const char **out, Py_buffer *keep) {
    /* the caller owns *keep and releases it after using *out */
    if (PyObject_GetBuffer(obj, keep, PyBUF_SIMPLE) < 0)
        return -1;
    *out = keep->buf;
    return 0;
}

static Py_ssize_t length_read_before_release(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    Py_ssize_t n = view.len;
    PyBuffer_Release(&view);
    return n;
}

static Py_ssize_t distance_outlives_the_view(PyObject *obj, char *inside) {
    /* a difference of pointers is an integer: using it after the release is fine */
    Py_buffer view;
    Py_ssize_t offset, total;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    offset = inside - (char *)view.buf;
    total = view.len + offset;
    PyBuffer_Release(&view);
    return total + offset;
}

static char distance_then_pointer(PyObject *obj) {
    Py_buffer view;
    char *end;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return 0;
    end = (char *)view.buf + view.len - 1;
    PyBuffer_Release(&view);
    return *end; // expect: BUF104
}
