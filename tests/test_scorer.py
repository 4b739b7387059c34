"""Text scorers: features, `heed train`, the model in a bundle, and `when text scores` in the engine."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from compiler.bundle import compile_bundle
from compiler.runtime.scorer import FLOOR, Model, features, letter_features, word_features
from compiler.runtime.text import encode, sentences

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(ROOT))
from benchmarks.naive import NaiveEngine  # noqa: E402
from benchmarks.timing import load_bundle  # noqa: E402


def test_features_are_words_pairs_and_padded_letter_runs() -> None:
    assert word_features(["i", "feel", "low"]) == ["i", "feel", "low", "i feel", "feel low"]
    assert letter_features("low") == [" low", "low "]
    assert letter_features("i") == [" i "]  # shorter than a run: the padded word itself
    assert letter_features("selvmord")[:2] == [" sel", "selv"]
    words, letters = features("jeg er træt ")
    assert words == ["jeg", "er", "træt", "jeg er", "er træt"]
    assert letters == [" jeg", "jeg ", " er ", " træ", "træt", "ræt "]


def _reference_score(model: dict, text: str) -> float:
    """The score worked out from the model file with Counters, independently of scorer.Model."""
    words: Counter = Counter()
    letters: Counter = Counter()
    for s, e in sentences(text):
        toks = encode(text[s:e]).split()
        words.update(toks + [f"{a} {b}" for a, b in zip(toks, toks[1:])])
        for t in toks:
            padded = f" {t} "
            letters.update([padded] if len(padded) <= 4 else [padded[i:i + 4] for i in range(len(padded) - 3)])
    z = model["bias"]
    for block, counts, floor in (("words", words, FLOOR[0]), ("letters", letters, FLOOR[1])):
        size = max(sum(counts.values()), floor)
        z += sum(model[block].get(f, 0.0) * n for f, n in counts.items()) / math.sqrt(size)
    return 1 / (1 + math.exp(-z))


def test_hand_written_model_scores_as_worked_out_on_paper() -> None:
    raw = json.loads((FIXTURES / "models" / "tiny.json").read_text(encoding="utf-8"))
    model = Model("tiny", raw["bias"], raw["words"], raw["letters"])
    # words: 6 / sqrt(5 features, raised to the floor of 10); letters: (hope 1 + pele 2) / sqrt(11, raised to 20)
    assert FLOOR == (10, 20)
    expected = 1 / (1 + math.exp(-(-2 + 6 / math.sqrt(10) + 3 / math.sqrt(20))))
    assert model.score([encode("i feel hopeless")]) == pytest.approx(expected)
    for text in ("i feel hopeless", "hopeless lol. there is no point", "what a lovely day", "",
                 "a long text of many words that does not say much at all but goes on and on and on"):
        encs = [encode(text[s:e]) for s, e in sentences(text)]
        assert model.score(encs) == pytest.approx(_reference_score(raw, text))


def _corpus(tmp: Path) -> Path:
    """A small labelled corpus: comments with warning signs and everyday ones sharing their words."""
    heavy = ["i cant do this anymore", "nothing matters and i am so tired of everything",
             "i want to disappear and never come back", "everyone would be better off without me",
             "i feel empty every single day", "there is no point in anything now",
             "i am done trying, it never gets better", "i just want it all to stop"]
    light = ["i cant do this homework lol", "so tired after the gym today", "this song makes me feel things",
             "better off getting pizza tonight", "every single day i drink coffee", "no point arguing with my cat",
             "done with exams finally", "just want the weekend to start"]
    lines = []
    for n in range(3):  # each comment in three variants, so the folds see every kind
        for i, text in enumerate(heavy):
            lines.append({"id": f"h{n}-{i}", "text": f"{text} {'.' * n}", "expect": ["warning-signs"]})
        for i, text in enumerate(light):
            lines.append({"id": f"l{n}-{i}", "text": f"{text} {'!' * n}", "expect": []})
    path = tmp / "corpus.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def test_train_is_reproducible_and_the_bundle_gives_the_fitted_scores(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    from compiler.model_file import read_model, write_model
    from compiler.runtime.scorer import Model
    from compiler.train import train

    corpus = _corpus(tmp_path)
    items = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    first = train(items, "warning-signs", ["corpus.jsonl"])
    again = train(items, "warning-signs", ["corpus.jsonl"])
    write_model(first.model, tmp_path / "a.json")
    write_model(again.model, tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    model = read_model(tmp_path / "a.json")
    assert model["trained_on"] == {"files": ["corpus.jsonl"], "comments": 48, "positives": 24,
                                   "texts_hash": model["trained_on"]["texts_hash"]}
    assert [r["clean_share"] for r in first.rows] == [0.005, 0.01, 0.012, 0.013, 0.02]
    runtime = Model("m", model["bias"], model["words"], model["letters"])
    for item, fitted in zip(items, first.fitted):
        encs = [encode(item["text"][s:e]) for s, e in sentences(item["text"])]
        assert runtime.score(encs) == pytest.approx(fitted, abs=2e-3)  # weights are rounded to 4 digits
    heavy = [f for it, f in zip(items, first.fitted) if it["expect"]]
    light = [f for it, f in zip(items, first.fitted) if not it["expect"]]
    assert min(heavy) > max(light)


def test_heed_train_command_writes_a_model_and_prints_thresholds(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    corpus = _corpus(tmp_path)
    out = tmp_path / "models" / "ws.json"
    result = subprocess.run([sys.executable, "-m", "compiler.cli", "train", str(corpus), "--category",
                             "warning-signs", "-o", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "cross-validation fold 5/5" in result.stderr
    assert "by batch needs comments from at least 3 batches" in result.stdout  # one file is one batch
    assert f"wrote {out}" in result.stdout and "threshold" in result.stdout
    assert json.loads(out.read_text(encoding="utf-8"))["category"] == "warning-signs"
    bad = subprocess.run([sys.executable, "-m", "compiler.cli", "train", str(corpus), "--category", "warning-sign",
                          "-o", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert bad.returncode == 2 and "unknown category 'warning-sign'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_by_batch_figures_score_each_batch_with_a_model_that_never_read_it() -> None:
    """Batch "odd" is written in words no other batch uses: 5-fold finds its warning signs (their
    neighbours were in training), by batch it cannot. That gap is what the by-batch figures are for."""
    pytest.importorskip("sklearn")
    from compiler.train import batch_of, train

    common = ["i want to disappear forever", "nobody would miss me at all", "i am so tired of being alive"]
    odd = ["zorbleak quintar velmosh", "quintar zorbleak again", "velmosh quintar zorbleak tonight"]
    everyday = ["pizza tonight with friends", "the bus was late again", "new shoes for the summer",
             "my cat sleeps all day", "exam results came out", "coffee before the lecture"]
    items, batches = [], []
    odd_clean = ["plithex gravnok", "smurvel dwintak ophrel", "gravnok smurvel", "dwintak plithex ophrel",
                 "ophrel gravnok", "smurvel plithex"]
    for batch, heavy, clean in (("one", common, everyday), ("two", common, everyday), ("odd", odd, odd_clean)):
        for n in range(4):
            for i, text in enumerate(heavy):
                items.append({"id": f"{batch}-h{n}{i}", "text": f"{text} {'.' * n}", "expect": ["warning-signs"]})
            for i, text in enumerate(clean):
                items.append({"id": f"{batch}-c{n}{i}", "text": f"{text} {'!' * n}", "expect": []})
        batches += [batch] * (4 * (len(heavy) + len(clean)))
    trained = train(items, "warning-signs", ["x"], batches)
    assert trained.model["cross_validation_by_batch"] == trained.batch_rows
    five_fold, by_batch = trained.rows[-1], trained.batch_rows[-1]
    assert five_fold["recall"] == 1.0
    assert by_batch["recall"] == pytest.approx(2 / 3, abs=0.01)  # the odd batch's 12 positives are missed
    assert train(items, "warning-signs", ["x"], ["one"] * len(items)).batch_rows == []  # needs 3 batches
    paths = ("corpus/extra/alerts4-da.jsonl", "x/clean5-en.jsonl", "en.jsonl", "corpus/da.jsonl", "mine.jsonl")
    assert [batch_of(p) for p in paths] == ["alerts4", "clean5", "base", "base", "mine"]


@pytest.fixture(scope="module")
def scored_bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("scored")
    compile_bundle([FIXTURES / "scored" / "scored.heed"], out)
    bundle, _ = load_bundle(str(out), "heed_bundle_scored")
    return bundle


def _rules(hints: list[dict]) -> list[str]:
    return sorted(h["rule"] for h in hints)


def test_scored_rule_hints_the_whole_text_and_steps_aside_for_a_phrase_rule(scored_bundle) -> None:
    text = "  I feel hopeless. "
    hints = scored_bundle.annotate(text)
    assert _rules(hints) == ["scored"]
    assert (hints[0]["start"], hints[0]["end"]) == (2, len(text.rstrip()))
    assert _rules(scored_bundle.annotate("i feel hopeless and i cannot go on")) == ["cannot-go-on"]
    assert _rules(scored_bundle.annotate("hopeless lol")) == []
    # for another category a scored text counts as showing warning signs
    assert _rules(scored_bundle.annotate("therapy feels hopeless")) == ["scored"]
    assert _rules(scored_bundle.annotate("therapy helped")) == ["story"]
    assert _rules(scored_bundle.annotate("ok", context="i feel hopeless")) == ["reply"]
    assert _rules(scored_bundle.annotate("ok", categories=["warning-signs"], context="i feel hopeless")) == []


def test_scored_rules_give_the_naive_engines_hints(scored_bundle) -> None:
    naive = NaiveEngine(scored_bundle)
    texts = ["i feel hopeless", "no point", "lol no point", "there is no point. i feel hopeless", "hopeless lol",
             "therapy feels hopeless", "therapy helped", "i cannot go on, hopeless", ""]
    for text in texts:
        for context in (None, "i feel hopeless", "lovely day"):
            for cats in (None, ["warning-signs"], ["recovery-hashtag"], ["reply-support"]):
                assert scored_bundle.annotate(text, context=context, categories=cats) == \
                    naive.annotate(text, context=context, categories=cats), (text, context, cats)


def _count_sums(model_class, monkeypatch) -> dict[str, list[str]]:
    """Record the sentences each of the model's per-sentence sums is worked out for."""
    calls: dict[str, list[str]] = {"sentence_sums": [], "upper_sums": []}
    for name, seen in calls.items():
        original = getattr(model_class, name)
        def counting(self, enc, *more, seen=seen, original=original):
            seen.append(enc)
            return original(self, enc, *more)

        monkeypatch.setattr(model_class, name, counting)
    return calls


