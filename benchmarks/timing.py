"""Timing loops that run *inside* the runtime being measured: CPython, or Pyodide (loaded by
benchmarks/pyodide_bench.mjs), so no Node <-> Python crossing is mixed into the figures.

Standard library only. Every function takes a loaded `heed_bundle` module and returns plain data
(numbers in nanoseconds) that benchmarks/run.py turns into tables.

"Cold" means the engine's per-sentence cache is emptied before the call, so every sentence is matched
again (a text never seen before); "warm" means the same text is checked again, as happens when a
keystroke leaves most sentences unchanged.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

_now = time.perf_counter_ns


def load_bundle(folder: str, name: str) -> tuple[ModuleType, int]:
    """Import `folder/heed_bundle` under a private module name; returns (module, import time in ns)."""
    init = Path(folder) / "heed_bundle" / "__init__.py"
    spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[str(init.parent)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    t0 = _now()
    spec.loader.exec_module(module)
    return module, _now() - t0


def _clear(bundle: ModuleType, words: bool = False) -> None:
    """Empty the per-sentence cache; with `words`, also what the engine keeps per distinct word."""
    bundle.ENGINE._cache.clear()
    if words:
        bundle.ENGINE._words.clear()


def _median(xs: list[int]) -> int:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) // 2


def _annotator(bundle: ModuleType, naive: object = None):
    """annotate_json of the bundle, or the same JSON from the naive engine."""
    if naive is None:
        return bundle.annotate_json
    import json

    def annotate(text, lang=None, context=None):
        return json.dumps(naive.annotate(text, lang, context), ensure_ascii=False)

    return annotate


def comments(bundle: ModuleType, items: list[dict], rounds: int, naive: object = None) -> dict:
    """Per-comment median time over `rounds` of annotate_json(text, None, context): cold (no sentence
    cached), warm (the same text again) and fresh (not even the words looked up before).

    With `naive` (a benchmarks.naive.NaiveEngine), times its annotate instead; it has no cache, so
    only cold figures are given."""
    cold = [[] for _ in items]
    warm = [[] for _ in items]
    fresh = [[] for _ in items]
    annotate = _annotator(bundle, naive)
    for _ in range(rounds):
        for i, item in enumerate(items):
            text, context = item["text"], item.get("context")
            _clear(bundle)
            t0 = _now()
            annotate(text, None, context)
            t1 = _now()
            cold[i].append(t1 - t0)
            if naive is None:
                t0 = _now()
                annotate(text, None, context)
                warm[i].append(_now() - t0)
        # in a pass of its own: right after the same text, the processor's caches would flatter it
        if naive is None:
            # the per-word memo as the cold calls had it: emptied before every fresh call, it would
            # otherwise make the next round's cold calls look their words up again (every distinct word
            # once per round), which is not what cold measures
            kept = dict(bundle.ENGINE._words)
        for i, item in enumerate(items if naive is None else ()):
            _clear(bundle, words=True)
            t0 = _now()
            annotate(item["text"], None, item.get("context"))
            fresh[i].append(_now() - t0)
        if naive is None:
            bundle.ENGINE._words.update(kept)
    return {"cold": [_median(c) for c in cold], "warm": [_median(w) for w in warm] if naive is None else None,
            "fresh": [_median(f) for f in fresh] if naive is None else None, "cold_min": [min(c) for c in cold]}


def lengths(bundle: ModuleType, texts: list[str], budget_ns: int = 2_000_000_000, naive: object = None) -> list[int]:
    """Median cold time per text (the longer the text, the fewer rounds, within a time budget)."""
    out = []
    annotate = _annotator(bundle, naive)
    per_text = budget_ns // max(1, len(texts))
    for text in texts:
        times = []
        spent = 0
        while len(times) < 3 or (spent < per_text and len(times) < 41):
            _clear(bundle)
            t0 = _now()
            annotate(text)
            dt = _now() - t0
            times.append(dt)
            spent += dt
        out.append(_median(times))
    return out


def count_work(bundle: ModuleType, calls: list[tuple[str, str | None]]) -> dict:
    """Run annotate over (text, context) pairs on a cold cache and count what the engine did: sentences
    matched (cache misses), rules woken by the word index, and regex searches of rule patterns."""
    engine = bundle.ENGINE
    counts = {"sentences": 0, "woken": 0}
    original = engine._candidates

    def counting(*args):
        found = original(*args)
        counts["sentences"] += 1
        counts["woken"] += len(found)
        return found

    engine._candidates = counting
    try:
        _clear(bundle)
        for text, context in calls:
            bundle.annotate(text, None, context)
    finally:
        del engine._candidates
    if sys.platform != "emscripten":  # (tracing every bytecode would take minutes in Pyodide)
        counts["bytecodes_per_call"] = bytecodes(bundle, calls)
    return counts


def bytecodes(bundle: ModuleType, calls: list[tuple[str, str | None]]) -> float:
    """Python bytecodes executed per cold annotate_json call: the engine's own steps, counted. Unlike a
    time, the count does not move with the load of a shared machine, so it compares two engines."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        frame.f_trace_opcodes = True
        if event == "opcode":
            count += 1
        return tracer

    for text, context in calls:  # the word memo warm, as in the "cold" timings
        bundle.annotate_json(text, None, context)
    sys.settrace(tracer)
    try:
        for text, context in calls:
            _clear(bundle)
            bundle.annotate_json(text, None, context)
    finally:
        sys.settrace(None)
    return count / max(1, len(calls))


