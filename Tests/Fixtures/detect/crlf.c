/* Windows line endings: lines and columns as on any other file. */
#include <Python.h>

static int
crlf(PyObject *o)
{
    return PyObject_CheckReadBuffer(o); // expect: BUF004 call col=12 in=crlf
}
#define CRLF_READ(o, p, n) \
    PyObject_AsReadBuffer(o, p, n)
/* expect@-1: BUF002 macro-definition col=5 macro=CRLF_READ */
