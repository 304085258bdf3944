/* bufferlint_compat.h: CPython's four old buffer functions, rebuilt on the
 * new buffer API.
 *
 * PyObject_AsCharBuffer, PyObject_AsReadBuffer, PyObject_AsWriteBuffer and
 * PyObject_CheckReadBuffer left the headers in Python 3.13. The functions
 * below behave as CPython 3.0-3.12 implemented them: same return values,
 * same out-parameters (written only on success), same exceptions and
 * messages, same handling of NULL arguments and of an exception that is
 * already set. Tests/semantics compares them with the real ones.
 *
 * They keep the old functions' flaw as well: the view is released before
 * they return, so the pointer they hand back is borrowed. New code should
 * hold a Py_buffer from PyObject_GetBuffer for as long as it uses the data
 * and then call PyBuffer_Release. That is why the comment below silences
 * bufferlint's use-after-release check for this file: the hand-out is the
 * documented behaviour being reproduced.
 *
 * For C and C++, Python 3.8 and later, and the limited API from 3.11 on
 * (Py_buffer and PyObject_GetBuffer joined the limited API in 3.11). Under
 * the limited API PyTypeObject is opaque; PyObject_CheckBuffer is the same
 * test the originals made on tp_as_buffer->bf_getbuffer, so the behaviour
 * does not change there.
 */
/* bufferlint: ignore-file[BUF104] */
#ifndef BUFFERLINT_COMPAT_H
#define BUFFERLINT_COMPAT_H

#include <Python.h>

#if defined(Py_LIMITED_API) && (Py_LIMITED_API + 0 < 0x030b0000 || PY_VERSION_HEX < 0x030b0000)
#  error "bufferlint_compat.h under the limited API needs Python 3.11 headers or later and Py_LIMITED_API >= 0x030b0000: the buffer API is not in the limited API before 3.11"
#endif

/* The originals' answer to a NULL argument: SystemError, unless an
 * exception is already set, which is then left as it is. */
static inline int
bufferlint_null_argument_(void)
{
    if (!PyErr_Occurred()) {
        PyErr_SetString(PyExc_SystemError, "null argument to internal routine");
    }
    return -1;
}

/* PyObject_AsReadBuffer: 0 with the address and the length in bytes of a
 * PyBUF_SIMPLE view, or -1 with the exporter's own exception. The view is
 * released at once, so the pointer outlives it: it is valid only while obj
 * lives unchanged, and a bytearray can be resized under it right after. */
static inline int
bufferlint_AsReadBuffer(PyObject *obj, const void **buffer, Py_ssize_t *buffer_len)
{
    Py_buffer view;

    if (obj == NULL || buffer == NULL || buffer_len == NULL) {
        return bufferlint_null_argument_();
    }
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) != 0) {
        return -1;
    }
    *buffer = view.buf;
    *buffer_len = view.len;
    PyBuffer_Release(&view);
    return 0;
}

/* PyObject_AsCharBuffer: PyObject_AsReadBuffer with a char pointer, with
 * the same borrowed pointer (a bytearray can be resized under it). */
static inline int
bufferlint_AsCharBuffer(PyObject *obj, const char **buffer, Py_ssize_t *buffer_len)
{
    const void *data;
    int result = bufferlint_AsReadBuffer(obj, buffer != NULL ? &data : NULL, buffer_len);

    if (result == 0) {
        *buffer = (const char *)data;
    }
    return result;
}

/* PyObject_AsWriteBuffer: as PyObject_AsReadBuffer with PyBUF_WRITABLE,
 * except that every failure, including an object with no buffer at all,
 * becomes TypeError("expected a writable bytes-like object") in place of
 * the exporter's exception. The pointer is borrowed in the same way. */
static inline int
bufferlint_AsWriteBuffer(PyObject *obj, void **buffer, Py_ssize_t *buffer_len)
{
    Py_buffer view;

    if (obj == NULL || buffer == NULL || buffer_len == NULL) {
        return bufferlint_null_argument_();
    }
    if (PyObject_GetBuffer(obj, &view, PyBUF_WRITABLE) != 0) {
        PyErr_SetString(PyExc_TypeError, "expected a writable bytes-like object");
        return -1;
    }
    *buffer = view.buf;
    *buffer_len = view.len;
    PyBuffer_Release(&view);
    return 0;
}

/* PyObject_CheckReadBuffer: 1 if a PyBUF_SIMPLE view can be had, else 0.
 * It really gets and releases a view, and clears the exporter's error (and
 * with it any exception set before the call). An object with no buffer
 * slot is answered 0 without touching a pending exception. Like the
 * original, it does not check for NULL: obj must not be NULL. */
static inline int
bufferlint_CheckReadBuffer(PyObject *obj)
{
    Py_buffer view;

    if (!PyObject_CheckBuffer(obj)) {
        return 0;
    }
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) != 0) {
        PyErr_Clear();
        return 0;
    }
    PyBuffer_Release(&view);
    return 1;
}

#endif /* BUFFERLINT_COMPAT_H */
