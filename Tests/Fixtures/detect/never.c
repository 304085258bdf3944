/* Nothing in this file is a use: it must produce no finding at all.
 * PyObject_AsReadBuffer(obj, &p, &n) in a block comment.
 */
#include <Python.h>
#include <dlfcn.h>

// PyObject_AsCharBuffer(obj, &s, &n) in a line comment
static const char *names[] = {
    "PyObject_AsReadBuffer",
    "call PyObject_AsWriteBuffer(obj, &p, &n) here",
    "PyObject_CheckReadBuffer\"escaped\"",
};
static const char quote = 'P'; /* PyObject_AsCharBuffer */
static const int multichar = 'PyObject_AsReadBuffer'; static const char dq = '"'; /* " PyObject_AsWriteBuffer */

static int my_PyObject_AsReadBuffer_compat(PyObject *o) { return o != NULL; }
static int PyObject_AsCharBuffer_fallback(PyObject *o) { return o == NULL; }
static int _PyObject_CheckReadBuffer(PyObject *o) { return 0; }

#define PASTE2(a, b) a##b
#define MAKE_NAME(x) x##_impl
#define QUOTE(x) #x

static void *
load(void *h)
{
    void *f = dlsym(h, "PyObject_AsReadBuffer");
    int a = my_PyObject_AsReadBuffer_compat(NULL) + PyObject_AsCharBuffer_fallback(NULL) + _PyObject_CheckReadBuffer(NULL);
    int MAKE_NAME(PyObject_AsWriteBuffer) = a;
    const char *q = QUOTE(PyObject_CheckReadBuffer);
    (void)names; (void)quote; (void)q;
    return f;
}

static const char *wide = "multi-line \
PyObject_AsReadBuffer continued string";
