/* A function that names something no header declares (as when a header is not
 * found): the name is made up as a variable, the function parses, and its paths
 * are followed: the leak at the return is reported. */
#include <Python.h>

static int broken(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_READ) < 0)  // expect: BUF102, BUF105
        return -1;
    undeclared_counter += view.len;
    return 0;
}
