"""Every input kept in Tests/Fuzz/<harness>/ (the crashes, timeouts and leaks Scripts/fuzz.sh
found, and hand-written seeds), and the fixtures that seed each harness, go through the harness
again on a plain build (`bufferlint-fuzz HARNESS FILE...`, built with the tests): none may crash."""
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPLAY = ROOT / ".build" / "debug" / "bufferlint-fuzz"
SEEDS = {
    "lexer": ["*.c", "*.cpp", "*.h", "*.hpp"], "scanner": ["*.c", "*.cpp", "*.h", "*.hpp"], "swig": ["*.i"],
    "cython": ["*.pyx", "*.pxd", "*.pxi"], "config": [".bufferlint.yml"], "rule": [],
}


@pytest.mark.parametrize("harness", sorted(SEEDS))
def test_kept_inputs_and_seeds_go_through_the_harness(harness: str) -> None:
    assert REPLAY.exists(), f"{REPLAY} is built by `swift build --build-tests` (Scripts/test.sh)"
    files = sorted(p for p in (ROOT / "Tests" / "Fuzz" / harness).glob("*") if p.is_file()) if (ROOT / "Tests" / "Fuzz" / harness).is_dir() else []
    for pattern in SEEDS[harness]:
        files += sorted((ROOT / "Tests" / "Fixtures").rglob(pattern)) + sorted((ROOT / "Tests" / "FixCorpus").rglob(pattern))
    if harness == "rule":
        files += sorted((ROOT / "Rules").glob("*.yml"))
    assert files, f"no input for {harness}"
    r = subprocess.run([str(REPLAY), harness, *map(str, files)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert f"{harness}: {len(files)} inputs replayed" in r.stdout
