// bufferlint_view.hpp: scope guards for Py_buffer views, for C++ extensions.
//
// A BufferView holds one view from PyObject_GetBuffer and releases it when
// it is destroyed, so the data stays valid, and the exporter locked, for
// exactly the scope that uses it: the lifetime the old PyObject_As*Buffer
// functions could not give. A BufferViews is an array of them sized at run
// time, for a loop that fills an array of pointers. Create, move and destroy
// them with the GIL held. C++98 and later; the moves need C++11.
#ifndef BUFFERLINT_VIEW_HPP
#define BUFFERLINT_VIEW_HPP

#ifndef __cplusplus
#  error "bufferlint_view.hpp is C++ only; in C pair PyObject_GetBuffer with PyBuffer_Release"
#endif

#include "bufferlint_compat.h"

#include <new>

#if defined(_MSVC_LANG)
#  define BUFFERLINT_CXX_VERSION _MSVC_LANG
#else
#  define BUFFERLINT_CXX_VERSION __cplusplus
#endif
#if BUFFERLINT_CXX_VERSION >= 201103L
#  define BUFFERLINT_CXX11 1
#  define BUFFERLINT_NOEXCEPT noexcept
#else
#  define BUFFERLINT_CXX11 0
#  define BUFFERLINT_NOEXCEPT throw()
#endif

namespace bufferlint {

class BufferView {
public:
    // Zeroed, so that releasing it before any acquire does nothing:
    // PyBuffer_Release ignores a view whose obj is NULL.
    BufferView() BUFFERLINT_NOEXCEPT : view_() {}
    ~BufferView() { release(); }

#if BUFFERLINT_CXX11
    BufferView(const BufferView &) = delete;
    BufferView &operator=(const BufferView &) = delete;

    BufferView(BufferView &&other) noexcept : view_() { move(other.view_, view_); }
    BufferView &operator=(BufferView &&other) noexcept
    {
        if (this != &other) {
            release();
            move(other.view_, view_);
        }
        return *this;
    }
#endif

    // Releases the view held, if any, then returns
    // PyObject_GetBuffer(obj, &view, flags): 0, or -1 with an exception set.
    int acquire(PyObject *obj, int flags)
    {
        release();
        return PyObject_GetBuffer(obj, &view_, flags);
    }

    // Safe to call any number of times.
    void release() BUFFERLINT_NOEXCEPT { PyBuffer_Release(&view_); }

    // Hands the view over to a Py_buffer owned elsewhere (a field of an
    // object, released in its deallocator): the view *target held before is
    // released first, and this guard is left empty, so its destructor
    // releases nothing. *target must be zeroed or hold a view.
    void move_to(Py_buffer *target) BUFFERLINT_NOEXCEPT
    {
        if (target == &view_) {
            return;
        }
        PyBuffer_Release(target);
        move(view_, *target);
    }

    bool held() const BUFFERLINT_NOEXCEPT { return view_.obj != NULL; }
    void *buf() const BUFFERLINT_NOEXCEPT { return view_.buf; }
    Py_ssize_t len() const BUFFERLINT_NOEXCEPT { return view_.len; }
    bool readonly() const BUFFERLINT_NOEXCEPT { return view_.readonly != 0; }
    const Py_buffer &view() const BUFFERLINT_NOEXCEPT { return view_; }

private:
#if !BUFFERLINT_CXX11
    BufferView(const BufferView &);
    BufferView &operator=(const BufferView &);
#endif

    // PyBuffer_FillInfo, which bytes and bytearray use, points shape at the
    // view's own len and strides at its own itemsize: a moved view must
    // point at its new copies, not at the emptied source.
    static void move(Py_buffer &from, Py_buffer &to) BUFFERLINT_NOEXCEPT
    {
        to = from;
        if (from.shape == &from.len) {
            to.shape = &to.len;
        }
        if (from.strides == &from.itemsize) {
            to.strides = &to.itemsize;
        }
        from = Py_buffer();
    }

    Py_buffer view_;
};

// An array of BufferView guards sized at run time, each empty until it is
// acquired; the destructor releases those acquired, each exactly once.
// Allocation failure is a Python MemoryError, never a C++ exception.
class BufferViews {
public:
    BufferViews() BUFFERLINT_NOEXCEPT : items_(NULL), size_(0) {}
    ~BufferViews() { clear(); }

    // Releases and frees the views held, then makes n empty ones (at least
    // one; n of any integer type): 0, or -1 with MemoryError set and no
    // view left.
    template <typename Count>
    int allocate(Count n)
    {
        clear();
        size_t count = 1;
        if (n > 0) {
            // Positive, so it converts to the widest unsigned type unchanged.
            if (static_cast<unsigned long long>(n)
                > static_cast<unsigned long long>(PY_SSIZE_T_MAX) / sizeof(BufferView)) {
                PyErr_NoMemory();
                return -1;
            }
            count = static_cast<size_t>(n);
        }
        items_ = new (std::nothrow) BufferView[count];
        if (items_ == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        size_ = static_cast<Py_ssize_t>(count);
        return 0;
    }

    bool ok() const BUFFERLINT_NOEXCEPT { return items_ != NULL; }
    Py_ssize_t size() const BUFFERLINT_NOEXCEPT { return size_; }
    BufferView &operator[](Py_ssize_t i) BUFFERLINT_NOEXCEPT { return items_[i]; }
    const BufferView &operator[](Py_ssize_t i) const BUFFERLINT_NOEXCEPT { return items_[i]; }

    // Releases every view and frees the array; safe to call any number of times.
    void clear() BUFFERLINT_NOEXCEPT
    {
        delete[] items_;
        items_ = NULL;
        size_ = 0;
    }

private:
    BufferViews(const BufferViews &);
    BufferViews &operator=(const BufferViews &);

    BufferView *items_;
    Py_ssize_t size_;
};

}  // namespace bufferlint

#endif  // BUFFERLINT_VIEW_HPP
