/* Python.h cannot be found: uses are still found from tokens. */
// fixture: no-python-headers
#include <Python.h>

static PyObject *
f(PyObject *self, PyObject *o)
{
    const void *p;
    Py_ssize_t n;
    if (PyObject_AsReadBuffer(o, &p, &n) < 0) // expect: BUF002 call col=9 in=f
        return NULL;
    if (!PyObject_CheckReadBuffer(o)) // expect: BUF004 call
        return NULL;
    static int (*fn)(PyObject *, const void **, Py_ssize_t *) = PyObject_AsReadBuffer; // expect: BUF002 reference
    return PyLong_FromSsize_t(n);
}

/* Without the headers the current Python is unknown, so this branch may be
 * compiled today; for the target Python (3.13) it is not: guarded. */
#if PY_MAJOR_VERSION < 3
static int old(PyObject *o) { return PyObject_CheckReadBuffer(o); } // expect: BUF004 guarded info in=old
#endif
