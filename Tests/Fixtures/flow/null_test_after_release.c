/* After the release, testing a copied pointer against NULL reads the pointer, not the
 * memory it pointed to: no finding there; reading through it still is one. */
#include <Python.h>

static int compares_only(PyObject *obj) {
    Py_buffer view;
    char *data;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    data = (char *)view.buf;
    PyBuffer_Release(&view);
    if (data == NULL || !data)
        return -1;
    if (NULL != data)
        return 1;
    return 0;
}

static int reads_after(PyObject *obj) {
    Py_buffer view;
    char *data;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    data = (char *)view.buf;
    PyBuffer_Release(&view);
    if (data != NULL)
        return data[0];  // expect: BUF104
    return 0;
}
