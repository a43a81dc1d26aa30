"""JSON -> Document: a single-pass scanner (RFC 8259) that records the start and end span of every value and key.

The scanner is iterative over the tokens of each collection and recursive only over nesting, which `_check_depth`
bounds (MAX_DEPTH) before it runs; its work is linear in the input. Syntax errors name the token found and the
tokens that could have come there (`expected a value or `]`, found `,``), with a hint for the usual mistakes
(trailing commas, single quotes, comments, NaN). Duplicate keys, lone surrogates and numbers Python cannot hold are
reported after the syntax check, so a syntax error anywhere wins, as with any parser that reads the whole text first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

from policysim.errors import Location, ParseError, PolicysimError, SchemaError

from .document import (
    MAX_DEPTH,
    MAX_INPUT_BYTES,
    Document,
    OffsetSpans,
    Path_,
    Span,
    check_surrogates,
    decode_input,
    empty_error,
    position,
    show,
)

_SCAN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.S)
_WS = re.compile(r"[ \t\n\r]*")
_PUNCTUATION = {"{": "LBRACE", "}": "RBRACE", "[": "LSQB", "]": "RSQB", ",": "COMMA", ":": "COLON"}
_VALUE_START = frozenset({"LBRACE", "LSQB", "STRING", "NUMBER", "TRUE", "FALSE", "NULL"})
_NAMES = {
    "STRING": "a string",
    "NUMBER": "a number",
    "COMMA": "`,`",
    "COLON": "`:`",
    "RBRACE": "`}`",
    "RSQB": "`]`",
    "LBRACE": "`{`",
    "LSQB": "`[`",
    "TRUE": "`true`",
    "FALSE": "`false`",
    "NULL": "`null`",
    "$END": "end of input",
}
_ORDER = list(_NAMES)
_ESCAPES = frozenset('"\\/bfnrt')
_AFTER_OBJECT_VALUE = frozenset({"COMMA", "RBRACE"})
_AFTER_ARRAY_VALUE = frozenset({"COMMA", "RSQB"})
_OBJECT_START = frozenset({"STRING", "RBRACE"})
_ARRAY_START = _VALUE_START | {"RSQB"}


def _check_depth(text: str, file: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH with a flat scan, before anything recursive runs."""
    depth = 0
    for match in _SCAN.finditer(text):
        char = text[match.start()]
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line, col = position(text, match.start())
                raise ParseError(f"nesting is deeper than {MAX_DEPTH} levels", Location(file, line, col))
        elif char in "]}":
            depth = max(depth - 1, 0)


def _describe(expected: set[str]) -> str:
    names = set(expected)
    parts: list[str] = []
    if names >= _VALUE_START:
        parts.append("a value")
        names -= _VALUE_START
    parts += [_NAMES[n] for n in _ORDER if n in names]
    parts += sorted(f"`{n}`" for n in names if n not in _NAMES)
    if not parts:
        return "nothing more"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _string_problem(text: str, start: int) -> tuple[str, int]:
    """Why the string literal at `start` does not lex, and where."""
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == '"':
            break
        if char == "\\":
            nxt = text[i + 1 : i + 2]
            if nxt == "u":
                if not re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 2 : i + 6]):
                    return "invalid `\\u` escape in string (expected 4 hex digits)", i
                i += 6
                continue
            if nxt not in _ESCAPES:
                return f"invalid escape `\\{show(nxt)}` in string", i
            i += 2
            continue
        if ord(char) < 0x20:
            return f"control character U+{ord(char):04X} in string (escape it, e.g. as `\\n`)", i
        i += 1
    return "unterminated string", start


def _unexpected_token(
    kind: str, raw: str, line: int, column: int, expected: frozenset[str], text: str, file: str
) -> ParseError:
    """`expected ..., found ...` for a token the grammar does not allow here."""
    if kind == "$END":
        line, column = position(text, len(text.rstrip()))
    found = _NAMES[kind] if kind == "$END" else f"`{show(raw)}`"
    hint = None
    if kind in ("RBRACE", "RSQB") and ("STRING" in expected or "NUMBER" in expected):
        hint = "JSON does not allow a trailing comma"
    elif kind in _VALUE_START and "COMMA" in expected:
        hint = "is a `,` missing?"
    return ParseError(f"expected {_describe(set(expected))}, found {found}", Location(file, line, column), hint)


