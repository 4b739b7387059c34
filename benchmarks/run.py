"""The heed benchmark: one command that measures the engine and writes docs/benchmarks.md.

    .venv/bin/python benchmarks/run.py            # full run, a few minutes
    .venv/bin/python benchmarks/run.py --quick    # fewer rounds, for a look

What it measures (figures are printed and written to docs/benchmarks.md with plots in docs/benchmarks/):
- per-comment median, p95, p99 and characters per millisecond of the shipped rules, in CPython and
  inside Pyodide (timed by a Python loop running in Pyodide, see benchmarks/timing.py), cold (cache
  emptied: a text never seen) and warm (the same text again), plus the JavaScript round trip;
- scaling with synthetic rule sets (benchmarks/synth.py) of 100, 1,000 and 10,000 rules and with text
  length from 100 to 50,000 characters;
- peers on the same English comments: alex (npm) and the naive engine (benchmarks/naive.py);
- a keystroke in a long text: time and how many sentences are matched again;
- compile time of the shipped rules and of 10,000 rules, bundle size, Pyodide cold start.

The machine may be shared: every figure is a median over rounds, and ratios are taken within one run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import re
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
for p in (str(ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

import synth  # noqa: E402
import timing  # noqa: E402

from compiler import __version__  # noqa: E402
from compiler.check import check  # noqa: E402
from compiler.codegen import write_package  # noqa: E402
from compiler.parse import parse_files  # noqa: E402
from compiler.ruleset import build_ruleset  # noqa: E402
from compiler.wheel import build_wheel  # noqa: E402

LENGTHS = [100, 300, 1_000, 3_000, 10_000, 30_000, 50_000]
SERIES = {"paragraphs": "comments one per line", "one sentence": "no sentence ends at all"}
TARGETS = {"median_ms": 0.1, "p95_ms": 1.0, "alex_ratio": 20.0, "rules_ratio": 1.5, "long_ms": 100.0,
           "compile_s": 10.0}


# --- inputs ----------------------------------------------------------------------------------------

def load_corpus() -> list[dict]:
    items = []
    for lang in ("en", "da"):
        for line in (ROOT / "tests" / "corpus" / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            items.append({"text": row["text"], "context": row.get("context"), "lang": row["lang"]})
    return items


def long_comments(corpus: list[dict], n: int, rng: random.Random) -> list[dict]:
    """Comments of 500 to 2,000 characters: corpus comments of one language run together."""
    out = []
    for i in range(n):
        lang = ("en", "da")[i % 2]
        pool = [c["text"] for c in corpus if c["lang"] == lang]
        goal = rng.randint(500, 2000)
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < goal:
            parts.append(rng.choice(pool))
        out.append({"text": " ".join(parts)[:goal].rstrip(), "context": None, "lang": lang})
    return out


def length_texts(corpus: list[dict], rng: random.Random) -> dict[str, list[str]]:
    """For each series and length: three texts (English, Danish, mixed) cut to exactly that length."""
    out: dict[str, list[str]] = {s: [] for s in SERIES}
    pools = [[c["text"] for c in corpus if c["lang"] == "en"], [c["text"] for c in corpus if c["lang"] == "da"],
             [c["text"] for c in corpus]]
    for length in LENGTHS:
        for pool in pools:
            order = pool[:]
            rng.shuffle(order)
            body = "\n".join(order)
            while len(body) < length:
                body += "\n" + body
            para = body[:length]
            out["paragraphs"].append(para)
            flat = para.translate({ord(c): "," for c in ".?!…\n"})
            out["one sentence"].append(flat)
    return out


def keystroke_positions(text: str, n: int) -> list[int]:
    """n places spread over the text, each inside a word, where one letter will be typed."""
    out = []
    for k in range(n):
        p = (k + 1) * len(text) // (n + 1)
        while p < len(text) - 1 and not (text[p - 1].isalpha() and text[p].isalpha()):
            p += 1
        out.append(p + k)  # each earlier keystroke moved the text on by one
    return out


# --- compiling -------------------------------------------------------------------------------------

def compile_timed(paths: list[Path], out_dir: Path) -> dict:
    """compile_bundle's steps (compiler/bundle.py), each timed; the bundle's sizes."""
    t0 = time.perf_counter()
    files = parse_files(paths)
    t1 = time.perf_counter()
    program = check(files)
    t2 = time.perf_counter()
    ruleset = build_ruleset(program)
    t3 = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("heed_bundle-*.whl"):
        old.unlink()
    package = write_package(ruleset, out_dir, version=__version__, files=sorted(program.display.values()))
    t4 = time.perf_counter()
    wheel = build_wheel(package, out_dir, version=__version__, summary=f"heed rules {ruleset.hash}")
    t5 = time.perf_counter()
    return {
        "rules": len(ruleset.rules),
        "parse_s": t1 - t0, "check_s": t2 - t1, "ruleset_s": t3 - t2, "codegen_s": t4 - t3, "wheel_s": t5 - t4,
        "total_s": t5 - t0,
        "wheel_bytes": wheel.stat().st_size,
        "rules_py_bytes": (package / "rules.py").stat().st_size,
        "package_bytes": sum(f.stat().st_size for f in package.iterdir() if f.is_file()),
        "wheel": str(wheel),
        "dir": str(out_dir),
    }


def profile_compile(paths: list[Path], out_dir: Path, top: int = 14) -> str:
    prof = cProfile.Profile()
    prof.enable()
    compile_timed(paths, out_dir)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    text = buf.getvalue().replace(str(ROOT) + "/", "")
    text = re.sub(r"\S*/site-packages/", "", text)
    text = re.sub(r"\S*/lib/python3\.\d+/", "", text)
    lines = [line for line in text.splitlines() if line.strip() and "Ordered by" not in line
             and "List reduced" not in line]
    return "\n".join(lines)


# --- statistics ------------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, int(round(q / 100 * len(s) + 0.5)) - 1))
    return s[k]


def summary(ns: list[int], texts: list[str]) -> dict:
    ms = [x / 1e6 for x in ns]
    chars = sum(len(t) for t in texts)
    return {"n": len(ms), "median_ms": pct(ms, 50), "p95_ms": pct(ms, 95), "p99_ms": pct(ms, 99),
            "max_ms": max(ms), "chars_per_ms": chars / sum(ms) if sum(ms) else float("inf")}


# --- running ---------------------------------------------------------------------------------------

RARE = "synthetic-10000-rare"

RARE_NOTE = ("Two models of a growing rule set, both measured: in `synth.py`'s default half of every"
             " size's words come from the corpus, so 10,000 rules find about ten times the hints of 1,000 on"
             " the same comments, and each hint costs its matching, offsets and JSON; a rule set that grows"
             " by new languages and topics adds rules that the same comments do not wake, which the rare-word"
             " set models (`synth.py 10000 --real-share 0.05`: as many rules keyed on corpus words as the"
             " 1,000 set). The second is the cost of the rule count itself, the first adds the cost of the"
             " extra hints.")


def measures_growth(sizes: list[int]) -> bool:
    """Whether the synthetic sizes include 1,000 and 10,000 rules: the growth target compares them."""
    return {1000, 10000} <= set(sizes)


def make_job(args: argparse.Namespace, corpus: list[dict], sizes: list[int], rng: random.Random) -> dict:
    rounds = 3 if args.quick else 7
    sets = {
        "corpus": [{"text": c["text"], "context": c["context"]} for c in corpus],
        "long": [{"text": c["text"]} for c in long_comments(corpus, 60 if args.quick else 150, rng)],
        "en": [{"text": c["text"]} for c in corpus if c["lang"] == "en"],
        "sample": [{"text": c["text"], "context": c["context"]} for c in rng.sample(corpus, 120)],
    }
    texts = length_texts(corpus, rng)
    key_text = texts["paragraphs"][LENGTHS.index(50_000) * 3]
    budget = (1 if args.quick else 3) * 1_000_000_000
    tasks = [
        {"bundle": "shipped", "what": "comments", "set": "corpus", "rounds": rounds},
        {"bundle": "shipped", "what": "comments", "set": "long", "rounds": rounds},
        {"bundle": "shipped", "what": "comments", "set": "en", "rounds": rounds},
        {"bundle": "shipped", "what": "comments", "set": "en", "rounds": max(2, rounds // 2), "naive": True},
        {"bundle": "shipped", "what": "floor", "set": "corpus"},
        {"bundle": "shipped", "what": "count", "set": "corpus"},
        {"bundle": "shipped", "what": "keystroke", "rounds": 3},
        {"bundle": "shipped", "what": "check", "set": "corpus"},
    ]
    for series in SERIES:
        tasks.append({"bundle": "shipped", "what": "lengths", "series": series, "budget_ns": budget})
    for n in sizes:
        name = f"synthetic-{n}"
        tasks += [
            {"bundle": name, "what": "comments", "set": "corpus", "rounds": rounds},
            {"bundle": name, "what": "count", "set": "corpus"},
            {"bundle": name, "what": "hints", "set": "corpus"},
            {"bundle": name, "what": "comments", "set": "sample", "rounds": 1 if n >= 5000 else 2, "naive": True},
            {"bundle": name, "what": "lengths", "series": "paragraphs", "budget_ns": budget // 2},
        ]
        if n <= 1000:
            tasks.append({"bundle": name, "what": "check", "set": "corpus"})
    if measures_growth(sizes):
        tasks += [{"bundle": RARE, "what": "comments", "set": "corpus", "rounds": rounds},
                  {"bundle": RARE, "what": "hints", "set": "corpus"}]
    return {"tasks": tasks, "comment_sets": sets, "length_texts": texts,
            "keystroke": {"text": key_text, "positions": keystroke_positions(key_text, 20)}}


def run_cpython(job: dict, builds: dict[str, dict]) -> dict:
    tasks = [*job["tasks"], {"bundle": "shipped", "what": "rule_costs", "set": "corpus"}]
    bundles = {}
    imports = {}
    results = []
    # The shipped bundle first, timed before the synthetic ones are imported (in the extension it runs
    # alone; a process holding 10,000 more rules runs it measurably slower), then the rest.
    for names in (["shipped"], [n for n in builds if n != "shipped"]):
        for name in names:
            module, ns = timing.load_bundle(builds[name]["dir"], f"_bench_{name.replace('-', '_')}")
            bundles[name] = module
            imports[name] = ns / 1e6
        if names == ["shipped"]:
            bundles["shipped"].annotate_json("warm up: he committed suicide. han begik selvmord.")
        results += timing.run_job({**job, "tasks": [t for t in tasks if t["bundle"] in names]}, bundles)
    return {"import_ms": imports, "tasks": results}


def run_pyodide(job: dict, builds: dict[str, dict], build_dir: Path, cold_samples: int) -> dict:
    job_path = build_dir / "pyodide-job.json"
    out_path = build_dir / "pyodide-result.json"
    full_job = {**job, "shipped_wheel": builds["shipped"]["wheel"], "roundtrip_set": "corpus",
                "roundtrip_rounds": 3,
                "bundles": [{"name": n, "wheel": b["wheel"]} for n, b in builds.items() if n != "shipped"]}
    job_path.write_text(json.dumps(full_job), encoding="utf-8")
    node = ["node", str(HERE / "pyodide_bench.mjs")]
    subprocess.run([*node, str(job_path), str(out_path)], check=True, cwd=ROOT)
    result = json.loads(out_path.read_text(encoding="utf-8"))
    colds = [result["startup"]]
    for _ in range(cold_samples):
        line = subprocess.run([*node, "--cold", builds["shipped"]["wheel"]], check=True, cwd=ROOT,
                              capture_output=True, text=True).stdout.strip().splitlines()[-1]
        colds.append(json.loads(line))
    result["cold_starts"] = colds
    return result


def run_alex(texts: list[str], rounds: int, build_dir: Path) -> dict:
    inp = build_dir / "alex-in.json"
    out = build_dir / "alex-out.json"
    inp.write_text(json.dumps({"texts": texts, "rounds": rounds}), encoding="utf-8")
    subprocess.run(["node", str(HERE / "alex_bench.mjs"), str(inp), str(out)], check=True, cwd=ROOT)
    return json.loads(out.read_text(encoding="utf-8"))


def find(tasks: list[dict], **match) -> dict:
    for t in tasks:
        if all(t.get(k) == v for k, v in match.items()):
            return t
    raise KeyError(match)


def corpus_times(tasks: list[dict], bundle: str, texts: list[str]) -> dict:
    """Cold and warm summaries of a bundle's timed pass over the corpus comments."""
    t = find(tasks, bundle=bundle, what="comments", set="corpus", naive=None)
    return {"cold": summary(t["cold"], texts), "warm": summary(t["warm"], texts)}


