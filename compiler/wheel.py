"""Build a reproducible pure-Python wheel (py3-none-any) from a package directory.

Stdlib only, so the compiler needs no build backend. The same input gives the same bytes: entries are
sorted, timestamps and permissions are fixed, and compression uses one fixed zlib level.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import re
import zipfile
from pathlib import Path

__all__ = ["WheelError", "build_wheel", "wheel_filename"]

# 1980-01-01 is the earliest date a zip entry can hold; a fixed value makes builds reproducible.
_EPOCH = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644  # regular file, rw-r--r--
_COMPRESSLEVEL = 9
_GENERATOR = "heed-compiler"

# PEP 440 public versions with an optional local part; enough to reject what would break the file name.
_VERSION_RE = re.compile(
    r"^([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*"
    r"((a|b|rc)(0|[1-9][0-9]*))?(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?"
    r"(\+[a-z0-9]+(\.[a-z0-9]+)*)?$"
)
_NAME_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)


class WheelError(ValueError):
    """The inputs cannot make a valid wheel."""


def _escape_name(name: str) -> str:
    # Wheel file names and .dist-info folders use the normalized name with "_" as the only separator.
    return re.sub(r"[-_.]+", "_", name).lower()


def wheel_filename(name: str, version: str) -> str:
    """The file name `build_wheel` writes for this distribution name and version."""
    return f"{_escape_name(name)}-{version}-py3-none-any.whl"


def _package_files(package_dir: Path) -> list[tuple[str, Path]]:
    """(archive path, source path) for every file of the package, sorted, without bytecode caches."""
    top = package_dir.name
    found: list[tuple[str, Path]] = []
    for root, dirs, files in os.walk(package_dir):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for fname in files:
            if fname.endswith((".pyc", ".pyo")):
                continue
            src = Path(root, fname)
            rel = src.relative_to(package_dir).as_posix()
            found.append((f"{top}/{rel}", src))
    found.sort(key=lambda item: item[0])
    return found


def _record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _metadata(name: str, version: str, summary: str, requires_python: str | None) -> bytes:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", f"Summary: {summary}"]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _wheel_file() -> bytes:
    lines = [
        "Wheel-Version: 1.0",
        f"Generator: {_GENERATOR}",
        "Root-Is-Purelib: true",
        "Tag: py3-none-any",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _zip_info(arcname: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(arcname, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so external_attr means POSIX permissions on every host
    info.external_attr = _FILE_MODE << 16
    return info


def build_wheel(
    package_dir: Path,
    out_dir: Path,
    *,
    name: str = "heed_bundle",
    version: str,
    summary: str = "Compiled heed safe-messaging rules",
    requires_python: str | None = None,
) -> Path:
    """Write `<name>-<version>-py3-none-any.whl` into `out_dir` holding the package at `package_dir`.

    The package folder keeps its own name inside the wheel (`package_dir.name/...`). Returns the wheel's
    path. Byte-identical output for identical input.
    """
    package_dir = Path(package_dir)
    out_dir = Path(out_dir)
    if not _NAME_RE.fullmatch(name):
        raise WheelError(f"invalid distribution name {name!r}")
    if not _VERSION_RE.fullmatch(version):
        raise WheelError(f"invalid version {version!r}: use a PEP 440 version such as 1.2.0")
    if "\n" in summary:
        raise WheelError("summary must be a single line")
    if not (package_dir / "__init__.py").is_file():
        raise WheelError(f"{package_dir} is not a Python package (no __init__.py)")

    dist_info = f"{_escape_name(name)}-{version}.dist-info"
    entries: list[tuple[str, bytes]] = [(arc, src.read_bytes()) for arc, src in _package_files(package_dir)]
    entries.append((f"{dist_info}/METADATA", _metadata(name, version, summary, requires_python)))
    entries.append((f"{dist_info}/WHEEL", _wheel_file()))

    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for arcname, data in entries:
        writer.writerow([arcname, _record_hash(data), str(len(data))])
    record_name = f"{dist_info}/RECORD"
    writer.writerow([record_name, "", ""])
    entries.append((record_name, record.getvalue().encode("utf-8")))

    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / wheel_filename(name, version)
    # Write next to the target and rename, so a reader never sees a half-written wheel.
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_COMPRESSLEVEL) as zf:
        for arcname, data in entries:
            zf.writestr(_zip_info(arcname), data, compress_type=zipfile.ZIP_DEFLATED,
                        compresslevel=_COMPRESSLEVEL)
    os.replace(tmp, target)
    return target