def _unexpected_character(text: str, offset: int, file: str) -> ParseError:
    """The error for a character that starts no JSON token."""
    char = text[offset]
    if char == '"':
        message, at = _string_problem(text, offset)
        line, col = position(text, at)
        return ParseError(message, Location(file, line, col))
    line, col = position(text, offset)
    hint = None
    if char == "'":
        hint = "JSON strings use double quotes"
    elif char == "/":
        hint = "JSON does not allow comments"
    elif char.isalpha() or char in "+-.":
        word = re.match(r"[^\s,:\[\]{}]*", text[offset:])
        token = word.group() if word else char
        return ParseError(f"invalid value `{show(token)}`", Location(file, line, col), _value_hint(token))
    shown = char if char.isprintable() else f"U+{ord(char):04X}"
    return ParseError(f"unexpected character `{shown}`", Location(file, line, col), hint)


def _value_hint(token: str) -> str:
    if token.lower() in ("true", "false", "null"):
        return "JSON literals are lowercase: `true`, `false`, `null`"
    if token.lower().lstrip("+-") in ("nan", "infinity", "inf"):
        return "JSON has no NaN or infinity"
    if token[:1] in "+-.0123456789":
        return "JSON numbers look like `-12`, `0.5` or `1e3`"
    return 'strings must be quoted: `"' + show(token) + '"`'


_TOKEN = re.compile(
    r"[ \t\n\r]*(?:"
    r'("(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*")'  # 1: a string
    r"|([{}\[\],:])"  # 2: punctuation
    r"|(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)"  # 3: a number
    r"|(true|false|null)"  # 4: a literal
    r"|\Z)"  # the end: no group
)
_KINDS = (None, "STRING", None, "NUMBER", None)
_LITERAL_KINDS = {"true": "TRUE", "false": "FALSE", "null": "NULL"}
_LITERAL_VALUES = {"true": True, "false": False, "null": None}


