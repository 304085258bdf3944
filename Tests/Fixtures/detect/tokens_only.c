/* Classified from tokens alone (no libclang): the shapes the token scanner decides. */
// fixture: no-syntax-tree
#include <Python.h>

static int
parenthesised(PyObject *obj, const void **p, Py_ssize_t *n)
{
    /* Parenthesised to avoid a function-like macro of the same name. */
    return (PyObject_AsReadBuffer)(obj, p, n); // expect: BUF002 call col=13 in=parenthesised
}

static int
pointer(void)
{
    int (*fn)(PyObject *) = PyObject_CheckReadBuffer; // expect: BUF004 reference in=pointer
    return fn != 0;
}
