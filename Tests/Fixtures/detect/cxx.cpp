// Uses in C++: namespaces, classes, lambdas, the global scope operator.
#include <Python.h>

namespace legacy {
namespace detail {

int read_all(PyObject *o, const void **p, Py_ssize_t *n)
{
    return ::PyObject_AsReadBuffer(o, p, n); // expect: BUF002 call col=14 in=read_all
}

}  // namespace detail

class Reader {
public:
    int size(PyObject *o) const
    {
        const char *s;
        Py_ssize_t n;
        if (PyObject_AsCharBuffer(o, &s, &n) < 0) // expect: BUF001 call col=13 in=size
            return -1;
        return static_cast<int>(n);
    }

    static bool readable(PyObject *o) { return PyObject_CheckReadBuffer(o) != 0; } // expect: BUF004 call in=readable

    int write(PyObject *o);
};

int Reader::write(PyObject *o)
{
    void *p;
    Py_ssize_t n;
    auto get = [&](PyObject *x) { return PyObject_AsWriteBuffer(x, &p, &n); }; // expect: BUF003 call col=42
    return get(o);
}

template <typename F>
int apply(F f, PyObject *o) { return f(o); }

int use_template(PyObject *o)
{
    return apply(PyObject_CheckReadBuffer, o); // expect: BUF004 reference in=use_template
}

}  // namespace legacy

extern "C" int c_entry(PyObject *o, const void **p, Py_ssize_t *n)
{
    return legacy::detail::read_all(o, p, n) + PyObject_AsReadBuffer(o, p, n); // expect: BUF002 call in=c_entry
    // expect@-1: BUF002 wrapper-call col=28 info macro=read_all
}
