"""The lark-based JSON loader policysim used before its scanner (`grammars/json.lark`), kept as a test oracle.

`tests/hardening/test_json_scanner.py` checks that `policysim.load.load_json` gives the same data, spans and errors.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from policysim.errors import Location, ParseError, PolicysimError, SchemaError
from policysim.load.document import (
    MAX_DEPTH,
    Document,
    Path_,
    Span,
    check_surrogates,
    decode_input,
    empty_error,
    position,
    show,
)

_SCAN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.S)
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


GRAMMAR = r"""
// JSON (RFC 8259) for policysim's loader: LALR, positions propagated to every value.
// Strings are decoded and numbers converted in policysim/load/json_loader.py.

?start: value

?value: object
      | array
      | STRING              -> string
      | NUMBER              -> number
      | "true"              -> true
      | "false"             -> false
      | "null"              -> null

object: "{" [pair ("," pair)*] "}"
pair: STRING ":" value
array: "[" [value ("," value)*] "]"

STRING: /"(?:[^"\\\x00-\x1f]|\\(?:["\\\/bfnrt]|u[0-9a-fA-F]{4}))*"/
NUMBER: /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/

%ignore /[ \t\n\r]+/
"""  # grammars/json.lark as it was, kept here so that the oracle does not depend on that file


@functools.cache
def _parser() -> lark.Lark:
    return lark.Lark(GRAMMAR, parser="lalr", lexer="basic", propagate_positions=True, maybe_placeholders=False)


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


def _syntax_error(exc: UnexpectedInput, text: str, file: str) -> ParseError:
    if isinstance(exc, UnexpectedToken):
        if exc.token.type == "$END":
            line, col = position(text, len(text.rstrip()))
        else:
            line, col = exc.token.line or 1, exc.token.column or 1
        try:
            expected = set(exc.interactive_parser.accepts())  # type: ignore[no-untyped-call]
        except Exception:
            expected = set(exc.expected)
        tok = exc.token.type
        found = _NAMES[tok] if tok == "$END" else f"`{show(str(exc.token))}`"
        hint = None
        if tok in ("RBRACE", "RSQB") and ("STRING" in expected or "NUMBER" in expected):
            hint = "JSON does not allow a trailing comma"
        elif tok in _VALUE_START and "COMMA" in expected:
            hint = "is a `,` missing?"
        return ParseError(f"expected {_describe(expected)}, found {found}", Location(file, line, col), hint)
    if isinstance(exc, UnexpectedCharacters):
        offset = exc.pos_in_stream or 0
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
    return ParseError("invalid JSON", Location(file, exc.line or None, exc.column or None))


def _value_hint(token: str) -> str:
    if token.lower() in ("true", "false", "null"):
        return "JSON literals are lowercase: `true`, `false`, `null`"
    if token.lower().lstrip("+-") in ("nan", "infinity", "inf"):
        return "JSON has no NaN or infinity"
    if token[:1] in "+-.0123456789":
        return "JSON numbers look like `-12`, `0.5` or `1e3`"
    return 'strings must be quoted: `"' + show(token) + '"`'


class _Converter:
    """Turns the lark tree into plain values and span tables (depth is bounded before this runs)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.spans: dict[Path_, Span] = {}
        self.key_spans: dict[Path_, Span] = {}

    def value(self, node: lark.Tree[lark.Token], path: Path_) -> Any:
        meta = node.meta
        span = Span(meta.line, meta.column, meta.end_line, meta.end_column)
        self.spans[path] = span
        kind = node.data
        if kind == "object":
            result: dict[str, Any] = {}
            first_line: dict[str, int] = {}
            for pair in node.children:
                assert isinstance(pair, lark.Tree)
                key_token, child = pair.children
                assert isinstance(key_token, lark.Token) and isinstance(child, lark.Tree)
                key_span = Span(
                    key_token.line or 0,
                    key_token.column or 0,
                    key_token.end_line or 0,
                    key_token.end_column or 0,
                )
                key = self.string(key_token, key_span)
                if key in first_line:
                    raise SchemaError(
                        f"duplicate key `{show(key)}` (first defined on line {first_line[key]})",
                        Location(self.file, key_span.line, key_span.column),
                    )
                first_line[key] = key_span.line
                self.key_spans[(*path, key)] = key_span
                result[key] = self.value(child, (*path, key))
            return result
        if kind == "array":
            items: list[Any] = []
            for child in node.children:
                assert isinstance(child, lark.Tree)
                items.append(self.value(child, (*path, len(items))))
            return items
        if kind in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[str(kind)]
        token = node.children[0]
        assert isinstance(token, lark.Token)
        if kind == "string":
            return self.string(token, span)
        return self.number(str(token), span)

    def string(self, token: lark.Token, span: Span) -> str:
        raw = str(token)
        text: str = json.loads(raw) if "\\" in raw else raw[1:-1]
        check_surrogates(text, self.file, span)
        return text

    def number(self, raw: str, span: Span) -> int | float:
        where = Location(self.file, span.line, span.column)
        try:
            if not any(c in raw for c in ".eE"):
                return int(raw)
            number = float(raw)
        except ValueError:
            raise ParseError(f"number `{show(raw)}` is too long", where) from None
        if number in (float("inf"), float("-inf")):
            raise ParseError(f"number `{show(raw)}` is out of range", where)
        return number


def load_json_lark(text: str | bytes, file: str = "<string>") -> Document:
    """Load one JSON document (RFC 8259; duplicate keys and deep nesting refused)."""
    source = decode_input(text, file)
    if not source.strip(" \t\r\n"):
        raise empty_error(file)
    _check_depth(source, file)
    parser = _parser()
    try:
        tree = parser.parse(source)
        converter = _Converter(file)
        data = converter.value(tree, ())
    except PolicysimError:
        raise
    except UnexpectedInput as exc:
        raise _syntax_error(exc, source, file) from None
    except Exception as exc:
        raise ParseError(f"cannot parse JSON: {type(exc).__name__}", Location(file)) from None
    return Document(data, file, converter.spans, converter.key_spans)
