/* BUF105 (memoryview flags given to PyObject_GetBuffer) and BUF106 (writes
 * through a view requested without PyBUF_WRITABLE). */
#include <Python.h>
#include <string.h>

/* --- reported --- */

static Py_ssize_t read_flag(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_READ) < 0)  // expect: BUF105
        return -1;
    Py_ssize_t n = view.len;
    PyBuffer_Release(&view);
    return n;
}

static int write_flag(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_WRITE | PyBUF_C_CONTIGUOUS) < 0)  // expect: BUF105
        return -1;
    memset(view.buf, 0, view.len);
    PyBuffer_Release(&view);
    return 0;
}

static int memcpy_into_simple_view(PyObject *obj, const char *src) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    memcpy(view.buf, src, 1);  // expect: BUF106
    PyBuffer_Release(&view);
    return 0;
}

static int store_through_cast(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    if (view.len > 0)
        ((unsigned char *)view.buf)[0] = 0xff;  // expect: BUF106
    PyBuffer_Release(&view);
    return 0;
}

static int store_through_copied_pointer(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_FULL_RO) < 0)
        return -1;
    char *p = view.buf;
    *p = 'x';  // expect: BUF106
    PyBuffer_Release(&view);
    return 0;
}

static int strcpy_destination(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, 0) < 0)
        return -1;
    strcpy((char *)view.buf + 2, "ok");  // expect: BUF106
    PyBuffer_Release(&view);
    return 0;
}

/* --- not reported --- */

static int writable_view(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_WRITABLE) < 0)
        return -1;
    memset(view.buf, 0, view.len);
    PyBuffer_Release(&view);
    return 0;
}

static int writable_through_compound_flag(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_CONTIG) < 0)
        return -1;
    ((char *)view.buf)[0] = 1;
    PyBuffer_Release(&view);
    return 0;
}

static int flags_from_a_variable(PyObject *obj, int flags) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, flags) < 0)
        return -1;
    memset(view.buf, 0, view.len);
    PyBuffer_Release(&view);
    return 0;
}

static int reads_only(PyObject *obj, char *dst) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    memcpy(dst, view.buf, view.len > 4 ? 4 : view.len);
    PyBuffer_Release(&view);
    return 0;
}

static PyObject *memoryview_from_memory(void) {
    static char data[8];
    return PyMemoryView_FromMemory(data, sizeof data, PyBUF_READ);
}
