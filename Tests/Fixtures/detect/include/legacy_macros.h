/* A project header in a subfolder: its macro reaches an old function. */
#ifndef LEGACY_MACROS_H
#define LEGACY_MACROS_H
#define LEGACY_READ(o, p, n) PyObject_AsReadBuffer((o), (p), (n))
#define LEGACY_CHECK PyObject_CheckReadBuffer
#endif
