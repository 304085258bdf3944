/* _refcheck: CPython's real old buffer functions, bufferlint's reference
 * functions (compiled normally and under the limited API) and the 3.13
 * "What's New" recipe, behind one entry point, plus an exporter type that
 * can be told to fail and that counts its get and release calls.
 *
 *   call(impl, func, obj, null_obj=False, null_buf=False, null_len=False,
 *        preset=None, use=None, allow_crash=False)
 *     -> (return value, buffer address or None, length or None,
 *         exception pending afterwards or None, result of use() or None)
 *
 * impl is "real", "reference", "limited" or "recipe"; func is "char",
 * "read", "write" or "check". An out-parameter the function did not write
 * comes back as None. preset is an exception instance set before the call.
 * use() is called while the pointer is in use: after a successful call of
 * an old function, between get and release in the recipe. A call that
 * dereferences NULL (the old CheckReadBuffer and the recipe never check
 * obj) is refused unless allow_crash is true; tests make it in a child
 * process.
 *
 * Built by refcheck_build.py; the real functions are deprecated, so that
 * build passes -Wno-deprecated-declarations.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <string.h>

#include "bufferlint_compat.h"

#if PY_VERSION_HEX >= 0x030d0000
/* Gone from the headers in 3.13, still exported by libpython. */
PyAPI_FUNC(int) PyObject_AsCharBuffer(PyObject *, const char **, Py_ssize_t *);
PyAPI_FUNC(int) PyObject_AsReadBuffer(PyObject *, const void **, Py_ssize_t *);
PyAPI_FUNC(int) PyObject_AsWriteBuffer(PyObject *, void **, Py_ssize_t *);
PyAPI_FUNC(int) PyObject_CheckReadBuffer(PyObject *);
#endif

#if PY_VERSION_HEX >= 0x030b0000
#define REFCHECK_HAVE_LIMITED 1
/* _refcheck_limited.c */
int refcheck_limited_AsCharBuffer(PyObject *, const char **, Py_ssize_t *);
int refcheck_limited_AsReadBuffer(PyObject *, const void **, Py_ssize_t *);
int refcheck_limited_AsWriteBuffer(PyObject *, void **, Py_ssize_t *);
int refcheck_limited_CheckReadBuffer(PyObject *);
#endif

/* Py_NewRef is 3.10+. */
static PyObject *
new_ref(PyObject *obj)
{
    Py_INCREF(obj);
    return obj;
}

/* ---- use() hook ------------------------------------------------------ */

static PyObject *use_hook;    /* borrowed, set for the length of one call */
static PyObject *use_result;  /* owned */

/* Runs use() once, with any pending exception put aside meanwhile, since
 * Python code must not run with an exception set. */
static void
run_use_hook(void)
{
    PyObject *type, *value, *traceback, *result;

    if (use_hook == NULL || use_result != NULL) {
        return;
    }
    PyErr_Fetch(&type, &value, &traceback);
    result = PyObject_CallObject(use_hook, NULL);
    if (result == NULL) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        Py_XDECREF(t);
        Py_XDECREF(tb);
        result = v;
    }
    PyErr_Restore(type, value, traceback);
    use_result = result;
}

/* ---- the 3.13 recipe ------------------------------------------------- */

static int
recipe_AsReadBuffer(PyObject *obj, const void **buffer, Py_ssize_t *len)
{
    Py_buffer view;

    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) != 0) {
        return -1;
    }
    *buffer = view.buf;
    *len = view.len;
    run_use_hook();
    PyBuffer_Release(&view);
    return 0;
}

static int
recipe_AsCharBuffer(PyObject *obj, const char **buffer, Py_ssize_t *len)
{
    Py_buffer view;

    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) != 0) {
        return -1;
    }
    *buffer = (const char *)view.buf;
    *len = view.len;
    run_use_hook();
    PyBuffer_Release(&view);
    return 0;
}

static int
recipe_AsWriteBuffer(PyObject *obj, void **buffer, Py_ssize_t *len)
{
    Py_buffer view;

    if (PyObject_GetBuffer(obj, &view, PyBUF_WRITABLE) != 0) {
        return -1;
    }
    *buffer = view.buf;
    *len = view.len;
    run_use_hook();
    PyBuffer_Release(&view);
    return 0;
}

