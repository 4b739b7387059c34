"""The bundle wheel: reproducible bytes, a correct RECORD, and installable/importable as a wheel."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.wheel import WheelError, build_wheel, wheel_filename

VERSION = "0.3.1"


def _build(bundle: Path, out: Path, **kwargs: str) -> Path:
    return build_wheel(bundle / "heed_bundle", out, version=kwargs.pop("version", VERSION), **kwargs)


def test_file_name_and_layout(plumbing_bundle: Callable[..., Path], tmp_path: Path) -> None:
    whl = _build(plumbing_bundle(), tmp_path / "dist")
    assert whl.name == f"heed_bundle-{VERSION}-py3-none-any.whl" == wheel_filename("heed_bundle", VERSION)
    with zipfile.ZipFile(whl) as zf:
        names = zf.namelist()
        wheel_meta = zf.read(f"heed_bundle-{VERSION}.dist-info/WHEEL").decode()
        metadata = zf.read(f"heed_bundle-{VERSION}.dist-info/METADATA").decode()
    assert names == [
        "heed_bundle/__init__.py",
        "heed_bundle/_offsets.py",
        "heed_bundle/data/word.json",
        f"heed_bundle-{VERSION}.dist-info/METADATA",
        f"heed_bundle-{VERSION}.dist-info/WHEEL",
        f"heed_bundle-{VERSION}.dist-info/RECORD",
    ]
    assert "Root-Is-Purelib: true\n" in wheel_meta
    assert "Tag: py3-none-any\n" in wheel_meta
    assert "Wheel-Version: 1.0\n" in wheel_meta
    assert f"Name: heed_bundle\nVersion: {VERSION}\n" in metadata


def test_byte_identical_across_builds(plumbing_bundle: Callable[..., Path], tmp_path: Path) -> None:
    bundle = plumbing_bundle()
    first = _build(bundle, tmp_path / "a").read_bytes()
    # Things that must not leak into the wheel: mtimes, permissions, bytecode caches.
    init = bundle / "heed_bundle" / "__init__.py"
    os.utime(init, (2_000_000_000, 2_000_000_000))
    init.chmod(0o600)
    cache = bundle / "heed_bundle" / "__pycache__"
    cache.mkdir()
    (cache / "__init__.cpython-311.pyc").write_bytes(b"junk")
    (bundle / "heed_bundle" / "stale.pyc").write_bytes(b"junk")
    second = _build(bundle, tmp_path / "b").read_bytes()
    assert first == second
    # And a different input gives a different wheel.
    init.write_text(init.read_text() + "\n# changed\n")
    assert _build(bundle, tmp_path / "c").read_bytes() != first


def test_fixed_timestamps_and_permissions(plumbing_bundle: Callable[..., Path], tmp_path: Path) -> None:
    with zipfile.ZipFile(_build(plumbing_bundle(), tmp_path)) as zf:
        for info in zf.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0), info.filename
            assert info.external_attr >> 16 == 0o100644, info.filename
            assert info.create_system == 3
            assert info.compress_type == zipfile.ZIP_DEFLATED


def test_record_hashes_and_sizes(plumbing_bundle: Callable[..., Path], tmp_path: Path) -> None:
    with zipfile.ZipFile(_build(plumbing_bundle(), tmp_path)) as zf:
        record_name = f"heed_bundle-{VERSION}.dist-info/RECORD"
        rows = list(csv.reader(io.StringIO(zf.read(record_name).decode("utf-8"))))
        listed = {row[0] for row in rows}
        assert listed == set(zf.namelist())
        for path, digest, size in rows:
            if path == record_name:
                assert (digest, size) == ("", "")
                continue
            data = zf.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={expected}", path
            assert int(size) == len(data), path


def test_zipfile_cli_lists_and_tests_it(plumbing_bundle: Callable[..., Path], tmp_path: Path) -> None:
    whl = _build(plumbing_bundle(), tmp_path)
    listing = subprocess.run([sys.executable, "-m", "zipfile", "-l", str(whl)],
                             capture_output=True, text=True, check=True).stdout
    assert "heed_bundle/data/word.json" in listing
    tested = subprocess.run([sys.executable, "-m", "zipfile", "-t", str(whl)],
                            capture_output=True, text=True, check=True)
    assert "Done testing" in tested.stdout


_IMPORT_CHECK = (
    "import json, heed_bundle as b; "
    "print(json.dumps([b.__version__, b.__file__, json.loads(b.annotate_json('a x b'))]))"
)


def test_importable_straight_from_the_wheel(plumbing_bundle: Callable[..., Path], tmp_path: Path) -> None:
    # zipimport: the wheel on sys.path, data read through importlib.resources from inside the zip.
    whl = _build(plumbing_bundle(version=VERSION), tmp_path)
    out = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(whl)!r}); "
                          + _IMPORT_CHECK], capture_output=True, text=True, check=True).stdout
    version, origin, hints = json.loads(out)
    assert version == VERSION
    assert origin.startswith(str(whl))
    assert [(h["start"], h["text"]) for h in hints] == [(2, "x")]


def test_pip_installs_it_offline(plumbing_bundle: Callable[..., Path], tmp_path: Path) -> None:
    # pip checks the file name against the .dist-info, reads METADATA/WHEEL and writes from RECORD.
    whl = _build(plumbing_bundle(version=VERSION), tmp_path / "dist")
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
                    "--disable-pip-version-check", "--target", str(target), str(whl)],
                   capture_output=True, text=True, check=True)
    script = (
        "import importlib.metadata as m, sys; "
        f"sys.path.insert(0, {str(target)!r}); "
        "d = m.distribution('heed_bundle'); "
        "print(d.version, d.metadata['Name'], sorted(str(f) for f in d.files if f.suffix == '.py')); "
        + _IMPORT_CHECK
    )
    lines = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    assert lines[0] == f"{VERSION} heed_bundle ['heed_bundle/__init__.py', 'heed_bundle/_offsets.py']"
    version, origin, hints = json.loads(lines[1])
    assert version == VERSION and origin.startswith(str(target))
    assert hints[0]["end"] == 3


@pytest.mark.parametrize("version", ["", "1.0-beta", "1 .0", "v1", "1.0\n"])
def test_rejects_bad_versions(plumbing_bundle: Callable[..., Path], tmp_path: Path, version: str) -> None:
    with pytest.raises(WheelError, match="invalid version"):
        _build(plumbing_bundle(), tmp_path, version=version)


def test_accepts_pep440_versions(plumbing_bundle: Callable[..., Path], tmp_path: Path) -> None:
    bundle = plumbing_bundle()
    for version in ["1", "2024.11.23", "0.1.0rc1", "1.0.post2.dev3", "0.1.0+g1a2b3c"]:
        assert _build(bundle, tmp_path, version=version).is_file()


def test_rejects_a_folder_that_is_not_a_package(tmp_path: Path) -> None:
    (tmp_path / "heed_bundle").mkdir()
    with pytest.raises(WheelError, match="not a Python package"):
        build_wheel(tmp_path / "heed_bundle", tmp_path, version="1.0")
