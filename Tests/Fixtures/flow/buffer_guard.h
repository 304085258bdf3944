// A guard class defined in a header: its destructor releases the view.
#include <Python.h>

struct HeaderGuard {
    Py_buffer view;
    bool held = false;
    ~HeaderGuard() {
        if (held)
            PyBuffer_Release(&view);
    }
};
