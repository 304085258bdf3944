"""The inputs the semantics tests feed to every implementation, and what is
observed of one call. Shared by test_reference_semantics.py and
semantics_table.py.

An observation is a plain dict, so that two of them compare field by field
and a difference can be named.
"""
import array
import mmap
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

FUNCTIONS = {
    "char": "PyObject_AsCharBuffer",
    "read": "PyObject_AsReadBuffer",
    "write": "PyObject_AsWriteBuffer",
    "check": "PyObject_CheckReadBuffer",
}

# PyBUF_* values that the old functions and the recipe ask for.
FLAG_NAMES = {0: "PyBUF_SIMPLE", 1: "PyBUF_WRITABLE"}

PRESET_MESSAGE = "exception set before the call"

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Input:
    name: str                         # as shown in tables and test ids
    make: Callable[[object], object]  # the _refcheck module -> a fresh object
    null: str = ""                    # "obj", "buf" or "len": that argument is NULL
    resizable: bool = False           # bytearray and array: try to resize it


def _mapped_file(writable):
    if writable:
        mapping = mmap.mmap(-1, 16)
        mapping.write(b"abcdef")
        return mapping
    with tempfile.TemporaryFile() as f:
        f.write(b"abcdef")
        f.flush()
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _exporter(*args):
    return lambda refcheck: refcheck.Exporter(*args)


INPUTS = [
    Input("bytes", lambda _: b"abcdef"),
    Input("empty bytes", lambda _: b""),
    Input("bytearray", lambda _: bytearray(b"abcdef"), resizable=True),
    Input("empty bytearray", lambda _: bytearray(), resizable=True),
    Input("memoryview", lambda _: memoryview(bytearray(b"abcdef"))),
    Input("non-contiguous memoryview", lambda _: memoryview(b"abcdef")[::2]),
    Input("read-only memoryview", lambda _: memoryview(bytearray(b"abcdef")).toreadonly()),
    Input("array('B')", lambda _: array.array("B", b"abcdef"), resizable=True),
    Input("array('d')", lambda _: array.array("d", [1.0, 2.0, 3.0]), resizable=True),
    Input("read-only mmap", lambda _: _mapped_file(writable=False)),
    Input("writable mmap", lambda _: _mapped_file(writable=True)),
    Input("str", lambda _: "abcdef"),
    Input("int", lambda _: 42),
    Input("None", lambda _: None),
    Input("exporter", _exporter("ok")),
    Input("exporter raising ValueError", _exporter("fail", ValueError, "exporter refused")),
    Input("exporter raising BufferError", _exporter("fail", BufferError, "exporter busy")),
    Input("read-only exporter", _exporter("readonly")),
    Input("strided-only exporter", _exporter("strided")),
    Input("NULL obj", lambda _: b"abcdef", null="obj"),
    Input("NULL buffer pointer", lambda _: b"abcdef", null="buf"),
    Input("NULL length pointer", lambda _: b"abcdef", null="len"),
]


PRESETS = (False, True)  # without, then with an exception set before the call


def applies(impl, func, inp):
    """False where the call has no meaning: only the As* functions of the
    old API have out-parameters that could be NULL."""
    if inp.null in ("buf", "len"):
        return func != "check" and impl != "recipe"
    return True


def crashes(impl, func, inp):
    """The old CheckReadBuffer and the recipe dereference obj unchecked."""
    return inp.null == "obj" and (func == "check" or impl == "recipe")


def cases():
    """(func, input, preset) for every call the old API can make."""
    return [
        (func, inp, preset)
        for func in FUNCTIONS
        for inp in INPUTS
        if applies("real", func, inp)
        for preset in PRESETS
    ]


def _try_resize(obj):
    try:
        obj.append(0)
        obj.pop()
    except Exception as error:  # any failure is an observation
        return f"{type(error).__name__}: {error}"
    return "ok"


def _describe_exception(exc, preset):
    if exc is None:
        return None
    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "is preset": exc is preset,
        "context": type(exc.__context__).__name__ if exc.__context__ is not None else None,
    }


def observe(refcheck, impl, func, inp, preset):
    """Calls one implementation once and returns what can be seen of it."""
    if crashes(impl, func, inp):
        return {"outcome": _crash_outcome(refcheck, impl, func, preset)}
    obj = inp.make(refcheck)
    base = refcheck.buffer_address(obj)
    counted = isinstance(obj, refcheck.Exporter)
    before = (obj.gets, obj.releases) if counted else None
    preset_exc = LookupError(PRESET_MESSAGE) if preset else None
    in_use = (lambda: _try_resize(obj)) if inp.resizable else None

    ret, address, length, exc, resize_in_use = refcheck.call(
        impl, func, obj,
        null_obj=inp.null == "obj", null_buf=inp.null == "buf", null_len=inp.null == "len",
        preset=preset_exc, use=in_use,
    )
    seen = {
        "return": ret,
        # Where the pointer lands in the object's own buffer; None when the
        # out-parameter was not written.
        "offset": None if address is None else (address - base if base is not None else "no buffer"),
        "length": length,
        "exception": _describe_exception(exc, preset_exc),
    }
    if counted:
        seen["gets"] = obj.gets - before[0]
        seen["releases"] = obj.releases - before[1]
        seen["flags"] = obj.last_flags if seen["gets"] else None
    if inp.resizable:
        seen["resize while in use"] = resize_in_use
        seen["resize after"] = _try_resize(obj)
    return seen


def flatten(seen):
    """One entry per observed value: the unit in which comparisons are counted."""
    flat = {}
    for key, value in seen.items():
        if isinstance(value, dict):
            flat.update({f"{key} {sub}": v for sub, v in value.items()})
        else:
            flat[key] = value
    return flat


_MISSING = object()


def compare(refcheck, impl, case, real=None):
    """Observes impl and the real function on one case.

    Returns (number of values compared, descriptions of those that differ).
    """
    func, inp, preset = case
    if real is None:
        real = flatten(observe(refcheck, "real", func, inp, preset))
    other = flatten(observe(refcheck, impl, func, inp, preset))
    fields = sorted(real.keys() | other.keys())
    differing = [
        f"{impl} {field}: real {real.get(field, '(absent)')!r}, {impl} {other.get(field, '(absent)')!r}"
        for field in fields
        if real.get(field, _MISSING) != other.get(field, _MISSING)
    ]
    return len(fields), differing


_CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
from refcheck_build import load_refcheck
refcheck = load_refcheck(sys.argv[2])
preset = LookupError(sys.argv[5]) if sys.argv[6] == "1" else None
refcheck.call(sys.argv[3], sys.argv[4], b"", null_obj=True, preset=preset, allow_crash=True)
"""


def _crash_outcome(refcheck, impl, func, preset):
    """Makes a call that dereferences NULL in a child process and says how it ended."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(HERE), refcheck.__file__, impl, func,
         PRESET_MESSAGE, "1" if preset else "0"],
        capture_output=True, preexec_fn=no_core_dump, timeout=60,
    )
    if done.returncode < 0:
        return f"crash ({signal.Signals(-done.returncode).name})"
    return f"exit status {done.returncode}"


def no_core_dump():
    import resource
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
