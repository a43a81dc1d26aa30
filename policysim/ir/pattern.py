"""IAM wildcards: `*` is any run of characters (also `/`, `:`, or none), `?` exactly one; nothing else.

No regex and no fnmatch (it honours `[...]`): a pattern is split on `*` into fixed-length segments, and
matching is the linear greedy algorithm (first segment at the start, last at the end, middle ones left-most).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from policysim.context import RequestContext
from policysim.ir.template import Escape, Template, TemplatePart, Variable, resolve

# A segment between stars: (length, ((offset, literal chunk), ...)); positions not covered by a chunk are `?`.
_Seg = tuple[int, tuple[tuple[int, str], ...]]
# A segment before building: literal text, None for one `?`, or a Variable still to resolve.
_Item = str | Variable | None

_CACHE_SIZE = 256
_LITERAL, _EVERYTHING, _PREFIX, _SUFFIX, _AFFIX, _GENERAL = range(6)


class PatternMatcher(Protocol):
    """Anything compiled from a pattern string: a Glob, or a GlobTemplate resolved per request."""

    @property
    def has_variables(self) -> bool: ...

    @property
    def text(self) -> str: ...

    def matches_in(self, value: str, ctx: RequestContext) -> bool: ...


@dataclass(frozen=True, slots=True)
class LiteralText:
    """Text matched literally inside a pattern, such as a substituted variable value."""

    text: str


@dataclass(frozen=True, slots=True)
class Glob:
    """A compiled wildcard pattern without variables; `literal` is lowercased when `ignore_case`."""

    text: str
    ignore_case: bool
    is_literal: bool
    literal: str | None
    matches_everything: bool
    _kind: int = field(repr=False)
    _affix: tuple[str, str] = field(repr=False)
    _first: _Seg = field(repr=False)
    _middle: tuple[_Seg, ...] = field(repr=False)
    _last: _Seg | None = field(repr=False)
    has_variables: bool = field(default=False, repr=False)

    @classmethod
    def compile(cls, text: str, *, ignore_case: bool = False) -> Glob:
        """Compile `text` where `*` and `?` are wildcards."""
        return _build(_split((text,)), text, ignore_case)

    @classmethod
    def from_parts(cls, parts: Sequence[TemplatePart | LiteralText], *, ignore_case: bool = False) -> Glob:
        """Compile parts: str parts have wildcards; Escape and LiteralText are literal (Variable: error)."""
        return _build(_split(parts), _source(parts), ignore_case)

    def matches(self, value: str) -> bool:
        """Whether `value` matches the whole pattern."""
        if self.ignore_case:
            value = value.lower()
        kind = self._kind
        if kind == _LITERAL:
            return value == self.literal
        if kind == _PREFIX:
            return value.startswith(self._affix[0])
        if kind == _EVERYTHING:
            return True
        if kind == _SUFFIX:
            return value.endswith(self._affix[1])
        if kind == _AFFIX:
            prefix, suffix = self._affix
            return len(value) >= len(prefix) + len(suffix) and value.startswith(prefix) and value.endswith(suffix)
        return _match(self._first, self._middle, self._last, value)

    def matches_in(self, value: str, ctx: RequestContext) -> bool:
        """`matches`; the request context is not needed."""
        return self.matches(value)


@dataclass(frozen=True, slots=True)
class GlobTemplate:
    """A pattern with variables: values are put into pre-split segments as literal text, per request."""

    text: str
    ignore_case: bool
    _segments: tuple[tuple[_Item, ...], ...] = field(repr=False)
    _variables: tuple[Variable, ...] = field(repr=False)
    has_variables: bool = field(default=True, repr=False)
    # Globs already built, by the variables' values; per instance, bounded, not part of equality.
    _cache: dict[tuple[str, ...], Glob] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_template(cls, template: Template, *, ignore_case: bool = False) -> GlobTemplate:
        """Split a template once; variables stay as placeholders."""
        segments = tuple(tuple(seg) for seg in _split(template.parts, allow_variables=True))
        return cls(template.text, ignore_case, segments, template.variables)

    def render(self, ctx: RequestContext) -> Glob | None:
        """The Glob for one request; None when a variable has no single value and no default."""
        values: list[str] = []
        for variable in self._variables:
            value = resolve(variable, ctx)
            if value is None:
                return None
            values.append(value)
        key = tuple(values)
        glob = self._cache.get(key)
        if glob is None:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            glob = self._cache[key] = self._build(key)
        return glob

    def _build(self, values: tuple[str, ...]) -> Glob:
        by_variable = dict(zip(self._variables, values, strict=True))
        segments = [
            [by_variable[item] if isinstance(item, Variable) else item for item in segment]
            for segment in self._segments
        ]
        return _build(segments, self.text, self.ignore_case)

    def matches(self, value: str, ctx: RequestContext) -> bool:
        """False when a variable is unresolvable: a Resource with a missing variable matches nothing."""
        glob = self.render(ctx)
        return glob is not None and glob.matches(value)

    def matches_in(self, value: str, ctx: RequestContext) -> bool:
        """Same as `matches`."""
        return self.matches(value, ctx)


def compile_pattern(template: Template, *, ignore_case: bool = False) -> PatternMatcher:
    """A Glob when the template has no variables, else a GlobTemplate."""
    if template.has_variables:
        return GlobTemplate.from_template(template, ignore_case=ignore_case)
    return Glob.from_parts(template.parts, ignore_case=ignore_case)


def _source(parts: Sequence[TemplatePart | LiteralText]) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Escape):
            out.append("${" + part.char + "}")
        elif isinstance(part, LiteralText):
            out.append(part.text)
        else:
            out.append(part.text)
    return "".join(out)


def _split(parts: Sequence[TemplatePart | LiteralText], *, allow_variables: bool = False) -> list[list[_Item]]:
    """Cut parts into segments at each wildcard `*`; a wildcard `?` becomes None."""
    segments: list[list[_Item]] = [[]]
    for part in parts:
        if isinstance(part, str):
            for n, piece in enumerate(part.split("*")):
                if n:
                    segments.append([])
                for m, chunk in enumerate(piece.split("?")):
                    if m:
                        segments[-1].append(None)
                    if chunk:
                        segments[-1].append(chunk)
        elif isinstance(part, Escape):
            segments[-1].append(part.char)
        elif isinstance(part, LiteralText):
            segments[-1].append(part.text)
        elif allow_variables:
            segments[-1].append(part)
        else:
            raise ValueError(f"unresolved variable `{part.text}` in a pattern")
    return segments


def _segment(items: Sequence[_Item], ignore_case: bool) -> _Seg:
    """Build one segment: merge literal items into chunks at their offsets."""
    chunks: list[tuple[int, str]] = []
    offset = 0
    start = 0
    buffer: list[str] = []
    for item in items:
        if item is None:
            if buffer:
                chunks.append((start, "".join(buffer)))
                buffer = []
            offset += 1
        elif isinstance(item, str):
            if not item:
                continue
            if not buffer:
                start = offset
            buffer.append(item.lower() if ignore_case else item)
            offset += len(item)
        else:
            raise ValueError(f"unresolved variable `{item.text}` in a pattern")
    if buffer:
        chunks.append((start, "".join(buffer)))
    return offset, tuple(chunks)


def _pure(seg: _Seg) -> str | None:
    """The text of a segment without `?`, else None."""
    length, chunks = seg
    if not chunks:
        return "" if length == 0 else None
    return chunks[0][1] if len(chunks) == 1 and len(chunks[0][1]) == length else None


def _build(segments: Sequence[Sequence[_Item]], text: str, ignore_case: bool) -> Glob:
    built = [_segment(items, ignore_case) for items in segments]
    first = built[0]
    if len(built) == 1:
        literal = _pure(first)
        kind = _LITERAL if literal is not None else _GENERAL
        return Glob(text, ignore_case, literal is not None, literal, False, kind, ("", ""), first, (), None)
    last = built[-1]
    middle = tuple(seg for seg in built[1:-1] if seg[0])
    prefix, suffix = _pure(first), _pure(last)
    everything = not middle and prefix == "" and suffix == ""
    kind = _GENERAL
    if not middle and prefix is not None and suffix is not None:
        kind = _EVERYTHING if everything else _SUFFIX if not prefix else _PREFIX if not suffix else _AFFIX
    return Glob(text, ignore_case, False, None, everything, kind, (prefix or "", suffix or ""), first, middle, last)


def _at(seg: _Seg, value: str, i: int) -> bool:
    """Whether segment `seg` matches `value` at index `i`."""
    if i + seg[0] > len(value):
        return False
    for offset, chunk in seg[1]:  # noqa: SIM110 - a loop is faster than all() here
        if not value.startswith(chunk, i + offset):
            return False
    return True


def _find(seg: _Seg, value: str, start: int, end: int) -> int:
    """The left-most index >= start where `seg` matches and ends by `end`, or -1."""
    length, chunks = seg
    if not chunks:
        return start if start + length <= end else -1
    offset, chunk = chunks[0]
    if len(chunks) == 1 and len(chunk) == length:  # no `?`: a plain search
        return value.find(chunk, start, end)
    offset, chunk = max(chunks, key=lambda c: len(c[1]))  # search for the longest chunk, check the others
    limit = end - length + offset + len(chunk)
    i = start
    while i + length <= end:
        j = value.find(chunk, i + offset, limit)
        if j < 0:
            return -1
        candidate = j - offset
        if all(value.startswith(c, candidate + o) for o, c in chunks):
            return candidate
        i = candidate + 1
    return -1


def _match(first: _Seg, middle: tuple[_Seg, ...], last: _Seg | None, value: str) -> bool:
    """The greedy matcher: O(len(value) * segment length) at worst, never exponential."""
    if not _at(first, value, 0):
        return False
    if last is None:
        return first[0] == len(value)
    pos = first[0]
    end = len(value) - last[0]
    if end < pos:
        return False
    for seg in middle:
        i = _find(seg, value, pos, end)
        if i < 0:
            return False
        pos = i + seg[0]
    return _at(last, value, end)
