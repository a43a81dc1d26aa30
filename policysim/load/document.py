"""A loaded YAML or JSON document: plain data plus the source span of every value and key."""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from policysim.errors import Location, ParseError, SchemaError

MAX_INPUT_BYTES = 10 * 1024 * 1024
"""Inputs larger than this are refused before parsing."""

MAX_DEPTH = 64
"""Collections nested deeper than this are refused."""

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Span:
    """A source range; lines and columns are 1-based, the end points just past the last character."""

    line: int
    column: int
    end_line: int
    end_column: int


class OffsetSpans(Mapping[Path_, Span]):
    """A span table kept as character offsets (start, end) into `text`, made into `Span`s when looked up.

    A loader of a large input records one pair of ints per value; only the few spans a message or a position
    needs are ever turned into lines and columns (lines count `\\n`, columns characters, both from 1).
    """

    __slots__ = ("_breaks", "_offsets", "_text")

    def __init__(self, text: str, offsets: Mapping[Path_, tuple[int, int]]) -> None:
        self._text = text
        self._offsets = offsets
        self._breaks: list[int] | None = None

    def _line_col(self, offset: int) -> tuple[int, int]:
        if self._breaks is None:
            self._breaks = [m.start() for m in re.finditer("\n", self._text)]
        line = bisect.bisect_left(self._breaks, offset)  # breaks before `offset`: the 0-based line
        start = self._breaks[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    def __getitem__(self, path: Path_) -> Span:
        start, end = self._offsets[path]
        line, column = self._line_col(start)
        end_line, end_column = self._line_col(end - 1)
        return Span(line, column, end_line, end_column + 1)

    def __contains__(self, path: object) -> bool:
        return path in self._offsets

    def __iter__(self) -> Iterator[Path_]:
        return iter(self._offsets)

    def __len__(self) -> int:
        return len(self._offsets)


class _Rooted(Mapping[Path_, Span]):
    """A read-only view of a span table re-keyed below `prefix` (O(1) to build, O(path) to look up)."""

    __slots__ = ("_base", "_prefix")
    _base: Mapping[Path_, Span]
    _prefix: Path_

    def __init__(self, base: Mapping[Path_, Span], prefix: Path_) -> None:
        if isinstance(base, _Rooted):
            prefix = base._prefix + prefix
            base = base._base
        self._base = base
        self._prefix = prefix

    def __getitem__(self, path: Path_) -> Span:
        return self._base[self._prefix + tuple(path)]

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and (self._prefix + path) in self._base

    def __iter__(self) -> Iterator[Path_]:
        n = len(self._prefix)
        return (p[n:] for p in self._base if p[:n] == self._prefix)

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass(frozen=True)
class Document:
    """Plain data (dicts with str keys, lists, str, int, float, bool, None) with source positions.

    `spans[path]` is the span of the value at `path` (the root is `()`); `key_spans[path]` is the span
    of the key text of the mapping entry at `path`.
    """

    data: Any
    file: str
    spans: Mapping[Path_, Span]
    key_spans: Mapping[Path_, Span]

    @classmethod
    def from_data(cls, data: Any, name: str) -> Document:
        """A document built in memory (a dict from code, not a file): a JSON copy of `data`, named `name` (such as
        `<dict>` or `<input>`), with no source positions. Data JSON cannot hold (a set, a datetime) is a SchemaError."""
        try:
            copied = json.loads(json.dumps(data))
        except (TypeError, ValueError) as error:
            raise SchemaError(f"in-memory input is not JSON data: {error}", Location(name)) from None
        return cls(copied, name, {}, {})

    def span(self, path: Sequence[str | int]) -> Span | None:
        """The span of the value at `path`, if it exists."""
        return self.spans.get(tuple(path))

    def locate(self, path: Sequence[str | int], *, value: bool = False) -> Location:
        """Where `path` is: the deepest existing prefix of `path`.

        For a mapping entry that is the position of its key (so an unknown or badly typed key is
        reported where it is written); with `value=True`, or for list items and the root, the
        position of the value. The returned Location carries the full `path`.
        """
        full = tuple(path)
        for i in range(len(full), -1, -1):
            prefix = full[:i]
            found = None if value else self.key_spans.get(prefix)
            if found is None:
                found = self.spans.get(prefix)
            if found is not None:
                return Location(self.file, found.line, found.column, full)
        return Location(self.file, None, None, full)

    def sub(self, path: Sequence[str | int]) -> Document:
        """A view of the value at `path` as a document of its own (same file, positions unchanged)."""
        prefix = tuple(path)
        data = self.data
        for part in prefix:
            try:
                data = data[part]
            except (KeyError, IndexError, TypeError):
                raise KeyError(f"no value at path {prefix!r}") from None
        if not prefix:
            return self
        return Document(data, self.file, _Rooted(self.spans, prefix), _RootlessKeys(self.key_spans, prefix))


class _RootlessKeys(_Rooted):
    """Key spans below `prefix`, without the key of the new root itself."""

    __slots__ = ()

    def __getitem__(self, path: Path_) -> Span:
        if not path:
            raise KeyError(path)
        return super().__getitem__(path)

    def __contains__(self, path: object) -> bool:
        return path != () and super().__contains__(path)

    def __iter__(self) -> Iterator[Path_]:
        return (p for p in super().__iter__() if p)


# ---------------------------------------------------------------- shared input handling

_SURROGATE = re.compile("[\ud800-\udfff]")


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of character `offset` in `text`."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def show(value: str, limit: int = 60) -> str:
    """User input for a message, shortened if long."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def decode_input(text: str | bytes, file: str, limit: int = MAX_INPUT_BYTES) -> str:
    """Check the size cap (`limit` bytes) and the encoding (strict UTF-8); return text without a BOM.

    Invalid UTF-8 is a located `ParseError` naming the bad byte and its byte offset.
    """
    if isinstance(text, bytes | bytearray | memoryview):
        raw = bytes(text)
        _check_size(len(raw), file, limit)
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            col = len(raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1
            raise ParseError(
                f"input is not valid UTF-8: bad byte 0x{raw[exc.start]:02x} at byte offset {exc.start}",
                Location(file, line, col),
                hint="save the file as UTF-8",
            ) from None
    elif isinstance(text, str):
        if len(text) > limit // 4:
            _check_size(len(text.encode("utf-8", "surrogatepass")), file, limit)
        decoded = text
        bad = _SURROGATE.search(decoded)
        if bad is not None:
            line, col = position(decoded, bad.start())
            raise ParseError("input is not valid unicode: lone surrogate character", Location(file, line, col))
    else:
        raise ParseError(f"cannot load a `{type(text).__name__}`: expected text or bytes", Location(file))
    return decoded[1:] if decoded.startswith("\ufeff") else decoded


def _check_size(size: int, file: str, limit: int = MAX_INPUT_BYTES) -> None:
    if size > limit:
        raise ParseError(f"input is too large: {size} bytes, the limit is {limit} bytes", Location(file, 1, 1))


def empty_error(file: str) -> ParseError:
    """The error for a document with no content."""
    return ParseError("file is empty", Location(file, 1, 1))


def check_surrogates(value: str, file: str, span: Span) -> None:
    """Refuse a string holding a lone surrogate (e.g. from an escape such as `\\ud800`)."""
    if _SURROGATE.search(value) is not None:
        raise ParseError(
            "string holds a lone surrogate (an unpaired `\\ud800`-`\\udfff` escape)",
            Location(file, span.line, span.column),
        )
