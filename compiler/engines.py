"""Run a compiled `heed_bundle` in CPython or in Pyodide (under Node) behind one interface.

Both engines send every request through compiler/pyodide/protocol.py, so a request gets the same
validation, the same hints and the same error text in either runtime.

    with open_engine("pyodide", Path("build/bundle")) as engine:
        hints = engine.annotate("I tried x")
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Self

__all__ = [
    "RUNTIMES",
    "BundleError",
    "CPythonEngine",
    "Engine",
    "EngineError",
    "PyodideEngine",
    "find_wheel",
    "open_engine",
]

RUNTIMES = ("cpython", "pyodide")
_HERE = Path(__file__).resolve().parent
_RUNNER = _HERE / "pyodide" / "runner.mjs"
_PROTOCOL = _HERE / "pyodide" / "protocol.py"
_PACKAGE = "heed_bundle"


class EngineError(RuntimeError):
    """The engine could not start, or stopped answering."""


class BundleError(RuntimeError):
    """The bundle rejected a request or raised while annotating; the message is `Type: text`."""


_protocol_module: ModuleType | None = None


def _protocol() -> ModuleType:
    # Loaded by path: compiler/pyodide/ is a folder of runner files, not a package.
    global _protocol_module
    if _protocol_module is None:
        spec = importlib.util.spec_from_file_location("_heed_protocol", _PROTOCOL)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _protocol_module = module
    return _protocol_module


def _request(
    text: str,
    lang: str | None,
    context: str | None,
    categories: list[str] | tuple[str, ...] | None,
    country: str | None,
) -> dict[str, Any]:
    return {
        "text": text,
        "lang": lang,
        "context": context,
        "categories": None if categories is None else list(categories),
        "country": country,
    }


class Engine:
    """What both engines offer. Subclasses implement `annotate_many` and `close`."""

    version: str = ""
    rules_hash: str = ""

    def annotate(
        self,
        text: str,
        lang: str | None = None,
        context: str | None = None,
        categories: list[str] | tuple[str, ...] | None = None,
        country: str | None = None,
    ) -> list[dict[str, Any]]:
        """The hints for one text; raises BundleError if the bundle raises."""
        (result,) = self.annotate_many([_request(text, lang, context, categories, country)])
        if "error" in result:
            raise BundleError(result["error"])
        return result["hints"]

    def annotate_many(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Requests like the runner's; returns {"id", "hints"} or {"id", "error"} for each, in order."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CPythonEngine(Engine):
    """Imports `heed_bundle` from `bundle_dir` (the folder that holds `heed_bundle/`) in this process.

    Each engine loads a fresh copy under a private module name, so two bundles (say, before and after a
    rule change) can be used side by side. The bundle must import its own modules relatively
    (`from . import x`), which is what makes the private name work.
    """

    _counter = itertools.count()

    def __init__(self, bundle_dir: Path) -> None:
        init = Path(bundle_dir) / _PACKAGE / "__init__.py"
        if not init.is_file():
            raise EngineError(f"no bundle at {bundle_dir}: {init} is missing (run `heed compile` first)")
        self._name = f"_heed_bundle_{next(self._counter)}"
        spec = importlib.util.spec_from_file_location(
            self._name, init, submodule_search_locations=[str(init.parent)]
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        # Registered before executing, as the import system does, so relative imports find the parent.
        sys.modules[self._name] = module
        # Keep bytecode caches out of the bundle folder, which is what gets packed and shipped.
        saved = sys.dont_write_bytecode
        sys.dont_write_bytecode = True
        try:
            spec.loader.exec_module(module)
        except BaseException:
            self._forget()
            raise
        finally:
            sys.dont_write_bytecode = saved
        self.module = module
        self.version = str(getattr(module, "__version__", ""))
        self.rules_hash = str(getattr(module, "RULES_HASH", ""))

    def annotate_many(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        protocol = _protocol()
        # Through JSON, as the Pyodide engine does, so both see exactly the same request.
        results = []
        for item in items:
            try:
                line = json.dumps(item)
            except (TypeError, ValueError) as exc:
                req_id = item.get("id") if isinstance(item, dict) else None
                results.append({"id": req_id, "error": protocol.format_error(exc)})
                continue
            results.append(json.loads(protocol.serve_line(self.module, line)))
        return results

    def _forget(self) -> None:
        for key in [k for k in sys.modules if k == self._name or k.startswith(self._name + ".")]:
            del sys.modules[key]

    def close(self) -> None:
        self._forget()


def _find_pyodide_dir() -> Path | None:
    """node_modules/pyodide of the project (next to compiler/) or of the working directory."""
    env = os.environ.get("HEED_PYODIDE_DIR")
    if env:
        return Path(env)
    for base in (_HERE.parent, Path.cwd()):
        for folder in (base, *base.parents):
            candidate = folder / "node_modules" / "pyodide"
            if (candidate / "pyodide.mjs").is_file():
                return candidate
    return None


class PyodideEngine(Engine):
    """Runs the wheel in Pyodide in a Node subprocess (compiler/pyodide/runner.mjs), started once."""

    def __init__(
        self,
        wheel: Path,
        *,
        startup_timeout: float = 120.0,
        request_timeout: float = 60.0,
        node: str | None = None,
        launcher: Sequence[str] = (),
    ) -> None:
        """`launcher` prefixes the node command, e.g. ("unshare", "-n") to run without any network."""
        self.wheel = Path(wheel)
        self.request_timeout = request_timeout
        if not self.wheel.is_file():
            raise EngineError(f"wheel not found: {self.wheel} (run `heed compile` first)")
        node_bin = node or shutil.which("node")
        if node_bin is None:
            raise EngineError("Node.js is not installed (no `node` on PATH); Pyodide needs Node 18 or newer")
        pyodide_dir = _find_pyodide_dir()
        if pyodide_dir is None:
            raise EngineError("the npm package 'pyodide' is missing (no node_modules/pyodide): run `npm ci`")

        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: deque[str] = deque(maxlen=200)
        self._seq = itertools.count()
        self._lock = threading.Lock()
        started = time.perf_counter()
        self._proc = subprocess.Popen(
            [*launcher, node_bin, str(_RUNNER), str(self.wheel)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
            env={**os.environ, "HEED_PYODIDE_DIR": str(pyodide_dir)},
        )
        # Reader threads drain both pipes all the time: a batch of requests can then be written in one go
        # without the runner blocking on a full stdout pipe.
        threading.Thread(target=self._pump_stdout, daemon=True).start()
        threading.Thread(target=self._pump_stderr, daemon=True).start()
        try:
            ready = self._read(startup_timeout, "start")
        except BaseException:
            self.close()
            raise
        if not ready.get("ready"):
            self.close()
            raise EngineError(f"Pyodide runner failed to start: {ready.get('error', ready)}")
        self.startup_seconds = time.perf_counter() - started
        self.ready = ready
        self.version = str(ready.get("version", ""))
        self.rules_hash = str(ready.get("rules_hash", ""))

    def _pump_stdout(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._lines.put(line)
        self._lines.put(None)  # end of output

    def _pump_stderr(self) -> None:
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            self._stderr.append(line.rstrip("\n"))

    def _stderr_tail(self) -> str:
        tail = "\n".join(list(self._stderr)[-20:])
        return f"\n--- runner stderr ---\n{tail}" if tail else ""

    def _read(self, timeout: float, what: str) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise EngineError(f"Pyodide runner gave no answer within {timeout:g} s ({what})"
                              + self._stderr_tail()) from None
        if line is None:
            self._lines.put(None)  # later reads see the end too
            code = self._proc.wait(timeout=5)
            time.sleep(0.05)  # let the stderr reader catch the last lines
            raise EngineError(f"Pyodide runner exited (status {code}) during {what}" + self._stderr_tail())
        try:
            return json.loads(line)
        except json.JSONDecodeError:
            raise EngineError(f"Pyodide runner printed a line that is not JSON: {line[:200]!r}") from None

    def _send_lines(self, lines: list[str]) -> list[dict[str, Any]]:
        """Send raw request lines and return the runner's responses, which come back in order."""
        if self._proc.poll() is not None or self._proc.stdin is None:
            raise EngineError("Pyodide runner is not running" + self._stderr_tail())
        with self._lock:
            try:
                self._proc.stdin.write("".join(line + "\n" for line in lines))
                self._proc.stdin.flush()
            except (BrokenPipeError, OSError) as exc:
                raise EngineError(f"Pyodide runner closed its input: {exc}" + self._stderr_tail()) from None
            try:
                return [self._read(self.request_timeout, "a request") for _ in lines]
            except EngineError:
                # Answers may still arrive for these requests and would be taken for the next ones'.
                self._kill()
                raise

    def annotate_many(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # Wire ids are our own sequence numbers, so answers can be checked against requests even when
        # callers reuse ids or leave them out; the caller's id is put back on the way out.
        lines, wire_ids, results = [], [], []
        for item in items:
            wire_id = next(self._seq)
            wire_ids.append(wire_id)
            body = {**item, "id": wire_id} if isinstance(item, dict) else item
            # ASCII escapes keep lone surrogates (possible in text from JavaScript) encodable on the pipe.
            lines.append(json.dumps(body))
        for item, wire_id, response in zip(items, wire_ids, self._send_lines(lines), strict=True):
            if response.get("id") != wire_id and isinstance(item, dict):
                raise EngineError(f"Pyodide runner answered id {response.get('id')!r}, expected {wire_id}")
            result = {k: v for k, v in response.items() if k != "id"}
            results.append({"id": item.get("id") if isinstance(item, dict) else None, **result})
        return results

    def close(self) -> None:
        proc = getattr(self, "_proc", None)
        if proc is None or proc.poll() is not None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()  # the runner ends when its input ends
            proc.wait(timeout=10)
        except (subprocess.TimeoutExpired, OSError):
            self._kill()

    def _kill(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()


def find_wheel(bundle_dir: Path) -> Path:
    """The single `heed_bundle-*.whl` in `bundle_dir`."""
    wheels = sorted(Path(bundle_dir).glob(f"{_PACKAGE}-*.whl"))
    if not wheels:
        raise EngineError(f"no {_PACKAGE}-*.whl in {bundle_dir} (run `heed compile` first)")
    if len(wheels) > 1:
        names = ", ".join(w.name for w in wheels)
        raise EngineError(f"more than one wheel in {bundle_dir}: {names}; remove the stale ones")
    return wheels[0]


def open_engine(runtime: str, bundle_dir: Path) -> Engine:
    """An engine for `runtime` ("cpython" or "pyodide") over the bundle compiled into `bundle_dir`."""
    if runtime == "cpython":
        return CPythonEngine(bundle_dir)
    if runtime == "pyodide":
        return PyodideEngine(find_wheel(bundle_dir))
    raise ValueError(f"unknown runtime {runtime!r}: choose one of {', '.join(RUNTIMES)}")
