"""Calls every function of the fix corpus on many inputs and prints, as JSON,
what each call returned or raised, what a writable argument holds afterwards,
and whether a bytearray argument can still be resized (no view left held).

Usage: python3 behaviour.py BUILD_DIR
"""
import array
import json
import sys

sys.path.insert(0, sys.argv[1])
import cymod  # noqa: E402
import fixmod  # noqa: E402
import fixmodpp  # noqa: E402
import swmod  # noqa: E402
import xwmod  # noqa: E402
import xwmodpp  # noqa: E402

INPUTS = {
    "bytes": lambda: b"hello world",
    "empty-bytes": lambda: b"",
    "bytearray": lambda: bytearray(b"abcdef"),
    "empty-bytearray": lambda: bytearray(),
    "memoryview": lambda: memoryview(b"abcdef"),
    "memoryview-bytearray": lambda: memoryview(bytearray(b"xyzw")),
    "memoryview-noncontiguous": lambda: memoryview(b"abcdefgh")[::2],
    "memoryview-readonly": lambda: memoryview(bytearray(b"ro")).toreadonly(),
    "array": lambda: array.array("i", [1, 2, 3]),
    "str": lambda: "text",
    "none": lambda: None,
    "int": lambda: 42,
    "bang-bytes": lambda: b"!boom",
    "bang-bytearray": lambda: bytearray(b"!boom"),
    "long-bytearray": lambda: bytearray(b"0123456789"),
}

def kept_once(make, x):
    """A keeper (fixmod.Keeper, fixmodpp.Holder) holds x's pointer while it lives; the view goes with it."""
    k = make()
    k.keep(x)
    return k.first()


def kept_twice(make, x):
    """A second keep lets go of x while the keeper still lives: x can be resized then."""
    k = make()
    k.keep(x)
    first = k.first()
    k.keep(b"zz")
    resized = None
    if isinstance(x, bytearray):
        x.append(0)
        x.pop()
        resized = "resized"
    return first, k.first(), resized


def keeper_once(x):
    return kept_once(fixmod.Keeper, x)


def keeper_twice(x):
    return kept_twice(fixmod.Keeper, x)


def holder_once(x):
    """The C++ Holder: a callee may throw before the pointer is stored."""
    return kept_once(fixmodpp.Holder, x)


def holder_twice(x):
    return kept_twice(fixmodpp.Holder, x)


def holder_bang_keeps_the_old(x):
    """A keep that fails or throws leaves the Holder with what it had."""
    h = fixmodpp.Holder()
    h.keep(b"ok")
    try:
        h.keep(x)
        kept = "kept"
    except Exception as e:
        kept = "%s: %s" % (type(e).__name__, e)
    first = h.first()
    h.keep(b"zz")
    return kept, first, h.first()


def remember_first(x):
    """cy_remember keeps x's pointer in module-level variables; read it while x lives."""
    n = cymod.cy_remember(x)
    return n, cymod.cy_remembered_first()


def hold_first(x):
    """A Holder keeps x's pointer (and x) in the object."""
    h = cymod.Holder()
    n = h.hold(x)
    return n, h.first()


