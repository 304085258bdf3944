/* Functions whose paths the analysis cannot follow are not reported: a leak
 * here would be found with computed goto or setjmp removed. */
#include <Python.h>
#include <setjmp.h>

static jmp_buf env;

static int with_setjmp(PyObject *obj) {  // skipped: setjmp
    Py_buffer view;
    if (setjmp(env))
        return -1;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    return 0;
}

static int with_computed_goto(PyObject *obj, int k) {  // skipped: computed goto
    static void *targets[] = {&&a, &&b};
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return -1;
    goto *targets[k & 1];
a:
    return 0;
b:
    PyBuffer_Release(&view);
    return 1;
}

/* suppressed by a comment */
static int suppressed(PyObject *obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)  // bufferlint: ignore[BUF102]
        return -1;
    return 0;
}