class _Scanner:
    """One pass over the text, one regex match per token; values and keys get their spans as offsets.

    The spans become line/column `Span`s only when looked up (`OffsetSpans`): a big input costs one tuple per value.
    """

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.pos = 0
        self.spans: dict[Path_, tuple[int, int]] = {}
        self.key_spans: dict[Path_, tuple[int, int]] = {}
        self.problem: PolicysimError | None = None  # the first error found after the syntax is known to be right
        self.kind = ""  # the current token: its kind, raw text and start offset
        self.raw = ""
        self.start = 0

    def advance(self) -> None:
        """Read the next token (skipping white space) into `kind`, `raw` and `start`."""
        match = _TOKEN.match(self.text, self.pos)
        if match is None:
            raise _unexpected_character(self.text, _WS.match(self.text, self.pos).end(), self.file)  # type: ignore[union-attr]
        group = match.lastindex
        self.pos = match.end()
        if group is None:
            self.kind, self.raw, self.start = "$END", "", self.pos
            return
        raw = match.group(group)
        self.raw, self.start = raw, match.start(group)
        if group == 2:
            self.kind = _PUNCTUATION[raw]
        elif group == 4:
            self.kind = _LITERAL_KINDS[raw]
        else:
            self.kind = _KINDS[group]  # type: ignore[assignment]

    def fail(self, expected: frozenset[str]) -> NoReturn:
        line, column = position(self.text, self.start)
        raise _unexpected_token(self.kind, self.raw, line, column, expected, self.text, self.file)

    def later(self, error: PolicysimError) -> None:
        """Keep the first non-syntax error; it is raised once the whole text has parsed."""
        if self.problem is None:
            self.problem = error

    def location(self, offset: int) -> Location:
        line, column = position(self.text, offset)
        return Location(self.file, line, column)

    # -------------------------------------------------------------- values

    def document(self) -> Any:
        self.advance()
        if self.kind not in _VALUE_START:
            self.fail(_VALUE_START)
        data = self.value(())
        self.advance()
        if self.kind != "$END":
            self.fail(frozenset({"$END"}))
        if self.problem is not None:
            raise self.problem
        return data

    def value(self, path: Path_) -> Any:
        """The value whose first token is current (its kind is one of _VALUE_START)."""
        kind = self.kind
        if kind == "LBRACE":
            return self.object(path)
        if kind == "LSQB":
            return self.array(path)
        raw, start = self.raw, self.start
        self.spans[path] = (start, start + len(raw))
        if kind == "STRING":
            return raw[1:-1] if "\\" not in raw else self.escaped(raw, start)
        if kind == "NUMBER":
            return self.number(raw, start)
        return _LITERAL_VALUES[raw]

    def object(self, path: Path_) -> dict[str, Any]:
        begin = self.start
        result: dict[str, Any] = {}
        first: dict[str, int] = {}  # key -> offset of its first definition
        self.advance()
        if self.kind == "RBRACE":
            self.spans[path] = (begin, self.start + 1)
            return result
        while True:
            if self.kind != "STRING":
                self.fail(frozenset({"STRING"}) if first else _OBJECT_START)
            raw, start = self.raw, self.start
            key = raw[1:-1] if "\\" not in raw else self.escaped(raw, start)
            if key in first:
                line = position(self.text, first[key])[0]
                message = f"duplicate key `{show(key)}` (first defined on line {line})"
                self.later(SchemaError(message, self.location(start)))
            else:
                first[key] = start
            child = (*path, key)
            self.key_spans[child] = (start, start + len(raw))
            self.advance()
            if self.kind != "COLON":
                self.fail(frozenset({"COLON"}))
            self.advance()
            if self.kind not in _VALUE_START:
                self.fail(_VALUE_START)
            result[key] = self.value(child)
            self.advance()
            if self.kind == "RBRACE":
                self.spans[path] = (begin, self.start + 1)
                return result
            if self.kind != "COMMA":
                self.fail(_AFTER_OBJECT_VALUE)
            self.advance()

    def array(self, path: Path_) -> list[Any]:
        begin = self.start
        items: list[Any] = []
        self.advance()
        if self.kind == "RSQB":
            self.spans[path] = (begin, self.start + 1)
            return items
        while True:
            if self.kind not in _VALUE_START:
                self.fail(_VALUE_START if items else _ARRAY_START)
            items.append(self.value((*path, len(items))))
            self.advance()
            if self.kind == "RSQB":
                self.spans[path] = (begin, self.start + 1)
                return items
            if self.kind != "COMMA":
                self.fail(_AFTER_ARRAY_VALUE)
            self.advance()

    def escaped(self, raw: str, start: int) -> str:
        """A string with escapes; an escape can make a lone surrogate (the raw input holds none: decode_input)."""
        text: str = json.loads(raw)
        if "\\u" in raw:
            line, column = position(self.text, start)
            try:
                check_surrogates(text, self.file, Span(line, column, line, column + len(raw)))
            except PolicysimError as error:
                self.later(error)
        return text

    def number(self, raw: str, start: int) -> int | float:
        try:
            if not any(c in raw for c in ".eE"):
                return int(raw)
            number = float(raw)
        except ValueError:
            self.later(ParseError(f"number `{show(raw)}` is too long", self.location(start)))
            return 0
        if number in (float("inf"), float("-inf")):
            self.later(ParseError(f"number `{show(raw)}` is out of range", self.location(start)))
        return number