def keystrokes(bundle: ModuleType, text: str, positions: list[int], rounds: int = 3) -> dict:
    """Type one letter at each position of a long text already checked once (the cache is warm):
    the time of each re-check, the time of a full cold check, and how many sentences each re-check
    matched again."""
    engine = bundle.ENGINE
    full = []
    for _ in range(rounds):
        _clear(bundle)
        t0 = _now()
        bundle.annotate_json(text)
        full.append(_now() - t0)
    after = []
    matched = []
    for _ in range(rounds):
        _clear(bundle)
        bundle.annotate_json(text)
        current = text
        for p in positions:
            current = current[:p] + "x" + current[p:]
            t0 = _now()
            bundle.annotate_json(current)
            after.append(_now() - t0)
    # Count the sentences matched again per keystroke in a separate pass (counting costs time).
    original = engine._candidates
    n = [0]

    def counting(*args):
        n[0] += 1
        return original(*args)

    _clear(bundle)
    bundle.annotate_json(text)
    engine._candidates = counting
    try:
        current = text
        for p in positions:
            current = current[:p] + "x" + current[p:]
            n[0] = 0
            bundle.annotate_json(current)
            matched.append(n[0])
    finally:
        del engine._candidates
    return {"full": _median(full), "keystroke": _median(after), "keystroke_max": max(after),
            "matched": matched, "chars": len(text)}


def check_against_naive(bundle: ModuleType, naive: object, items: list[dict]) -> dict:
    """Hints of the engine and of the naive matcher, compared call by call in this runtime."""
    differ = 0
    hints = 0
    for item in items:
        got = bundle.annotate(item["text"], None, item.get("context"))
        hints += len(got)
        if got != naive.annotate(item["text"], None, item.get("context")):
            differ += 1
    return {"calls": len(items), "differ": differ, "hints": hints}


def rule_costs(bundle: ModuleType, items: list[dict], top: int = 10) -> list[dict]:
    """The rules whose regexes cost the most over the comments (as the engine runs them: woken by the
    index, past the needed-words filter and the gates of their required conditions), with the words
    that woke them most often. The walk is `heed cost`'s (compiler.cost.measure), timing the regex
    alone where `heed cost` times the rule's conditions and hits too. CPython only: the compiler is
    not in Pyodide."""
    from compiler.cost import measure

    def regex_only(engine, sentence, idx: int, text_held: int) -> list:
        found = next(engine.rules[idx].regex.finditer(sentence.enc), None)
        return [] if found is None else [found]

    report = measure(bundle, items, run=regex_only)
    chars = {rule.id: len(rule.match or "") for rule in bundle.ENGINE.rules}
    n = max(1, len(items))
    return [{"id": r.id, "runs": r.runs, "ns": r.ns, "regex_chars": chars[r.id], "run_share": r.run_share,
             "keys": [k for k, _ in sorted(r.keys.items(), key=lambda kv: (-kv[1], kv[0]))[:5]],
             "ns_per_comment": r.ns / n, "ns_per_run": r.ns / max(1, r.runs)} for r in report.rules[:top]]


def json_overhead(rounds: int = 2000) -> dict:
    """What json.dumps(x, ensure_ascii=False) costs per call over a JSONEncoder made once (the bundle's
    annotate_json builds a new encoder on every call), for an empty list of hints."""
    import json

    encoder = json.JSONEncoder(ensure_ascii=False)
    a, b = [], []
    for _ in range(rounds):
        t0 = _now()
        json.dumps([], ensure_ascii=False)
        t1 = _now()
        encoder.encode([])
        a.append(t1 - t0)
        b.append(_now() - t1)
    return {"dumps": _median(a), "encoder": _median(b)}


def regex_floor(texts: list[str], rounds: int = 5) -> int:
    """Median time of one compiled regular expression searched over each text: the floor per comment."""
    import re

    rx = re.compile(r"(?<![^ ])committed (?:suicide|selvmord) ")
    times = []
    for _ in range(rounds):
        for t in texts:
            t0 = _now()
            rx.search(t)
            times.append(_now() - t0)
    return _median(times)


def run_job(job: dict, bundles: dict[str, ModuleType]) -> list[dict]:
    """Run job["tasks"] in order; the same driver for CPython and Pyodide. Each task names a bundle and
    what to measure; the result repeats the task's name and bundle next to the figures."""
    from naive import NaiveEngine  # benchmarks/ is on sys.path in both runtimes

    out = []
    for task in job["tasks"]:
        bundle = bundles[task["bundle"]]
        what = task["what"]
        naive = NaiveEngine(bundle) if task.get("naive") else None
        if what == "comments":
            items = job["comment_sets"][task["set"]]
            figures = comments(bundle, items, task["rounds"], naive)
        elif what == "lengths":
            figures = {"times": lengths(bundle, job["length_texts"][task["series"]], task["budget_ns"], naive)}
        elif what == "count":
            items = job["comment_sets"][task["set"]]
            figures = count_work(bundle, [(i["text"], i.get("context")) for i in items])
        elif what == "keystroke":
            figures = keystrokes(bundle, job["keystroke"]["text"], job["keystroke"]["positions"], task["rounds"])
        elif what == "rule_costs":
            figures = {"rules": rule_costs(bundle, job["comment_sets"][task["set"]])}
        elif what == "hints":
            items = job["comment_sets"][task["set"]]
            figures = {"counts": [len(bundle.annotate(i["text"], None, i.get("context"))) for i in items]}
        elif what == "check":
            items = job["comment_sets"][task["set"]]
            figures = check_against_naive(bundle, NaiveEngine(bundle), items)
        elif what == "floor":
            figures = {"ns": regex_floor([i["text"].lower() for i in job["comment_sets"][task["set"]]]),
                       "json_ns": json_overhead()}
        else:
            raise ValueError(f"unknown task {what!r}")
        out.append({**{k: v for k, v in task.items()}, **figures})
    return out
