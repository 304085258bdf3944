// _viewcheck: exercises bufferlint::BufferView from a real extension, so
// that the tests can watch an exporter's get and release counts.
#define PY_SSIZE_T_CLEAN
#include "bufferlint_view.hpp"

#include <stdexcept>
#include <utility>

using bufferlint::BufferView;
using bufferlint::BufferViews;

// scoped(obj, flags) -> (len, readonly); the view is released on return,
// or the acquire error is raised.
static PyObject *
viewcheck_scoped(PyObject *, PyObject *args)
{
    PyObject *obj;
    int flags;
    if (!PyArg_ParseTuple(args, "Oi", &obj, &flags)) {
        return NULL;
    }
    BufferView view;
    if (view.acquire(obj, flags) != 0) {
        return NULL;
    }
    return Py_BuildValue("nO", view.len(), view.readonly() ? Py_True : Py_False);
}

// moved(obj) -> dict: what a move constructor and a move assignment leave
// behind. Gets obj's buffer twice and releases it twice in all.
static PyObject *
viewcheck_moved(PyObject *, PyObject *obj)
{
    BufferView source;
    if (source.acquire(obj, PyBUF_FULL_RO) != 0) {
        return NULL;
    }
    BufferView moved(std::move(source));
    const Py_buffer &v = moved.view();
    bool shape_in_source = v.shape == &source.view().len;
    bool strides_in_source = v.strides == &source.view().itemsize;
    Py_ssize_t shape0 = v.shape != NULL ? v.shape[0] : -1;
    Py_ssize_t stride0 = v.strides != NULL ? v.strides[0] : -1;

    BufferView assigned;
    if (assigned.acquire(obj, PyBUF_SIMPLE) != 0) {
        return NULL;
    }
    assigned = std::move(moved);
    return Py_BuildValue(
        "{s:O,s:O,s:O,s:O,s:O,s:n,s:n,s:n}",
        "source_held", source.held() ? Py_True : Py_False,
        "moved_held", moved.held() ? Py_True : Py_False,
        "assigned_held", assigned.held() ? Py_True : Py_False,
        "shape_in_source", shape_in_source ? Py_True : Py_False,
        "strides_in_source", strides_in_source ? Py_True : Py_False,
        "shape0", shape0, "stride0", stride0, "len", assigned.len());
}

// reacquire(obj) -> None: two acquires on one view, two releases in all.
static PyObject *
viewcheck_reacquire(PyObject *, PyObject *obj)
{
    BufferView view;
    if (view.acquire(obj, PyBUF_SIMPLE) != 0 || view.acquire(obj, PyBUF_SIMPLE) != 0) {
        return NULL;
    }
    view.release();
    view.release();
    Py_RETURN_NONE;
}

// A view acquired for every item of the tuple into a BufferViews; with
// throw_at >= 0 a C++ exception leaves after that many are acquired.
static Py_ssize_t
acquire_all(PyObject *items, Py_ssize_t throw_at)
{
    BufferViews views;
    Py_ssize_t n = PyTuple_GET_SIZE(items);
    if (views.allocate(n) < 0) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i == throw_at) {
            throw std::runtime_error("thrown");
        }
        if (views[i].acquire(PyTuple_GET_ITEM(items, i), PyBUF_SIMPLE) < 0) {
            return -1;
        }
    }
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        total += views[i].len();
    }
    return total;
}

// views(items, throw_at) -> total length, "thrown", or the acquire error.
static PyObject *
viewcheck_views(PyObject *, PyObject *args)
{
    PyObject *items;
    Py_ssize_t throw_at;
    if (!PyArg_ParseTuple(args, "O!n", &PyTuple_Type, &items, &throw_at)) {
        return NULL;
    }
    try {
        Py_ssize_t total = acquire_all(items, throw_at);
        if (total < 0) {
            return NULL;
        }
        return PyLong_FromSsize_t(total);
    } catch (const std::runtime_error &) {
        return PyUnicode_FromString("thrown");
    }
}

// allocate(n) -> (size, ok): a BufferViews of n, or MemoryError. With obj,
// views[0] is acquired, then the array is allocated again, which releases it.
static PyObject *
viewcheck_allocate(PyObject *, PyObject *args)
{
    Py_ssize_t n;
    PyObject *obj = NULL;
    if (!PyArg_ParseTuple(args, "n|O", &n, &obj)) {
        return NULL;
    }
    BufferViews views;
    if (obj != NULL) {
        if (views.allocate(1) < 0 || views[0].acquire(obj, PyBUF_SIMPLE) < 0) {
            return NULL;
        }
    }
    if (views.allocate(n) < 0) {
        return NULL;
    }
    return Py_BuildValue("(nO)", views.size(), views.ok() ? Py_True : Py_False);
}

// allocate_unsigned(n) -> size: a BufferViews of n given as a size_t.
static PyObject *
viewcheck_allocate_unsigned(PyObject *, PyObject *args)
{
    unsigned long long n;
    if (!PyArg_ParseTuple(args, "K", &n)) {
        return NULL;
    }
    BufferViews views;
    if (views.allocate(static_cast<size_t>(n)) < 0) {
        return NULL;
    }
    return PyLong_FromSsize_t(views.size());
}

// A Py_buffer owned outside any guard, as a field of an object is.
static Py_buffer kept;

// hand_over(obj) -> (guard held after, kept.shape points at kept.len, as
// PyBuffer_FillInfo set it in the guard):
// a guard's view moves into `kept`, whose previous view is released.
static PyObject *
viewcheck_hand_over(PyObject *, PyObject *obj)
{
    BufferView view;
    if (view.acquire(obj, PyBUF_FULL_RO) != 0) {
        return NULL;
    }
    view.move_to(&kept);
    return Py_BuildValue("(OO)", view.held() ? Py_True : Py_False, kept.shape == &kept.len ? Py_True : Py_False);
}

// drop(): releases `kept` (its owner's deallocator).
static PyObject *
viewcheck_drop(PyObject *, PyObject *)
{
    PyBuffer_Release(&kept);
    Py_RETURN_NONE;
}

static PyMethodDef viewcheck_methods[] = {
    {"scoped", viewcheck_scoped, METH_VARARGS, NULL},
    {"moved", viewcheck_moved, METH_O, NULL},
    {"reacquire", viewcheck_reacquire, METH_O, NULL},
    {"views", viewcheck_views, METH_VARARGS, NULL},
    {"allocate", viewcheck_allocate, METH_VARARGS, NULL},
    {"allocate_unsigned", viewcheck_allocate_unsigned, METH_VARARGS, NULL},
    {"hand_over", viewcheck_hand_over, METH_O, NULL},
    {"drop", viewcheck_drop, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef viewcheck_module = {
    PyModuleDef_HEAD_INIT, "_viewcheck", NULL, -1, viewcheck_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__viewcheck(void)
{
    return PyModule_Create(&viewcheck_module);
}