# (name, how to build the call's arguments from one input)
CALLS = [
    (fixmod.read_sum, lambda x: (x,)),
    (fixmod.char_copy, lambda x: (x,)),
    (fixmod.zero_fill, lambda x: (x,)),
    (fixmod.is_readable, lambda x: (x,)),
    (fixmod.head_copy, lambda x: ((x, 2),)),
    (fixmod.head_copy, lambda x: ((x, 99),)),
    *[(fixmod.several_exits, (lambda m: lambda x: ((x, m),))(m)) for m in range(6)],
    (fixmod.total_length, lambda x: (x, b"ab")),
    (fixmod.via_helper, lambda x: (x,)),
    (fixmod.same_bytes, lambda x: ((x, b"abcdef"),)),
    (fixmod.same_bytes, lambda x: ((b"abcdef", x),)),
    (fixmod.macro_len, lambda x: (x,)),
    (fixmod.remember, lambda x: (x,)),
    (fixmod.mark_first, lambda x: (x,)),
    (fixmod.checked_len, lambda x: (x,)),
    (fixmod.concat_len, lambda x: (x, b"ab")),
    (fixmod.concat_len, lambda x: (b"ab", x)),
    (fixmod.concat_len, lambda x: (x, None)),
    (fixmod.concat_len, lambda x: (x, memoryview(b"abcdefgh")[::2])),
    (fixmod.count_zeros, lambda x: (x,)),
    (fixmod.last_byte, lambda x: (x,)),
    (fixmod.sum_first_bytes, lambda x: (x, b"ab")),
    (fixmod.sum_first_bytes, lambda x: (b"ab", x, b"cd")),
    (fixmod.sum_first_bytes, lambda x: (x, None)),
    (fixmod.sum_first_bytes, lambda x: (x, b"")),
    (fixmod.sum_first_bytes, lambda x: (x, x, x, x, x)),
    (fixmod.xor_blocks, lambda x: ([x, b"abcdef"],)),
    (fixmod.xor_blocks, lambda x: ([b"zz", x, b"yy"],)),
    (fixmod.xor_blocks, lambda x: ([x, 7],)),
    (fixmod.xor_blocks, lambda x: ([x, x],)),
    (fixmod.xor_blocks, lambda x: (x,)),
    (swmod.first_plus, lambda x: (x, 1)),
    (swmod.first_plus, lambda x: (x, "not an int")),
    (swmod.fill_bytes, lambda x: (x, 7)),
    (swmod.length_of, lambda x: (x,)),
    (cymod.cy_sum, lambda x: (x,)),
    (cymod.cy_fill, lambda x: (x, 7)),
    (cymod.cy_readable, lambda x: (x,)),
    (remember_first, lambda x: (x,)),
    (hold_first, lambda x: (x,)),
    (cymod.cy_pick, lambda x: (x, 1)),
    (cymod.cy_pick, lambda x: (x, 0)),
    (cymod.cy_first_bytes, lambda x: ([x, b"ab"],)),
    (cymod.cy_first_bytes, lambda x: ([b"", x, b"!x", x],)),
    (cymod.cy_first_bytes, lambda x: (x,)),
    (cymod.cy_zero_first, lambda x: (x,)),
    (cymod.cy_choose, lambda x: (x, 1)),
    (cymod.cy_choose, lambda x: (x, 0)),
    (cymod.cy_count, lambda x: (x, 108)),
    (cymod.cy_part_len, lambda x: (x,)),
    (cymod.cy_firsts, lambda x: ([x, b"ab"],)),
    (cymod.cy_firsts, lambda x: ([b"", x, b"!x", x],)),
    (cymod.cy_firsts, lambda x: ([x, 7, x],)),
    (cymod.cy_firsts, lambda x: (x,)),
    (fixmod.delta_head, lambda x: (x,)),
    (fixmod.delta_pair, lambda x: (x, b"ab")),
    (fixmod.delta_pair, lambda x: (b"ab", x)),
    *[(m.encode_firsts, a) for m in (fixmod, fixmodpp) for a in (
        lambda x: ([x, x],), lambda x: ([b"abcdef", x],), lambda x: ([x, 7],), lambda x: ([x, b"xy"],),
        lambda x: ([x, memoryview(b"abcdefgh")[::2]],), lambda x: (x,))],
    (fixmod.w_len, lambda x: (x,)),
    (fixmod.w_first, lambda x: (x,)),
    (fixmod.w_equal, lambda x: ((x, b"abcdef"),)),
    (fixmod.w_equal, lambda x: ((x, None),)),
    (xwmod.xw_len, lambda x: (x,)),
    (xwmod.xw_first, lambda x: (x,)),
    (xwmod.xw_equal, lambda x: (x, b"abcdef")),
    (xwmod.xw_equal, lambda x: (b"abcdef", x)),
    (xwmod.xw_equal, lambda x: (x, None)),
    (xwmodpp.xwpp_len, lambda x: (x,)),
    (xwmodpp.xwpp_first, lambda x: (x,)),
    (xwmodpp.xwpp_stamp, lambda x: (x,)),
    (keeper_once, lambda x: (x,)),
    (keeper_twice, lambda x: (x,)),
    (fixmodpp.read_len, lambda x: (x,)),
    (fixmodpp.upper_copy, lambda x: (x,)),
    (fixmodpp.fill, lambda x: ((x, 7),)),
    (fixmodpp.check, lambda x: (x,)),
    (fixmodpp.guarded_sum, lambda x: (x,)),
    (fixmodpp.count_byte, lambda x: ((x, 98),)),
    (fixmodpp.bang_sum, lambda x: (x,)),
    (fixmodpp.bang_first, lambda x: (x,)),
    (fixmodpp.checked_fill, lambda x: (x,)),
    (fixmodpp.xor_seq, lambda x: ([x, b"abcdef"],)),
    (fixmodpp.xor_seq, lambda x: ([b"zz", x, b"yy"],)),
    (fixmodpp.xor_seq, lambda x: ([x, 7],)),
    (fixmodpp.xor_seq, lambda x: ([b"abcdef", x, None],)),
    (fixmodpp.xor_seq, lambda x: ([x, x, x],)),
    (fixmodpp.xor_seq, lambda x: (x,)),
    (fixmodpp.bang_blocks, lambda x: (x, b"ab")),
    (fixmodpp.bang_blocks, lambda x: (b"ab", x, b"cd")),
    (fixmodpp.bang_blocks, lambda x: (x, b"!x", b"cd")),
    (fixmodpp.bang_blocks, lambda x: (x, None)),
    (fixmodpp.bang_blocks, lambda x: (x, x, x, x, x)),
    (fixmodpp.stamp_blocks, lambda x: (x,)),
    (fixmodpp.stamp_blocks, lambda x: (bytearray(b"ab"), x)),
    (fixmodpp.stamp_blocks, lambda x: (x, b"read-only")),
    (holder_once, lambda x: (x,)),
    (holder_twice, lambda x: (x,)),
    (holder_bang_keeps_the_old, lambda x: (x,)),
]


def state(x):
    if isinstance(x, (bytearray, array.array)):
        return bytes(x).hex()
    if isinstance(x, memoryview):
        try:
            return x.tobytes().hex()
        except ValueError as e:
            return "released: %s" % e
    return None


def resizable(x):
    """A bytearray (also behind a memoryview) must accept a resize once the call returned."""
    target = x
    if isinstance(x, memoryview):
        target = x.obj
        try:
            x.release()
        except BufferError as e:
            return "memoryview still exported: %s" % e
    if isinstance(target, bytearray):
        try:
            target.append(0)
            target.pop()
        except BufferError as e:
            return "cannot resize: %s" % e
        return "ok"
    return None


results = []
for k, (fn, make) in enumerate(CALLS):
    for name, factory in INPUTS.items():
        x = factory()
        args = make(x)
        try:
            outcome = ["ok", repr(fn(*args))]
        except Exception as e:  # every exception is part of the behaviour
            outcome = ["raise", type(e).__name__, str(e)]
        results.append({
            "call": "%d:%s" % (k, fn.__name__), "input": name, "outcome": outcome,
            "after": state(x), "resize": resizable(x),
        })
json.dump(results, sys.stdout, indent=1)
