/* BUF103: a release of a view that is not acquired on that path. */
#include <Python.h>
#include <string.h>

/* --- reported --- */

static PyObject *release_after_failure(PyObject *self, PyObject *obj) {
    Py_buffer view;
    Py_ssize_t n;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        goto error;
    n = view.len;
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(n);
error:
    PyBuffer_Release(&view);  // expect: BUF103
    return NULL;
}

static int release_never_filled(PyObject *obj, int skip) {
    Py_buffer view;
    if (skip)
        goto out;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
out:
    PyBuffer_Release(&view);  // expect: BUF103
    return 0;
}

static int double_release(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    if (view.len == 0) {
        PyBuffer_Release(&view);
    }
    PyBuffer_Release(&view);  // expect: BUF103
    return 0;
}

static int sentinel_only_on_buf(PyObject *obj, int skip) {
    Py_buffer view;
    view.buf = NULL;
    if (!skip && PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    PyBuffer_Release(&view);  // expect: BUF103
    return 0;
}

static int double_release_through_pointer(Py_buffer *view) {
    PyBuffer_Release(view);
    PyBuffer_Release(view);  // expect: BUF103
    return 0;
}

/* --- not reported --- */

static PyObject *zero_initialised_error_path(PyObject *self, PyObject *obj) {
    Py_buffer view = {NULL, NULL};
    Py_ssize_t n;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        goto error;
    n = view.len;
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(n);
error:
    PyBuffer_Release(&view);
    return NULL;
}

static int zero_initialised_twice(PyObject *obj) {
    Py_buffer view = {0};
    PyBuffer_Release(&view);
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&view);
        return -1;
    }
    PyBuffer_Release(&view);
    return 0;
}

static int memset_zeroed(PyObject *obj) {
    Py_buffer view;
    memset(&view, 0, sizeof(view));
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        goto done;
    PyBuffer_Release(&view);
    return 1;
done:
    PyBuffer_Release(&view);
    return 0;
}

static int release_when_obj_set(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    PyBuffer_Release(&view);
    if (view.obj != NULL)
        PyBuffer_Release(&view);
    return 0;
}

static int rezeroed_after_release(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    PyBuffer_Release(&view);
    view.obj = NULL;
    PyBuffer_Release(&view);
    return 0;
}

static int sentinel_checked(PyObject *obj, int skip) {
    Py_buffer view;
    view.buf = NULL;
    if (!skip && PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    if (view.buf != NULL)
        PyBuffer_Release(&view);
    return 0;
}

static int unchecked_then_released(PyObject *obj) {
    Py_buffer view = {NULL, NULL};
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) != 0)
        PyErr_Clear();
    PyBuffer_Release(&view);
    return 0;
}

static int released_in_every_iteration(PyObject **items, int count) {
    Py_buffer view;
    for (int i = 0; i < count; i++) {
        if (PyObject_GetBuffer(items[i], &view, PyBUF_SIMPLE) < 0)
            return -1;
        PyBuffer_Release(&view);
    }
    return 0;
}
