// The function named for each use is the one it is in, from tokens alone, in a C++ header's
// shapes: constructor initializer lists with braces, `#ifdef` branches that both open a
// brace, functions after a branch that is not compiled.
// fixture: no-syntax-tree
#include <Python.h>
#include "config_that_is_missing.h"

class Reader {
public:
    Reader(PyObject *o) : obj_{o}, n_{0} {
        const void *p;
        PyObject_AsReadBuffer(obj_, &p, &n_); // expect: BUF002 call in=Reader
    }
    int first() {
        const char *s;
        Py_ssize_t n;
#ifdef READER_STRICT
        if (PyObject_AsCharBuffer(obj_, &s, &n) < 0) { // expect: BUF001 call in=first
#else
        if (PyObject_AsCharBuffer(obj_, &s, &n) != 0) { // expect: BUF001 call in=first
#endif
            return -1;
        }
        return s[0];
    }
    int readable() { return PyObject_CheckReadBuffer(obj_); } // expect: BUF004 call in=readable
private:
    PyObject *obj_;
    Py_ssize_t n_;
};

#if PY_MAJOR_VERSION < 3
static int py2_only(PyObject *o) { return PyObject_CheckReadBuffer(o); } // expect: BUF004 inactive
#endif

static int after_dead_branch(PyObject *o) { return PyObject_CheckReadBuffer(o); } // expect: BUF004 call in=after_dead_branch
