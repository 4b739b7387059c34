"""extension/build.py: reproducible packages with exactly what the extension needs."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYODIDE_FILES = {"pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"}


def build(bundle: Path, work: Path) -> dict[str, Path]:
    cmd = [sys.executable, str(ROOT / "extension" / "build.py"), "--bundle", str(bundle),
           "--out", str(work / "dist"), "--unpacked", str(work / "unpacked")]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    zips = {p.name.split("-")[1]: p for p in (work / "dist").glob("heed-*.zip")}
    assert set(zips) == {"chrome", "firefox"}, zips
    return zips


@pytest.fixture(scope="module")
def packages(bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    return build(bundle_dir, tmp_path_factory.mktemp("a")), build(bundle_dir, tmp_path_factory.mktemp("b"))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_builds_are_byte_identical(packages: tuple[dict, dict]) -> None:
    first, second = packages
    for browser in ("chrome", "firefox"):
        assert sha(first[browser]) == sha(second[browser]), browser


def test_chrome_package(packages: tuple[dict, dict], bundle_dir: Path) -> None:
    zips = packages[0]
    wheel = next(bundle_dir.glob("heed_bundle-*-py3-none-any.whl"))
    version = wheel.name.split("-")[1]
    assert zips["chrome"].name == f"heed-chrome-{version}.zip"
    with zipfile.ZipFile(zips["chrome"]) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["version"] == version
        assert manifest["background"] == {"service_worker": "background.js", "type": "module"}
        assert {n.split("/", 1)[1] for n in names if n.startswith("pyodide/")} == PYODIDE_FILES
        # The lock file lists no packages: Pyodide has nothing it could download.
        assert json.loads(zf.read("pyodide/pyodide-lock.json"))["packages"] == {}
        assert zf.read(f"bundle/{wheel.name}") == wheel.read_bytes()
        assert json.loads(zf.read("bundle/bundle.json"))["wheel"] == wheel.name
        assert "background-firefox.js" not in names
        for locale in ("da", "en"):
            assert f"_locales/{locale}/messages.json" in names
        reference = json.loads(zf.read("rules.json"))
        assert reference["rules"], "the rule reference is empty"
        assert {"id", "category", "severity", "lang", "message"} <= set(reference["rules"][0])


def test_firefox_package(packages: tuple[dict, dict]) -> None:
    with zipfile.ZipFile(packages[0]["firefox"]) as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["background"] == {"scripts": ["background-firefox.js"], "type": "module"}
        assert "offscreen" not in manifest["permissions"]
        assert manifest["browser_specific_settings"]["gecko"]["id"]
        assert "offscreen.html" not in names and "background.js" not in names


def test_locales_have_the_same_messages() -> None:
    locales = ROOT / "extension" / "src" / "_locales"
    en = json.loads((locales / "en" / "messages.json").read_text(encoding="utf-8"))
    da = json.loads((locales / "da" / "messages.json").read_text(encoding="utf-8"))
    assert set(en) == set(da)
    # Every key the scripts and pages ask for exists.
    used: set[str] = set()
    src = ROOT / "extension" / "src"
    for path in [*src.glob("*.js"), *src.glob("*.html")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'\bt\("([a-z_]+)"\s*[,)]', text)) | set(re.findall(r'data-i18n="([a-z_]+)"', text))
    # Keys built from ids: categories (the fixed list in settings.js), severities, countries, states.
    settings = (src / "settings.js").read_text(encoding="utf-8")
    categories = re.findall(r'\["([a-z-]+)", "(?:alert|warning|suggestion)"\]', settings)
    assert len(categories) == 17
    used |= {"cat_" + c.replace("-", "_") for c in categories}
    used |= {f"sev_{s}{x}" for s in ("alert", "warning", "suggestion") for x in ("", "_long")}
    used |= {f"country_{c}" for c in ("DK", "GB", "IE", "US")} | {"lang_da", "lang_en"}
    used |= {f"state_{s}" for s in ("starting", "ready", "error", "unknown")}
    assert used <= set(en), used - set(en)


def test_missing_bundle_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "extension" / "build.py"), "--bundle", str(tmp_path),
                           "--out", str(tmp_path / "dist"), "--unpacked", str(tmp_path / "x")],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert "heed_bundle wheel" in done.stderr
