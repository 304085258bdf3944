// _viewcheck: exercises bufferlint::BufferView from a real extension, so
// that the tests can watch an exporter's get and release counts.
#define PY_SSIZE_T_CLEAN
#include "bufferlint_view.hpp"

#include <utility>

using bufferlint::BufferView;

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

static PyMethodDef viewcheck_methods[] = {
    {"scoped", viewcheck_scoped, METH_VARARGS, NULL},
    {"moved", viewcheck_moved, METH_O, NULL},
    {"reacquire", viewcheck_reacquire, METH_O, NULL},
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
