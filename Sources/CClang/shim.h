#include <clang-c/Index.h>
#include <clang-c/CXCompilationDatabase.h>
/* Extended attributes, kept when a fixed file replaces its original. */
#include <sys/xattr.h>
