/* BUF102: a view acquired on some path and not released on a path that leaves
 * the function. Each expected finding is announced on its line. */
#include <Python.h>
#include <string.h>

/* --- reported --- */

static PyObject *leak_on_return(PyObject *self, PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)  // expect: BUF102
        return NULL;
    if (view.len == 0)
        return PyLong_FromLong(0);
    PyObject *res = PyBytes_FromStringAndSize(view.buf, view.len);
    PyBuffer_Release(&view);
    return res;
}

static PyObject *leak_on_return_macro(PyObject *self, PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) == -1)  // expect: BUF102
        return NULL;
    if (view.len > 16)
        Py_RETURN_NONE;
    PyBuffer_Release(&view);
    Py_RETURN_TRUE;
}

static int leak_through_goto(PyObject *obj, char *out) {
    Py_buffer view;
    int rc = -1;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) != 0)  // expect: BUF102
        goto done;
    if (view.len < 4)
        goto done;              /* skips the release */
    memcpy(out, view.buf, 4);
    rc = 0;
    PyBuffer_Release(&view);
done:
    return rc;
}

static void leak_at_end_of_void(PyObject *obj, char *out) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE))  // expect: BUF102
        return;
    if (view.len >= 1)
        out[0] = ((char *)view.buf)[0];
}

static Py_ssize_t leak_in_switch(PyObject *obj, int mode) {
    Py_buffer view;
    Py_ssize_t n;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);  // expect: BUF102
    if (rc < 0)
        return -1;
    n = view.len;
    switch (mode) {
    case 0:
        PyBuffer_Release(&view);
        break;
    case 1:
        return n;               /* leaves with the view held */
    default:
        PyBuffer_Release(&view);
    }
    return n;
}

static Py_ssize_t leak_on_reacquire(PyObject *a, PyObject *b) {
    Py_buffer view;
    Py_ssize_t n = 0;
    if (PyObject_GetBuffer(a, &view, PyBUF_SIMPLE) < 0)  // expect: BUF102
        return -1;
    n += view.len;
    if (PyObject_GetBuffer(b, &view, PyBUF_SIMPLE) < 0)  /* the first view leaks (reported above) */
        return -1;
    n += view.len;
    PyBuffer_Release(&view);
    return n;
}

static Py_ssize_t leak_per_iteration(PyObject *items[], int count) {
    Py_ssize_t total = 0;
    for (int i = 0; i < count; i++) {
        Py_buffer view;
        if (PyObject_GetBuffer(items[i], &view, PyBUF_SIMPLE) < 0)  // expect: BUF102
            return -1;
        total += view.len;
    }
    return total;
}

static Py_ssize_t leak_array_never_released(PyObject **items, int count) {
    Py_buffer *views = (Py_buffer *)alloca(count * sizeof(Py_buffer));
    Py_ssize_t total = 0;
    for (int i = 0; i < count; i++) {
        if (PyObject_GetBuffer(items[i], &views[i], 0))  // expect: BUF102
            return -1;
        total += views[i].len;
    }
    return total;
}

static PyObject *leak_second_of_two(PyObject *self, PyObject *args) {
    PyObject *a, *b;
    Py_buffer va, vb;
    if (!PyArg_ParseTuple(args, "OO", &a, &b))
        return NULL;
    if (PyObject_GetBuffer(a, &va, PyBUF_SIMPLE) < 0)
        return NULL;
    if (PyObject_GetBuffer(b, &vb, PyBUF_SIMPLE) < 0) {  // expect: BUF102
        PyBuffer_Release(&va);
        return NULL;
    }
    int same = va.len == vb.len && memcmp(va.buf, vb.buf, va.len) == 0;
    PyBuffer_Release(&va);
    return PyBool_FromLong(same);
}

/* --- not reported --- */

