/* The reference functions compiled under the limited API, for _refcheck.c
 * to compare with the real ones. Python 3.11 headers or later only. */
#include <patchlevel.h>

#if PY_VERSION_HEX >= 0x030b0000
#define Py_LIMITED_API 0x030b0000
#define PY_SSIZE_T_CLEAN
#include "bufferlint_compat.h"

int
refcheck_limited_AsCharBuffer(PyObject *obj, const char **buffer, Py_ssize_t *len)
{
    return bufferlint_AsCharBuffer(obj, buffer, len);
}

int
refcheck_limited_AsReadBuffer(PyObject *obj, const void **buffer, Py_ssize_t *len)
{
    return bufferlint_AsReadBuffer(obj, buffer, len);
}

int
refcheck_limited_AsWriteBuffer(PyObject *obj, void **buffer, Py_ssize_t *len)
{
    return bufferlint_AsWriteBuffer(obj, buffer, len);
}

int
refcheck_limited_CheckReadBuffer(PyObject *obj)
{
    return bufferlint_CheckReadBuffer(obj);
}
#endif
