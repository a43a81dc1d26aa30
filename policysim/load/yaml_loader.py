"""YAML -> Document, built from parser events (the fast path's, yaml_fast.py, else PyYAML's) with policysim's own
(strict) scalar rules.

No Python object is ever constructed by PyYAML. Anchors, aliases, tags, merge keys, several
documents, duplicate keys, non-string keys and nesting deeper than MAX_DEPTH are refused.

Quoted and block scalars are always str. Plain scalars: `null`/`Null`/`NULL`/`~`/empty -> None,
`true`/`True`/`TRUE` (and false) -> bool, `[-+]?(0|[1-9][0-9]*)` -> int, decimal/exponent -> float,
anything else -> str; except that scalars YAML 1.1 (or other parsers) read differently -- `yes`/`no`/
`on`/`off`/`y`/`n`, `0123`, `0x1f`/`0o17`/`0b1`, `.inf`/`.nan`, dates, `1:30:00`, `1_000` -- are errors
with a hint to quote them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from policysim.errors import Location, ParseError, PolicysimError, SchemaError

from .document import (
    MAX_DEPTH,
    MAX_INPUT_BYTES,
    Document,
    Path_,
    Span,
    check_surrogates,
    decode_input,
    empty_error,
    position,
    show,
)
from .yaml_fast import Event, events

if TYPE_CHECKING:
    import yaml

_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?")
# Raw characters PyYAML (YAML 1.1) takes as line breaks, folding them to a space inside quoted strings.
_YAML11_BREAKS = re.compile("[\x85\u2028\u2029]")
_NUMBER_START = re.compile(r"[-+]?\.?[0-9]")
_TRAPS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i:y|n|yes|no|on|off)"), "`{v}` is ambiguous (YAML 1.1 reads it as a boolean)"),
    (
        re.compile(r"[-+]?[0-9]+[eE][-+]?[0-9]+"),
        "`{v}` is ambiguous (YAML 1.1 reads it as a string, YAML 1.2 and JSON as a number)",
    ),
    (
        re.compile(r"[-+]?0[0-9_]+"),
        "`{v}` is ambiguous (YAML reads it as an octal number or drops the leading zero)",
    ),
    (re.compile(r"[-+]?0[xX][0-9a-fA-F_]+"), "`{v}` is ambiguous (YAML reads it as a hexadecimal number)"),
    (re.compile(r"[-+]?0[oO][0-7_]+"), "`{v}` is ambiguous (YAML reads it as an octal number)"),
    (re.compile(r"[-+]?0[bB][01_]+"), "`{v}` is ambiguous (YAML reads it as a binary number)"),
    (
        re.compile(r"[-+]?\.(?i:inf|nan)"),
        "`{v}` is not supported (YAML reads it as an infinite or NaN number)",
    ),
    (re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9].*)?"), "YAML reads `{v}` as a date"),
    (
        re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"),
        "`{v}` is ambiguous (YAML 1.1 reads it as a base-60 number)",
    ),
)


def _span(event: Event, end: Event | None = None) -> Span:
    (line, column), (end_line, end_column) = event.start, (end or event).end
    return Span(line + 1, column + 1, end_line + 1, end_column + 1)


def _at(file: str, span: Span) -> Location:
    return Location(file, span.line, span.column)


def _quote_hint(value: str) -> str:
    return 'quote it: `"' + show(value) + '"`'


def resolve_plain(value: str, file: str, span: Span) -> Any:
    """policysim's meaning of an unquoted scalar (see module docstring); traps are errors."""
    if value in _NULL:
        return None
    if value in _BOOL:
        return _BOOL[value]
    try:
        if _INT.fullmatch(value):
            return int(value)
        if _FLOAT.fullmatch(value):
            number = float(value)
            if number in (float("inf"), float("-inf")):
                raise ParseError(f"number `{show(value)}` is out of range", _at(file, span))
            return number
    except ValueError:
        raise ParseError(f"number `{show(value)}` is too long", _at(file, span)) from None
    for pattern, message in _TRAPS:
        if pattern.fullmatch(value):
            raise ParseError(message.format(v=show(value)), _at(file, span), hint=_quote_hint(value))
    bare = value.replace("_", "")
    if bare != value and _NUMBER_START.match(value) and (_INT.fullmatch(bare) or _FLOAT.fullmatch(bare)):
        raise ParseError(
            f"`{show(value)}` is ambiguous (YAML 1.1 reads it as a number without the underscores)",
            _at(file, span),
            hint=_quote_hint(value),
        )
    return value