def test_a_keystroke_adds_up_only_the_edited_sentence(scored_bundle, monkeypatch) -> None:
    calls = _count_sums(type(scored_bundle.MODELS["tiny"]), monkeypatch)
    scored_bundle.ENGINE._cache.clear()
    text = "Hi. Yo. I feel fine"
    scored_bundle.annotate(text)
    # the bound of each sentence is enough: nothing in the text can lift it to the threshold
    assert calls == {"sentence_sums": [], "upper_sums": [encode("Hi."), encode("Yo."), encode("I feel fine")]}
    edited = text.replace("fine", "hopeless")
    assert _rules(scored_bundle.annotate(edited)) == ["scored"]
    assert calls["upper_sums"][3:] == [encode("I feel hopeless")]  # only the edited sentence's bound
    # the bound now reaches the threshold, so the text is scored: each sentence once
    assert sorted(calls["sentence_sums"]) == sorted(encode(edited[s:e]) for s, e in sentences(edited))
    calls["sentence_sums"].clear()
    calls["upper_sums"].clear()
    scored_bundle.annotate(edited.replace("Yo.", "Yo!"))
    assert calls == {"sentence_sums": [encode("Yo!")], "upper_sums": [encode("Yo!")]}


def test_the_bound_is_never_below_the_score() -> None:
    raw = json.loads((FIXTURES / "models" / "tiny.json").read_text(encoding="utf-8"))
    texts = ["i feel hopeless", "no point", "lol no point", "point no point", "so so hopeless lol", "", "hopeless",
             "there is no point. i feel hopeless so", "no no no point point"]
    for model in (Model("tiny", raw["bias"], raw["words"], raw["letters"]),
                  Model("neg", 0.5, {k: -v for k, v in raw["words"].items()}, raw["letters"])):
        for text in texts:
            encs = [encode(text[s:e]) for s, e in sentences(text)]
            upper = model.probability(map(model.upper_sums, encs))
            assert upper >= model.score(encs) - 1e-12, (model.name, text)
    # a word counts with its own weight (negative ones too), and a pair with its positive weight, once
    # per word that can begin it, but the last
    tiny = Model("tiny", raw["bias"], raw["words"], raw["letters"])
    assert tiny.upper_sums(encode("no point"))[0] == pytest.approx(6.0 + 1.0)
    assert tiny.sentence_sums(encode("no point"))[0] == pytest.approx(6.0 + 1.0)
    assert tiny.upper_sums(encode("no lol"))[0] == pytest.approx(6.0 - 6.0)  # "no" may begin "no point"
    assert tiny.sentence_sums(encode("no lol"))[0] == pytest.approx(-6.0)
    assert tiny.upper_sums(encode("point no"))[0] == pytest.approx(1.0)  # the last word begins no pair