static int
recipe_CheckReadBuffer(PyObject *obj)
{
    return PyObject_CheckBuffer(obj);
}

/* ---- implementations side by side ------------------------------------ */

typedef struct {
    const char *name;
    int (*as_char)(PyObject *, const char **, Py_ssize_t *);
    int (*as_read)(PyObject *, const void **, Py_ssize_t *);
    int (*as_write)(PyObject *, void **, Py_ssize_t *);
    int (*check_read)(PyObject *);
    int is_recipe;
} Implementation;

static const Implementation implementations[] = {
    {"real", PyObject_AsCharBuffer, PyObject_AsReadBuffer,
     PyObject_AsWriteBuffer, PyObject_CheckReadBuffer, 0},
    {"reference", bufferlint_AsCharBuffer, bufferlint_AsReadBuffer,
     bufferlint_AsWriteBuffer, bufferlint_CheckReadBuffer, 0},
#ifdef REFCHECK_HAVE_LIMITED
    {"limited", refcheck_limited_AsCharBuffer, refcheck_limited_AsReadBuffer,
     refcheck_limited_AsWriteBuffer, refcheck_limited_CheckReadBuffer, 0},
#endif
    {"recipe", recipe_AsCharBuffer, recipe_AsReadBuffer,
     recipe_AsWriteBuffer, recipe_CheckReadBuffer, 1},
};

#define N_IMPLEMENTATIONS (sizeof implementations / sizeof implementations[0])

/* Out-parameters start out pointing here, so that "not written" shows. */
static char untouched_marker;
#define UNTOUCHED_LEN PY_SSIZE_T_MIN

static PyObject *
refcheck_call(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"impl", "func", "obj", "null_obj", "null_buf",
                               "null_len", "preset", "use", "allow_crash", NULL};
    const char *impl_name, *func;
    PyObject *obj, *preset = Py_None, *use = Py_None;
    int null_obj = 0, null_buf = 0, null_len = 0, allow_crash = 0;
    const Implementation *impl = NULL;
    size_t i;
    int result, is_check;
    const void *address = &untouched_marker;
    Py_ssize_t len = UNTOUCHED_LEN;
    PyObject *target, *exc_type, *exc, *exc_tb, *hook_result;

    (void)module;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "ssO|pppOOp", keywords,
                                     &impl_name, &func, &obj, &null_obj,
                                     &null_buf, &null_len, &preset, &use,
                                     &allow_crash)) {
        return NULL;
    }
    for (i = 0; i < N_IMPLEMENTATIONS; i++) {
        if (strcmp(implementations[i].name, impl_name) == 0) {
            impl = &implementations[i];
        }
    }
    if (impl == NULL) {
        PyErr_Format(PyExc_ValueError, "unknown implementation %s", impl_name);
        return NULL;
    }
    is_check = strcmp(func, "check") == 0;
    if (!is_check && strcmp(func, "char") != 0 && strcmp(func, "read") != 0
        && strcmp(func, "write") != 0) {
        PyErr_Format(PyExc_ValueError, "unknown function %s", func);
        return NULL;
    }
    if (null_obj && (is_check || impl->is_recipe) && !allow_crash) {
        PyErr_SetString(PyExc_ValueError, "this call dereferences NULL");
        return NULL;
    }
    if ((null_buf || null_len) && (is_check || impl->is_recipe)) {
        PyErr_SetString(PyExc_ValueError, "no out-parameter to pass as NULL");
        return NULL;
    }
    if (preset != Py_None && !PyExceptionInstance_Check(preset)) {
        PyErr_SetString(PyExc_TypeError, "preset must be an exception instance");
        return NULL;
    }

    target = null_obj ? NULL : obj;
    use_hook = use == Py_None ? NULL : use;
    use_result = NULL;
    if (preset != Py_None) {
        PyErr_SetObject((PyObject *)Py_TYPE(preset), preset);
    }

    if (is_check) {
        result = impl->check_read(target);
    }
    else if (strcmp(func, "write") == 0) {
        void *p = (void *)&untouched_marker;
        result = impl->as_write(target, null_buf ? NULL : &p, null_len ? NULL : &len);
        address = p;
    }
    else if (strcmp(func, "read") == 0) {
        const void *p = &untouched_marker;
        result = impl->as_read(target, null_buf ? NULL : &p, null_len ? NULL : &len);
        address = p;
    }
    else {
        const char *p = &untouched_marker;
        result = impl->as_char(target, null_buf ? NULL : &p, null_len ? NULL : &len);
        address = p;
    }
    /* The old functions hand the pointer back to be used after the call. */
    if (!impl->is_recipe && !is_check && result == 0) {
        run_use_hook();
    }
    use_hook = NULL;
    hook_result = use_result;
    use_result = NULL;

    PyErr_Fetch(&exc_type, &exc, &exc_tb);
    if (exc_type != NULL) {
        PyErr_NormalizeException(&exc_type, &exc, &exc_tb);
        Py_DECREF(exc_type);
        Py_XDECREF(exc_tb);
    }

    return Py_BuildValue(
        "iNNNN", result,
        address == &untouched_marker ? new_ref(Py_None) : PyLong_FromVoidPtr((void *)address),
        len == UNTOUCHED_LEN ? new_ref(Py_None) : PyLong_FromSsize_t(len),
        exc != NULL ? exc : new_ref(Py_None),
        hook_result != NULL ? hook_result : new_ref(Py_None));
}

