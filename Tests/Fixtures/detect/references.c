/* The functions named without being called: pointers, callbacks, tables. */
#include <Python.h>

typedef int (*reader_fn)(PyObject *, const void **, Py_ssize_t *);
typedef int (*check_fn)(PyObject *);

extern void register_reader(reader_fn fn);

static reader_fn by_address = &PyObject_AsReadBuffer; // expect: BUF002 reference col=32
static check_fn by_name = PyObject_CheckReadBuffer; // expect: BUF004 reference

struct entry { const char *name; void *fn; };
static struct entry table[] = {
    {"read", (void *)PyObject_AsReadBuffer}, // expect: BUF002 reference
    {"write", (void *)PyObject_AsWriteBuffer}, // expect: BUF003 reference
    {"chars", (void *)&PyObject_AsCharBuffer}, // expect: BUF001 reference
    {NULL, NULL},
};

static void
setup(void)
{
    register_reader(PyObject_AsReadBuffer); // expect: BUF002 reference in=setup
    reader_fn f;
    f = PyObject_AsReadBuffer; // expect: BUF002 reference in=setup
    (void)f;
}

struct hooks { check_fn check; reader_fn read; };
static struct hooks designated = { .check = PyObject_CheckReadBuffer, .read = 0 }; // expect: BUF004 reference col=45
static int sizes = sizeof(PyObject_CheckReadBuffer) + sizeof &PyObject_AsWriteBuffer; // expect: BUF004 reference
// expect@-1: BUF003 reference col=63
