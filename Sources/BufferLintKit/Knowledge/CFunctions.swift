/// What bufferlint knows of C library and CPython functions, in one place: the flow checks, the
/// C and C++ fix planners and the Cython planner all read these sets, so they cannot disagree.
/// Names are the callee spellings libclang shows, so macro spellings that expand to another
/// function (glibc's `sigsetjmp` is `__sigsetjmp`, `memcpy` may be `__builtin___memcpy_chk`) are
/// listed with what they expand to.
public enum CFunctions {
    /// Functions that read or write through their pointer arguments and keep nothing of them.
    public static let keepNothing: Set<String> = [
        "memcpy", "memmove", "memset", "memcmp", "strlen", "strnlen", "strcmp", "strncmp", "strncpy", "fwrite", "fputs",
        "printf", "fprintf", "sprintf", "snprintf", "PyOS_snprintf", "PyErr_Format", "Py_BuildValue",
        "__builtin_memcpy", "__builtin_memmove", "__builtin_memset", "__builtin___memcpy_chk", "__builtin___memmove_chk",
        "__builtin___memset_chk", "__builtin___snprintf_chk", "__builtin___sprintf_chk",
        "PyBytes_FromStringAndSize", "PyBytes_FromString", "PyByteArray_FromStringAndSize", "PyUnicode_FromStringAndSize",
        "PyUnicode_FromString", "PyUnicode_DecodeUTF8", "PyUnicode_DecodeLatin1", "PyUnicode_DecodeASCII", "PyUnicode_Decode",
        "PyLong_FromString", "PyMemoryView_FromMemory", "free", "PyMem_Free", "PyMem_RawFree", "PyObject_Free",
    ]
    /// Functions that return a pointer into their pointer argument: the result is followed like the pointer.
    public static let derivingPointer: Set<String> = ["memchr", "memrchr", "strchr", "strrchr", "strstr"]
    /// Functions that write zeros through their first argument.
    public static let zeroing: Set<String> = ["memset", "bzero", "explicit_bzero", "__builtin_memset"]
    /// Functions that copy memory from their second argument to their first.
    public static let copying: Set<String> = ["memcpy", "memmove", "__builtin_memcpy", "__builtin_memmove"]
    /// Functions that return a second time (after a `longjmp`), or whose child shares the frame.
    public static let returnTwice: Set<String> = ["setjmp", "_setjmp", "sigsetjmp", "__sigsetjmp", "__builtin_setjmp", "savectx", "vfork"]
    /// Functions that jump back to a `setjmp`.
    public static let longJumps: Set<String> = ["longjmp", "_longjmp", "siglongjmp", "__builtin_longjmp", "__longjmp_chk"]
    /// Functions after which no path continues.
    public static let noReturn: Set<String> = longJumps.union([
        "exit", "_exit", "_Exit", "abort", "Py_FatalError", "Py_Exit", "__assert_fail", "__assert_rtn", "_assert",
        "__builtin_unreachable", "__builtin_trap", "_Py_FatalErrorFunc", "quick_exit", "std::terminate", "terminate", "__cxa_throw",
    ])
}