static PyObject *goto_cleanup_with_sentinel(PyObject *self, PyObject *args) {
    PyObject *a, *b, *res = NULL;
    Py_buffer va = {NULL, NULL}, vb = {NULL, NULL};
    if (!PyArg_ParseTuple(args, "OO", &a, &b))
        return NULL;
    if (PyObject_GetBuffer(a, &va, PyBUF_SIMPLE) < 0)
        goto cleanup;
    if (PyObject_GetBuffer(b, &vb, PyBUF_SIMPLE) < 0)
        goto cleanup;
    res = PyLong_FromSsize_t(va.len + vb.len);
cleanup:
    PyBuffer_Release(&va);
    PyBuffer_Release(&vb);
    return res;
}

static PyObject *early_return_before_acquisition(PyObject *self, PyObject *obj) {
    Py_buffer view;
    if (obj == Py_None)
        Py_RETURN_NONE;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return NULL;            /* the failure path has nothing to release */
    PyObject *res = PyLong_FromSsize_t(view.len);
    PyBuffer_Release(&view);
    return res;
}

static Py_ssize_t release_inside_loop(PyObject **items, int count) {
    Py_ssize_t total = 0;
    Py_buffer view;
    for (int i = 0; i < count; i++) {
        if (PyObject_GetBuffer(items[i], &view, PyBUF_SIMPLE) < 0)
            return -1;
        total += view.len;
        PyBuffer_Release(&view);
    }
    return total;
}

static Py_ssize_t optional_view_with_flag(PyObject *obj) {
    Py_buffer view;
    int have_view = 0;
    Py_ssize_t n = 0;
    if (obj != Py_None) {
        if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
            return -1;
        have_view = 1;
        n = view.len;
    }
    if (have_view)
        PyBuffer_Release(&view);
    return n;
}

static Py_ssize_t optional_view_same_test(PyObject *obj) {
    Py_buffer view;
    Py_ssize_t n = 0;
    if (obj != Py_None) {
        if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
            return -1;
        n = view.len;
    }
    if (obj != Py_None)
        PyBuffer_Release(&view);
    return n;
}

static Py_ssize_t result_tested_later(PyObject *obj) {
    Py_buffer view;
    Py_ssize_t n = -1;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    if (rc == 0)
        n = view.len;
    if (rc == 0)
        PyBuffer_Release(&view);
    return n;
}

static Py_ssize_t array_with_counter(PyObject **items, int count) {
    Py_buffer views[8];
    int acquired = 0;
    Py_ssize_t total = -1;
    if (count > 8)
        return -1;
    for (int i = 0; i < count; i++) {
        if (PyObject_GetBuffer(items[i], &views[i], PyBUF_SIMPLE) < 0)
            goto cleanup;
        acquired++;
    }
    total = 0;
    for (int i = 0; i < count; i++)
        total += views[i].len;
cleanup:
    for (int i = 0; i < acquired; i++)
        PyBuffer_Release(&views[i]);
    return total;
}

static int fill_callers_view(PyObject *obj, Py_buffer *out) {
    /* the caller owns *out and releases it */
    return PyObject_GetBuffer(obj, out, PyBUF_SIMPLE);
}

typedef struct {
    PyObject_HEAD
    Py_buffer view;
    int has_view;
} Holder;

static int Holder_init(Holder *self, PyObject *args, PyObject *kw) {
    PyObject *obj;
    if (!PyArg_ParseTuple(args, "O", &obj))
        return -1;
    if (PyObject_GetBuffer(obj, &self->view, PyBUF_SIMPLE) < 0)
        return -1;
    self->has_view = 1;         /* released in Holder_dealloc */
    return 0;
}

static void Holder_dealloc(Holder *self) {
    if (self->has_view)
        PyBuffer_Release(&self->view);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int keep_in_caller_struct(PyObject *obj, Holder *h) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    h->view = view;             /* handed to an owner */
    return 0;
}

static PyObject *read_only_helper(Py_buffer *v) {
    return PyLong_FromSsize_t(v->len);
}

static PyObject *passed_to_a_reader_then_released(PyObject *self, PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    PyObject *res = read_only_helper(&view);
    PyBuffer_Release(&view);
    return res;
}

static int never_returns_normally(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    if (view.len == 0)
        Py_FatalError("empty");
    PyBuffer_Release(&view);
    return 0;
}

static int do_while_zero_macro(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    do {
        PyBuffer_Release(&view);
    } while (0);
    return 0;
}
