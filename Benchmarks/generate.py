#!/usr/bin/env python3
"""Generates a synthetic tree of C extension modules for benchmarks.

  generate.py OUT --files 2000 --hit-share 0.01 [--seed 1] [--shape plain|flow]

Each file is a plausible extension module of about 320 lines (argument parsing,
reference counting, error paths, a method table, module init). A share of the
files (--hit-share) also call one of the old buffer functions; the rest only use
PyObject_GetBuffer. With --shape flow, every function that does not call an old
function uses the new API in a shape only the path-by-path checks can judge (the
view released at a `goto` label, shared with other cleanup), and one function in
ten leaks the view on one error path (a BUF102 finding). Prints how many files
and lines it wrote and how many hit."""
import argparse, os, random

SHAPE = "plain"
OLD = ["PyObject_AsCharBuffer", "PyObject_AsReadBuffer", "PyObject_AsWriteBuffer", "PyObject_CheckReadBuffer"]


def function(rng, mod, k, hit):
    name = f"{mod}_op{k}"
    lines = [f"static PyObject *", f"{name}(PyObject *self, PyObject *args)", "{",
             "    PyObject *obj = NULL, *result = NULL;", "    Py_ssize_t i, total = 0;",
             "    if (!PyArg_ParseTuple(args, \"O\", &obj))", "        return NULL;"]
    if hit:
        fn = rng.choice(OLD)
        if fn == "PyObject_CheckReadBuffer":
            lines += ["    if (!PyObject_CheckReadBuffer(obj)) {",
                      "        PyErr_SetString(PyExc_TypeError, \"expected a buffer\");", "        return NULL;", "    }"]
        else:
            ptr = {"PyObject_AsCharBuffer": "const char *", "PyObject_AsReadBuffer": "const void *",
                   "PyObject_AsWriteBuffer": "void *"}[fn]
            lines += [f"    {ptr}data;", "    Py_ssize_t size;", f"    if ({fn}(obj, &data, &size) < 0)",
                      "        return NULL;", "    total += size;"]
    elif SHAPE == "flow":
        leak = rng.random() < 0.1
        lines += ["    Py_buffer view;", "    PyObject *tmp = NULL;", "    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)", "        return NULL;",
                  "    tmp = PyTuple_New(1);", "    if (tmp == NULL)", "        " + ("return NULL;" if leak else "goto done;"),
                  "    for (i = 0; i < view.len; i++)", "        total += ((const unsigned char *)view.buf)[i];",
                  "done:", "    Py_XDECREF(tmp);", "    PyBuffer_Release(&view);"]
    else:
        lines += ["    Py_buffer view;", "    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)", "        return NULL;",
                  "    for (i = 0; i < view.len; i++)", "        total += ((const unsigned char *)view.buf)[i];",
                  "    PyBuffer_Release(&view);"]
    for j in range(rng.randint(8, 14)):
        lines += [f"    if (total > {rng.randint(1000, 99999)}) {{", f"        total -= {rng.randint(1, 99)};",
                  "    } else {", f"        total += {rng.randint(1, 99)} * (i = {j});", "    }"]
    lines += ["    result = PyLong_FromSsize_t(total);", "    if (result == NULL)", "        goto error;",
              "    return result;", "error:", "    Py_XDECREF(result);", "    return NULL;", "}", ""]
    return name, lines


def module(rng, idx, hit):
    mod = f"gen{idx}"
    out = ["/* Generated benchmark module. */", "#define PY_SSIZE_T_CLEAN", "#include <Python.h>", "#include <string.h>", ""]
    names = []
    nfuncs = 4
    hit_at = rng.randrange(nfuncs) if hit else -1
    for k in range(nfuncs):
        name, lines = function(rng, mod, k, k == hit_at)
        names.append(name)
        out += lines
    out.append(f"static PyMethodDef {mod}_methods[] = {{")
    out += [f"    {{\"{n}\", {n}, METH_VARARGS, \"Operation {n}.\"}}," for n in names]
    out += ["    {NULL, NULL, 0, NULL}", "};", "",
            f"static struct PyModuleDef {mod}_module = {{", f"    PyModuleDef_HEAD_INIT, \"{mod}\", NULL, -1, {mod}_methods", "};", "",
            "PyMODINIT_FUNC", f"PyInit_{mod}(void)", "{", f"    return PyModule_Create(&{mod}_module);", "}", ""]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--hit-share", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shape", choices=["plain", "flow"], default="plain")
    a = ap.parse_args()
    global SHAPE
    SHAPE = a.shape
    rng = random.Random(a.seed)
    hits = set(rng.sample(range(a.files), round(a.files * a.hit_share)))
    total = 0
    for i in range(a.files):
        d = os.path.join(a.out, f"pkg{i // 100}")
        os.makedirs(d, exist_ok=True)
        lines = module(rng, i, i in hits)
        total += len(lines)
        with open(os.path.join(d, f"mod{i}.c"), "w") as fh:
            fh.write("\n".join(lines) + "\n")
    print(f"{a.files} files, {total} lines, {len(hits)} files with old calls -> {a.out}")


if __name__ == "__main__":
    main()