def test_text_shows_is_settled_without_text_rules_when_no_category_rule_can_fire(scored_bundle, monkeypatch) -> None:
    # "therapy helped": no warning-signs hit, and the scored rule's bound is under its threshold, so
    # the story rule's `unless text shows: warning-signs` needs no run of the warning-signs rules
    engine = scored_bundle.ENGINE
    asked = []
    original = type(engine)._text_rule_hits
    monkeypatch.setattr(type(engine), "_text_rule_hits",
                        lambda self, text, lang, cats, late: asked.append(cats) or original(self, text, lang, cats,
                                                                                             late))
    engine._cache.clear()
    assert _rules(scored_bundle.annotate("therapy helped")) == ["story"]
    assert asked == [None]
    asked.clear()
    assert _rules(scored_bundle.annotate("therapy feels hopeless")) == ["scored"]
    assert frozenset({"warning-signs"}) in asked  # the scorer may lift this one: the rules are run


def test_weight_tables_in_the_bundle_read_back_exactly() -> None:
    from compiler.codegen import weight_table
    from compiler.runtime.scorer import _table

    plain = {"hopeless": 1.25, "no point": -0.5, " sel": 0.0001}
    odd = {'say "bye"': 2.0, "back\\slash": -1.0, "tab\there": 3.0}
    for weights in (plain, odd):
        literal = weight_table(weights)
        assert _table(eval(literal)) == weights  # noqa: S307 - our own generated literal
    assert weight_table(plain).startswith('"""')  # readable: one feature per line
    assert weight_table(odd).startswith("'")  # escaped when a feature needs it


