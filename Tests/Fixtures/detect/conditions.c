/* Uses in branches that the configuration excludes, and version-guarded uses. */
#include <Python.h>

#if PY_MAJOR_VERSION < 3
static int py2_read(PyObject *o, const void **p, Py_ssize_t *n)
{
    return PyObject_AsReadBuffer(o, p, n); // expect: BUF002 inactive info
}
#endif

#ifdef MS_WINDOWS
static int win_chars(PyObject *o, const char **p, Py_ssize_t *n)
{
    return PyObject_AsCharBuffer(o, p, n); // expect: BUF001 inactive
}
#endif

static int modern(PyObject *o)
{
#if PY_MAJOR_VERSION >= 3
    Py_buffer view;
    if (PyObject_GetBuffer(o, &view, PyBUF_SIMPLE) < 0)
        return -1;
    PyBuffer_Release(&view);
    return 0;
#else
    return PyObject_CheckReadBuffer(o); // expect: BUF004 inactive info
#endif
}

static int old_or_new(PyObject *o, const void **p, Py_ssize_t *n)
{
#if PY_VERSION_HEX < 0x030D0000
    return PyObject_AsReadBuffer(o, p, n); // expect: BUF002 guarded info in=old_or_new
#else
    Py_buffer view;
    if (PyObject_GetBuffer(o, &view, PyBUF_SIMPLE) < 0)
        return -1;
    *p = view.buf;
    *n = view.len;
    PyBuffer_Release(&view);
    return 0;
#endif
}

#define HAVE_OLD_BUFFER (PY_VERSION_HEX < 0x030D0000)

static int project_guard(PyObject *o)
{
#if HAVE_OLD_BUFFER
    return PyObject_CheckReadBuffer(o); // expect: BUF004 guarded
#else
    return 1;
#endif
}

#if !defined(PY_VERSION_HEX) || PY_VERSION_HEX < 0x03000000
#define LEGACY_WRITE(o, p, n) PyObject_AsWriteBuffer(o, p, n) // expect: BUF003 inactive
#endif

static int newer_first(PyObject *o, const void **p, Py_ssize_t *n)
{
#if PY_VERSION_HEX >= 0x030D0000
    return -1;
#elif defined(WITH_OLD_BUFFER)
    return PyObject_AsReadBuffer(o, p, n); // expect: BUF002 inactive
#else
    return PyObject_AsReadBuffer(o, p, n); // expect: BUF002 guarded
#endif
}

#  if 0
static int disabled(PyObject *o) { return PyObject_CheckReadBuffer(o); } // expect: BUF004 inactive
#  endif

#if PY_MAJOR_VERSION < 3
#  if defined(MS_WINDOWS)
#    define NESTED_READ PyObject_AsReadBuffer // expect: BUF002 inactive
#  endif
#endif
