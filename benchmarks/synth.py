"""Synthetic rule sets for the scaling benchmark: N rules with the shapes real rules have.

    .venv/bin/python benchmarks/synth.py 10000 -o build/synth-10000

writes one `.heed` file that `heed compile` accepts. Rules mix single words, phrases, prefixes, word
lists, captures with alternatives, gaps, optional words, numbers and /regexes/ (always next to a word,
as real rules use them), and about a third carry conditions (`unless`, `unless sentence`, `when text
lacks`, `unless question`, `unless near`, `lacks 2 of`). A few rules have no `match:` and read the reply context.

Words come from two pools, half and half: the content words of the labelled corpora (so rules really
wake up on the benchmark's comments) and invented words (standing for the vocabulary of topics and
languages those comments do not touch). The same seed gives the same file, and the first N rules of a
larger set are the rules of the smaller one, so sizes can be compared rule for rule.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from compiler.categories import CATEGORIES  # noqa: E402
from compiler.patterns import COMMON  # noqa: E402
from compiler.runtime.text import words  # noqa: E402

CORPORA = {"en": ROOT / "tests" / "corpus" / "en.jsonl", "da": ROOT / "tests" / "corpus" / "da.jsonl"}
SYLLABLES = {
    "en": "ba be bi bo bu ca co cu da de di do fa fe fi fo ga go gu ha he ho ka ke ki la le li lo lu ma me mi "
          "mo mu na ne ni no pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi wa we wi".split(),
    "da": "ba bø bå da de dø fa fe fø ga gå hø hå ja je kø kå la læ lø må mø næ nø pø rå ræ rø sæ sø så "
          "tå tø væ vø vå sk st sn kl gl ør øl år æl".split(),
}
# Words that sit next to a key word in real phrases ("i want to ...", "det er ...").
GLUE = {"en": "i you he she they my your to the a so just really".split(),
        "da": "jeg du han hun de min din at det en så bare helt".split()}
REGEXES = [r"/{w}(s|ed|ing)?/", r"/{w}e?r?/", r"/\d{{1,3}}(kg|lbs)?/", r"/{w}[a-zæøå]{{0,3}}/"]
SHAPES = (("word", 15), ("phrase", 20), ("prefix", 10), ("list", 15), ("gap", 10), ("capture", 10),
          ("optional", 5), ("number", 5), ("regex", 10))


def corpus_vocabulary(lang: str) -> list[str]:
    """Distinct content words of a corpus (letters only, not common, 3+ letters), in a stable order."""
    seen: dict[str, None] = {}
    with CORPORA[lang].open(encoding="utf-8") as f:
        for line in f:
            for w in words(json.loads(line)["text"]):
                if w.isalpha() and len(w) > 2 and w not in COMMON:
                    seen.setdefault(w, None)
    return sorted(seen)


class Generator:
    def __init__(self, seed: int = 7, real_share: float = 0.5):
        self.rng = random.Random(seed)
        self.real_share = real_share
        self.vocab = {lang: corpus_vocabulary(lang) for lang in CORPORA}
        self.invented: dict[str, set[str]] = {lang: set() for lang in CORPORA}
        self.lists: list[str] = []  # `list` lines, defined as rules need them

    def word(self, lang: str, real_share: float | None = None) -> str:
        share = self.real_share if real_share is None else real_share
        if self.rng.random() < share:
            return self.rng.choice(self.vocab[lang])
        while True:
            w = "".join(self.rng.choice(SYLLABLES[lang]) for _ in range(self.rng.randint(2, 4)))
            if w not in COMMON:
                self.invented[lang].add(w)
                return w

    def new_list(self, lang: str) -> tuple[str, list[str]]:
        name = f"l{len(self.lists)}-{lang}"
        entries = [self.word(lang) for _ in range(self.rng.randint(3, 8))]
        if self.rng.random() < 0.3:  # some entries are phrases or prefixes
            entries[0] = f'"{self.word(lang)} {self.word(lang)}"'
        if self.rng.random() < 0.3:
            entries[-1] = entries[-1] + "*"
        self.lists.append(f"list {name} = " + ", ".join(dict.fromkeys(entries)))
        return name, entries

    def pattern(self, lang: str) -> tuple[str, str, str | None]:
        """(pattern, a text it matches, a suggestion or None)."""
        rng = self.rng
        shape = rng.choices([s for s, _ in SHAPES], [w for _, w in SHAPES])[0]
        w1, w2, w3 = self.word(lang), self.word(lang), self.word(lang)
        glue = rng.choice(GLUE[lang])
        if shape in ("word", "prefix", "number"):
            # A rule of one word fires wherever the word appears: real rules keep those for rare,
            # specific terms, so here the word is seldom one of the corpus's.
            w1 = self.word(lang, self.real_share / 5)
        if shape == "word":
            return w1, f"{glue} {w1}", None
        if shape == "phrase":
            if rng.random() < 0.5:
                return f'"{glue} {w1} {w2}"', f"{glue} {w1} {w2}", None
            return f"{w1} {w2}", f"{w1} {w2}", None
        if shape == "prefix":
            return f"{w1}*", f"{w1}er", None
        if shape == "list":
            if self.lists and rng.random() < 0.5:  # reuse a list of the same language
                same = [line for line in self.lists if line.split()[1].endswith(lang)]
                if same:
                    line = rng.choice(same)
                    name = line.split()[1]
                    first = line.split("=", 1)[1].split(",")[0].strip().strip('"').rstrip("*")
                    return f"{glue} @{name}", f"{glue} {first}", None
            name, entries = self.new_list(lang)
            first = entries[0].strip('"').rstrip("*")
            return f"@{name} {w1}", f"{first} {w1}", None
        if shape == "gap":
            limit = rng.randint(1, 4)
            if limit % 2 == 0 and w3 != glue:  # half the gaps leave a word out
                return f"{w1} ~{limit}!{w3} {w2}", f"{w1} {glue} {w2}", None
            return f"{w1} ~{limit} {w2}", f"{w1} {glue} {w2}", None
        if shape == "capture":
            return f"<x: {w1} | {w2} | {w3}> {glue}", f"{w2} {glue}", f"better {{x}} {glue}"
        if shape == "optional":
            return f"{w1} {w2}? {w3}", f"{w1} {w3}", None
        if shape == "number":
            return f"#num ({w1} | {w2})", f"45 {w1}", None
        rx = rng.choice(REGEXES).format(w=w2)
        sample = "12kg" if "\\d" in rx else w2
        return f"{w1} {rx}", f"{w1} {sample}", None

    def condition(self, lang: str) -> str | None:
        roll = self.rng.random()
        if roll < 0.10:
            return f"unless sentence: {self.word(lang)}"
        if roll < 0.18:
            return f"when text lacks: ({self.word(lang)} | {self.word(lang)})"
        if roll < 0.24:
            return "unless question"
        if roll < 0.32:
            return f"unless: {self.word(lang)} ~2 {self.word(lang)}"
        if roll < 0.36:
            return f"unless near 3: {self.word(lang)} | {self.word(lang)}"
        if roll < 0.39:
            return f"when sentence lacks 2 of: {self.word(lang)} | {self.word(lang)} | {self.word(lang)}"
        return None

    def rule(self, i: int) -> str:
        rng = self.rng
        lang = "en" if i % 2 else "da"
        category = rng.choice(sorted(c for c in CATEGORIES if c != "reply-support"))
        lines = [f"rule s{i}-{lang} {{", f"  category: {category}", f"  severity: {CATEGORIES[category]}",
                 f"  lang: {lang}", f"  source: p.{category}"]
        if i % 1000 == 999:  # a rare rule that reads the reply context instead of the comment
            lines[1:3] = ["  category: reply-support", "  severity: suggestion"]
            lines[4] = "  source: p.reply-support"
            lines += ["  when context shows: warning-signs", '  message en: "Listen first."',
                      '  message da: "Lyt først."', "  resources: line",
                      f'  expect: "ok" after "{self.word(lang)}"', '  allow: "ok"', "}"]
            return "\n".join(lines)
        pattern, sample, suggestion = self.pattern(lang)
        lines.append(f"  match: {pattern}")
        cond = self.condition(lang)
        if cond:
            lines.append(f"  {cond}")
        lines += [f'  message en: "Synthetic rule {i}."', f'  message da: "Syntetisk regel {i}."']
        if suggestion:
            lines.append(f'  suggest: "{suggestion}"')
        if rng.random() < 0.2:
            lines.append("  resources: line")
        lines += [f'  expect: "{sample}"', f'  allow: "{self.word(lang)} {self.word(lang)}"', "}"]
        return "\n".join(lines)


def generate(n: int, seed: int = 7, real_share: float = 0.5) -> str:
    """The text of one .heed file with `n` synthetic rules."""
    gen = Generator(seed, real_share)
    rules = [gen.rule(i) for i in range(n)]
    head = [f"# {n} synthetic rules for benchmarks/ (seed {seed}); generated by benchmarks/synth.py.", ""]
    head += [f'point p.{c} "Synthetic point for {c}."' for c in sorted(CATEGORIES)]
    head += ["", "resource line {", '  name: "Synthetic line"', "  country: DK", '  phone: "00 00 00 00"',
             '  source: "made up for benchmarks"', "}", ""]
    return "\n".join(head + gen.lists + [""] + rules) + "\n"


def write(n: int, out_dir: Path, seed: int = 7, real_share: float = 0.5) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"synthetic-{n}.heed"
    path.write_text(generate(n, seed, real_share), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("n", type=int, help="number of rules")
    p.add_argument("-o", "--out", type=Path, required=True, help="folder for synthetic-N.heed")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--real-share", type=float, default=0.5, help="share of words taken from the corpora")
    args = p.parse_args(argv)
    print(write(args.n, args.out, args.seed, args.real_share))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
