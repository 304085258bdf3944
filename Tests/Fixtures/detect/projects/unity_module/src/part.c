/* A part of module.c, never compiled alone: MODULE_HAS_CHARBUF and LEGACY_READ come from
   the module's text before `#include "part.c"`. Read alone, the first branch would look dead
   and the macro unknown. */
#if MODULE_HAS_CHARBUF
static int
chars(PyObject *o)
{
    const char *s;
    Py_ssize_t n;
    return PyObject_AsCharBuffer(o, &s, &n); // expect: BUF001 call in=chars
}
#else
static int
readable(PyObject *o)
{
    return PyObject_CheckReadBuffer(o); // expect: BUF004 inactive
}
#endif

static int
via_macro(PyObject *o)
{
    const void *p;
    Py_ssize_t n;
    return LEGACY_READ(o, &p, &n); // expect: BUF002 macro-expansion macro=LEGACY_READ in=via_macro
}
