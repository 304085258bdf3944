/* Macros: definitions that use the old functions, and their expansions. */
#include <Python.h>
#include "include/legacy_macros.h"

#define GET_CHARS(o, s, n) PyObject_AsCharBuffer((o), (s), (n)) // expect: BUF001 macro-definition macro=GET_CHARS

#define GET_WRITE(o, p, n)                    \
    do {                                      \
        if (PyObject_AsWriteBuffer(o, p, n))  \
            return NULL;                      \
    } while (0)
/* expect@-3: BUF003 macro-definition col=13 macro=GET_WRITE */

/* Token-pasted arguments and names are not uses. */
#define PASTE(prefix) prefix##_AsReadBuffer
#define STRINGIFY(x) #x
#define NAMED(x) my_##x##_impl
#define CALL_PASTED(x) call_##x(0)

static PyObject *
f(PyObject *self, PyObject *o)
{
    const char *s;
    void *w;
    const void *r;
    Py_ssize_t n;
    if (GET_CHARS(o, &s, &n) < 0) // expect: BUF001 macro-expansion col=9 in=f macro=GET_CHARS
        return NULL;
    GET_WRITE(o, &w, &n); // expect: BUF003 macro-expansion in=f macro=GET_WRITE
    if (LEGACY_READ(o, &r, &n) < 0) // expect: BUF002 macro-expansion col=9 macro=LEGACY_READ
        return NULL;
    if (!LEGACY_CHECK(o)) // expect: BUF004 macro-expansion macro=LEGACY_CHECK
        return NULL;
    const char *name = STRINGIFY(PyObject_AsReadBuffer);
    int k = NAMED(PyObject_AsWriteBuffer);
    CALL_PASTED(PyObject_CheckReadBuffer);
    return PyLong_FromSsize_t(n + k + (name != NULL));
}
