/* In C, `and`, `or` and `not` are ordinary names in `#if`: here a project macro. */
#include <Python.h>

#define not 1

#if not
static int named_not(PyObject *o) { return PyObject_CheckReadBuffer(o); } // expect: BUF004 call in=named_not
#endif
