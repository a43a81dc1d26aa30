"""The plain block YAML most scenario files are written in, read without PyYAML: the loader's fast path.

`events(text)` gives the parser events libyaml gives for the same text (kinds, values, styles, and the marks the
document keeps) when the text keeps to the subset below, else None; the loader then asks PyYAML, which stays the
specification and gives every error message. Importing PyYAML costs a start about 12 ms (docs/performance.md,
"Start-up"), more than the rest of reading a scenario.

The subset: printable characters without tabs, one document without directives or markers, whose root is a block
mapping or sequence. Block mappings and sequences (a sequence entry may start a compact mapping; a mapping's value
may be a sequence at the key's own indentation). Keys plain (letters, digits and `_.:/+=@$-`, not ending with `:`)
or quoted, each followed at once by `:`, at most 1,024 characters long as libyaml allows. Values on the key's or the
entry's line: a plain scalar (not starting with an indicator, holding no `: ` and not ending with `:`, never
continued on the next line), a quoted scalar without escapes or doubled quotes, a flow sequence or mapping of such
scalars (there holding no `?`) and collections that closes on its line, or a literal or folded block scalar (clipped
or stripped) whose lines are equally indented. Comments on lines of their own or after a value. Anything else gives
None. tests/load/test_yaml_fast.py holds the events equal to libyaml's, on generated documents, on changed ones and
on every YAML file of the repository.
"""

from __future__ import annotations

import re

from .document import MAX_DEPTH


class Event:
    """A parser event: what the loader reads of PyYAML's events, and the same for the fast path's.

    `kind` is `document`, `scalar`, `alias`, `mapping` or `sequence` (the start of a collection), or `end` (of one);
    `start` and `end` are 0-based (line, column) positions, as PyYAML's marks give them. `style` is a scalar's: ``
    (plain), `"`, `'`, `|` or `>`.
    """

    __slots__ = ("anchor", "end", "flow", "kind", "start", "style", "tag", "value")

    def __init__(
        self,
        kind: str,
        start: tuple[int, int],
        end: tuple[int, int],
        value: str = "",
        style: str = "",
        flow: bool = False,
        anchor: str | None = None,
        tag: str | None = None,
    ) -> None:
        self.kind, self.start, self.end, self.value = kind, start, end, value
        self.style, self.flow, self.anchor, self.tag = style, flow, anchor, tag


class _Unsupported(Exception):
    """The text leaves the subset: PyYAML reads it."""


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # tabs, carriage returns and the other control characters
# the other characters the subset leaves to PyYAML: C1 controls, the line and paragraph separators (the loader
# refuses them and U+0085 before), a byte order mark and the non-characters
_OTHERS = "".join(map(chr, range(0x80, 0xA0))) + "\u2028\u2029\ufeff\ufffe\uffff"  # and YAML 1.1's line breaks
_PLAIN_KEY = r"[A-Za-z0-9_$][A-Za-z0-9_.:/+=@$-]*?"
# a key, then `:` and a space or the end of the line: (plain, double-quoted, single-quoted)
_KEY = re.compile(rf"(?:({_PLAIN_KEY})|\"([^\"\\]*)\"|'([^']*)'):(?= |$)")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_LONGEST_KEY = 1024  # libyaml's longest simple key, from its first character to its `:`
# a plain scalar in a flow collection: words of anything but flow indicators, quotes and `#`, single spaces apart
_FLOW_PLAIN = re.compile(r"[^,\[\]{}#\"' ]+(?: [^,\[\]{}#\"' ]+)*")
_BLOCK_HEADER = re.compile(r"([|>])(-?)(?: +#.*)?$")
_COMMENT_AFTER = re.compile(r" *(?: #.*)?$")  # what may follow a value on its line


def events(text: str) -> list[Event] | None:
    """libyaml's events for `text` when it keeps to the subset, else None."""
    if _CONTROL.search(text) is not None or not (text.isascii() or _printable(text)):
        return None
    try:
        return _Scanner(text).document()
    except Exception:  # `_Unsupported`, or a fault of this fast path: the specification reads the text
        return None