/* Start of obj's own buffer (from a full read-only request), or None. */
static PyObject *
refcheck_buffer_address(PyObject *module, PyObject *obj)
{
    Py_buffer view;
    PyObject *address;

    (void)module;
    if (PyObject_GetBuffer(obj, &view, PyBUF_FULL_RO) != 0) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    address = PyLong_FromVoidPtr(view.buf);
    PyBuffer_Release(&view);
    return address;
}

static PyObject *
refcheck_implementations(PyObject *module, PyObject *unused)
{
    PyObject *names = PyTuple_New(N_IMPLEMENTATIONS);
    size_t i;

    (void)module;
    (void)unused;
    if (names == NULL) {
        return NULL;
    }
    for (i = 0; i < N_IMPLEMENTATIONS; i++) {
        PyObject *name = PyUnicode_FromString(implementations[i].name);
        if (name == NULL) {
            Py_DECREF(names);
            return NULL;
        }
        PyTuple_SET_ITEM(names, i, name);
    }
    return names;
}

/* ---- Exporter -------------------------------------------------------- */

enum { MODE_OK, MODE_FAIL, MODE_READONLY, MODE_STRIDED };

static const char *const mode_names[] = {"ok", "fail", "readonly", "strided"};

typedef struct {
    PyObject_HEAD
    int mode;
    PyObject *error_type;   /* raised by getbuffer in "fail" mode ... */
    PyObject *error_text;   /* ... with this message */
    Py_ssize_t gets;        /* getbuffer calls, failed ones included */
    Py_ssize_t releases;    /* releasebuffer calls */
    int last_flags;         /* flags of the latest getbuffer call, -1 before */
    Py_ssize_t shape, stride;
    char data[6];
} ExporterObject;

static PyObject *
exporter_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"mode", "error", "message", NULL};
    const char *mode = "ok";
    PyObject *error_type = Py_None, *error_text = Py_None;
    ExporterObject *self;
    int m = -1, i;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|sOO", keywords,
                                     &mode, &error_type, &error_text)) {
        return NULL;
    }
    for (i = 0; i < 4; i++) {
        if (strcmp(mode, mode_names[i]) == 0) {
            m = i;
        }
    }
    if (m < 0) {
        PyErr_Format(PyExc_ValueError, "unknown mode %s", mode);
        return NULL;
    }
    if (m == MODE_FAIL && !(PyExceptionClass_Check(error_type) && PyUnicode_Check(error_text))) {
        PyErr_SetString(PyExc_TypeError, "mode 'fail' needs an exception type and a message");
        return NULL;
    }
    self = (ExporterObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->mode = m;
    self->error_type = new_ref(error_type);
    self->error_text = new_ref(error_text);
    self->last_flags = -1;
    memcpy(self->data, "abcdef", sizeof self->data);
    return (PyObject *)self;
}

