// bufferlint_view.hpp: a scope guard for a Py_buffer, for C++ extensions.
//
// A BufferView holds one view from PyObject_GetBuffer and releases it when
// it is destroyed, so the data stays valid, and the exporter locked, for
// exactly the scope that uses it: the lifetime the old PyObject_As*Buffer
// functions could not give. Create, move and destroy it with the GIL held.
#ifndef BUFFERLINT_VIEW_HPP
#define BUFFERLINT_VIEW_HPP

#ifndef __cplusplus
#  error "bufferlint_view.hpp is C++ only; in C pair PyObject_GetBuffer with PyBuffer_Release"
#endif

#include "bufferlint_compat.h"

namespace bufferlint {

class BufferView {
public:
    // Zeroed, so that releasing it before any acquire does nothing:
    // PyBuffer_Release ignores a view whose obj is NULL.
    BufferView() noexcept : view_() {}
    ~BufferView() { release(); }

    BufferView(const BufferView &) = delete;
    BufferView &operator=(const BufferView &) = delete;

    BufferView(BufferView &&other) noexcept : view_() { take(other); }
    BufferView &operator=(BufferView &&other) noexcept
    {
        if (this != &other) {
            release();
            take(other);
        }
        return *this;
    }

    // Releases the view held, if any, then returns
    // PyObject_GetBuffer(obj, &view, flags): 0, or -1 with an exception set.
    int acquire(PyObject *obj, int flags)
    {
        release();
        return PyObject_GetBuffer(obj, &view_, flags);
    }

    // Safe to call any number of times.
    void release() noexcept { PyBuffer_Release(&view_); }

    bool held() const noexcept { return view_.obj != NULL; }
    void *buf() const noexcept { return view_.buf; }
    Py_ssize_t len() const noexcept { return view_.len; }
    bool readonly() const noexcept { return view_.readonly != 0; }
    const Py_buffer &view() const noexcept { return view_; }

private:
    // PyBuffer_FillInfo, which bytes and bytearray use, points shape at the
    // view's own len and strides at its own itemsize: a moved view must
    // point at its new copies, not at the emptied source.
    void take(BufferView &other) noexcept
    {
        view_ = other.view_;
        if (other.view_.shape == &other.view_.len) {
            view_.shape = &view_.len;
        }
        if (other.view_.strides == &other.view_.itemsize) {
            view_.strides = &view_.itemsize;
        }
        other.view_ = Py_buffer();
    }

    Py_buffer view_;
};

}  // namespace bufferlint

#endif  // BUFFERLINT_VIEW_HPP
