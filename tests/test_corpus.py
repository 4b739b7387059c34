"""The labelled corpora under tests/corpus/ read cleanly: `heed eval` and scripts/quality.py rely on them,
and several people add to them at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.evaluate import read_corpus

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(CORPUS.rglob("*.jsonl"))


def test_there_are_tuning_and_held_out_corpora_in_both_languages() -> None:
    names = {p.relative_to(CORPUS).as_posix() for p in FILES}
    assert {"en.jsonl", "da.jsonl", "heldout/en.jsonl", "heldout/da.jsonl"} <= names
    assert len(FILES) > 20


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(CORPUS).as_posix() for p in FILES])
def test_a_corpus_file_is_valid_and_in_the_language_of_its_name(path: Path) -> None:
    items = read_corpus(path)  # valid JSON, known categories, ids unique in the file
    lang = path.stem.rsplit("-", 1)[-1]
    assert lang in ("en", "da"), path.name
    assert items and all(it.get("lang", lang) == lang for it in items)
    # (a file may hold only near misses, such as clean4-en.jsonl, but every item says what it expects)
    assert all(isinstance(it.get("expect"), list) for it in items)


def test_ids_are_unique_across_all_corpora() -> None:
    seen: dict[str, str] = {}
    for path in FILES:
        for item in read_corpus(path):
            assert item["id"] not in seen, (item["id"], path.name, seen.get(item["id"]))
            seen[item["id"]] = path.name
