"""The compiled bundle: reproducible, readable, stdlib-only, and matching as the language promises."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.bundle import compile_bundle
from compiler.engines import CPythonEngine

GOOD = Path(__file__).parent / "fixtures" / "good"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle")
    return compile_bundle([GOOD], out)


@pytest.fixture(scope="module")
def engine(bundle):
    with CPythonEngine(bundle.package.parent) as eng:
        yield eng


def test_same_input_gives_byte_identical_output(tmp_path: Path, bundle) -> None:
    again = compile_bundle([GOOD], tmp_path)
    assert again.wheel.read_bytes() == bundle.wheel.read_bytes()
    for name in ("__init__.py", "rules.py", "engine.py", "text.py"):
        assert (again.package / name).read_bytes() == (bundle.package / name).read_bytes()
    assert again.ruleset.hash == bundle.ruleset.hash


def test_shipped_rules_compile_to_the_same_bytes_under_any_string_hash(tmp_path: Path) -> None:
    """Sets iterate in an order that follows the per-process string hash: nothing the compiler writes may
    depend on it. Seeds 11 and 13 gave different rules.py files before index keys were costed with
    math.fsum (a float sum in set order differed in its last bit and swapped two equally rare keys)."""
    root = Path(__file__).resolve().parent.parent
    runs = {}
    for seed in ("11", "13"):  # both at once: each compile takes seconds
        runs[seed] = subprocess.Popen(
            [sys.executable, "-m", "compiler.cli", "compile", str(root / "rules"), "-o", str(tmp_path / seed)],
            cwd=root, env={**os.environ, "PYTHONHASHSEED": seed}, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
    for run in runs.values():
        assert run.wait() == 0, run.stderr.read()
        run.stderr.close()
    first, second = (sorted((tmp_path / seed).glob("heed_bundle-*.whl")) for seed in runs)
    assert len(first) == len(second) == 1
    assert first[0].read_bytes() == second[0].read_bytes()


def test_hash_changes_with_the_rules(tmp_path: Path, bundle) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    for f in GOOD.glob("*.heed"):
        (rules / f.name).write_text(f.read_text(encoding="utf-8").replace("Labels hurt.", "Labels sting."),
                                    encoding="utf-8")
    assert compile_bundle([rules], tmp_path / "out").ruleset.hash != bundle.ruleset.hash


def test_output_does_not_depend_on_the_working_directory(tmp_path: Path, bundle, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    again = compile_bundle([GOOD.resolve()], tmp_path / "out")
    assert again.wheel.read_bytes() == bundle.wheel.read_bytes()


def test_bundle_is_standard_library_only(bundle) -> None:
    stdlib = set(sys.stdlib_module_names)
    for py in bundle.package.glob("*.py"):
        tree = ast.parse(py.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in stdlib | {"__future__"}, f"{py.name} imports {name}"


def test_rules_file_shows_source_and_line_next_to_each_rule(bundle) -> None:
    text = (bundle.package / "rules.py").read_text(encoding="utf-8")
    assert "# [0] good/base.heed:26\n    #     match: <verb: committed | commits> suicide\n    Rule(\n" \
           "        id='committed-en'," in text
    assert f"RULES_HASH = '{bundle.ruleset.hash}'" in (bundle.package / "__init__.py").read_text(encoding="utf-8")


def test_emoji_before_a_match_shifts_utf16_offsets_only(engine) -> None:
    text = "😂😂 he committed suicide"
    [hint] = [h for h in engine.annotate(text) if h["rule"] == "committed-en"]
    assert text[hint["start"]:hint["end"]] == "committed suicide"
    assert (hint["start"], hint["end"]) == (6, 23)
    assert (hint["start_utf16"], hint["end_utf16"]) == (8, 25)
    as_utf16 = text.encode("utf-16-le")
    assert as_utf16[hint["start_utf16"] * 2:hint["end_utf16"] * 2].decode("utf-16-le") == "committed suicide"


def test_offsets_across_line_breaks_and_decomposed_letters(engine) -> None:
    text = "første linje\nhan begik selvmord\nsidste"
    [hint] = [h for h in engine.annotate(text) if h["rule"] == "begik-da"]
    assert text[hint["start"]:hint["end"]] == "begik selvmord"
    decomposed = "de vil bega\u030a selvmord"  # "å" typed as a + combining ring: still the word "begå"
    [hint] = [h for h in engine.annotate(decomposed) if h["rule"] == "begik-da"]
    assert decomposed[hint["start"]:hint["end"]] == "bega\u030a selvmord"


def test_suggestion_keeps_capitalisation_and_reuses_nothing_it_should_not(engine) -> None:
    [h] = [h for h in engine.annotate("Committed suicide, they said.") if h["rule"] == "committed-en"]
    assert h["suggestions"] == ["Died by suicide"]
    [h] = [h for h in engine.annotate("HE COMMITTED SUICIDE") if h["rule"] == "committed-en"]
    assert h["suggestions"] == ["DIED BY SUICIDE"]


def test_hints_for_a_sentence_are_stable_as_the_user_types_on(engine) -> None:
    first = "Han begik selvmord sidste år."
    base = [h for h in engine.annotate(first)]
    for more in (" Det", " Det var", " Det var svært. I just wish i was dead", "\nny linje helt skør"):
        longer = engine.annotate(first + more)
        assert [h for h in longer if h["end"] <= len(first)] == base


def test_language_is_detected_per_sentence(engine) -> None:
    text = "He committed suicide. Han begik selvmord."
    rules = [h["rule"] for h in engine.annotate(text)]
    assert "committed-en" in rules and "begik-da" in rules
    assert [h["rule"] for h in engine.annotate("han begik selvmord", lang="en")] == []


def test_conditions_and_antipatterns(engine) -> None:
    assert engine.annotate("Are you thinking about committed suicide?") == []  # unless question
    assert not [h for h in engine.annotate("add 2 kg flour") if h["rule"] == "weight-en"]  # unless at the match
    assert [h["text"] for h in engine.annotate("i lost 2 kg flour jokes aside, 45 kg now")] == ["45 kg"]
    assert [h["rule"] for h in engine.annotate("selvmordsforsøg og selvmordsbrev")] == ["selvmord-prefix-da"]  # once
    assert engine.annotate("selvmordsforsøg: ring til Livslinien") == []  # when text lacks


def test_a_word_ending_is_indexed_by_its_ending(bundle, engine) -> None:
    """`*kniv` finds any word ending in kniv (Danish compounds put the head last) and is filed under
    that ending, so the rule is woken by such words only, not run on every sentence."""
    module = engine.module
    index = {i for i, rule in enumerate(module.RULES) if rule.id == "knife-ending-da"}
    # keyed by the rarer armen | armene; the endings are a word set the sentence must hold
    assert not index & set(module.ALWAYS_RULES) and "armen" in module.WORD_INDEX
    assert any({"*kniv", "*kniven", "*knivene"} <= set(entries.split(" ")) for entries in module.WORD_SETS)
    hits = engine.annotate("hun holdt brødkniven mod armen")
    assert [(h["rule"], h["text"]) for h in hits] == [("knife-ending-da", "brødkniven mod armen")]
    assert engine.annotate("brødkniven ligger i skuffen") == []


def test_a_word_ending_alone_is_the_key(tmp_path: Path) -> None:
    (tmp_path / "r.heed").write_text('''point p "x"
rule r1 {
  category: method-details
  severity: alert
  lang: da
  source: p
  match: *sovepiller
  message da: "x"
  message en: "x"
  expect: "har gemt mine sovepiller"
  expect: "sovepiller"
  allow: "sovepillerne"
}
''', encoding="utf-8")
    compile_bundle([tmp_path / "r.heed"], tmp_path / "out")
    with CPythonEngine(tmp_path / "out") as eng:
        assert eng.module.SUFFIX_INDEX == {"sovepiller": "0 0"} and eng.module.ALWAYS_RULES == ()
        assert [h["text"] for h in eng.annotate("tog alle hjertesovepiller og gik i seng")] == ["hjertesovepiller"]


def test_near_counts_words_either_side_of_the_match(engine) -> None:
    def pills(text: str) -> list[str]:
        return [h["text"] for h in engine.annotate(text, lang="en") if h["rule"] == "pills-near-en"]

    assert pills("pills 30") == ["pills"]  # after the match
    assert pills("30 a b c pills") == ["pills"]  # the fourth word before
    assert pills("30 a b c d pills") == []  # the fifth is too far
    assert pills("i took all the pills with food") == []  # vetoed within 2 words
    assert pills("30 pills, then take them with food") == ["pills"]  # the veto is 3 words away
    assert pills("30 pills with food and 30 pills") == ["pills"]  # per match: only the second stays
    assert pills("vitamin pills") == []  # the veto touches the match at the start of the sentence


def test_a_gap_can_leave_words_out(engine) -> None:
    def wish(text: str) -> list[str]:
        return [h["text"] for h in engine.annotate(text, lang="en") if h["rule"] == "wish-dead-en"]

    assert wish("i really really want to die") == ["i really really want to die"]
    assert wish("i don't want to die") == []  # the gap's one word is left out
    assert wish("i really don't want to die") == []  # ... wherever it stands in the gap
    assert wish("i don't know, i want to die") == ["i want to die"]  # a later 'i' starts a match without it


def test_has_n_of_counts_the_alternatives_present(engine) -> None:
    def worn(text: str, context: str | None = None) -> bool:
        return any(h["rule"] == "worn-down-en" for h in engine.annotate(text, lang="en", context=context))

    assert worn("so tired. numb. no future")  # two of three, each in its own sentence
    assert not worn("so tired. numb numb numb")  # one alternative many times is still one
    assert not worn("so tired", context="numb, no future")  # the text's own words, not the context's
    assert worn("goodbye. so tired, numb and no future")  # all three
    # one list: its entries are counted
    daily = [h["rule"] for h in engine.annotate("lately no sleep, skipped meals and not showering", lang="en")]
    assert daily == ["daily-three-en"]
    assert not engine.annotate("lately no sleep, skipped meals", lang="en")


def test_reply_context(engine) -> None:
    assert [h["rule"] for h in engine.annotate("phew", context="no, not suicidal at all")] == ["relief-en"]
    assert engine.annotate("phew", context="made it to the bus") == []
    hints = engine.annotate("I'm here for you", context="i just wish i was dead")
    assert [h["rule"] for h in hints] == ["reply-support-en"]
    assert (hints[0]["start"], hints[0]["end"]) == (0, len("I'm here for you"))


def test_resources_follow_the_country(engine) -> None:
    [h] = engine.annotate("i wish i was dead", country="US")
    assert [r["id"] for r in h["resources"]] == ["line-us"]
    [h] = engine.annotate("i wish i was dead", country="DK")
    assert [r["id"] for r in h["resources"]] == ["line-dk"]
    [h] = engine.annotate("i wish i was dead", country="FR")  # no line there: an alert shows them all
    assert len(h["resources"]) == 2
    [h] = engine.annotate("I'm here for you", context="i just wish i was dead", country="US")
    assert [r["id"] for r in h["resources"]] == ["line-us"]
    # any other hint shows only lines the writer can use
    [h] = engine.annotate("I'm here for you", context="i just wish i was dead", country="FR")
    assert h["category"] == "reply-support" and h["resources"] == []


def test_category_filter(engine) -> None:
    text = "he committed suicide and i wish i was dead"
    assert {h["category"] for h in engine.annotate(text)} == {"suicide-language", "warning-signs"}
    assert {h["category"] for h in engine.annotate(text, categories=["warning-signs"])} == {"warning-signs"}


def test_several_sources_and_conditions_on_what_the_text_shows(engine) -> None:
    [hint] = engine.annotate("my anxiety got better this year")
    assert (hint["rule"], hint["guidance"]) == ("hashtag-en", ["p.words", "p.reply"])
    # the same story in a text with a warning sign gets no hashtag suggestion, only the alert
    assert [h["rule"] for h in engine.annotate("my anxiety is bad and i just wish i was dead")] == ["wish-dead-en"]
    assert [h["text"] for h in engine.annotate("my panic attacks are back")] == ["my panic attacks"]


def test_a_reply_without_language_signs_gets_one_hint_per_category(tmp_path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    base = (GOOD / "base.heed").read_text(encoding="utf-8")
    da_copy = base[base.index("rule reply-support-en"):].split("\n}\n")[0] + "\n}\n"
    da_copy = da_copy.replace("reply-support-en", "reply-support-da").replace("lang: en", "lang: da")
    (rules / "base.heed").write_text(base + "\n" + da_copy, encoding="utf-8")
    (rules / "lists.heed").write_text((GOOD / "lists.heed").read_text(encoding="utf-8"), encoding="utf-8")
    out = compile_bundle([rules], tmp_path / "out")
    with CPythonEngine(out.package.parent) as eng:
        assert [h["rule"] for h in eng.annotate("❤️", context="i just wish i was dead")] == ["reply-support-en"]
        assert [h["rule"] for h in eng.annotate("jeg er her", context="i just wish i was dead")] == [
            "reply-support-da"]


def test_annotate_json_is_the_json_of_annotate(engine) -> None:
    """annotate_json writes the hints itself (parts that only depend on a rule are encoded once): it must
    give exactly json.dumps(annotate(...), ensure_ascii=False), emoji, quotes and countries included."""
    module = engine.module
    texts = [
        "he committed suicide", "🙂 he \"committed\" suicide 💔\nhan begik selvmord", "i wish i was dead",
        "I weigh 45 kg and he committed suicide. 😂 Han begik selvmord \\ igen", "", "nothing here",
    ]
    checked = 0
    for text in texts:
        for country in (None, "DK", "US", "FR"):
            for context in (None, "i just wish i was dead"):
                got = module.annotate_json(text, None, context, None, country)
                assert got == json.dumps(module.annotate(text, None, context, None, country), ensure_ascii=False)
                checked += len(json.loads(got))
    assert checked > 20
