// C++'s assert is `(static_cast <bool> (expr) ? void (0) : __assert_fail (...))`: its
// `?:` and the `&&` / `||` of the expression refine the view as an `if` does.
#include <Python.h>
#include <cassert>

static int assert_reads_the_view_on_failure(PyObject *obj) {
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    assert(rc == 0 || view.len >= 0);  // expect: BUF101
    if (rc == 0)
        PyBuffer_Release(&view);
    return rc;
}

static int get_buffer_contiguous(PyObject *source, Py_buffer *buffer, int flags) {
    int res = PyObject_GetBuffer(source, buffer, flags);
    assert(res != 0 || (res == 0 && PyBuffer_IsContiguous(buffer, 'C')));
    return res;
}

static Py_ssize_t conditional_reads_the_view_on_success(PyObject *obj) {
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    Py_ssize_t n = rc == 0 ? view.len : 0;
    if (rc == 0)
        PyBuffer_Release(&view);
    return n;
}

static bool or_reads_the_view_on_failure(PyObject *obj) {
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    bool empty = rc == 0 || view.len == 0;  // expect: BUF101
    if (rc == 0)
        PyBuffer_Release(&view);
    return empty;
}
