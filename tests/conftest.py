"""Shared fixtures.

`plumbing_bundle` writes a tiny hand-made `heed_bundle` package. It is NOT compiled from rules: it only
exists to test the wheel and engine plumbing before (and independently of) the real code generator. It
flags a configurable word, reads that word from a data file (so data files must reach the wheel), uses a
relative import of a submodule, and reports UTF-16 offsets like the real bundle does.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

PLUMBING_INIT = textwrap.dedent('''\
    """Plumbing test fixture: flags one word. Not a real heed bundle."""
    import hashlib
    import json
    from importlib import resources

    from ._offsets import utf16_offset

    _DATA = resources.files(__name__).joinpath("data", "word.json").read_bytes()
    WORD = json.loads(_DATA)["word"]
    RULES_HASH = hashlib.sha256(_DATA).hexdigest()
    __version__ = {version!r}
    LANGS = (None, "da", "en")


    def annotate(text, lang=None, context=None, categories=None, country=None):
        if lang not in LANGS:
            raise ValueError(f"unsupported language: {{lang}}")
        if categories is not None and "plumbing-test" not in categories:
            return []
        hints = []
        start = text.find(WORD)
        while start != -1:
            end = start + len(WORD)
            hints.append({{
                "rule": "plumbing-word", "category": "plumbing-test", "severity": "info",
                "start": start, "end": end,
                "start_utf16": utf16_offset(text, start), "end_utf16": utf16_offset(text, end),
                "text": text[start:end], "lang": lang, "country": country,
                "has_context": context is not None,
            }})
            start = text.find(WORD, end)
        return hints


    def annotate_json(text, lang=None, context=None, categories=None, country=None):
        return json.dumps(annotate(text, lang, context, categories, country))
''')

PLUMBING_OFFSETS = textwrap.dedent('''\
    def utf16_offset(text, index):
        """UTF-16 code units before `index`: characters outside the BMP take two."""
        return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)
''')


def write_plumbing_bundle(dest: Path, *, version: str = "0.0.1", word: str = "x") -> Path:
    """Write `dest/heed_bundle/` (the plumbing fixture) and return `dest`."""
    pkg = dest / "heed_bundle"
    (pkg / "data").mkdir(parents=True, exist_ok=True)
    (pkg / "__init__.py").write_text(PLUMBING_INIT.format(version=version), encoding="utf-8")
    (pkg / "_offsets.py").write_text(PLUMBING_OFFSETS, encoding="utf-8")
    (pkg / "data" / "word.json").write_text(json.dumps({"word": word}), encoding="utf-8")
    return dest


@pytest.fixture(scope="session")
def plumbing_bundle(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Factory: plumbing_bundle(name="bundle", version=..., word=...) -> a new folder holding
    heed_bundle/. Session-scoped so module-scoped fixtures can use it too."""

    def make(name: str = "bundle", **kwargs: str) -> Path:
        return write_plumbing_bundle(tmp_path_factory.mktemp(name), **kwargs)

    return make