def test_context_shows_of_the_own_category_counts_scored_rules(tmp_path: Path) -> None:
    # Only `text shows` of a rule's own category narrows to the rules with a match; a context that only
    # the scorer reads as a warning sign still shows warning signs.
    tiny = (FIXTURES / "models" / "tiny.json").as_posix()
    (tmp_path / "r.heed").write_text(f'''point p "A point."
model tiny "{tiny}"
rule scored {{
  category: warning-signs
  severity: alert
  lang: en
  source: p
  when text scores 0.5: tiny
  message en: "It sounds heavy."
  message da: "Det lyder tungt."
  expect: "i feel hopeless"
  allow: "what a lovely day"
}}
rule echo {{
  category: warning-signs
  severity: alert
  lang: en
  source: p
  when context shows: warning-signs
  message en: "You answer someone who may be struggling."
  message da: "Du svarer en, der måske har det svært."
  expect: "ok" after "i feel hopeless"
  allow: "ok" after "what a lovely day"
}}
''', encoding="utf-8")
    out = tmp_path / "out"
    compile_bundle([tmp_path / "r.heed"], out)
    bundle, _ = load_bundle(str(out), "heed_bundle_echo")
    assert _rules(bundle.annotate("ok", context="i feel hopeless")) == ["echo"]
    naive = NaiveEngine(bundle)
    for context in ("i feel hopeless", "what a lovely day", None):
        assert bundle.annotate("ok", context=context) == naive.annotate("ok", context=context)