static void
exporter_dealloc(ExporterObject *self)
{
    Py_XDECREF(self->error_type);
    Py_XDECREF(self->error_text);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
exporter_getbuffer(ExporterObject *self, Py_buffer *view, int flags)
{
    self->gets++;
    self->last_flags = flags;
    switch (self->mode) {
    case MODE_FAIL:
        view->obj = NULL;
        PyErr_SetObject(self->error_type, self->error_text);
        return -1;
    case MODE_STRIDED:
        /* Every second byte: only a consumer that takes strides gets it. */
        if ((flags & PyBUF_STRIDES) != PyBUF_STRIDES) {
            view->obj = NULL;
            PyErr_SetString(PyExc_BufferError, "Exporter: strided requests only");
            return -1;
        }
        self->shape = sizeof self->data / 2;
        self->stride = 2;
        view->obj = new_ref((PyObject *)self);
        view->buf = self->data;
        view->len = self->shape;
        view->itemsize = 1;
        view->readonly = 0;
        view->ndim = 1;
        view->format = (flags & PyBUF_FORMAT) == PyBUF_FORMAT ? (char *)"B" : NULL;
        view->shape = &self->shape;
        view->strides = &self->stride;
        view->suboffsets = NULL;
        view->internal = NULL;
        return 0;
    default:
        return PyBuffer_FillInfo(view, (PyObject *)self, self->data,
                                 sizeof self->data, self->mode == MODE_READONLY, flags);
    }
}

static void
exporter_releasebuffer(ExporterObject *self, Py_buffer *view)
{
    (void)view;
    self->releases++;
}

static PyBufferProcs exporter_as_buffer = {
    (getbufferproc)exporter_getbuffer,
    (releasebufferproc)exporter_releasebuffer,
};

static PyMemberDef exporter_members[] = {
    {"gets", T_PYSSIZET, offsetof(ExporterObject, gets), READONLY, NULL},
    {"releases", T_PYSSIZET, offsetof(ExporterObject, releases), READONLY, NULL},
    {"last_flags", T_INT, offsetof(ExporterObject, last_flags), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyObject *
exporter_repr(ExporterObject *self)
{
    if (self->mode == MODE_FAIL) {
        return PyUnicode_FromFormat("Exporter('fail', %s, %R)",
                                    ((PyTypeObject *)self->error_type)->tp_name,
                                    self->error_text);
    }
    return PyUnicode_FromFormat("Exporter('%s')", mode_names[self->mode]);
}

static PyTypeObject ExporterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    "_refcheck.Exporter",                     /* tp_name */
    sizeof(ExporterObject),                   /* tp_basicsize */
};

/* ---- module ---------------------------------------------------------- */

static PyMethodDef refcheck_methods[] = {
    {"call", (PyCFunction)(void (*)(void))refcheck_call, METH_VARARGS | METH_KEYWORDS,
     "Call one implementation of one old buffer function; see the module source."},
    {"buffer_address", refcheck_buffer_address, METH_O,
     "Address of the start of obj's buffer, or None."},
    {"implementations", refcheck_implementations, METH_NOARGS,
     "Names of the implementations built in."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef refcheck_module = {
    PyModuleDef_HEAD_INIT, "_refcheck", NULL, -1, refcheck_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__refcheck(void)
{
    PyObject *module;

    ExporterType.tp_flags = Py_TPFLAGS_DEFAULT;
    ExporterType.tp_doc = "Buffer exporter that counts its calls and can refuse requests.";
    ExporterType.tp_new = exporter_new;
    ExporterType.tp_dealloc = (destructor)exporter_dealloc;
    ExporterType.tp_repr = (reprfunc)exporter_repr;
    ExporterType.tp_as_buffer = &exporter_as_buffer;
    ExporterType.tp_members = exporter_members;
    if (PyType_Ready(&ExporterType) < 0) {
        return NULL;
    }
    module = PyModule_Create(&refcheck_module);
    if (module == NULL) {
        return NULL;
    }
    Py_INCREF(&ExporterType);
    if (PyModule_AddObject(module, "Exporter", (PyObject *)&ExporterType) < 0) {
        Py_DECREF(&ExporterType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
