"""The engine's speed, asserted by counting work instead of timing it (the machine is shared).

- the word index wakes few rules per sentence, and the pre-filter runs few of their regexes;
- after one keystroke in a long text only the edited sentence is matched again;
- the regex searches a call makes grow linearly with the length of the text;
- the invariants those shortcuts rely on hold (the words of a text are the words of its sentences,
  every sentence a rule or condition matches holds the words its pattern needs).

Timed figures are in docs/benchmarks.md (benchmarks/run.py).
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from compiler.bundle import compile_bundle
from compiler.diagnostics import RuleErrors
from compiler.engines import CPythonEngine
from compiler.runtime import text as T

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import synth  # noqa: E402

CORPUS = [json.loads(line) for name in ("en", "da")
          for line in (ROOT / "tests" / "corpus" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
TEXTS = [item["text"] for item in CORPUS]


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    """The shipped rules and 2,000 synthetic ones. While rules/ does not compile (someone mid-edit;
    tests/test_shipped_rules.py reports that) the shipped bundle is left out."""
    tmp = tmp_path_factory.mktemp("shape")
    engines = {}
    for name, paths in {"shipped": [ROOT / "rules"], "synthetic": [synth.write(2000, tmp / "synth")]}.items():
        try:
            compile_bundle(paths, tmp / name)
        except RuleErrors:
            if name != "shipped":
                raise
            continue
        engines[name] = CPythonEngine(tmp / name)
    yield {name: e.module for name, e in engines.items()}
    for e in engines.values():
        e.close()


def _get(bundles: dict[str, ModuleType], name: str) -> ModuleType:
    if name not in bundles:
        pytest.skip(f"no {name} bundle: rules/ does not compile at the moment")
    return bundles[name]


class _Counting:
    """Stands in for a compiled regex and counts the calls that read the text."""

    def __init__(self, regex: re.Pattern, counts: dict):
        self._regex = regex
        self._counts = counts
        self.calls = 0

    def search(self, *args):
        self._counts["regex"] += 1
        self.calls += 1
        return self._regex.search(*args)

    def finditer(self, *args):
        self._counts["regex"] += 1
        self.calls += 1
        return self._regex.finditer(*args)

    def match(self, *args):
        self._counts["regex"] += 1
        self.calls += 1
        return self._regex.match(*args)


class Counter:
    """Counts, over the calls made inside `with`, the sentences matched (cache misses), the rules the
    index woke, and every regex scan of a rule or condition pattern."""

    def __init__(self, bundle: ModuleType):
        self.bundle = bundle
        self.engine = bundle.ENGINE
        self.counts = {"sentences": 0, "woken": 0, "regex": 0}

    def __enter__(self) -> dict:
        original = self.engine._candidates

        def candidates(*args: object) -> list[int]:
            found = original(*args)
            self.counts["sentences"] += 1
            self.counts["woken"] += len(found)
            return found

        self.engine._candidates = candidates
        # In a long sentence a pattern is tried at the words its matches can begin with (_anchored):
        # that is one scan of the sentence, counted once like a finditer.
        self.module = sys.modules[type(self.engine).__module__]
        anchored = self.module._anchored

        def one_scan(regex, enc: str, starts: list[int]):
            self.counts["regex"] += 1
            if isinstance(regex, _Counting):
                regex.calls += 1
                regex = regex._regex
            return anchored(regex, enc, starts)

        self.module._anchored = one_scan
        self._anchored = anchored
        # The compiled regexes are wrapped and put back afterwards (compiling them again is slow).
        rules = self.bundle.RULES
        self.patterns = [r for r in rules if r.match] + [c for r in rules for c in r.conditions if c.pattern]
        for p in self.patterns:
            p._re = _Counting(p.regex, self.counts)
        return self.counts

    def __exit__(self, *exc: object) -> None:
        del self.engine._candidates
        self.module._anchored = self._anchored
        for p in self.patterns:
            p._re = p._re._regex


def _cold(bundle: ModuleType) -> None:
    bundle.ENGINE._cache.clear()


def _article(n: int, seed: int = 1) -> str:
    """n distinct corpus comments, one per line: a long pasted text."""
    rng = random.Random(seed)
    return "\n".join(rng.sample(TEXTS, n))


@pytest.mark.parametrize("name", ["shipped", "synthetic"])
def test_the_index_wakes_few_rules(bundles: dict[str, ModuleType], name: str) -> None:
    bundle = _get(bundles, name)
    n_rules = sum(1 for r in bundle.RULES if r.match)
    _cold(bundle)
    with Counter(bundle) as counts:
        for item in CORPUS:
            bundle.annotate(item["text"], None, item.get("context"))
    per_sentence = counts["woken"] / counts["sentences"]
    regexes_per_comment = counts["regex"] / len(CORPUS)
    # A sentence of a comment about these very topics wakes a few percent of the rules, not all of
    # them (the naive engine runs every one); the needed-words pre-filter and trying the match
    # before any sentence condition keep the regexes run per comment (rules and conditions) low.
    assert per_sentence < 0.06 * n_rules, (per_sentence, n_rules)
    assert regexes_per_comment < 0.12 * n_rules, (regexes_per_comment, n_rules)


@pytest.mark.parametrize("name", ["shipped", "synthetic"])
def test_a_new_sentence_looks_its_words_up_once(bundles: dict[str, ModuleType], name: str) -> None:
    """What the index holds for a sentence's words is gathered once and kept with the sentence: the
    word sets it holds and the rules it wakes both read it."""
    bundle = _get(bundles, name)
    engine = bundle.ENGINE
    _cold(bundle)
    lookups = sentences = 0
    look_up = engine._busy_words

    def counted(tokens: set) -> set:
        nonlocal lookups
        lookups += 1
        return look_up(tokens)

    engine._busy_words = counted
    try:
        for item in CORPUS[:300]:
            engine._cache.clear()
            bundle.annotate(item["text"], None, item.get("context"))
            sentences += len(engine._cache)  # (the text's and the context's)
    finally:
        del engine._busy_words
    assert 0 < lookups <= sentences, (lookups, sentences)


def test_synthetic_rules_beyond_the_comments_words_stay_asleep(bundles: dict[str, ModuleType]) -> None:
    """Rules keyed on words the comment does not contain are never looked at."""
    bundle = _get(bundles, "synthetic")
    _cold(bundle)
    with Counter(bundle) as counts:
        bundle.annotate("hello there, how was the weekend")
    assert counts["regex"] <= 3


def test_a_keystroke_rematches_only_the_edited_sentence(bundles: dict[str, ModuleType]) -> None:
    bundle = _get(bundles, "shipped")
    text = _article(300)
    assert len(text) > 15_000
    _cold(bundle)
    first = bundle.annotate(text)
    n_sentences = len(T.sentences(text))
    rng = random.Random(3)
    current = text
    for _ in range(25):
        # a letter typed inside a word, somewhere in the text
        p = rng.randrange(1, len(current) - 1)
        while not (current[p - 1].isalpha() and current[p].isalpha()):
            p += 1
        current = current[:p] + "x" + current[p:]
        with Counter(bundle) as counts:
            bundle.annotate(current)
        assert counts["sentences"] == 1, "only the sentence holding the new letter is matched again"
    # typing at the end
    for letter in " and more":
        current += letter
        with Counter(bundle) as counts:
            bundle.annotate(current)
        assert counts["sentences"] <= 1
    with Counter(bundle) as counts:
        assert bundle.annotate(text) == first  # the original text comes straight from the cache
    assert counts["sentences"] == 0 and n_sentences > 250


@pytest.mark.parametrize("name", ["shipped", "synthetic"])
def test_conditions_on_the_whole_text_are_searched_once_per_call(bundles: dict[str, ModuleType], name: str) -> None:
    """A `when text has/lacks` condition scans each sentence at most once per call, however many hits
    it has to approve (scanning the whole text again for every hit is quadratic in its length)."""
    bundle = _get(bundles, name)
    text = _article(600, seed=5)
    n_sentences = len(T.sentences(text))
    _cold(bundle)
    with Counter(bundle):
        hints = bundle.annotate(text)
        late = [c._re for r in bundle.RULES for c in r.conditions if c.scope == "text" and c.pattern]
        scans = max((c.calls for c in late), default=0)
    assert late and len(hints) > 50
    assert 0 < scans <= n_sentences, (scans, n_sentences)


@pytest.mark.parametrize("separator", ["\n", " "])
def test_work_grows_linearly_with_text_length(bundles: dict[str, ModuleType], separator: str) -> None:
    """Regex scans per call, for texts of 50, 100, 200 and 400 comments (one per line, or all in one
    sentence). Conditions on the whole text are searched once per call, not once per hit."""
    bundle = _get(bundles, "shipped")
    rng = random.Random(9)
    pool = rng.sample(TEXTS, 400)
    ops = []
    for n in (50, 100, 200, 400):
        text = separator.join(pool[:n])
        _cold(bundle)
        with Counter(bundle) as counts:
            bundle.annotate(text)
        ops.append(counts["regex"] + counts["woken"])
    per_comment = [o / n for o, n in zip(ops, (50, 100, 200, 400))]
    # Linear: the work per comment does not grow with the text (it would double at each step if
    # quadratic). It may fall: in a text of many sentences a rule whose `when text has` fails in it is
    # not run at all (engine._MANY_SENTENCES), and the longer the text, the more such rules it wakes.
    assert max(per_comment) < 1.6 * per_comment[0], per_comment
    assert all(later < 1.3 * earlier for earlier, later in zip(per_comment, per_comment[1:])), per_comment
    assert ops[-1] > 8 * 50  # the texts do make the engine work


def test_words_of_a_text_are_the_words_of_its_sentences() -> None:
    """The engine adds up per-sentence language evidence instead of reading the whole text again."""
    rng = random.Random(4)
    odd = ["ΟΔΟΣ ΣΑΣ", "e\u0301e\u0301 café", "don’t STOP", "1.200 kr. Str. XS", "🙂👍🏽 #MentalHealth", "İstanbul"]
    texts = TEXTS + odd
    for _ in range(200):
        parts = rng.sample(texts, rng.randint(1, 8))
        text = "".join(p + rng.choice([". ", "? ", "! ", "\n", " ", "… ", ".\" ", "... ", " ?! "]) for p in parts)
        by_sentence = [w for s, e in T.sentences(text) for w in T.words(text[s:e])]
        assert T.words(text) == by_sentence
        for s, e in T.sentences(text):
            enc = T.encode(text[s:e])
            assert (enc[:-1].split(" ") if enc else []) == T.words(text[s:e])
        danish = any(T.has_danish_letters(text[s:e]) for s, e in T.sentences(text))
        assert T.language_score(text) == T.word_score(by_sentence) + (2 if danish else 0)


def test_every_sentence_a_pattern_matches_holds_the_words_it_needs(bundles: dict[str, ModuleType]) -> None:
    """The pre-filter (the word index, each alternative's needed word sets, the condition gates) only
    ever skips a regex that cannot match; and it does skip most of them."""
    from compiler.runtime.engine import _Sentence

    sentences = [_Sentence(item["text"][s:e]) for item in CORPUS for s, e in T.sentences(item["text"])]
    sentences = [s for s in sentences if s.enc]
    checked = skipped = 0
    for name, bundle in bundles.items():
        engine = bundle.ENGINE
        rules = list(enumerate(bundle.RULES))
        if name == "synthetic":
            rules = rules[:600]
        for sentence in sentences:
            sentence.held = sentence.entries = None  # (what the previous bundle's engine found)
            for lang in ("da", "en"):
                woken = set(engine._candidates(sentence, (lang,), None))
                for idx, rule in rules:
                    if rule.match and rule.lang == lang:
                        if rule.regex.search(sentence.enc):
                            checked += 1
                            assert idx in woken, (rule.id, sentence.enc)
                        elif idx not in woken:
                            skipped += 1
            for _, rule in rules:
                for cond in rule.conditions:
                    if cond.pattern and cond.regex.search(sentence.enc):
                        checked += 1
                        assert engine._may_hold(cond, sentence), (rule.id, cond.pattern, sentence.enc)
    assert checked > 500 and skipped > 100_000, (checked, skipped)


def _one_rule(tmp_path: Path, lists: str, match: str, examples: tuple[str, ...]) -> CPythonEngine:
    """The bundle of one English rule (with these lists, match and examples), loaded in CPython."""
    lines = "\n".join("  " + e for e in examples)
    (tmp_path / "r.heed").write_text(f'''point p "x"
{lists}
rule r1 {{
  category: mockery
  severity: warning
  lang: en
  source: p
  match: {match}
  message da: "x"
  message en: "x"
{lines}
}}
''', encoding="utf-8")
    compile_bundle([tmp_path / "r.heed"], tmp_path / "out")
    return CPythonEngine(tmp_path / "out")


def test_needs_read_only_what_every_match_holds(tmp_path: Path) -> None:
    """Per alternative of a rule, its key in the index and the word sets it needs besides: whole
    words, prefixes, lists and numbers count; optional parts, gaps and /regexes/ do not."""
    examples = ('expect: "i really feel down bad"', 'expect: "selvmordsforsøg 3"', 'expect: "xxy plans"',
                'allow: "i feel fine"')
    engine = _one_rule(tmp_path, 'list feel = sad, "down bad"',
                       "i ~2 (feel | am) (so)? @feel | selvmord* #num | /x+y/ plans", examples)
    try:
        bundle = engine.module
        keys: dict[int, set] = {}
        for index, mark in ((bundle.WORD_INDEX, ""), (bundle.PREFIX_INDEX, "*")):
            for word, pairs in index.items():
                for _, alternative in (map(int, pair.split()) for pair in pairs.split("|")):
                    keys.setdefault(alternative, set()).add(word + mark)
        needs = [[int(n) for n in part.split()] for part in bundle.RULES[0].needs.split("|")]
        sets = [frozenset(entries.split(" ")) for entries in bundle.WORD_SETS]
        got = {(frozenset(keys[j]), frozenset(sets[i] for i in needs[j])) for j in keys}
    finally:
        engine.close()
    assert got == {
        (frozenset({"sad", "down"}), frozenset({frozenset({"i"}), frozenset({"feel", "am"})})),
        (frozenset({"selvmord*"}), frozenset({frozenset({"#num"})})),
        (frozenset({"plans"}), frozenset()),
    }


def test_a_repeated_list_wakes_its_rule_only_with_that_many_of_its_words(tmp_path: Path) -> None:
    """`@l ~3 @l ~3 @l`: every match holds three words of the list's key (Rule.repeats), each counted as
    often as it occurs, so a sentence with fewer does not wake the rule."""
    examples = ('expect: "i dont eat, dont sleep and stopped going out"', 'expect: "dont eat dont eat dont eat"',
                'expect: "i never sleep"', 'allow: "i dont eat and dont sleep"')
    engine = _one_rule(tmp_path, 'list chore = "dont eat", "dont sleep", "stopped going out"',
                       "@chore ~3 @chore ~3 @chore | never sleep", examples)
    try:
        bundle = engine.module
        runtime = sys.modules[type(bundle.ENGINE).__module__]

        def woken(text: str) -> list[int]:
            return bundle.ENGINE._candidates(runtime._Sentence(text), ("en",), None)

        assert bundle.RULES[0].repeats == {0: 3}
        assert woken("i dont eat and dont sleep") == []
        assert woken("dont eat dont sleep dont eat") == [0]
        assert woken("i dont eat dont sleep and stopped going out") == [0]
        assert woken("i never sleep") == [0]  # (the other alternative: one word of its key)
    finally:
        engine.close()


def test_is_question_and_utf16_helpers_agree_with_their_definitions() -> None:
    rng = random.Random(2)
    alphabet = ["?", "!", ".", " ", "\n", "a", "é", "7", "🙂", ")", "_", "’"]
    question = re.compile(r"\?[^\w]*$")
    for _ in range(3000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert T.is_question(s) == bool(question.search(s.rstrip())), repr(s)
        units = T.utf16_offsets(s)
        astral = T.astral_positions(s)
        for i in range(len(s) + 1):
            expected = units[i] if units else i
            assert i + sum(1 for p in astral if p < i) == expected


def test_long_sentences_are_scanned_from_first_words_only(bundles: dict[str, ModuleType]) -> None:
    """In a long sentence a regex is tried only where a word a match can begin with stands: the same
    matches as running it over every character."""
    from compiler.runtime.engine import _anchored, _Sentence

    rng = random.Random(6)
    sentences = [_Sentence(" ".join(rng.sample(TEXTS, n))) for n in (15, 60, 150)]
    tried = anchored = 0
    for name, bundle in bundles.items():
        patterns = [r for r in bundle.RULES if r.match] + [c for r in bundle.RULES for c in r.conditions if c.pattern]
        if name == "synthetic":
            patterns = patterns[:500]
        for sentence in sentences:
            for pat in patterns:
                regex = re.compile(pat.match if hasattr(pat, "match") else pat.pattern)
                want = [m.span() for m in regex.finditer(sentence.enc)]
                tried += 1
                starts = sentence.starts_of(pat.first) if pat.first else None
                if starts is not None:
                    anchored += 1
                    assert [m.span() for m in _anchored(regex, sentence.enc, starts)] == want, pat.first
                    # and each match begins at one of those words
                    assert all(s in starts for s, _ in want)
    assert anchored > 0.7 * tried


def test_first_words_read_only_what_is_certain() -> None:
    from compiler.runtime.engine import first_words

    start = "(?<![^ ])"
    none = frozenset()

    def one(words=none, prefixes=(), endings=(), digits=False, caseless=False, back=0):
        return caseless, ((back, frozenset(words), prefixes, endings, digits),)

    assert first_words(start + "committed suicide ") == one({"committed"})
    assert first_words(start + "(?:a |b c )d ") == one({"a", "b"})
    assert first_words(start + "selvmord[^ ]* ") == one({"selvmord"}, ("selvmord",))
    assert first_words(start + "(?:very )?bad ") == one({"very", "bad"})
    # a number: a word starting with a decimal digit (any script's, as \\d)
    assert first_words(start + "\\d+ kg ") == one(digits=True)
    assert first_words(start + "[12]\\d kg ") == one(prefixes=("1", "2"))
    # a word ending: *kniv is [^ ]*kniv
    assert first_words(start + "[^ ]*kniv(?:en)? ") == one(endings=("kniv", "kniven"))
    # case-insensitive: the letters it may meet in a lower-cased sentence (s also matches ſ, i ı)
    assert first_words(start + "(?i:xs) ") == one({"xs", "xſ"}, caseless=True)
    assert first_words(start + "(?i:[^ ]*Kniv) ") == one(endings=("kniv", "knıv"), caseless=True)
    assert first_words(start + "(?i:1)2 ") == one({"12"})  # nothing cased
    # any words first: the match begins that many words before the word read
    assert first_words(start + "[^ ]+ kg ") == one({"kg"}, back=1)
    assert first_words(start + "[^ ]+ (?:[^ ]+ ){0,2}kg ") == (False, tuple(
        (n, frozenset({"kg"}), (), (), False) for n in (1, 2, 3)))
    assert first_words(start + "(?:[^ ]+ )*kg ") is None  # any number of words
    assert first_words(start + "[a-zæøå]+s ") is None  # too many first letters
    # ... but that word surely ends at the space, so the next one is read
    assert first_words(start + "[a-zæøå]+s (?:sister |brother )") == one({"sister", "brother"}, back=1)
    assert first_words(start + "(?:[^a-z]|x)+s (?:sister |brother )") is None  # [^a-z] matches a space
    assert first_words(start + "(?i:[^ ]*) ") is None
    assert first_words("committed ") is None  # no start-of-word assertion


def test_case_insensitive_first_words_are_not_used_where_lower_casing_changes_something() -> None:
    from compiler.runtime.engine import Cond, _anchored, _scan, _Sentence

    long = " ".join(["filler words here"] * 60)
    cond = Cond("sentence", True, pattern="(?<![^ ])(?i:[^ ]*kniv) ")
    for text in (long + " køkkenkniv", long + " KØKKENKNIV", long + " \u0130 kniv"):
        sentence = _Sentence(text)
        want = [m.span() for m in cond.regex.finditer(sentence.enc)]
        assert [m.span() for m in _scan(cond, sentence)] == want
        starts = sentence.starts_of(cond.first)
        if sentence.enc.lower() == sentence.enc:
            assert [m.span() for m in _anchored(cond.regex, sentence.enc, starts)] == want
        else:
            assert starts is None


def test_sentence_ends_are_found_as_the_regex_finds_them() -> None:
    rng = random.Random(8)
    alphabet = ["a", "B", "Æ", ".", "..", "?", "!", "…", "\n", " ", "  ", '"', "'", "”", "’", ")", "]", "1", "str",
                "\t", ","]
    for _ in range(20_000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        assert [m.span() for m in T._sentence_ends(s)] == [m.span() for m in T._END.finditer(s)], repr(s)
