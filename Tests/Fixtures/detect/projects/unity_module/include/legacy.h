/* A project header outside the sources' folder: a build passes -I include; a check of one
   changed file (pre-commit) passes nothing, and the header is still found from the project root. */
#ifndef LEGACY_H
#define LEGACY_H
#include <Python.h>
#define LEGACY_READ(o, p, n) PyObject_AsReadBuffer((o), (p), (n)) // expect: BUF002 macro-definition
#endif
