"""Compiling for the semantics tests: the _refcheck and _viewcheck
extension modules, and syntax checks of the support headers.

Only the running interpreter's own build settings are used (sysconfig), so
a Debian machine with python3-dev and gcc is enough; nothing is installed.
"""
import importlib.machinery
import importlib.util
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUPPORT = HERE.parents[1] / "Rules" / "support"
COMPAT_HEADER = SUPPORT / "bufferlint_compat.h"


class BuildError(RuntimeError):
    pass


def python_include():
    return sysconfig.get_paths()["include"]


def c_compiler():
    return shlex.split(sysconfig.get_config_var("CC") or "cc")


def cxx_compiler():
    """The C++ compiler, or None when there is none."""
    configured = shlex.split(sysconfig.get_config_var("CXX") or "")
    if configured and shutil.which(configured[0]):
        return configured
    for name in ("g++", "c++", "clang++"):
        if shutil.which(name):
            return [name]
    return None


def run_compiler(command):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BuildError(f"{shlex.join(map(str, command))}\n{done.stdout}{done.stderr}")
    return done


def _shared_library_flags():
    flags = ["-shared", "-fPIC", "-O1"]
    if sys.platform == "darwin":
        flags += ["-undefined", "dynamic_lookup"]
    return flags


def _load(name, path):
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def extension_path(directory, name):
    return Path(directory) / (name + sysconfig.get_config_var("EXT_SUFFIX"))


def compile_refcheck(directory, support=SUPPORT):
    """Compiles _refcheck into directory and returns its path; support is
    the folder to take bufferlint_compat.h from."""
    out = extension_path(directory, "_refcheck")
    run_compiler(
        c_compiler() + _shared_library_flags() + [
            "-Wall", "-Wextra", "-Wno-deprecated-declarations", "-Wno-missing-field-initializers",
            "-I", python_include(), "-I", str(support),
            str(HERE / "_refcheck.c"), str(HERE / "_refcheck_limited.c"),
            "-o", str(out),
        ]
    )
    return out


def build_refcheck(directory):
    """Compiles _refcheck into directory and imports it."""
    return load_refcheck(compile_refcheck(directory))


def build_viewcheck(directory):
    """Compiles the C++ _viewcheck into directory and imports it."""
    cxx = cxx_compiler()
    if cxx is None:
        raise BuildError("no C++ compiler")
    out = extension_path(directory, "_viewcheck")
    run_compiler(
        cxx + _shared_library_flags() + [
            "-std=c++11", "-Wall", "-Wextra",
            "-I", python_include(), "-I", str(SUPPORT),
            str(HERE / "_viewcheck.cpp"), "-o", str(out),
        ]
    )
    return _load("_viewcheck", out)


def load_refcheck(path):
    """Imports a _refcheck built by compile_refcheck."""
    return _load("_refcheck", Path(path))