@dataclass
class _Frame:
    """A collection being built: its value, path, span start and (for a mapping) the pending key."""

    value: dict[str, Any] | list[Any]
    path: Path_
    start: Event
    flow: bool
    key: str | None = None
    first_seen: dict[str, int] = field(default_factory=dict)
    last_end: Span | None = None


class _Builder:
    """Consumes parser events and builds the document iteratively (no recursion, bounded depth)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.stack: list[_Frame] = []
        self.spans: dict[Path_, Span] = {}
        self.key_spans: dict[Path_, Span] = {}
        self.root: Any = None
        self.documents = 0
        self.done = False

    def feed(self, event: Event) -> None:
        if event.kind == "document":
            self.documents += 1
            if self.documents > 1:
                raise ParseError(
                    "multiple documents in one file are not supported",
                    _at(self.file, _span(event)),
                    hint="put each document in a file of its own",
                )
            return
        if event.kind == "alias" or event.anchor is not None:
            raise ParseError("anchors and aliases are not supported", _at(self.file, _span(event)))
        if event.tag is not None:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!", 1)
            raise ParseError(f"YAML tags are not supported (found `{show(tag)}`)", _at(self.file, _span(event)))
        if event.kind == "scalar":
            self._scalar(event)
        elif event.kind in ("mapping", "sequence"):
            self._open(event)
        elif event.kind == "end":
            self._close(event)

    def _scalar(self, event: Event) -> None:
        span = _span(event)
        text: str = event.value
        plain = not event.style
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.value, dict) and frame.key is None:
            self._key(frame, text, plain, span)
            return
        if plain:
            value = resolve_plain(text, self.file, span)
        else:
            check_surrogates(text, self.file, span)
            value = text
        self._add(value, span)

    def _key(self, frame: _Frame, text: str, plain: bool, span: Span) -> None:
        if plain and text == "<<":
            raise ParseError("merge keys (`<<`) are not supported", _at(self.file, span))
        key = resolve_plain(text, self.file, span) if plain else text
        if not isinstance(key, str):
            raise SchemaError(
                f"mapping key `{show(text) or 'null'}` is not a string",
                _at(self.file, span),
                hint=_quote_hint(text) + " (account ids and other keys must be quoted strings)",
            )
        check_surrogates(key, self.file, span)
        if key in frame.first_seen:
            raise SchemaError(
                f"duplicate key `{show(key)}` (first defined on line {frame.first_seen[key]})",
                _at(self.file, span),
            )
        frame.first_seen[key] = span.line
        frame.key = key
        self.key_spans[(*frame.path, key)] = span

    def _child_path(self) -> Path_:
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.value, dict):
            assert frame.key is not None
            return (*frame.path, frame.key)
        return (*frame.path, len(frame.value))

    def _add(self, value: Any, span: Span) -> None:
        path = self._child_path()
        self.spans[path] = span
        if not self.stack:
            self.root = value
            self.done = True
            return
        frame = self.stack[-1]
        if isinstance(frame.value, dict):
            assert frame.key is not None
            frame.value[frame.key] = value
            frame.key = None
        else:
            frame.value.append(value)
        frame.last_end = span

    def _open(self, event: Event) -> None:
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.value, dict) and frame.key is None:
            raise SchemaError("mapping keys must be strings, not collections", _at(self.file, _span(event)))
        if len(self.stack) >= MAX_DEPTH:
            raise ParseError(f"nesting is deeper than {MAX_DEPTH} levels", _at(self.file, _span(event)))
        value: dict[str, Any] | list[Any] = {} if event.kind == "mapping" else []
        self.stack.append(_Frame(value, self._child_path(), event, event.flow))

    def _close(self, event: Event) -> None:
        frame = self.stack.pop()
        span = _span(frame.start, event)
        if not frame.flow and frame.last_end is not None:
            span = Span(span.line, span.column, frame.last_end.end_line, frame.last_end.end_column)
        self._add(frame.value, span)


def _loc_of(mark: Any, file: str) -> Location:
    """The Location of a PyYAML mark (0-based) or of the file."""
    return Location(file, mark.line + 1, mark.column + 1) if mark is not None else Location(file)


def _syntax_error(exc: yaml.YAMLError, text: str, file: str) -> ParseError:
    import yaml

    if isinstance(exc, yaml.reader.ReaderError):
        line, col = position(text, max(text.find(chr(exc.character)), 0))
        return ParseError(f"character U+{exc.character:04X} is not allowed in YAML", Location(file, line, col))
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if "maximum nesting depth" in problem:  # libyaml's own limit, met before our event check
            return ParseError(f"nesting is deeper than {MAX_DEPTH} levels", _loc_of(mark, file))
        loc = _loc_of(mark, file)
        message = f"invalid YAML: {problem}"
        if exc.context and exc.problem:
            message += f" ({exc.context})"
        hint = None
        if exc.context and "alias" in exc.context:
            hint = 'a value starting with `*` must be quoted: `"*"`'
        elif exc.context and "anchor" in exc.context:
            hint = "a value starting with `&` must be quoted"
        return ParseError(message, loc, hint)
    return ParseError(f"invalid YAML: {exc}", Location(file))


def _refuse_yaml11_breaks(source: str, file: str) -> None:
    """A raw U+0085, U+2028 or U+2029 would silently become a line break (a space in a quoted string): refuse it."""
    found = _YAML11_BREAKS.search(source)
    if found is not None:
        line, column = position(source, found.start())
        raise ParseError(
            f"character U+{ord(found.group()):04X} is not allowed raw: YAML 1.1 reads it as a line break",
            Location(file, line, column),
            hint=f'write it escaped in a double-quoted string: `"\\u{ord(found.group()):04x}"`',
        )


def load_yaml(text: str | bytes, file: str = "<string>", limit: int = MAX_INPUT_BYTES) -> Document:
    """Load one YAML document (see the module docstring for what is refused)."""
    source = decode_input(text, file, limit)
    _refuse_yaml11_breaks(source, file)
    fast = events(source)  # the plain block YAML of most files, read without PyYAML (yaml_fast.py)
    builder = _Builder(file)
    try:
        for event in fast if fast is not None else _pyyaml_events(source, file):
            builder.feed(event)
    except PolicysimError:
        raise
    except Exception as exc:  # a library failure must not escape as anything but a ParseError
        raise ParseError(f"cannot parse YAML: {type(exc).__name__}", Location(file)) from None
    if not builder.done:
        raise empty_error(file)
    root = builder.spans[()]
    if builder.root is None and (root.line, root.column) == (root.end_line, root.end_column):
        raise empty_error(file)
    return Document(builder.root, file, builder.spans, builder.key_spans)


_LOADER: Any = None  # PyYAML's loader class: libyaml's when there, else the Python one (tests choose)

# PyYAML's event classes by the kind of `Event` each is (the stream's own start and end, and a document's end, are
# not read)
_KINDS = {
    "DocumentStartEvent": "document",
    "ScalarEvent": "scalar",
    "AliasEvent": "alias",
    "MappingStartEvent": "mapping",
    "SequenceStartEvent": "sequence",
    "MappingEndEvent": "end",
    "SequenceEndEvent": "end",
}


def _pyyaml_events(source: str, file: str) -> Iterator[Event]:
    """PyYAML's (libyaml's) events for `source`, as `Event`s; its syntax errors as located `ParseError`s."""
    import yaml  # only for a text the fast path does not read (docs/performance.md, start-up)

    loader: Any = _LOADER or getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    try:
        for raw in yaml.parse(source, Loader=loader):
            kind = _KINDS.get(type(raw).__name__)
            if kind is not None:
                style, flow = getattr(raw, "style", None) or "", bool(getattr(raw, "flow_style", False))
                value, anchor, tag = getattr(raw, "value", ""), getattr(raw, "anchor", None), getattr(raw, "tag", None)
                first: Any = raw.start_mark  # every event of a parse has its marks
                last: Any = raw.end_mark
                yield Event(kind, (first.line, first.column), (last.line, last.column), value, style, flow, anchor, tag)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, source, file) from None
