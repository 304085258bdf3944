/* A function whose tree stays broken (a macro from a missing header given an
 * empty argument) is not followed path by path: its leak is not reported, it is
 * counted as skipped, but flags read from the call's own tokens still are. */
#include <Python.h>

static int unparseable(PyObject *obj) {  // skipped: does not parse
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_READ) < 0)  // expect: BUF105
        return -1;
    FAULT_INJECT(WriteFails, , (PyErr_NoMemory(), view.len = -1));
    return 0;
}