class _Scanner:
    """Reads the subset line by line; every method that meets anything else raises `_Unsupported`."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.out: list[Event] = []
        self.depth = 0
        stripped = [line.lstrip(" ") for line in self.lines]
        self.indents = [len(line) - len(rest) for line, rest in zip(self.lines, stripped, strict=True)]
        # from each line on, the first with something other than a comment on it (None after the last)
        self.following: list[int | None] = [None] * (len(self.lines) + 1)
        for index in range(len(self.lines) - 1, -1, -1):
            rest = stripped[index]
            self.following[index] = index if rest and rest[0] != "#" else self.following[index + 1]

    def document(self) -> list[Event]:
        first = self._next(0)
        if first is None:
            raise _Unsupported  # an empty document: PyYAML's path says so
        for line in self.lines:
            if line.startswith(("---", "...", "%")):
                raise _Unsupported
        at = (first, 0)
        self.out.append(Event("document", at, at))
        after = self._block(first, -1)
        if self._next(after) is not None:
            raise _Unsupported
        return self.out

    # --- lines -----------------------------------------------------------------------------------------------

    def _indent(self, number: int) -> int:
        return self.indents[number]

    def _next(self, number: int) -> int | None:
        """The first line from `number` on with something other than a comment on it, or None."""
        return self.following[number]

    # --- collections -----------------------------------------------------------------------------------------

    def _block(self, number: int, parent: int) -> int:
        """The block collection starting on line `number`, more indented than `parent`; the line after it."""
        indent = self._indent(number)
        if indent <= parent:
            raise _Unsupported
        if self._entry(number, indent):
            return self._sequence(number, indent)
        return self._mapping(number, indent)

    def _entry(self, number: int, column: int) -> bool:
        """Whether line `number` holds a sequence entry's `-` at `column`."""
        rest = self.lines[number][column:]
        return rest == "-" or rest.startswith("- ")

    def _open(self, kind: str, line: int, column: int, flow: bool = False) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Unsupported  # PyYAML's path refuses it, located
        at = (line, column)
        self.out.append(Event(kind, at, at, flow=flow))

    def _close(self, line: int) -> None:
        self.depth -= 1
        at = (line, 0)  # a block collection's end mark is not read: its span ends with its last child's
        self.out.append(Event("end", at, at))

    def _sequence(self, number: int, indent: int) -> int:
        self._open("sequence", number, indent)
        line: int | None = number
        while line is not None and self._indent(line) == indent and self._entry(line, indent):
            text = self.lines[line]
            column = _skip(text, indent + 1)
            rest = text[column:]
            if rest == "" or rest.startswith("#"):
                after = self._nested(line, indent)
            elif _KEY.match(rest) is not None:
                after = self._mapping(line, column)
            else:
                after = self._value(line, column, indent)
            line = self._next(after)
        if line is not None and self._indent(line) > indent:
            raise _Unsupported
        self._close(line if line is not None else len(self.lines) - 1)
        return line if line is not None else len(self.lines)

    def _mapping(self, number: int, column: int) -> int:
        """The block mapping whose first key is at `column` of line `number`; the line after it."""
        self._open("mapping", number, column)
        line: int | None = number
        first = True
        while line is not None and (first or (self._indent(line) == column and not self._entry(line, column))):
            text = self.lines[line]
            found = _KEY.match(text, column)
            if found is None:
                raise _Unsupported
            self._key(found, line, column)
            value = _skip(text, found.end())  # after the `:`
            rest = text[value:]
            if rest == "" or rest.startswith("#"):
                after = self._nested_value(line, column, found.end(), len(text) > found.end())
            else:
                after = self._value(line, value, column)
            line = self._next(after)
            first = False
        if line is not None and self._indent(line) >= column:
            raise _Unsupported  # deeper, or a sequence entry at the mapping's own indentation, which no key holds
        self._close(line if line is not None else len(self.lines) - 1)
        return line if line is not None else len(self.lines)

    def _key(self, found: re.Match[str], line: int, column: int) -> None:
        plain, double, single = found.groups()
        end = found.end() - 1  # the `:`
        if end - column > _LONGEST_KEY:
            raise _Unsupported
        if plain is not None:
            if plain.endswith(":"):
                raise _Unsupported
            self.out.append(Event("scalar", (line, column), (line, end), plain, ""))
        else:
            style = '"' if double is not None else "'"
            value = double if double is not None else single
            self.out.append(Event("scalar", (line, column), (line, end), value, style))

    def _nested(self, number: int, indent: int) -> int:
        """An entry's value on the lines after `number` (more indented than `indent`); the line after it."""
        line = self._next(number + 1)
        if line is None or self._indent(line) <= indent:
            raise _Unsupported  # an empty entry
        return self._block(line, indent)

    def _nested_value(self, number: int, column: int, after: int, spaced: bool) -> int:
        """A mapping value on the lines after the key's (at `column` of line `number`, its `:` ending at `after`);
        the line after it."""
        line = self._next(number + 1)
        if line is not None and self._indent(line) > column:
            return self._block(line, column)
        if line is not None and self._indent(line) == column and self._entry(line, column):
            return self._sequence(line, column)  # a sequence at the key's own indentation
        if spaced:
            raise _Unsupported  # an empty value followed by spaces or a comment
        at = (number, after)
        self.out.append(Event("scalar", at, at, "", ""))
        return number + 1

    # --- values on a line ------------------------------------------------------------------------------------

    def _value(self, number: int, column: int, parent: int) -> int:
        """The value starting at `column` of line `number`, in a node indented by `parent`; the line after it."""
        text = self.lines[number]
        first = text[column]
        if first in "|>":
            return self._block_scalar(number, column, parent)
        if first in "[{":
            end = self._flow(text, number, column)
        elif first in "\"'":
            end = self._quoted(text, number, column)
        elif first in _INDICATORS:
            raise _Unsupported
        else:
            cut = text.find(" #", column)
            body = text[column : cut if cut >= 0 else len(text)].rstrip(" ")
            if ": " in body or body.endswith(":"):
                raise _Unsupported
            end = column + len(body)
            self.out.append(Event("scalar", (number, column), (number, end), body, ""))
        if _COMMENT_AFTER.match(text, end) is None:
            raise _Unsupported
        following = self._next(number + 1)
        if following is not None and self._indent(following) > parent:
            raise _Unsupported  # a scalar continued on the next line, or a misplaced node
        return number + 1

    def _flow(self, text: str, number: int, at: int) -> int:
        """The flow sequence (`[`) or mapping (`{`) opening at column `at` and closing on the same line; the column
        after it."""
        closer = "]" if text[at] == "[" else "}"
        self._open("sequence" if closer == "]" else "mapping", number, at, flow=True)
        at = _skip(text, at + 1)
        while not text.startswith(closer, at):
            if closer == "}":
                key = at
                at = self._flow_scalar(text, number, at, key=True)
                if at - key > _LONGEST_KEY or not text.startswith(": ", at):
                    raise _Unsupported  # a key without a value, or spaces before its `:`
                at = _skip(text, at + 2)
            at = _skip(text, self._flow_node(text, number, at))
            if text.startswith(",", at):
                at = _skip(text, at + 1)
                if text.startswith(closer, at):
                    raise _Unsupported  # a trailing comma
            elif not text.startswith(closer, at):
                raise _Unsupported
        self.depth -= 1
        self.out.append(Event("end", (number, at), (number, at + 1)))
        return at + 1

    def _flow_node(self, text: str, number: int, at: int) -> int:
        """The node at column `at` inside a flow collection; the column after it."""
        if text.startswith(("[", "{"), at):
            return self._flow(text, number, at)
        return self._flow_scalar(text, number, at)

    def _flow_scalar(self, text: str, number: int, at: int, key: bool = False) -> int:
        """The scalar at column `at` inside a flow collection (a mapping's key: up to its `: `); the column after."""
        first = text[at : at + 1]
        if first in ('"', "'"):
            return self._quoted(text, number, at)
        if key:
            colon = text.find(": ", at)
            body = text[at:colon] if colon >= 0 else ""
            if _FLOW_PLAIN.fullmatch(body) is None:
                raise _Unsupported
        else:
            found = _FLOW_PLAIN.match(text, at)
            body = found.group() if found is not None else ""
        if not body or first in _INDICATORS or ": " in body or body.endswith(":") or "?" in body:
            raise _Unsupported  # (libyaml refuses `:?` in a flow scalar, the pure-Python parser ends one at `?`)
        self.out.append(Event("scalar", (number, at), (number, at + len(body)), body))
        return at + len(body)

    def _quoted(self, text: str, number: int, at: int) -> int:
        """The one-line quoted scalar (no escapes; a doubled quote ends it, and then what follows is refused) at
        column `at`; the column after its closing quote."""
        quote = text[at]
        close = text.find(quote, at + 1)
        body = text[at + 1 : close]
        if close < 0 or (quote == '"' and "\\" in body):
            raise _Unsupported
        self.out.append(Event("scalar", (number, at), (number, close + 1), body, quote))
        return close + 1

    def _block_scalar(self, number: int, column: int, parent: int) -> int:
        """The literal (`|`) or folded (`>`) scalar whose header is at `column`; the line after it."""
        header = _BLOCK_HEADER.match(self.lines[number], column)
        if header is None:
            raise _Unsupported
        style, strip = header.group(1), header.group(2) == "-"
        body: list[str] = []
        indent = None
        line = number + 1
        while line < len(self.lines):
            text = self.lines[line]
            if text == "":
                body.append("")
            elif text.strip(" ") == "":
                raise _Unsupported  # a line of spaces only
            else:
                here = self._indent(line)
                if indent is None:
                    if here <= parent:
                        break
                    indent = here
                if here < indent:
                    break
                if here > indent or text.endswith(" "):
                    raise _Unsupported  # more indented lines, or trailing spaces, fold their own way
                body.append(text[indent:])
            line += 1
        while body and body[-1] == "":
            body.pop()
        if indent is None or not body or body[0] == "":
            raise _Unsupported
        if line < len(self.lines) and self.lines[line].lstrip(" ").startswith("#"):
            raise _Unsupported  # a comment ends it
        if line == len(self.lines) and self.lines[-1] != "":
            raise _Unsupported  # the text ends inside it, without a line break
        end = line if line < len(self.lines) else len(self.lines) - 1
        value = "\n".join(body) if style == "|" else _fold(body)
        value += "" if strip else "\n"
        self.out.append(Event("scalar", (number, column), (end, 0), value, style))
        return line


def _printable(text: str) -> bool:
    """Whether a text with characters beyond ASCII holds only printable ones (and no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(char in text for char in _OTHERS)


def _skip(text: str, at: int) -> int:
    """The column of the first character from `at` on that is not a space."""
    while text.startswith(" ", at):
        at += 1
    return at


def _fold(lines: list[str]) -> str:
    """Folded lines: a line break between two lines is a space; each empty line between them is a line break."""
    out = lines[0]
    blank = 0
    for line in lines[1:]:
        if line == "":
            blank += 1
            continue
        out += "\n" * blank if blank else " "
        out += line
        blank = 0
    return out
