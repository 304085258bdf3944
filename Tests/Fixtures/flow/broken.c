/* A function with a syntax error (here an undeclared name, as when a header is
 * not found) is not followed path by path: its leak is not reported, but flags
 * read from the call's own tokens still are. */
#include <Python.h>

static int broken(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_READ) < 0)  // expect: BUF105
        return -1;
    undeclared_counter += view.len;
    return 0;
}