# --- report ----------------------------------------------------------------------------------------

def fmt(x: float, unit: str = "") -> str:
    if x != x:
        return "n/a"
    if x >= 100:
        s = f"{x:,.0f}"
    elif x >= 10:
        s = f"{x:.1f}"
    elif x >= 1:
        s = f"{x:.2f}"
    else:
        s = f"{x:.3f}"
    return s + unit


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def plots(res: dict, out_dir: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    made = []
    runtimes = [r for r in ("cpython", "pyodide") if r in res["runs"]]
    names = ["shipped", *[f"synthetic-{n}" for n in res["sizes"]]]

    # 1. time against text length
    fig, axes = plt.subplots(1, len(runtimes), figsize=(6 * len(runtimes), 4.4), squeeze=False)
    for ax, rt in zip(axes[0], runtimes):
        lengths = res["lengths"][rt]
        for name in names:
            for series, style in (("paragraphs", "-"), ("one sentence", "--")):
                ys = lengths.get(name, {}).get(series)
                if ys:
                    label = f"{res['labels'][name]}" + ("" if series == "paragraphs" else " (one sentence)")
                    ax.plot(LENGTHS, ys, style, marker="o", ms=3, label=label)
        ref = lengths["shipped"]["paragraphs"]
        ax.plot(LENGTHS, [ref[0] * n / LENGTHS[0] for n in LENGTHS], ":", color="grey", label="linear")
        if rt == "pyodide":
            ax.axhline(TARGETS["long_ms"], color="red", lw=0.8, ls=":", label="100 ms")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("characters")
        ax.set_ylabel("ms per text (cold)")
        ax.set_title(rt)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out_dir / "length.png", dpi=110)
    plt.close(fig)
    made.append("length.png")

    # 2. time per comment against number of rules
    fig, ax = plt.subplots(figsize=(6.5, 4.4))
    xs = res["sizes"]
    for rt, color in (("cpython", "tab:blue"), ("pyodide", "tab:orange")):
        if rt not in res["runs"]:
            continue
        sc = res["scaling"][rt]
        ax.plot(xs, [sc[f"synthetic-{n}"]["cold"]["median_ms"] for n in xs], "-o", color=color,
                label=f"{rt}: engine, median")
        ax.plot(xs, [sc[f"synthetic-{n}"]["cold"]["p95_ms"] for n in xs], ":o", color=color,
                label=f"{rt}: engine, p95")
        ax.plot(xs, [sc[f"synthetic-{n}"]["naive"]["median_ms"] for n in xs], "--x", color=color,
                label=f"{rt}: naive, median")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rules")
    ax.set_ylabel("ms per comment (cold)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out_dir / "rules.png", dpi=110)
    plt.close(fig)
    made.append("rules.png")

    # 3. distribution of per-comment times
    fig, ax = plt.subplots(figsize=(6.5, 4.4))
    curves = []
    for rt in runtimes:
        curves.append((f"{rt} cold", res["raw"][rt]["en_cold"]))
        curves.append((f"{rt} warm", res["raw"][rt]["en_warm"]))
    if res.get("alex"):
        curves.append(("alex (Node)", res["alex"]["ms"]))
    for label, ms in curves:
        s = sorted(ms)
        ax.plot(s, [(i + 1) / len(s) for i in range(len(s))], label=label)
    ax.axvline(TARGETS["median_ms"], color="red", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_xlabel("ms per English comment")
    ax.set_ylabel("share of comments")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out_dir / "comments.png", dpi=110)
    plt.close(fig)
    made.append("comments.png")
    return made


def analyse(res: dict) -> dict:
    """Turn raw task results into the figures the report shows."""
    job = res["job"]
    sets = job["comment_sets"]
    res["summary"], res["scaling"], res["lengths"], res["raw"], res["keystroke"], res["counts"] = {}, {}, {}, {}, {}, {}
    for rt, run in res["runs"].items():
        tasks = run["tasks"]
        s = res["summary"][rt] = {}
        for name in ("corpus", "long", "en"):
            t = find(tasks, bundle="shipped", what="comments", set=name, naive=None)
            texts = [i["text"] for i in sets[name]]
            s[name] = {k: summary(t[k], texts) for k in ("cold", "warm", "fresh")}
            if name == "corpus":
                short = [i for i, x in enumerate(texts) if len(x) <= 500]
                s["short"] = {k: summary([t[k][i] for i in short], [texts[i] for i in short])
                              for k in ("cold", "warm", "fresh", "cold_min")}
        t = find(tasks, bundle="shipped", what="comments", set="en", naive=True)
        s["naive_en"] = summary(t["cold"], [i["text"] for i in sets["en"]])
        s["floor_ms"] = find(tasks, what="floor")["ns"] / 1e6
        en = find(tasks, bundle="shipped", what="comments", set="en", naive=None)
        res["raw"][rt] = {"en_cold": [x / 1e6 for x in en["cold"]], "en_warm": [x / 1e6 for x in en["warm"]]}
        res["keystroke"][rt] = find(tasks, what="keystroke")
        lengths = res["lengths"][rt] = {}
        for t in tasks:
            if t["what"] == "lengths":
                per = t["times"]
                # three texts per length: the median of their times
                lengths.setdefault(t["bundle"], {})[t["series"]] = [
                    sorted(per[3 * i: 3 * i + 3])[1] / 1e6 for i in range(len(LENGTHS))]
        sc = res["scaling"][rt] = {}
        counts = res["counts"][rt] = {}
        corpus_texts = [i["text"] for i in sets["corpus"]]
        for name in ["shipped", *[f"synthetic-{n}" for n in res["sizes"]]]:
            sc[name] = corpus_times(tasks, name, corpus_texts)
            if name != "shipped":
                nv = find(tasks, bundle=name, what="comments", set="sample", naive=True)
                sc[name]["naive"] = summary(nv["cold"], [i["text"] for i in sets["sample"]])
            c = find(tasks, bundle=name, what="count")
            counts[name] = {"woken_per_sentence": c["woken"] / max(1, c["sentences"]), **c}
            if name != "shipped":
                counts[name]["hints"] = find(tasks, bundle=name, what="hints")["counts"]
        if RARE in res["builds"]:
            sc[RARE] = corpus_times(tasks, RARE, corpus_texts)
            hints = find(tasks, bundle=RARE, what="hints")["counts"]
            counts[RARE] = {"hints_per_comment": sum(hints) / len(hints)}
        if measures_growth(res["sizes"]):
            # comments on which neither rule set finds anything: the cost of looking, without the
            # cost of the hints (10,000 rules drawn from the same words find many more)
            a, b = counts["synthetic-1000"]["hints"], counts["synthetic-10000"]["hints"]
            quiet = [i for i in range(len(a)) if a[i] == 0 and b[i] == 0]
            t1 = find(tasks, bundle="synthetic-1000", what="comments", set="corpus", naive=None)["cold"]
            t10 = find(tasks, bundle="synthetic-10000", what="comments", set="corpus", naive=None)["cold"]
            res.setdefault("quiet", {})[rt] = {
                "n": len(quiet),
                "m1": pct([t1[i] / 1e6 for i in quiet], 50), "m10": pct([t10[i] / 1e6 for i in quiet], 50),
                "hints1": sum(a) / len(a), "hints10": sum(b) / len(b)}
    return res


def report(res: dict, command: str) -> str:
    rts = [r for r in ("cpython", "pyodide") if r in res["runs"]]
    lab = res["labels"]
    builds = res["builds"]
    py = res["summary"].get("pyodide", res["summary"].get("cpython"))
    best = "pyodide" if "pyodide" in rts else "cpython"
    out = [
        "# Benchmarks",
        "",
        f"Made by `{command}` on {res['when']} ({res['machine']}). The machine is shared: every figure is a"
        " median over rounds, ratios compare figures from the same run, and a rerun moves the numbers by"
        " 10-30 %.",
        "",
        "Times are per call of `annotate_json(text, None, context)`, the call the extension makes. **Cold**: the"
        " engine's per-sentence cache is emptied first, so every sentence is matched (a text never seen before);"
        " what the engine keeps per distinct word (the rules it wakes, the word sets it is in) and the compiled"
        " regexes stay, as they do while someone types. **Fresh**: that per-word memo emptied too (every word"
        " looked up as if for the first time). **Warm**: the same text again, all sentences from the cache (what"
        " most keystrokes cost). In Pyodide"
        " the loop that times the calls runs in Python inside Pyodide (`benchmarks/timing.py`), so no"
        " JavaScript/Python crossing is counted; the round trip from JavaScript is given separately.",
        "",
        "## Targets",
        "",
    ]
    trows = []
    short = py["short"]["cold"]
    low = py["short"]["cold_min"]
    trows.append([f"median per comment <= 500 chars, {best}, shipped rules (cold)", "<= 0.1 ms",
                  fmt(short["median_ms"], " ms") + f" (best of rounds: {fmt(low['median_ms'], ' ms')})",
                  "yes" if short["median_ms"] <= TARGETS["median_ms"] else "**no**"])
    trows.append([f"p95 per comment <= 500 chars, {best} (cold)", "<= 1 ms",
                  fmt(short["p95_ms"], " ms") + f" (best of rounds: {fmt(low['p95_ms'], ' ms')})",
                  "yes" if short["p95_ms"] <= TARGETS["p95_ms"] else "**no**"])
    if res.get("alex"):
        ratio = res["alex_ratio"][best]
        trows.append([f"faster than alex, English comments, {best} vs alex in Node (medians)", ">= 20x",
                      f"{ratio:.0f}x", "yes" if ratio >= TARGETS["alex_ratio"] else "**no**"])
    if measures_growth(res["sizes"]):
        for rt in rts:
            sc = res["scaling"][rt]
            for name, growth in (("synthetic-10000", "half of the new rules keyed on the corpus's words (10x the"
                                  " hints)"),
                                 (RARE, "the new rules keyed on rare words (as many corpus-word rules as at 1,000)")):
                if name in sc:
                    r = sc[name]["cold"]["median_ms"] / sc["synthetic-1000"]["cold"]["median_ms"]
                    trows.append([f"1,000 -> 10,000 rules, median per comment, {rt}: {growth}", "<= 1.5x",
                                  f"{r:.2f}x", "yes" if r <= TARGETS["rules_ratio"] else "**no**"])
    for rt in rts:
        long_ms = res["lengths"][rt]["shipped"]["paragraphs"][-1]
        flat_ms = res["lengths"][rt]["shipped"]["one sentence"][-1]
        worst = max(long_ms, flat_ms)
        trows.append([f"50,000 characters, shipped rules, {rt} (cold, worst series)", "< 100 ms",
                      fmt(worst, " ms"), "yes" if worst < TARGETS["long_ms"] else "**no**"])
    ks = res["keystroke"][best]
    one = all(m == 1 for m in ks["matched"])
    trows.append(["a keystroke in a 50,000-char text re-matches only the edited sentence",
                  "1 sentence", f"{min(ks['matched'])}-{max(ks['matched'])} sentence(s)", "yes" if one else "**no**"])
    if "synthetic-10000" in builds:
        c = builds["synthetic-10000"]["compile"]
        trows.append(["compile 10,000 rules", "< 10 s", fmt(c["total_s"], " s"),
                      "yes" if c["total_s"] < TARGETS["compile_s"] else "**no**"])
    out += [table(["target", "goal", "measured", "met"], trows), "", *DESIGN, ""]

    out += ["## Per comment, shipped rules", "",
            f"{builds['shipped']['compile']['rules']} rules. Corpus: the {py['corpus']['cold']['n']} labelled comments"
            " of `tests/corpus/` (Danish and English, 4 to ~550 characters, with their reply context), of which"
            f" {py['short']['cold']['n']} are <= 500 characters; long: {py['long']['cold']['n']} comments of 500 to"
            " 2,000 characters made by running corpus comments together.", ""]
    rows = []
    for rt in rts:
        s = res["summary"][rt]
        for name, label in (("short", "<= 500 chars"), ("long", "500-2,000 chars")):
            for kind in ("cold", "warm", "fresh"):
                f = s[name][kind]
                rows.append([rt, label, kind, fmt(f["median_ms"]), fmt(f["p95_ms"]), fmt(f["p99_ms"]),
                             fmt(f["max_ms"]), fmt(f["chars_per_ms"])])
    out += [table(["runtime", "comments", "cache", "median ms", "p95 ms", "p99 ms", "max ms", "chars/ms"], rows), ""]
    for rt in rts:
        j = find(res["runs"][rt]["tasks"], what="floor")["json_ns"]
        out.append(f"- {rt}: one compiled regular expression searched over a corpus comment takes"
                   f" {fmt(res['summary'][rt]['floor_ms'] * 1000)} µs (the floor); `json.dumps([], ensure_ascii=False)`"
                   f" {fmt(j['dumps'] / 1000)} µs against {fmt(j['encoder'] / 1000)} µs with an encoder made once.")
    if "pyodide" in rts:
        rt_ = res["runs"]["pyodide"]["roundtrip"]
        texts = [i["text"] for i in res["job"]["comment_sets"]["corpus"]]
        cold = summary([x * 1e6 for x in rt_["cold_ms"]], texts)
        warm = summary([x * 1e6 for x in rt_["warm_ms"]], texts)
        inside = res["summary"]["pyodide"]["corpus"]
        out.append(f"- Round trip from JavaScript (`bundle.annotate_json(text)` through the Pyodide proxy, corpus):"
                   f" cold median {fmt(cold['median_ms'])} ms, p95 {fmt(cold['p95_ms'])} ms; warm median"
                   f" {fmt(warm['median_ms'])} ms. Timed inside Python the same calls take"
                   f" {fmt(inside['cold']['median_ms'])} / {fmt(inside['warm']['median_ms'])} ms: crossing costs about"
                   f" {fmt((warm['median_ms'] - inside['warm']['median_ms']) * 1000)} µs per call.")
    out += ["", "![per-comment times](benchmarks/comments.png)", ""]

    out += ["## Peers on the same English comments", "",
            f"The {len(res['job']['comment_sets']['en'])} English corpus comments, no context. alex 11 (npm `alex`,"
            " plain-text mode) runs in Node; the naive engine (`benchmarks/naive.py`) tries every rule's regex on"
            " every sentence, with no word index and no cache. Ratios are of medians per comment.", ""]
    rows = []
    for rt in rts:
        s = res["summary"][rt]
        rows.append([f"heed engine, {rt}, cold", fmt(s["en"]["cold"]["median_ms"]), fmt(s["en"]["cold"]["p95_ms"]),
                     "1x"])
        rows.append([f"heed engine, {rt}, warm", fmt(s["en"]["warm"]["median_ms"]), fmt(s["en"]["warm"]["p95_ms"]),
                     f"{s['en']['cold']['median_ms'] / s['en']['warm']['median_ms']:.1f}x faster"])
        rows.append([f"naive engine, {rt}", fmt(s["naive_en"]["median_ms"]), fmt(s["naive_en"]["p95_ms"]),
                     f"{s['naive_en']['median_ms'] / s['en']['cold']['median_ms']:.1f}x slower"])
    if res.get("alex"):
        a = summary([x * 1e6 for x in res["alex"]["ms"]], [i["text"] for i in res["job"]["comment_sets"]["en"]])
        for rt in rts:
            rows.append([f"alex (Node {res['alex']['node']}) vs {rt} cold", fmt(a["median_ms"]), fmt(a["p95_ms"]),
                         f"{res['alex_ratio'][rt]:.0f}x slower"])
        hits = sum(1 for m in res["alex"]["messages"] if m)
        out += [table(["engine", "median ms", "p95 ms", "ratio"], rows), "",
                f"alex flags {hits} of these {len(res['alex']['messages'])} comments (it looks for other things:"
                " gendered, ableist and profane words), so the comparison is of speed only.", ""]
    else:
        out += [table(["engine", "median ms", "p95 ms", "ratio"], rows), ""]

    out += ["## Scaling with the number of rules", "",
            "Synthetic rule sets from `benchmarks/synth.py` (the first N rules of one seeded sequence; words from"
            " the corpora and invented words, half and half; every pattern shape of the language; a third with"
            " conditions). Per comment over the whole corpus, cold. *Run / sentence* is the number of rules whose"
            " regex runs per sentence (woken by the word index and holding the words they need); the naive engine"
            " tries them all (on 120 sampled comments). *Bytecodes / comment* counts the Python steps of a cold"
            " call (CPython, traced): unlike a time it does not move with the machine's load, so it compares"
            " engine versions (the engine of session 3 took 4,349 on the same rules and comments).",
            ""]
    rows = []
    for rt in rts:
        sc = res["scaling"][rt]
        for name in ["shipped", *[f"synthetic-{n}" for n in res["sizes"]]]:
            f = sc[name]
            c = res["counts"][rt][name]
            naive = f.get("naive")
            rows.append([rt, lab[name], fmt(f["cold"]["median_ms"]), fmt(f["cold"]["p95_ms"]), fmt(f["cold"]["p99_ms"]),
                         fmt(f["warm"]["median_ms"]), f"{c['woken_per_sentence']:.1f}",
                         f"{c['bytecodes_per_call']:,.0f}" if "bytecodes_per_call" in c else "",
                         fmt(naive["median_ms"]) if naive else "",
                         f"{naive['median_ms'] / f['cold']['median_ms']:.0f}x" if naive else ""])
    out += [table(["runtime", "rules", "median ms", "p95 ms", "p99 ms", "warm median ms", "run / sentence",
                   "bytecodes / comment", "naive median ms", "naive / engine"], rows), ""]
    for rt, q in res.get("quiet", {}).items():
        out.append(f"- {rt}: 1,000 synthetic rules give {q['hints1']:.2f} hints per corpus comment, 10,000 give"
                   f" {q['hints10']:.2f} (they are drawn from the same words, so ten times the rules find about"
                   f" ten times the hints, and each hint costs its matching, offsets and JSON). On the {q['n']}"
                   f" comments where neither set finds anything, the median is {fmt(q['m1'])} ms with 1,000 and"
                   f" {fmt(q['m10'])} ms with 10,000 rules: {q['m10'] / q['m1']:.2f}x.")
    for rt in rts:
        if RARE in res["scaling"][rt]:
            f = res["scaling"][rt][RARE]
            out.append(f"- {rt}, {lab[RARE]}: median {fmt(f['cold']['median_ms'])} ms, p95"
                       f" {fmt(f['cold']['p95_ms'])} ms, {res['counts'][rt][RARE]['hints_per_comment']:.2f} hints"
                       " per corpus comment. " + RARE_NOTE)
    out += ["",
            "![time per comment against rules](benchmarks/rules.png)", ""]

    out += ["## Scaling with text length", "",
            "Cold time for one text, median of three texts per length (English, Danish, mixed). *Paragraphs*:"
            " corpus comments one per line (a pasted article). *One sentence*: the same text with every sentence"
            " end replaced by a comma, so the engine sees one sentence of up to 50,000 characters (the worst case"
            " for the regexes). Columns are characters.", ""]
    rows = []
    for rt in rts:
        for name in ["shipped", *[f"synthetic-{n}" for n in res["sizes"]]]:
            for series in SERIES:
                ys = res["lengths"][rt].get(name, {}).get(series)
                if ys:
                    rows.append([rt, lab[name], series, *[fmt(y) for y in ys],
                                 fmt(LENGTHS[-1] / ys[-1])])
    out += [table(["runtime", "rules", "text", *[f"{n:,}" for n in LENGTHS], "chars/ms at 50k"], rows), "",
            "![time against text length](benchmarks/length.png)", ""]

    out += ["## A keystroke in a long text", ""]
    rows = []
    for rt in rts:
        k = res["keystroke"][rt]
        rows.append([rt, f"{k['chars']:,}", fmt(k["full"] / 1e6), fmt(k["keystroke"] / 1e6),
                     fmt(k["keystroke_max"] / 1e6), f"{min(k['matched'])}-{max(k['matched'])}"])
    out += ["One letter typed inside a word at 20 places of a 50,000-character text (paragraphs, shipped rules)"
            " that was checked once before. The engine caches each sentence's matches, so only the edited"
            " sentence is matched again; the rest of the call splits the text, looks sentences up in the cache"
            " and builds the hints of the whole text.", "",
            table(["runtime", "characters", "full check ms (cold)", "after a keystroke ms (median)", "max ms",
                   "sentences matched again"], rows), ""]

    out += ["## Compiling", ""]
    rows = []
    for name, b in builds.items():
        c = b["compile"]
        rows.append([lab[name], f"{c['rules']:,}", fmt(c["parse_s"]), fmt(c["check_s"]), fmt(c["ruleset_s"]),
                     fmt(c["codegen_s"]), fmt(c["wheel_s"]), fmt(c["total_s"]), f"{c['wheel_bytes'] / 1024:,.0f} KiB",
                     f"{c['rules_py_bytes'] / 1024:,.0f} KiB"])
    out += ["Phases of `heed compile` (compiler/bundle.py), in seconds, CPython. The wheel is what the extension ships;"
            " `rules.py` is the generated rule table inside it.", "",
            table(["rules", "count", "parse", "check", "rule table", "codegen", "wheel", "total", "wheel size",
                   "rules.py"], rows), ""]
    if res.get("compile_profile"):
        out += [f"Profile of compiling the {max(res['sizes']):,} synthetic rules (cProfile, which slows everything"
                " down; top functions by own time):", "", "```",
                res["compile_profile"].strip(), "```", ""]

    out += ["## Start-up", ""]
    rows = []
    for rt in rts:
        for name in ["shipped", *[f"synthetic-{n}" for n in res["sizes"]]]:
            rows.append([rt, lab[name], fmt(res["runs"][rt]["import_ms"].get(name, float("nan")))])
    if "pyodide" in rts:
        colds = res["runs"]["pyodide"]["cold_starts"]

        def med(key: str) -> float:
            return pct([c[key] for c in colds], 50)

        out += [f"Pyodide cold start with the shipped bundle, as the extension does it (median of {len(colds)} fresh"
                f" Node processes): load the runtime {fmt(med('runtime_ms'))} ms, unpack and import the bundle"
                f" {fmt(med('bundle_ms'))} ms, first call (compiles the regexes it needs)"
                f" {fmt(med('first_call_ms'))} ms; total {fmt(med('total_ms'))} ms.", ""]
    out += ["Importing a bundle (`import heed_bundle`: executing the generated rule table; regexes compile on first"
            " use):", "", table(["runtime", "rules", "import ms"], rows), ""]

    checks = [f"{rt}: {t['bundle']} {t['differ']} of {t['calls']} calls differ ({t['hints']} hints)"
              for rt in rts for t in res["runs"][rt]["tasks"] if t["what"] == "check"]
    costs = find(res["runs"]["cpython"]["tasks"], what="rule_costs")["rules"]
    rows = [[f"`{r['id']}`", f"{r['run_share'] * 100:.0f} %", f"{r['regex_chars']:,}", fmt(r["ns_per_run"] / 1000),
             fmt(r["ns_per_comment"] / 1000), ", ".join(r["keys"])] for r in costs]
    out += ["## The most expensive shipped rules", "",
            "Regex time per corpus comment (CPython, best of three) of the shipped rules that cost the most, as"
            " the engine runs them: *run* is the share of corpus sentences on which the rule's regex runs (woken"
            " by the index, holding the words one alternative needs, and not passed over by the gates of its required"
            " conditions), *keys* the words that woke it most"
            " often.", "",
            table(["rule", "run", "regex chars", "µs per run", "µs per comment", "keys"], rows), ""]
    out += [*NEXT, ""]
    out += ["## Notes", "", *res["notes"],
            "- Same hints as the naive engine, checked in this run inside each runtime on the corpus: "
            + "; ".join(checks) + ".", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark the heed engine and write docs/benchmarks.md.")
    ap.add_argument("--quick", action="store_true", help="fewer rounds and samples")
    ap.add_argument("--rules", type=Path, default=ROOT / "rules", help="the shipped rules (default: rules/)")
    ap.add_argument("--sizes", default="100,1000,10000", help="synthetic rule-set sizes")
    ap.add_argument("--build", type=Path, default=ROOT / "build" / "bench", help="scratch folder")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    ap.add_argument("--no-pyodide", action="store_true")
    ap.add_argument("--no-alex", action="store_true")
    ap.add_argument("--no-compile-profile", action="store_true",
                    help="do not profile compiling the largest synthetic set (it is compiled a second time)")
    args = ap.parse_args(argv)
    command = ".venv/bin/python benchmarks/run.py" + ("".join(f" {shlex.quote(a)}" for a in (argv or sys.argv[1:])))
    sizes = [int(s) for s in args.sizes.split(",") if s]
    build = args.build
    build.mkdir(parents=True, exist_ok=True)
    rng = random.Random(11)
    started = time.perf_counter()
    load_before = os.getloadavg()

    def say(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {msg}", flush=True)

    # Compile: the shipped rules three times (median per phase), each synthetic set once.
    builds: dict[str, dict] = {}
    runs = [compile_timed([args.rules], build / "shipped") for _ in range(1 if args.quick else 3)]
    builds["shipped"] = {"compile": {k: (pct([r[k] for r in runs], 50) if isinstance(v, float) else v)
                                     for k, v in runs[-1].items()}}
    builds["shipped"].update(wheel=runs[-1]["wheel"], dir=runs[-1]["dir"])
    say(f"compiled shipped rules: {runs[-1]['rules']} rules in {fmt(builds['shipped']['compile']['total_s'])} s")
    profile = None
    for n in sizes:
        heed = synth.write(n, build / "synth")
        c = compile_timed([heed], build / f"synthetic-{n}")
        builds[f"synthetic-{n}"] = {"compile": c, "wheel": c["wheel"], "dir": c["dir"]}
        say(f"compiled {n:,} synthetic rules in {fmt(c['total_s'])} s (parse {fmt(c['parse_s'])}, check"
            f" {fmt(c['check_s'])}, rule table {fmt(c['ruleset_s'])}, codegen {fmt(c['codegen_s'])}, wheel"
            f" {fmt(c['wheel_s'])}); wheel {c['wheel_bytes'] / 1024:,.0f} KiB")
        if not args.no_compile_profile and n == max(sizes):
            profile = profile_compile([heed], build / "profile")
            say("compile profile:\n" + profile)

    if measures_growth(sizes):
        # The same 10,000 rules' shapes, but only as many keyed on the corpus's words as the 1,000 set has
        # (5 % of 10,000 = 50 % of 1,000): rules added for other topics and languages, see RARE_NOTE.
        c = compile_timed([synth.write(10000, build / "synth-rare", real_share=0.05)], build / RARE)
        builds[RARE] = {"compile": c, "wheel": c["wheel"], "dir": c["dir"]}
        say(f"compiled 10,000 synthetic rules with rare words (real share 0.05) in {fmt(c['total_s'])} s")

    corpus = load_corpus()
    job = make_job(args, corpus, sizes, rng)
    labels = {"shipped": f"shipped ({builds['shipped']['compile']['rules']})",
              **{f"synthetic-{n}": f"synthetic {n:,}" for n in sizes}, RARE: "synthetic 10,000, rare words"}
    res: dict = {"job": job, "sizes": sizes, "builds": builds, "labels": labels, "runs": {},
                 "compile_profile": profile}

    say("CPython: timing")
    res["runs"]["cpython"] = run_cpython(job, builds)
    if not args.no_pyodide:
        say("Pyodide: timing inside Pyodide under Node")
        res["runs"]["pyodide"] = run_pyodide(job, builds, build, 1 if args.quick else 3)
    if not args.no_alex:
        say("alex: timing in Node")
        res["alex"] = run_alex([i["text"] for i in job["comment_sets"]["en"]], 3 if args.quick else 5, build)

    analyse(res)
    if res.get("alex"):
        alex_med = pct(res["alex"]["ms"], 50)
        res["alex_ratio"] = {rt: alex_med / res["summary"][rt]["en"]["cold"]["median_ms"] for rt in res["runs"]}
    load_after = os.getloadavg()
    res["when"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    pyodide_version = res["runs"].get("pyodide", {}).get("pyodide", "-")
    node_version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    res["machine"] = (f"{os.cpu_count()} cores, load average {load_before[0]:.1f} before and {load_after[0]:.1f}"
                      f" after; CPython {platform.python_version()}, Node {node_version}, Pyodide {pyodide_version}")
    res["notes"] = NOTES
    figures = plots(res, args.out.parent / "benchmarks")
    text = report(res, command)
    args.out.write_text(text, encoding="utf-8")
    (build / "results.json").write_text(json.dumps({k: v for k, v in res.items() if k != "job"}, default=str),
                                        encoding="utf-8")
    print()
    print(text.split("## Per comment")[0])
    say(f"wrote {args.out} and {', '.join(figures)}; raw figures in {build / 'results.json'}")
    return 0


DESIGN = [
    "## What keeps it fast",
    "",
    "- **Word index** (compiler): each alternative of a rule's pattern (a word list is one alternative per"
    " entry) is filed under a rare word every match of it contains, so a sentence wakes only the rules of"
    " its own words; the naive engine runs them all.",
    "- **Needed words** (compiler, then runtime): for each alternative the compiler also writes down the other"
    " word sets its matches hold a word of (`i ~2 (feel | am) @sad-words` needs *i*, *feel* or *am*, and a"
    " sad word). A woken rule runs its regex only when one woken alternative finds all of them in the"
    " sentence (*run / sentence* below); conditions (`unless:`, `when text has:` ...) get the same gate."
    " What a word wakes and which sets it is in is looked up once per distinct word and kept."
    " **Match first**: sentence conditions are only tried once the match regex has matched.",
    "- **Required conditions before the regex**: a woken rule whose required condition (`when sentence has`,"
    " `when near has`, `when text has`, counted ones: fewer options with an open gate than it counts) cannot"
    " hold in this sentence or text is passed over before its regex runs. The sentence cache stays right: a"
    " rule passed over only for the text's words is kept with the sentence and run when a later text"
    " holds them (`tests/test_engine_gates.py`). A counted condition asks only the options whose gate is"
    " open (their keys tested at once, in C) and stops as soon as the count is reached or out of reach.",
    "- **Loops in C**: a sentence's woken rules and needed-word tests are gathered with `map`, `compress`"
    " and `set.update` over the per-word entries, so no Python step runs per word; a rule's `unless:` lines"
    " share one gate; a text rule needing `text shows: C` is passed over when the call's own hits have no C."
    " *Bytecodes / comment* below counts what is left.",
    "- **Word sets as bits**: the word sets a word is in (a word such as *i* is in 172 of the shipped ones)"
    " are the bits of one int, so a sentence's held sets are an OR of a few ints and an alternative's needs"
    " one `&`, instead of a Python set of hundreds of numbers built per sentence. The compiler numbers the"
    " sets the rules' alternatives need first, most needed first, which keeps the ints of their needs"
    " short (a word's own int is long: see below).",
    "- **Tries**: an alternation is compiled with the branches that begin with the same character "
    "gathered under it (`h(?:ope(?:less |ful )|elpless )`), so a word start costs a few tries instead "
    "of one per list entry; the entries of an alternation of lists (`@means | @places | @tools`) are "
    "spliced into the alternation's trie (as groups, `re` entered each list's group at every place it "
    "tried; an entry that may begin anywhere, such as `*kniv`, still keeps later ones from joining the "
    "letters above it). Branches only move past branches that cannot match where they do, so the "
    "matches are those of the flat alternation (`tests/test_trie.py`).",
    "- **Per-sentence cache**: sentences are kept by their text (least recently used dropped first, 4,096"
    " kept) with their encoding, language evidence and hits, so a keystroke matches only the sentence it"
    " changed (counted in `tests/test_performance_shape.py`).",
    "- **Linear in the text**: conditions on the whole text are searched once per call (not once per hit),"
    " `unless:` overlaps are found by bisection, UTF-16 offsets from the positions of astral characters,"
    " question marks read from the end, sentence ends looked for only at the characters that can end one;"
    " in a sentence longer than 400 characters a regex (conditions on the whole text included) is tried"
    " only where a match can begin, read from the parsed regex: its first words, word beginnings and"
    " endings (`*kniv`), numbers and case-insensitive parts; a pattern that begins with any words"
    " (`#any ~6 knee`, or a `/regex/` word followed by a space) is tried that many words before the"
    " word after them (in session 6, 13 of the shipped rules' 2,371 patterns were still tried at every"
    " character).",
    "- All of these give exactly the hints of the naive engine (`tests/test_engine_equivalence.py`, and the"
    " check at the end of this page, run inside both runtimes).",
]

NEXT = [
    "## What would help next",
    "",
    "- **Python bookkeeping is most of what is left, in many small pieces.** In CPython a corpus comment"
    " spends about 31 µs in the woken rules' regexes (`heed cost` lists them per rule) and the rest in"
    " splitting, encoding, looking words up, the word-set masks and the conditions. Session 6 passed over"
    " rules whose required conditions cannot hold and cut counted conditions short (Python steps per"
    " comment 4,354 -> about 3,650): in interleaved A/B runs the median fell 4-5 % (CPython and Pyodide),"
    " the mean 4-7 % and p95 9-11 %. The word-set masks are long: the shipped rules have"
    " 11,827 word sets, all used by some gate, and a common word's mask is 10,000 bits or more, so each"
    " OR and AND of them walks a few hundred machine words (the OR of a dozen-word sentence: about 2.5 µs"
    " in CPython, 7 µs in Pyodide).",
    "- **The text scorers cost about a quarter of a comment.** Session 6 added four rules that ask a"
    " model's score of the whole text (`ws-*-scored`, `md-*-scored`). In an interleaved A/B run in CPython"
    " the median went from 109 µs without them to 140-159 µs with them (the session-start engine and rules:"
    " 129 µs): the feature sums of two models per new sentence (about 7 µs each), and, since warning-signs"
    " and method-details now have rules without a match, every `text shows` of those categories evaluates"
    " them once per call instead of reading the call's own hits (text conditions per call 1.7 -> about 16)."
    " Sharing one feature pass between the models, and telling from the raw hits when a category's"
    " scored rules cannot fire, would win much of it back. The weights are tab-separated tables in"
    " string literals (a dict display of 56,000 entries took most of the bundle's import).",
    "- **The rule set now drives the cost.** Session 5's rules (379 -> 424, with broad counted-cue rules and"
    " many `unless near` vetoes) raised the Python steps per comment from 2,566 to about 4,350 and the regex"
    " runs per sentence from 3.2 to 4.1, more than the engine work saved; two rules whose match held a"
    " `/regex/` ran on every sentence until they were rewritten with word endings (`heed compile` now names"
    " such rules). `heed cost [TEXTS]` shows per rule the share of sentences it runs on, µs per run and per"
    " text, and the words that wake it, so writers see what a rule costs while they write it.",
    "- **Tried in session 5 and left out:** running only the alternatives a sentence woke, each by its own"
    " small regex and merged in order (same matches): regex time per comment -24 %, but the per-sentence"
    " bookkeeping grew by as much (whole-call median -1 %) and `rules.py` by 20 % (4.3 -> 5.1 MB, slower to"
    " import). Also tried: telling the trie which characters a group-led branch can begin with (regex time"
    " within the noise), and moving the start-of-word test after each branch's first character so that"
    " `re` could skip ahead (twice as slow).",
    "- **Measured again in session 13 (Pyodide):** the same idea. On the 1,092 corpus comments of at most"
    " 500 characters, 4,770 searches of rules with more than one alternative woke one alternative in 71 %"
    " of them and at most three in 96 %. Regex time of those rules per comment: mean 59, median 14, p95"
    " 132 µs with the whole regex; 17, 7 and 38 µs with only the woken alternatives, each its own regex,"
    " merged leftmost first and then in order (the same first match in all 4,770 searches). So the median"
    " comment saves about 5 µs of its ~166 (3 %), and finding each candidate's woken alternatives (per"
    " word, the rule's alternatives it keys; per candidate, those whose needs the sentence holds) cost a"
    " median 17 µs (mean 29) done plainly in Python. The conditions' regexes take a median 4 µs a comment"
    " (mean 22): less to win there. One regex per woken set (a new trie of them) searches a little faster"
    " still, but the corpus has 1,911 distinct (rule, set) pairs in those 4,770 searches, at 0.9 ms a"
    " compile in CPython. Per alternative, 2,141 of the 9,649 alternatives are woken (1,226 of them once),"
    " at a median 0.3 ms (p90 5.8 ms) a compile in Pyodide: compiling each the first time it is woken made"
    " a cold pass over the corpus cost 860 ms instead of 70, and the tenth time 76 ms. It helps long and"
    " unlucky comments (mean -43 µs, p95 -100 µs), not the median.",
    "- **One 50,000-character sentence** (no sentence end at all): session 6 took it from 224-267 to"
    " 122-170 ms in Pyodide and from 125-147 to 74-87 ms in CPython (interleaved A/B, the three texts of"
    " the length table; under heavier load 370-464 -> 188-267 ms in Pyodide) by reading where more"
    " patterns can begin (above). What is left is the regexes tried at each place a"
    " match can begin (a pattern whose first word is *i*, *my* or *jeg* is tried at thousands of places:"
    " about 160,000 tries per text) and finding those places. Anchoring on a rarer word of each"
    " alternative instead of its first, or splitting such a text into clauses, would be the next step.",
    "- **Tried in session 6 and left out:** anchoring every sentence, short ones too, on the words a match"
    " can begin with (whole-call median +20 %: finding the places costs more than the regex saves below"
    " 400 characters); testing the gate keys of all of a rule's `unless near` conditions at once, in C"
    " (within the noise); passing over a short first word (*i*, *my*) for the word after it"
    " (more tries, not fewer, and reading the regexes took twice as long). Reading where a pattern can"
    " begin is done once per pattern, the first time a long sentence needs it: about 3.6 s for all 2,371"
    " shipped patterns in CPython, mostly `re`'s own parser (2.8 s with the engine at the start of the"
    " session).",
    "- **Session 8 (50,000-character sentence).** Where its time goes, measured inside each runtime "
    "with the collector off (three texts, real calls): in Pyodide 49 % the regex tries, 21 % finding "
    "the places to try them, 30 % the rest (conditions, offsets, scorer sums, JSON); CPython 46 / 20 / "
    "34 %. Half of the regex time is ten patterns: the want-to-die family and its condition copies "
    "(30-67 KB, 1.4-3.3 µs a try in CPython against a floor of 0.09 µs: about 60 of their 90 top-level "
    "branches begin with a list, which `re` enters at every place, the desire list alone in 11 of them) "
    "and a condition that was 25 lists in a row. Kept: the entries of such an alternation of lists are "
    "spliced into one trie (above), and the word index of a long sentence holds offsets, so the places "
    "a pattern can begin need no conversion: in interleaved A/B runs with the same hints the worst text "
    "went from 218 to 193 ms in Pyodide and from 130 to 115 ms in CPython (sum of the three texts' best "
    "rounds -9 % in both), and a corpus comment's mean -1 to -2 % (medians within the noise). Tried and "
    "left out: *windows* (the compiler gave each alternative the most words from its start to its last "
    "needed word and its rarest word set; a long sentence tried the regex only where such a word stands "
    "close enough after the place): the tries actually run fell from 256,000 to 87,000 and the regex "
    "time by 25-30 %, but finding the sets' words and marking the stretches cost as much again, so "
    "whole calls were unchanged for every regex-size threshold tried. Also without effect: keeping a "
    "long sentence's matches per regex for the rules that share it (repeat searches were 4 % of the "
    "regex time), `gc.freeze()` after import, and trying a condition's places unsorted when it only "
    "asks whether there is a match (more tries: a common word's places come first). Writing a list "
    "shared by several alternatives once (`@desire (A | B | C)`) would cut the costliest tries, but it "
    "changes which match wins where one entry is the beginning of another (*har lyst* / *har lyst "
    "til*), so such lists need splitting or an ambiguity check first.",
    "- Every call returns every hint of the text with its messages and resources; `annotate_json` now writes"
    " the parts that depend only on a rule once, but in a long text a keystroke still rebuilds the hints of"
    " every sentence. Returning only the hints of the sentences that changed would cut it.",
    "- With 10,000 synthetic rules that all draw on the corpus's own words, ten times the rules give ten"
    " times the hints, and each hint costs its regex run, offsets and JSON; the scaling section also gives"
    " the ratio on the comments neither set flags.",
    "- Importing a bundle executes the generated `rules.py`; with 10,000 rules that is seconds in Pyodide"
    " (start-up table). Data the runtime reads (JSON, or the rules as tuples rather than keyword calls)"
    " would load faster.",
]

NOTES = [
    "- The first long comment of a session (regexes compiled on first use) and the bundle's `warm()`, which"
    " compiles them ahead while the extension is idle: [warm-up.md](warm-up.md), measured by hand.",
    "- Percentiles are nearest-rank over the per-comment medians (each comment timed in every round)."
    " *Best of rounds* takes each comment's fastest round instead: what the engine costs when the shared"
    " machine leaves it alone.",
    "- chars/ms is the total characters of a set divided by the total of its per-comment medians.",
    "- The naive engine shares the bundle's tokenizer and rule data but none of the engine's matching code;"
    " `tests/test_engine_equivalence.py` checks that both give identical hints.",
]


if __name__ == "__main__":
    raise SystemExit(main())
