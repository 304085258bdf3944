// C++ spellings that are not uses: raw strings, member access, longer names.
#include <Python.h>
#include <string>

struct Exporter {
    int PyObject_AsReadBuffer;
    int (*PyObject_CheckReadBuffer)(void *);
};

static const char *raw = R"(PyObject_AsReadBuffer(obj, &p, &n))";
static const char *raw_delim = R"py(
    if (PyObject_AsWriteBuffer(obj, &p, &n) < 0) )" still in the string
)py";
static const char16_t *u16 = u"PyObject_AsCharBuffer";

int members(Exporter obj, Exporter *ptr)
{
    std::string s = "PyObject_CheckReadBuffer";
    int x = obj.PyObject_AsReadBuffer + ptr->PyObject_AsReadBuffer;
    x += obj.PyObject_CheckReadBuffer(nullptr) + ptr->PyObject_CheckReadBuffer(nullptr);
    (void)raw; (void)raw_delim; (void)u16;
    return x + (int)s.size();
}
