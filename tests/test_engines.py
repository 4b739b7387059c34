"""CPython and Pyodide engines over the plumbing fixture bundle (see conftest.py).

Pyodide starts once per module (about 3 s each time), shared by the tests that need a running runtime.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from compiler.engines import (
    BundleError,
    CPythonEngine,
    EngineError,
    PyodideEngine,
    find_wheel,
    open_engine,
)
from compiler.wheel import build_wheel

RUNNER = Path(__file__).resolve().parents[1] / "compiler" / "pyodide" / "runner.mjs"

TEXTS = [
    "x",
    "nothing to see",
    "an x and another x",
    "😀 x",  # one astral character before the match: UTF-16 offsets are one more than Python's
    "🙂🙂 mixed æøå x 👍🏽 x",
    "",
]


def _utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


@pytest.fixture(scope="module")
def bundle_dir(plumbing_bundle: Callable[..., Path]) -> Path:
    """A compiled-bundle folder like `heed compile` writes: heed_bundle/ and its wheel side by side."""
    out = plumbing_bundle("compiled", version="0.2.0")
    build_wheel(out / "heed_bundle", out, version="0.2.0")
    return out


def _no_network_launcher() -> list[str]:
    """`unshare -n` (a fresh network namespace with no interfaces up) where this user may use it."""
    try:
        ok = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False).returncode == 0
    except OSError:
        ok = False
    return ["unshare", "-n"] if ok else []


@pytest.fixture(scope="module")
def pyodide_engine(bundle_dir: Path) -> Iterator[PyodideEngine]:
    """The module's one Pyodide start-up. It runs without network where possible, which proves that
    nothing is downloaded. Closing is checked on teardown."""
    engine = PyodideEngine(find_wheel(bundle_dir), launcher=_no_network_launcher())
    with engine:
        yield engine
    assert engine._proc.returncode == 0  # the runner ended by itself when its input closed
    with pytest.raises(EngineError, match="not running"):
        engine.annotate("x")


@pytest.fixture
def cpython_engine(bundle_dir: Path) -> Iterator[CPythonEngine]:
    with CPythonEngine(bundle_dir) as engine:
        yield engine


# --- CPython ------------------------------------------------------------------------------------------

def test_cpython_engine_annotates(cpython_engine: CPythonEngine) -> None:
    assert cpython_engine.version == "0.2.0"
    assert len(cpython_engine.rules_hash) == 64
    hints = cpython_engine.annotate("😀 x", country="DK")
    assert [(h["start"], h["end"], h["start_utf16"], h["end_utf16"]) for h in hints] == [(2, 3, 3, 4)]
    assert hints[0]["country"] == "DK"
    assert cpython_engine.annotate("x", categories=["other"]) == []


def test_cpython_bundles_do_not_clash(plumbing_bundle: Callable[..., Path]) -> None:
    with (CPythonEngine(plumbing_bundle("one", version="1.0", word="x")) as one,
          CPythonEngine(plumbing_bundle("two", version="2.0", word="y")) as two):
        assert (one.version, two.version) == ("1.0", "2.0")
        assert one.rules_hash != two.rules_hash
        assert [h["text"] for h in one.annotate("x y")] == ["x"]
        assert [h["text"] for h in two.annotate("x y")] == ["y"]
        # The real name stays free for whoever imports an installed bundle.
        assert "heed_bundle" not in sys.modules
        names = [one.module.__name__, two.module.__name__]
    assert not [m for m in sys.modules if any(m == n or m.startswith(n + ".") for n in names)]


def test_cpython_engine_missing_bundle(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="no bundle at"):
        CPythonEngine(tmp_path)


def test_bundle_errors_raise_from_annotate(cpython_engine: CPythonEngine) -> None:
    with pytest.raises(BundleError, match="ValueError: unsupported language: fr"):
        cpython_engine.annotate("x", lang="fr")


def test_cpython_does_not_write_bytecode_into_the_bundle(bundle_dir: Path) -> None:
    with CPythonEngine(bundle_dir):
        pass
    assert not list(bundle_dir.rglob("__pycache__"))


# --- choosing an engine ---------------------------------------------------------------------------------

def test_find_wheel_errors(tmp_path: Path, bundle_dir: Path) -> None:
    with pytest.raises(EngineError, match="no heed_bundle-"):
        find_wheel(tmp_path)
    (tmp_path / "heed_bundle-1.0-py3-none-any.whl").write_bytes(b"")
    (tmp_path / "heed_bundle-2.0-py3-none-any.whl").write_bytes(b"")
    with pytest.raises(EngineError, match="more than one wheel"):
        find_wheel(tmp_path)
    assert find_wheel(bundle_dir).name == "heed_bundle-0.2.0-py3-none-any.whl"


def test_open_engine_pyodide_checks_before_starting(bundle_dir: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # With the npm package hidden the engine fails fast, which shows open_engine found the wheel.
    monkeypatch.setenv("HEED_PYODIDE_DIR", str(tmp_path))
    with pytest.raises(EngineError, match="npm ci"):
        open_engine("pyodide", bundle_dir)


def test_open_engine_cpython_and_unknown(bundle_dir: Path) -> None:
    with open_engine("cpython", bundle_dir) as engine:
        assert isinstance(engine, CPythonEngine)
    with pytest.raises(ValueError, match="unknown runtime"):
        open_engine("jython", bundle_dir)


# --- Pyodide start-up failures (no runtime is loaded for these) ------------------------------------------

def test_missing_wheel_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="wheel not found"):
        PyodideEngine(tmp_path / "heed_bundle-9.9-py3-none-any.whl")
    with pytest.raises(EngineError, match="no heed_bundle-"):
        open_engine("pyodide", tmp_path)


def test_runner_reports_missing_wheel(tmp_path: Path) -> None:
    proc = subprocess.run(["node", str(RUNNER), str(tmp_path / "missing.whl")], check=False,
                          capture_output=True,
                          text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    first = json.loads(proc.stdout.splitlines()[0])
    assert first == {"ready": False, "error": f"wheel not found: {tmp_path / 'missing.whl'}"}


def test_missing_pyodide_package_says_npm_ci(bundle_dir: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEED_PYODIDE_DIR", str(tmp_path / "node_modules" / "pyodide"))
    with pytest.raises(EngineError, match="run `npm ci`"):
        PyodideEngine(find_wheel(bundle_dir))


def test_missing_node_is_a_clear_error(bundle_dir: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EngineError, match="Node.js is not installed"):
        PyodideEngine(find_wheel(bundle_dir))


# --- Pyodide, running ---------------------------------------------------------------------------------------

def test_pyodide_loads_without_network(pyodide_engine: PyodideEngine) -> None:
    if not _no_network_launcher():
        pytest.skip("unshare -n is not permitted here, so the runner ran with the network available")
    assert pyodide_engine.annotate("x")[0]["end_utf16"] == 1


def test_pyodide_ready_line(pyodide_engine: PyodideEngine, bundle_dir: Path) -> None:
    with CPythonEngine(bundle_dir) as cpy:
        assert (pyodide_engine.version, pyodide_engine.rules_hash) == (cpy.version, cpy.rules_hash)
    assert pyodide_engine.ready["pyodide"] == "314.0.7"
    assert set(pyodide_engine.ready["startup_ms"]) == {"runtime", "install", "import", "total"}


def test_pyodide_matches_cpython(pyodide_engine: PyodideEngine, cpython_engine: CPythonEngine) -> None:
    items = [{"id": f"t{i}", "text": t} for i, t in enumerate(TEXTS)]
    items += [
        {"id": "ctx", "text": "x", "context": "replying to this", "lang": "en", "country": "GB"},
        {"id": "cat-on", "text": "x", "categories": ["plumbing-test"]},
        {"id": "cat-off", "text": "x", "categories": ["suicide-language"]},
        {"id": "bad-lang", "text": "x", "lang": "fr"},
    ]
    expected = cpython_engine.annotate_many(items)
    got = pyodide_engine.annotate_many(items)
    assert got == expected
    assert [r["id"] for r in got] == [item["id"] for item in items]
    assert got[-1] == {"id": "bad-lang", "error": "ValueError: unsupported language: fr"}
    assert got[-2]["hints"] == [] and len(got[-3]["hints"]) == 1


def test_pyodide_utf16_offsets_pass_through(pyodide_engine: PyodideEngine) -> None:
    for text in TEXTS:
        for hint in pyodide_engine.annotate(text):
            assert text[hint["start"]:hint["end"]] == hint["text"]
            assert hint["start_utf16"] == _utf16(text, hint["start"])
            assert hint["end_utf16"] == _utf16(text, hint["end"])
    (hint,) = pyodide_engine.annotate("😀 x")
    assert (hint["start"], hint["start_utf16"]) == (2, 3)


def test_bad_request_then_next_works(pyodide_engine: PyodideEngine, cpython_engine: CPythonEngine) -> None:
    items = [
        {"id": 1, "text": 42},
        {"id": 2, "text": "x", "op": "exec"},
        {"id": 3, "text": "x", "categories": "plumbing-test"},
        {"id": 4, "text": "an x"},
    ]
    got = pyodide_engine.annotate_many(items)
    assert got == cpython_engine.annotate_many(items)
    assert got[0] == {"id": 1, "error": "TypeError: request needs 'text' as a string"}
    assert got[1] == {"id": 2, "error": "TypeError: unknown request field(s): op"}
    assert "categories" in got[2]["error"]
    assert got[3]["hints"][0]["start"] == 3


def test_unparseable_line_then_next_works(pyodide_engine: PyodideEngine) -> None:
    bad, good = pyodide_engine._send_lines(["{not json", json.dumps({"id": "after", "text": "x"})])
    assert bad["id"] is None and bad["error"].startswith("json.decoder.JSONDecodeError")
    assert good["id"] == "after" and len(good["hints"]) == 1


def test_pyodide_large_batch_does_not_deadlock(pyodide_engine: PyodideEngine) -> None:
    # About 1 MB of answers, far more than a pipe buffer holds, all written before any is read.
    items = [{"id": i, "text": "x " * 100} for i in range(40)]
    got = pyodide_engine.annotate_many(items)
    assert [r["id"] for r in got] == list(range(40))
    assert all(len(r["hints"]) == 100 for r in got)
    assert sum(len(json.dumps(r)) for r in got) > 512 * 1024