class _Refused(Exception):
    """The fast path cannot take this text: the scanner reads it and reports the exact error."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Refused
    return result


def _no_constant(name: str) -> Any:
    raise _Refused  # NaN, Infinity, -Infinity: not JSON


def _finite(raw: str) -> float:
    number = float(raw)
    if number in (float("inf"), float("-inf")):
        raise _Refused
    return number


_FAST = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constant, parse_float=_finite)
_SKIP = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # one value (C), and its end offset
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB]")


def _too_deep(data: Any, source: str) -> bool:
    """Whether the collections of `data` nest deeper than MAX_DEPTH (walked level by level, collections only)."""
    if source.count("[") + source.count("{") <= MAX_DEPTH:
        return False
    level: list[Any] = [data] if isinstance(data, dict | list) else []
    for _ in range(MAX_DEPTH):
        level = [
            child
            for value in level
            for child in (value.values() if type(value) is dict else value)
            if type(child) is dict or type(child) is list
        ]
        if not level:
            return False
    return True


def _fast_data(source: str) -> Any:
    """The data of a text that is plainly valid JSON, parsed by the C decoder; `_Refused` for anything else.

    Anything the scanner refuses or treats specially is refused here too (duplicate keys, NaN, infinite numbers,
    escapes that may form lone surrogates, nesting deeper than MAX_DEPTH, numbers too long for Python, any syntax
    error), so the scanner reads it again and reports the located error.
    """
    if _SURROGATE_ESCAPE.search(source):
        raise _Refused
    try:
        data, end = _FAST.raw_decode(source, len(source) - len(source.lstrip(" \t\n\r")))
    except (ValueError, RecursionError):
        raise _Refused from None
    if source[end:].strip(" \t\n\r") or _too_deep(data, source):
        raise _Refused
    return data


class _LazySpans:
    """The spans of a valid JSON text, found when first asked for: a collection's children are located one level at
    a time (its values skipped by the C decoder), so a lookup costs the siblings on its path, not the whole text."""

    def __init__(self, text: str) -> None:
        self.text = text
        start = len(text) - len(text.lstrip(" \t\n\r"))
        self.values: dict[Path_, tuple[int, int]] = {(): (start, len(text.rstrip(" \t\n\r")))}
        self.keys: dict[Path_, tuple[int, int]] = {}
        self.pending: set[Path_] = {()} if text[start] in "[{" else set()

    def find(self, path: Path_) -> bool:
        """Expand the collections on `path` until it is known (True) or cannot exist (False)."""
        while path not in self.values:
            for size in range(len(path) - 1, -1, -1):
                if path[:size] in self.pending:
                    self.expand(path[:size])
                    break
            else:
                return False
        return True

    def expand_all(self) -> None:
        while self.pending:
            self.expand(next(iter(self.pending)))

    def expand(self, path: Path_) -> None:
        """Record the spans of the direct children of the collection at `path`."""
        self.pending.discard(path)
        text = self.text
        start = self.values[path][0]
        position = _WS.match(text, start + 1).end()  # type: ignore[union-attr]
        closing = "}" if text[start] == "{" else "]"
        index = 0
        while text[position] != closing:
            if closing == "}":
                key, key_end = json.decoder.scanstring(text, position + 1)  # type: ignore[attr-defined]
                child: Path_ = (*path, key)
                self.keys[child] = (position, key_end)
                position = _WS.match(text, _WS.match(text, key_end).end() + 1).end()  # type: ignore[union-attr]
            else:
                child = (*path, index)
                index += 1
            _, end = _SKIP(text, position)
            self.values[child] = (position, end)
            if text[position] in "[{":
                self.pending.add(child)
            position = _WS.match(text, end).end()  # type: ignore[union-attr]
            if text[position] == ",":
                position = _WS.match(text, position + 1).end()  # type: ignore[union-attr]


class _LazyOffsets(Mapping[Path_, tuple[int, int]]):
    """The value spans or the key spans of a `_LazySpans`, as an offsets table for `OffsetSpans`."""

    def __init__(self, spans: _LazySpans, keys: bool) -> None:
        self.spans = spans
        self.table = spans.keys if keys else spans.values

    def __getitem__(self, path: Path_) -> tuple[int, int]:
        self.spans.find(path)  # a key's span is recorded with its value's
        return self.table[path]

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and self.spans.find(path) and path in self.table

    def __iter__(self) -> Iterator[Path_]:
        self.spans.expand_all()
        return iter(self.table)

    def __len__(self) -> int:
        self.spans.expand_all()
        return len(self.table)


def load_json(text: str | bytes, file: str = "<string>", limit: int = MAX_INPUT_BYTES) -> Document:
    """Load one JSON document (RFC 8259; duplicate keys and deep nesting refused).

    Valid JSON is parsed by Python's C decoder and its spans found lazily; anything else is read by `_Scanner`,
    which reports the first problem with its place.
    """
    source = decode_input(text, file, limit)
    if not source.strip(" \t\r\n"):
        raise empty_error(file)
    try:
        data = _fast_data(source)
    except _Refused:
        pass
    else:
        lazy = _LazySpans(source)
        return Document(
            data, file, OffsetSpans(source, _LazyOffsets(lazy, False)), OffsetSpans(source, _LazyOffsets(lazy, True))
        )
    _check_depth(source, file)
    scanner = _Scanner(source, file)
    try:
        data = scanner.document()
    except PolicysimError:
        raise
    except Exception as exc:  # a bug here must still be an input error, never a crash of the caller
        raise ParseError(f"cannot parse JSON: {type(exc).__name__}", Location(file)) from None
    return Document(data, file, OffsetSpans(source, scanner.spans), OffsetSpans(source, scanner.key_spans))
