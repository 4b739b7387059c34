"""The shipped rules give identical hints in CPython and in real Pyodide (under Node) on the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.bundle import compile_bundle
from compiler.engines import CPythonEngine, PyodideEngine
from compiler.evaluate import read_corpus

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    return compile_bundle([ROOT / "rules"], tmp_path_factory.mktemp("shipped"))


def test_cpython_and_pyodide_agree_on_the_whole_corpus(shipped) -> None:
    corpus = ROOT / "tests" / "corpus"
    files = [corpus / "en.jsonl", corpus / "da.jsonl", *sorted(corpus.glob("*/*.jsonl"))]
    items = [it for path in files for it in read_corpus(path)]
    requests = [{"id": it["id"], "text": it["text"], "lang": it.get("lang"), "context": it.get("context"),
                 "country": "DK"} for it in items]
    # also without a language, so detection runs in both runtimes
    requests += [{**r, "id": f"{r['id']}/auto", "lang": None} for r in requests]
    with CPythonEngine(shipped.package.parent) as cpython:
        expected = cpython.annotate_many(requests)
    with PyodideEngine(shipped.wheel) as pyodide:
        got = pyodide.annotate_many(requests)
    assert len(got) == len(expected) == len(requests)
    assert sum(len(r.get("hints", [])) for r in expected) > 100, "the corpus should trigger many hints"
    mismatches = [(e["id"], e, g) for e, g in zip(expected, got) if e != g]
    assert not mismatches, mismatches[:3]
