"""The `heed` command: compile, test, check, eval, train, cost, docs.

Exit status: 0 success, 1 failing examples / hints found / targets missed, 2 errors in the rules or
in the input. Errors are printed as `file:line:col: error: …`, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .bundle import compile_bundle, load_program
from .diagnostics import RuleErrors
from .engines import RUNTIMES, EngineError, open_engine
from .evaluate import CorpusError, evaluate, format_report, read_corpus
from .examples import run_examples
from .model_file import ModelFileError

DEFAULT_RULES = [Path("rules")]


def _add_rules(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rules", type=Path, action="append", metavar="PATH",
                   help="rule files or folders (default: rules/)")


def _add_runtime(p: argparse.ArgumentParser) -> None:
    p.add_argument("--runtime", choices=RUNTIMES, default="cpython",
                   help="run the bundle in CPython (default) or in Pyodide under Node")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="heed", description="Safe-messaging rules: compile, test, check.")
    parser.add_argument("--version", action="version", version=f"heed {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("compile", help="compile rules into the heed_bundle package and its wheel")
    p.add_argument("rules", nargs="+", type=Path, metavar="RULES")
    p.add_argument("-o", "--out", type=Path, required=True, metavar="DIR")

    p = sub.add_parser("test", help="run every rule's examples")
    p.add_argument("rules", nargs="*", type=Path, metavar="RULES", default=None)
    _add_runtime(p)

    p = sub.add_parser("check", help="check texts like a linter")
    p.add_argument("files", nargs="*", type=Path, metavar="FILES", help="text files (default: standard input)")
    _add_rules(p)
    _add_runtime(p)
    p.add_argument("--lang", choices=("da", "en"), help="language of the text (default: detect)")
    p.add_argument("--context", metavar="TEXT", help="the text being replied to")
    p.add_argument("--country", metavar="CC", help="country for support resources (DK, GB, IE, US)")
    p.add_argument("--ui-lang", choices=("da", "en"), default="en", help="language of the messages")
    p.add_argument("--format", choices=("text", "json", "jsonl"), default="text")

    p = sub.add_parser("eval", help="recall and false alarms on a labelled corpus")
    p.add_argument("corpus", nargs="+", type=Path, metavar="CORPUS.jsonl")
    _add_rules(p)
    _add_runtime(p)
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--summary", action="store_true", help="leave out the list of misses and false alarms")

    p = sub.add_parser("train", help="fit a text scorer for one category on labelled corpora")
    p.add_argument("corpus", nargs="+", type=Path, metavar="CORPUS.jsonl")
    p.add_argument("--category", required=True, help="the category the model scores (e.g. warning-signs)")
    p.add_argument("-o", "--out", type=Path, required=True, metavar="MODEL.json",
                   help="the model file, next to the rules that use it")

    p = sub.add_parser("cost", help="what each rule costs the engine on a corpus (CPython)")
    p.add_argument("texts", nargs="*", type=Path, metavar="TEXTS",
                   help="JSON lines with a \"text\", or text files, one text a line (default: tests/corpus/)")
    _add_rules(p)
    p.add_argument("--top", type=int, default=20, metavar="N", help="rules to list (default 20)")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write every rule's figures as JSON")

    p = sub.add_parser("docs", help="write the rule reference (HTML and Markdown) and guidance coverage")
    _add_rules(p)
    p.add_argument("-o", "--out", type=Path, required=True, metavar="DIR")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except RuleErrors as errs:
        for d in errs.diagnostics:
            print(d.render(), file=sys.stderr)
        n = len(errs.diagnostics)
        print(f"{n} error{'s' if n != 1 else ''}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`heed check | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (EngineError, CorpusError, ModelFileError, OSError) as err:
        print(f"heed: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


@contextmanager
def _engine_for(rules: list[Path], runtime: str):
    with tempfile.TemporaryDirectory(prefix="heed-") as tmp:
        bundle = compile_bundle(rules, Path(tmp))
        with open_engine(runtime, Path(tmp)) as engine:
            yield bundle, engine


def cmd_compile(args) -> int:
    bundle = compile_bundle(args.rules, args.out)
    print(f"compiled {len(bundle.ruleset.rules)} rules from {len(bundle.program.files)} file(s) "
          f"(rules hash {bundle.ruleset.hash})")
    print(f"  package: {bundle.package}")
    print(f"  wheel:   {bundle.wheel}")
    always = [bundle.ruleset.rules[i] for i in bundle.ruleset.always_rules]
    if always:  # not an error, but the author should know the rule costs a regex run on every sentence
        print(f"note: {len(always)} rule(s) run on every sentence: an alternative of the match holds no word "
              "to index (a /regex/, #any or only optional parts); write the words, or an ending such as *kniv:")
        for rule in always:
            print(f"  {rule.where}: {rule.id}")
    return 0


def cmd_test(args) -> int:
    rules = args.rules or DEFAULT_RULES
    with _engine_for(rules, args.runtime) as (bundle, engine):
        results = run_examples(bundle.program, engine)
    failures = [r for r in results if r.problem]
    for r in failures:
        print(r.diagnostic().render(), file=sys.stderr)
    n_rules = len(bundle.program.rules)
    print(f"{len(results)} examples of {n_rules} rule{'' if n_rules == 1 else 's'} in {args.runtime}:")
    print(f"{len(results) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _slim(hint: dict, ui_lang: str) -> dict:
    return {"rule": hint["rule"], "category": hint["category"], "severity": hint["severity"],
            "start": hint["start"], "end": hint["end"], "message": hint["message"][ui_lang],
            "suggestions": hint["suggestions"]}


def cmd_check(args) -> int:
    rules = args.rules or DEFAULT_RULES
    folders = [str(f) for f in args.files if f.is_dir()]
    if folders:
        # `heed check rules/` is a common slip: check reads texts, not rule files.
        print(f"heed check: {', '.join(folders)}: a folder; check reads the texts to check (files, or "
              "standard input). To check rule files and run their examples: heed test "
              f"{folders[0]}; to check texts with them: heed check --rules {folders[0]} TEXT...",
              file=sys.stderr)
        return 2
    if args.format == "jsonl":
        return _check_jsonl(args, rules)
    inputs = [(str(f), f.read_text(encoding="utf-8")) for f in args.files] if args.files \
        else [("<stdin>", sys.stdin.read())]
    found = 0
    report = []
    with _engine_for(rules, args.runtime) as (_, engine):
        responses = engine.annotate_many([
            {"id": name, "text": text, "lang": args.lang, "context": args.context, "country": args.country}
            for name, text in inputs])
    for (name, text), resp in zip(inputs, responses):
        hints = resp.get("hints", [])
        found += len(hints)
        if args.format == "json":
            report.append({"file": name, "hints": hints})
            continue
        for h in hints:
            line, col = _line_col(text, h["start"])
            tries = f" (try: {' / '.join(h['suggestions'])})" if h["suggestions"] else ""
            print(f"{name}:{line}:{col}: {h['severity']} {h['category']}/{h['rule']} "
                  f"{h['message'][args.ui_lang]}{tries}")
            for res in h["resources"]:
                reach = ", ".join(x for x in (res["phone"], res["sms"] and f"sms {res['sms']}", res["web"]) if x)
                print(f"    support: {res['name']} ({'/'.join(res['countries'])}): {reach}")
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=2))
    return 1 if found else 0


def _check_jsonl(args, rules: list[Path]) -> int:
    sources = [f.read_text(encoding="utf-8").splitlines() for f in args.files] if args.files \
        else [sys.stdin.read().splitlines()]
    bad = 0
    requests, outputs = [], []
    for lines in sources:
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as err:
                outputs.append({"id": None, "error": f"line {n}: not JSON: {err.msg}"})
                bad += 1
                continue
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                ident = item.get("id") if isinstance(item, dict) else None
                outputs.append({"id": ident, "error": f"line {n}: an object with a \"text\" string is required"})
                bad += 1
                continue
            req = {"id": item.get("id"), "text": item["text"], "lang": item.get("lang", args.lang),
                   "context": item.get("context", args.context), "country": args.country}
            outputs.append(req)
            requests.append(req)
    with _engine_for(rules, args.runtime) as (_, engine):
        responses = iter(engine.annotate_many(requests) if requests else [])
    for out in outputs:
        if "error" in out:
            print(json.dumps(out, ensure_ascii=False))
            continue
        resp = next(responses)
        if "error" in resp:
            bad += 1
            print(json.dumps({"id": out["id"], "error": resp["error"]}, ensure_ascii=False))
        else:
            print(json.dumps({"id": out["id"], "hints": [_slim(h, args.ui_lang) for h in resp["hints"]]},
                             ensure_ascii=False))
    return 2 if bad else 0


def cmd_eval(args) -> int:
    from tqdm import tqdm

    items = [it for path in args.corpus for it in read_corpus(path)]
    rules = args.rules or DEFAULT_RULES
    with _engine_for(rules, args.runtime) as (_, engine):
        with tqdm(total=len(items), desc="eval", unit="item", file=sys.stderr,
                  disable=len(items) < 200 or None) as bar:
            ev = evaluate(items, engine.annotate_many, progress=bar.update)
    print(format_report(ev, details=not args.summary))
    if args.json:
        args.json.write_text(json.dumps(ev.as_dict(), indent=2) + "\n", encoding="utf-8")
    return 0


def cmd_train(args) -> int:
    from .categories import CATEGORIES
    from .model_file import write_model
    from .train import batch_of, train

    if args.category not in CATEGORIES:
        raise ModelFileError(f"unknown category '{args.category}'")
    items, batches = [], []
    for path in args.corpus:
        read = read_corpus(path)
        items += read
        batches += [batch_of(path.as_posix())] * len(read)
    print(f"training a '{args.category}' scorer on {len(items)} comments from {len(args.corpus)} file(s)",
          file=sys.stderr)
    trained = train(items, args.category, [p.as_posix() for p in args.corpus], batches,
                    progress=lambda step: print(f"  {step}", file=sys.stderr))
    write_model(trained.model, args.out)
    m = trained.model
    print(f"wrote {args.out}: {len(m['words'])} word and {len(m['letters'])} letter weights")
    print("cross-validated (each comment scored by a model that never saw it):")
    print("  clean flagged     5-fold: threshold  recall   by batch: threshold  recall")
    for row, by_batch in zip(trained.rows, trained.batch_rows or [None] * len(trained.rows)):
        line = (f"  {row['clean_share'] * 100:>4.1f} % of {row['clean']:<6} {row['threshold']:>9.3f}"
                f"  {row['recall']:.3f}")
        if by_batch:
            line += f"   {by_batch['threshold']:>19.3f}  {by_batch['recall']:.3f}"
        print(line)
    if not trained.batch_rows:
        print("  (by batch needs comments from at least 3 batches, i.e. corpus files)")
    else:
        print("5-fold: new comments like those of the corpus; by batch: comments of a writer the model never read")
    print("write the threshold you choose in the rule: `when text scores 0.9: MODEL`")
    return 0


def cmd_cost(args) -> int:
    from .cost import as_json, format_report, measure, read_texts

    paths = args.texts or sorted(Path("tests/corpus").glob("*.jsonl"))
    if not paths:
        print("heed: error: no texts given and no tests/corpus/*.jsonl here", file=sys.stderr)
        return 2
    with _engine_for(args.rules or DEFAULT_RULES, "cpython") as (_, engine):
        report = measure(engine.module, read_texts(paths))
    print(format_report(report, args.top))
    if args.json:
        args.json.write_text(as_json(report), encoding="utf-8")
    return 0


def cmd_docs(args) -> int:
    from .docs import write_docs

    program = load_program(args.rules or DEFAULT_RULES)
    written = write_docs(program, args.out)
    for path in written:
        print(f"wrote {path}")
    return 0


COMMANDS = {"compile": cmd_compile, "test": cmd_test, "check": cmd_check, "eval": cmd_eval, "train": cmd_train,
            "cost": cmd_cost, "docs": cmd_docs}

if __name__ == "__main__":
    sys.exit(main())

