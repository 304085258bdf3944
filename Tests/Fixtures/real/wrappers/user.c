/* No old function is named here: only calls of the project's wrappers. */
#include "buf.h"

static PyObject *first_byte(PyObject *self, PyObject *obj)
{
    const void *p;
    void *w;
    Py_ssize_t n;
    if (buf_get(obj, &p, &n) < 0)  // expect: BUF002 wrapper-call info macro=buf_get
        return NULL;
    if (buf_get_writable(obj, &w, &n) < 0)  // expect: BUF003 wrapper-call info macro=buf_get_writable
        return NULL;
    (void)buf_size(obj);
    return PyLong_FromLong(n ? ((const unsigned char *)p)[0] : -1);
}
