"""Fixtures for the extension tests: the real rules compiled into a bundle, the extension built from it,
the fixture pages served from 127.0.0.1, and Debian's Chromium running the unpacked extension.

Browsers are module-scoped (one cold engine start per test module); pages are per test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from heedtest import Browser, launch
from playwright.sync_api import Playwright, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).parent / "pages"
# The rules the extension is built from; the default is the project's own rules/.
RULES = Path(os.environ.get("HEED_TEST_RULES", ROOT / "rules"))
STRICT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`heed compile rules -o <tmp>`: the real compiled bundle."""
    out = tmp_path_factory.mktemp("bundle")
    heed = shutil.which("heed", path=str(Path(sys.executable).parent)) or "heed"
    done = subprocess.run([heed, "compile", str(RULES), "-o", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"heed compile failed:\n{done.stdout}\n{done.stderr}"
    return out


@pytest.fixture(scope="session")
def extension_dir(bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The unpacked extension, built by extension/build.py from the compiled bundle."""
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is missing: run `bash scripts/setup.sh --browser`")
    work = tmp_path_factory.mktemp("extension")
    cmd = [sys.executable, str(ROOT / "extension" / "build.py"), "--bundle", str(bundle_dir),
           "--out", str(work / "dist"), "--unpacked", str(work / "unpacked"), "--no-firefox"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"build failed:\n{done.stdout}\n{done.stderr}"
    return work / "unpacked"


class _Handler(SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        if self.path.startswith("/strict-csp.html"):
            self.send_header("Content-Security-Policy", STRICT_CSP)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """Base URL of the fixture pages (http://127.0.0.1:PORT)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(PAGES)))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(
    playwright: Playwright, extension_dir: Path, server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    """Chromium with the extension, a fresh profile, and the engine already started."""
    b = launch(playwright, extension_dir, tmp_path_factory.mktemp("profile"), server)
    b.wait_engine_ready()
    yield b
    b.close()
