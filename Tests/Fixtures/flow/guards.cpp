// BUF102 in C++: exceptions between acquisition and release; guard classes.
#include <Python.h>
#include <stdexcept>
#include "buffer_guard.h"

// --- reported ---

static Py_ssize_t throws_while_held(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)  // expect: BUF102
        return -1;
    if (view.len == 0)
        throw std::runtime_error("empty");
    Py_ssize_t n = view.len;
    PyBuffer_Release(&view);
    return n;
}

static void check_size(Py_ssize_t n) {
    if (n > 1024)
        throw std::length_error("too large");
}

static Py_ssize_t callee_throws_while_held(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)  // expect: BUF102
        return -1;
    check_size(view.len);
    Py_ssize_t n = view.len;
    PyBuffer_Release(&view);
    return n;
}

// --- not reported ---

class BufferGuard {
public:
    Py_buffer view;
    BufferGuard() { view.obj = nullptr; view.buf = nullptr; }
    ~BufferGuard() { PyBuffer_Release(&view); }
    int acquire(PyObject *obj) { return PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE); }
};

static Py_ssize_t guarded(PyObject *obj) {
    BufferGuard g;
    if (PyObject_GetBuffer(obj, &g.view, PyBUF_SIMPLE) < 0)
        return -1;
    if (g.view.len == 0)
        throw std::runtime_error("empty");
    return g.view.len;
}

static Py_ssize_t caught_and_released(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    Py_ssize_t n;
    try {
        check_size(view.len);
        n = view.len;
    } catch (...) {
        n = -1;
    }
    PyBuffer_Release(&view);
    return n;
}

static Py_ssize_t released_before_throw(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    Py_ssize_t n = view.len;
    PyBuffer_Release(&view);
    if (n == 0)
        throw std::runtime_error("empty");
    return n;
}

static Py_ssize_t guarded_by_header_class(PyObject *obj) {
    HeaderGuard g;
    if (PyObject_GetBuffer(obj, &g.view, PyBUF_SIMPLE) < 0)
        return -1;
    g.held = true;
    return g.view.len;
}
