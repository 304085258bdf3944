/* BUF101 and `&&`, `||`, `?:` inside expressions: the operand a test skips is not
 * evaluated, and a test of the acquisition's result refines the view as an `if` does,
 * also inside macros (`assert` is `((void) sizeof ((e) ? 1 : 0), ({ if (e) ; else __assert_fail (...); }))`). */
#include <Python.h>
#include <assert.h>
#include <stdlib.h>

#define VIEW_USABLE(rc, v) ((rc) == 0 && (v).len > 0)
#define VIEW_FAILED(rc) (!((rc) == 0))

/* --- reported --- */

static Py_ssize_t or_reads_the_view_on_failure(PyObject *obj) {
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    int empty = rc == 0 || view.len == 0;  // expect: BUF101
    if (rc == 0)
        PyBuffer_Release(&view);
    return empty;
}

static int assert_reads_the_view_on_failure(PyObject *obj) {
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    assert(rc == 0 || view.len >= 0);  // expect: BUF101
    if (rc == 0)
        PyBuffer_Release(&view);
    return rc;
}

static Py_ssize_t read_before_the_test(PyObject *obj) {
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    Py_ssize_t n = view.len + (rc == 0 ? 1 : 0);  // expect: BUF101
    if (rc == 0)
        PyBuffer_Release(&view);
    return n;
}

static Py_ssize_t read_on_the_failure_branch(PyObject *obj) {
    Py_buffer view = {NULL, NULL};
    Py_ssize_t n = 0;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) != 0)
        n = view.len;  // expect: BUF101
    PyBuffer_Release(&view);
    return n;
}

/* --- not reported --- */

/* apsw src/pyutil.c (HEAD 0cfdcb9), without its `#include "faultinject.h"` */
static int
PyObject_GetBufferContiguous(PyObject *source, Py_buffer *buffer, int flags)
{
  /* PyBUF_SIMPLE is C contiguous so no extra contiguous check needed. */
  assert(flags == PyBUF_SIMPLE || flags == (PyBUF_SIMPLE | PyBUF_WRITABLE));
  int res = PyObject_GetBuffer(source, buffer, flags);

  /* but check anyway */
  assert(res != 0 || (res == 0 && PyBuffer_IsContiguous(buffer, 'C')));

  return res;
}

/* the same with the release of an older apsw before the assert */
static int
get_buffer_contiguous_checked(PyObject *source, Py_buffer *buffer, int flags)
{
  int res = PyObject_GetBuffer(source, buffer, flags);
  if (res == 0 && !PyBuffer_IsContiguous(buffer, 'C'))
  {
    PyBuffer_Release(buffer);
    PyErr_Format(PyExc_TypeError, "Expected a contiguous buffer");
    res = -1;
  }
  assert(res != 0 || (res == 0 && PyBuffer_IsContiguous(buffer, 'C')));
  return res;
}

static Py_ssize_t or_reads_the_view_on_success(PyObject *obj) {
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    int empty = rc != 0 || view.len == 0;
    if (rc == 0)
        PyBuffer_Release(&view);
    return empty;
}

static Py_ssize_t conditional_reads_the_view_on_success(PyObject *obj) {
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    Py_ssize_t n = rc == 0 ? view.len : 0;
    if (rc == 0)
        PyBuffer_Release(&view);
    return n;
}

static char nested_tests(PyObject *obj) {
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    char c = (rc == 0 && view.len > 0) ? ((char *)view.buf)[0] : 0;
    if (rc == 0)
        PyBuffer_Release(&view);
    return c;
}

static Py_ssize_t call_tested_inside_and(PyObject *obj) {
    Py_buffer view = {NULL, NULL};
    Py_ssize_t n = 0;
    int ok = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) == 0 && view.len > 0;
    if (ok)
        n = view.len;
    PyBuffer_Release(&view);
    return n;
}

static Py_ssize_t conditional_as_condition(PyObject *obj, int strict) {
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    if (rc == 0 ? view.len > 0 : strict) {
        if (rc == 0)
            PyBuffer_Release(&view);
        return 1;
    }
    if (rc == 0)
        PyBuffer_Release(&view);
    return 0;
}

static int assert_after_a_checked_acquisition(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    assert(view.len >= 0 && (view.len == 0 || view.buf != NULL));
    PyBuffer_Release(&view);
    return 0;
}

static Py_ssize_t operators_spelled_in_macros(PyObject *obj) {
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    if (VIEW_FAILED(rc))
        return -1;
    int usable = VIEW_USABLE(rc, view);
    PyBuffer_Release(&view);
    return usable;
}

static Py_ssize_t failure_ends_the_path(PyObject *obj) {
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    rc == 0 ? (void)0 : abort();
    Py_ssize_t n = view.len;
    PyBuffer_Release(&view);
    return n;
}

static Py_ssize_t statement_expression_returns(PyObject *obj) {
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    int extra = ({ if (rc != 0) return -1; 0; });
    Py_ssize_t n = view.len + extra;
    PyBuffer_Release(&view);
    return n;
}

static Py_ssize_t sizeof_does_not_read(PyObject *obj) {
    Py_buffer view;
    size_t width = sizeof(view.len);
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    Py_ssize_t n = view.len * (Py_ssize_t)width;
    PyBuffer_Release(&view);
    return n;
}

static Py_ssize_t failure_filled_by_hand(PyObject *obj) {
    Py_buffer view;
    Py_ssize_t n;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    if (rc != 0) {
        PyErr_Clear();
        view.len = 0;
        n = view.len;
        return n;
    }
    n = view.len;
    PyBuffer_Release(&view);
    return n;
}

/* with NDEBUG, assert evaluates nothing */
#define NDEBUG
#include <assert.h>

static int assert_without_debug(PyObject *obj) {
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    assert(rc == 0 || view.len >= 0);
    if (rc == 0)
        PyBuffer_Release(&view);
    return rc;
}
