"""Parse `.heed` files into `compiler.ast` objects with Lark, reporting every syntax error of a file."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from . import ast
from .diagnostics import Diagnostic, RuleErrors, did_you_mean

GRAMMAR = Path(__file__).resolve().parent.parent / "grammar" / "heed.lark"
TOP_LEVEL = re.compile(r"^(include|list|forms|point|resource|model|rule)\b", re.M)

# How expected terminals read in an error message.
FRIENDLY = {
    "_NL": "end of line",
    "COLON": "':'",
    "COMMA": "','",
    "EQUAL": "'='",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LESSTHAN": "'<'",
    "MORETHAN": "'>'",
    "VBAR": "'|'",
    "QMARK": "'?'",
    "AT": "'@'",
    "STRING": 'a string in "double quotes"',
    "NAME": "a name",
    "WORD": "a word",
    "CLASS": "#num, #any or a hashtag",
    "REGEX": "a /regular expression/",
    "GAP": "a gap such as ~3",
    "SCOPE": "sentence, text or context",
    "DISTANCE": "a number of words, such as 4",
    "HAS": "has or lacks",
    "SCORE": "a score from 0.0 to 1.0, such as 0.9",
    "LIST_KIND": "list or forms",
    "RES_KEY": "a resource field (name, country, phone, sms, web, languages, hours, source)",
}
KEYWORDS = {
    "category", "severity", "lang", "source", "match", "unless", "when", "once", "message", "suggest",
    "resources", "expect", "allow", "include", "point", "resource", "rule", "question", "shows", "after",
    "near", "of", "model", "scores",
}


class _DropNewlinesInBrackets:
    """Post-lexer: a line continues while a ( or < is open, and after a trailing comma (long lists)."""

    always_accept = ("_NL",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        depth = 0
        previous = None
        for tok in stream:
            if tok.type in ("LPAR", "LESSTHAN"):
                depth += 1
            elif tok.type in ("RPAR", "MORETHAN"):
                depth = max(0, depth - 1)
            elif tok.type == "_NL" and (depth or previous == "COMMA"):
                continue
            previous = tok.type
            yield tok


def _unquote(token: str) -> str:
    body = token[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


class _ToAst(Transformer):
    """Turns the parse tree into `compiler.ast` objects; one small method per construct."""

    def __init__(self, path: Path, line_offset: int):
        super().__init__()
        self.path = path
        self.line_offset = line_offset

    def _pos(self, tok: Token) -> ast.Pos:
        return ast.Pos(self.path, tok.line + self.line_offset, tok.column)

    # patterns
    def word(self, children: list[Token]) -> ast.Word:
        return ast.Word(str(children[0]), self._pos(children[0]))

    def phrase(self, children: list[Token]) -> ast.Phrase:
        return ast.Phrase(_unquote(children[0]), self._pos(children[0]))

    def word_class(self, children: list[Token]) -> ast.WordClass:
        return ast.WordClass(str(children[0]), self._pos(children[0]))

    def regex(self, children: list[Token]) -> ast.Regex:
        return ast.Regex(str(children[0])[1:-1], self._pos(children[0]))

    def gap(self, children: list) -> ast.Gap:
        return ast.Gap(int(children[0][1:]), self._pos(children[0]), children[1] if len(children) > 1 else None)

    def list_ref(self, children: list[Token]) -> ast.ListRef:
        pos = self._pos(children[0])
        return ast.ListRef(str(children[0]), ast.Pos(pos.file, pos.line, pos.col - 1))  # at the '@'

    def seq(self, children: list[ast.Pattern]) -> ast.Seq:
        return ast.Seq(tuple(children))

    def alt(self, children: list[ast.Pattern]) -> ast.Alt:
        return ast.Alt(tuple(children))

    def optional(self, children: list[ast.Pattern]) -> ast.Optional:
        return ast.Optional(children[0])

    def capture(self, children: list) -> ast.Capture:
        return ast.Capture(str(children[0]), children[1], self._pos(children[0]))

    def entry(self, children: list[ast.Pattern]) -> ast.Pattern:
        return children[0] if len(children) == 1 else ast.Seq(tuple(children))

    # Rule fields keep their tokens ('!' rules in the grammar); each returns (kind, position, value).
    # The parser runs this transformer while parsing, which rules out Lark's `meta`, so positions come
    # from the field's own keyword token.
    def _value_field(self, kind: str, children: list[Token]):
        return (kind, self._pos(children[-1]), str(children[-1]))

    def category(self, children):
        return self._value_field("category", children)

    def severity(self, children):
        return self._value_field("severity", children)

    def lang(self, children):
        return self._value_field("lang", children)

    def source(self, children):
        return ("source", self._pos(children[0]), [(str(c), self._pos(c)) for c in children[2:] if c.type == "NAME"])

    def match(self, children):
        return ("match", self._pos(children[0]), children[-1])

    def near(self, children):
        return ("near", int(children[0]))

    def unless(self, children):
        pos = self._pos(children[0])
        scope, distance = self._scope(children[1]) if len(children) == 4 else ("match", 0)
        return ("condition", pos, ast.Condition(scope, False, pattern=children[-1], pos=pos, distance=distance))

    def unless_question(self, children):
        pos = self._pos(children[0])
        return ("condition", pos, ast.Condition("question", False, pos=pos))

    def unless_shows(self, children):
        scope, category = children[1], children[-1]
        return ("condition", self._pos(children[0]),
                ast.Condition(str(scope), False, shows=str(category), pos=self._pos(category)))

    def at_least(self, children):
        return ("at_least", int(children[0]))

    def when_has(self, children):
        where, has, pattern = children[1], children[2], children[-1]
        count = children[3][1] if len(children) == 6 else 0
        pos = self._pos(children[0])
        scope, distance = self._scope(where)
        return ("condition", pos, ast.Condition(scope, str(has) == "has", pattern=pattern, pos=pos,
                                                distance=distance, count=count))

    @staticmethod
    def _scope(where: Token | tuple) -> tuple[str, int]:
        """A SCOPE token, or ("near", N) from `near N`."""
        return where if isinstance(where, tuple) else (str(where), 0)

    def when_shows(self, children):
        scope, category = children[1], children[-1]
        return ("condition", self._pos(children[0]),
                ast.Condition(str(scope), True, shows=str(category), pos=self._pos(category)))

    def when_question(self, children):
        pos = self._pos(children[0])
        return ("condition", pos, ast.Condition("question", True, pos=pos))

    def when_scores(self, children):
        return self._scores(True, children)

    def unless_scores(self, children):
        return self._scores(False, children)

    def _scores(self, has: bool, children: list):
        scope, score, name = children[1], children[3], children[-1]
        return ("condition", self._pos(children[0]),
                ast.Condition(str(scope), has, model=str(name), threshold=float(score), pos=self._pos(name)))

    def once(self, children):
        return ("once", self._pos(children[0]), True)

    def message(self, children):
        return ("message", self._pos(children[1]), (str(children[1]), _unquote(children[-1])))

    def suggest(self, children):
        return ("suggest", self._pos(children[0]), [_unquote(c) for c in children[2:] if c.type == "STRING"])

    def resources(self, children):
        return ("resources", self._pos(children[0]), [(str(c), self._pos(c)) for c in children[2:] if c.type == "NAME"])

    def expect(self, children):
        return ("example", self._pos(children[0]), self._example(True, children))

    def allow(self, children):
        return ("example", self._pos(children[0]), self._example(False, children))

    def reply_to(self, children):
        return ("reply_to", _unquote(children[0]))

    def correction(self, children):
        return ("correction", _unquote(children[0]))

    def _example(self, should_match: bool, children: list) -> ast.Example:
        extra = dict(c for c in children[3:] if isinstance(c, tuple))
        return ast.Example(_unquote(children[2]), should_match, extra.get("reply_to"), extra.get("correction"),
                           self._pos(children[0]))

    # items
    def rule(self, children):
        name, *fields = children
        rule = ast.Rule(str(name), self._pos(name))
        for kind, pos, value in fields:
            if kind == "condition":
                rule.conditions.append(value)
            elif kind == "message":
                lang, text = value
                rule.fields.setdefault(f"message {lang}", pos)
                if lang in rule.messages:
                    rule.fields[f"duplicate:message {lang}"] = pos
                rule.messages[lang] = text
            elif kind == "suggest":
                rule.suggestions.extend(value)
            elif kind == "resources":
                rule.resources.extend(value)
            elif kind == "source":
                if rule.sources:
                    rule.fields["duplicate:source"] = pos
                rule.fields["source"] = pos
                rule.sources.extend(value)
            elif kind == "example":
                rule.examples.append(value)
            else:
                if kind in rule.fields:
                    rule.fields[f"duplicate:{kind}"] = pos
                rule.fields[kind] = pos
                setattr(rule, kind, value)
        return rule

    def list_def(self, children):
        kind, name, *entries = children
        return ast.WordList(str(name), str(kind), entries, self._pos(name))

    def point(self, children):
        name, summary = children
        return ast.Point(str(name), _unquote(summary), self._pos(name))

    def res_field(self, children):
        key, *values = children
        if len(values) == 1 and values[0].type == "STRING":
            return (str(key), _unquote(values[0]))
        return (str(key), [str(v) for v in values])

    def resource(self, children):
        name, *fields = children
        res = ast.Resource(str(name), self._pos(name))
        for key, value in fields:
            res.fields[key] = value
        return res

    def include(self, children):
        return ast.Include(_unquote(children[0]), self._pos(children[0]))

    def model(self, children):
        name, path = children
        return ast.ModelRef(str(name), _unquote(path), self._pos(name))


@lru_cache(maxsize=1)
def _parser() -> tuple[Lark, _ToAst]:
    # The transformer runs inside the parser (LALR only), so no parse tree is built: about twice as fast.
    # One parser serves every file; its transformer is pointed at the file being parsed.
    transformer = _ToAst(Path("<none>"), 0)
    return Lark(
        GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        postlex=_DropNewlinesInBrackets(),
        propagate_positions=True,
        maybe_placeholders=False,
        transformer=transformer,
    ), transformer


def _describe_expected(expected: set[str]) -> str:
    names = sorted({FRIENDLY.get(e, f"'{e.lower()}'" if e.lower() in KEYWORDS else e) for e in expected})
    if len(names) > 8:
        names = names[:8] + ["…"]
    return ", ".join(names)


def _field_suggestion(word: str, expected: set[str]) -> str | None:
    """'did you mean …' when the parser wanted a field keyword and got a near miss of one."""
    keywords = {e.lower() for e in expected if e.lower() in KEYWORDS}
    return did_you_mean(word, keywords) if keywords else None


def _syntax_diagnostic(err: UnexpectedInput, path: Path, text: str, line_offset: int) -> Diagnostic:
    line = err.line + line_offset if err.line and err.line > 0 else line_offset + text.count("\n") + 1
    col = err.column if err.column and err.column > 0 else 1
    pos = ast.Pos(path, line, col)
    if isinstance(err, UnexpectedToken):
        tok = err.token
        expected = set(err.expected) - {"$END"}
        if "_NL" in expected and err.interactive_parser is not None and "_NL" not in err.interactive_parser.accepts():
            expected.discard("_NL")  # the lexer lets lines end anywhere, for the post-lexer; the parser does not
        if tok.type == "$END":
            return Diagnostic(pos, "unexpected end of file", f"expected {_describe_expected(expected)}"
                              " (is a '}' missing?)")
        shown = str(tok).replace("\n", "\\n") or tok.type
        hint = f"expected {_describe_expected(expected)}"
        suggestion = _field_suggestion(str(tok), expected) if re.fullmatch(r"[A-Za-z]+", str(tok)) else None
        if suggestion:
            hint = f"unknown field '{tok}'; {suggestion}"
        return Diagnostic(pos, f"unexpected {shown!r}", hint, width=max(1, len(str(tok).split("\n")[0])))
    if isinstance(err, UnexpectedCharacters):
        char = text[err.pos_in_stream] if err.pos_in_stream < len(text) else "end of file"
        expected = set(err.allowed or ())
        word = re.match(r"[\w\-]+", text[err.pos_in_stream:])
        hint = f"expected {_describe_expected(expected)}" if expected else None
        suggestion = _field_suggestion(word.group(), expected) if word else None
        if suggestion:
            return Diagnostic(pos, f"unknown field '{word.group()}'", suggestion, width=len(word.group()))
        if char == '"':
            hint = "a string must close on the same line with a double quote"
        return Diagnostic(pos, f"unexpected character {char!r}", hint)
    if isinstance(err, UnexpectedEOF):
        return Diagnostic(pos, "unexpected end of file", "is a '}' missing?")
    return Diagnostic(pos, str(err).splitlines()[0])


def _parse_chunk(text: str, path: Path, line_offset: int) -> ast.RuleFile:
    parser, transformer = _parser()
    transformer.path, transformer.line_offset = path, line_offset
    items = parser.parse(text if text.endswith("\n") else text + "\n").children
    result = ast.RuleFile(path, text)
    for item in items:
        {
            ast.Include: result.includes,
            ast.WordList: result.lists,
            ast.Point: result.points,
            ast.Resource: result.resources,
            ast.ModelRef: result.models,
            ast.Rule: result.rules,
        }[type(item)].append(item)
    return result


def parse_text(text: str, path: Path) -> ast.RuleFile:
    """Parse one file's text. Raises RuleErrors with every syntax error found."""
    try:
        result = _parse_chunk(text, path, 0)
        result.source = text
        return result
    except VisitError as err:  # a bug in a transformer method, not the author's fault
        raise err.orig_exc from err
    except UnexpectedInput:
        pass
    # Slow path: parse each top-level item alone so one mistake does not hide the next.
    diagnostics: list[Diagnostic] = []
    merged = ast.RuleFile(path, text)
    starts = [m.start() for m in TOP_LEVEL.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    starts.append(len(text))
    for begin, end in zip(starts, starts[1:]):
        chunk = text[begin:end]
        line_offset = text.count("\n", 0, begin)
        try:
            part = _parse_chunk(chunk, path, line_offset)
        except UnexpectedInput as err:
            diagnostics.append(_syntax_diagnostic(err, path, chunk, line_offset))
            continue
        merged.includes += part.includes
        merged.lists += part.lists
        merged.points += part.points
        merged.resources += part.resources
        merged.models += part.models
        merged.rules += part.rules
    if not diagnostics:  # the whole file failed but no chunk did: report the first failure as is
        try:
            _parse_chunk(text, path, 0)
        except UnexpectedInput as err:
            diagnostics.append(_syntax_diagnostic(err, path, text, 0))
    raise RuleErrors(diagnostics)


def collect_files(paths: list[Path]) -> list[Path]:
    """The .heed files named on the command line, directories searched recursively, in a stable order."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(p.rglob("*.heed")))
        else:
            files.append(p)
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def parse_files(paths: list[Path]) -> list[ast.RuleFile]:
    """Parse the given files and everything they include. Raises RuleErrors with all errors."""
    diagnostics: list[Diagnostic] = []
    parsed: dict[Path, ast.RuleFile] = {}
    order: list[Path] = []

    def visit(path: Path, via: ast.Include | None) -> None:
        key = path.resolve()
        if key in parsed:
            return
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            if via is None:
                diagnostics.append(Diagnostic(ast.Pos(path, 1, 1), f"no such file: {path}"))
            else:
                diagnostics.append(Diagnostic(via.pos, f"included file not found: {via.path}",
                                              f"paths are relative to {via.pos.file}", width=len(via.path) + 2))
            return
        except UnicodeDecodeError as err:
            diagnostics.append(Diagnostic(ast.Pos(path, 1, 1), f"not UTF-8 text: {err.reason}"))
            return
        try:
            rf = parse_text(text, path)
        except RuleErrors as errs:
            diagnostics.extend(errs.diagnostics)
            parsed[key] = ast.RuleFile(path, text)
            return
        parsed[key] = rf
        order.append(key)
        for inc in rf.includes:
            # (normalised, so errors and docs show rules/en/x.heed, not rules/da/../en/x.heed)
            visit(Path(os.path.normpath(path.parent / inc.path)), inc)

    for p in collect_files(paths):
        visit(p, None)
    if diagnostics:
        raise RuleErrors(diagnostics)
    return [parsed[k] for k in order]
