"""CloudFormation template text -> `Document`: JSON, or YAML with the short-form tags, every value located.

JSON templates are read by policysim's own JSON loader (duplicate keys refused, spans kept). YAML templates are read
here, from PyYAML's event stream (no Python object is ever constructed by PyYAML), as CloudFormation reads them:

- YAML 1.1, the version CloudFormation supports: plain `yes`/`no`/`on`/`off` are booleans, `0755` an octal number;
- the short forms become the long forms CloudFormation turns them into: `!Ref X` -> `{"Ref": "X"}`,
  `!Condition C` -> `{"Condition": "C"}`, `!GetAtt Res.Attr` -> `{"Fn::GetAtt": ["Res", "Attr"]}` (split on the
  first dot), and every other function tag `!F v` -> `{"Fn::F": v}`; a tagged scalar is always text;
- CloudFormation has no timestamps ("with the exception of ... binary, omap, pairs, set and timestamp"), so an
  unquoted `Version: 2012-10-17` stays the text `2012-10-17`;
- what CloudFormation refuses is refused, located: aliases and anchors ("YAML aliases are not allowed in
  CloudFormation templates"), merge keys, the binary/omap/pairs/set tags, unknown `!Tags`, several documents, and
  (policysim's rule everywhere) duplicate keys and nesting deeper than MAX_DEPTH.

The wrapper a tag makes (`{"Fn::Sub": ...}`) is located at the tagged node, and so is its one key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from policysim.errors import Location, ParseError, PolicysimError, SchemaError
from policysim.load import MAX_DEPTH, Document, Path_, Span, decode_input, load_json
from policysim.load.document import check_surrogates, empty_error, position, show

_LOADER: Any = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCT = yaml.constructor.SafeConstructor()

FUNCTION_TAGS = frozenset(
    {
        "Base64",
        "Cidr",
        "FindInMap",
        "GetAZs",
        "GetAtt",
        "If",
        "ImportValue",
        "Join",
        "Select",
        "Split",
        "Sub",
        "Transform",
        "And",
        "Equals",
        "Not",
        "Or",
        "Length",
        "ToJsonString",
        "ForEach",
    }
)
"""`!F` short forms that become `{"Fn::F": ...}` (with `!Ref` and `!Condition`, which keep their own names)."""

_CORE = "tag:yaml.org,2002:"
_CORE_SCALARS = {"str", "int", "float", "bool", "null"}
_REFUSED_CORE = {"binary", "omap", "pairs", "set", "timestamp"}


def _span(event: Any, end: Any = None) -> Span:
    start, stop = event.start_mark, (end or event).end_mark
    return Span(start.line + 1, start.column + 1, stop.line + 1, stop.column + 1)


def _at(file: str, span: Span) -> Location:
    return Location(file, span.line, span.column)


def _plain(text: str, file: str, span: Span) -> Any:
    """An untagged plain scalar as YAML 1.1 reads it, except that timestamps stay text (CloudFormation has none)."""
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    kind = tag[len(_CORE) :] if tag.startswith(_CORE) else "str"
    return _construct(kind, text, file, span)


def _construct(kind: str, text: str, file: str, span: Span) -> Any:
    if kind not in _CORE_SCALARS:  # timestamp, value (`=`), merge (`<<` as a value): text
        return text
    if kind == "str":
        return text
    try:
        value = getattr(_CONSTRUCT, f"construct_yaml_{kind}")(yaml.ScalarNode(_CORE + kind, text))
    except (ValueError, yaml.YAMLError):
        raise ParseError(f"`{show(text)}` is not a valid {kind}", _at(file, span)) from None
    if (isinstance(value, float) and value != value) or value in (float("inf"), float("-inf")):
        return text  # JSON (and so CloudFormation's model of the template) holds no NaN or infinity
    return value


@dataclass
class _Frame:
    value: dict[str, Any] | list[Any]
    path: Path_  # where the collection's items go (inside the wrapper, if tagged)
    outer: Path_  # where the collection (or its wrapper) sits
    start: Any
    wrap: str | None
    key: str | None = None
    first_seen: dict[str, int] = field(default_factory=dict)


def _function_key(tag: str, file: str, span: Span) -> str | None:
    """The long-form key a tag stands for (`!Sub` -> `Fn::Sub`), None for a core tag that changes nothing."""
    if tag.startswith(_CORE):
        kind = tag[len(_CORE) :]
        if kind in _REFUSED_CORE:
            raise ParseError(f"CloudFormation does not support the YAML tag `!!{kind}`", _at(file, span))
        if kind in _CORE_SCALARS or kind in ("map", "seq"):
            return None
        raise ParseError(f"YAML tag `!!{show(kind)}` is not supported", _at(file, span))
    name = tag[1:] if tag.startswith("!") else tag
    if name in ("Ref", "Condition"):
        return name
    if name in FUNCTION_TAGS:
        return "Fn::" + name
    raise ParseError(
        f"unknown CloudFormation tag `{show(tag)}`",
        _at(file, span),
        hint="the short forms are !Ref, !Condition, !Sub, !GetAtt, !Join, !Select, !Split, !FindInMap, !If, "
        "!Equals, !Not, !And, !Or, !ImportValue, !GetAZs, !Base64, !Cidr, !Transform",
    )


class _Builder:
    """Consumes parser events and builds the template iteratively."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.stack: list[_Frame] = []
        self.spans: dict[Path_, Span] = {}
        self.key_spans: dict[Path_, Span] = {}
        self.root: Any = None
        self.documents = 0
        self.done = False

    def feed(self, event: Any) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise ParseError(
                    "a template is one YAML document, this file holds several", _at(self.file, _span(event))
                )
            return
        if isinstance(event, yaml.StreamStartEvent | yaml.StreamEndEvent | yaml.DocumentEndEvent):
            return
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise ParseError(
                "YAML aliases and anchors are not allowed in CloudFormation templates",
                _at(self.file, _span(event)),
                hint="write each value out",
            )
        if isinstance(event, yaml.ScalarEvent):
            self._scalar(event)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            self._open(event)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            self._close(event)

    def _scalar(self, event: Any) -> None:
        span = _span(event)
        text: str = event.value
        check_surrogates(text, self.file, span)
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.value, dict) and frame.key is None:
            self._key(frame, event, span)
            return
        tag = event.tag
        wrap = _function_key(tag, self.file, span) if tag is not None else None
        value: Any
        if tag is None:
            value = _plain(text, self.file, span) if not event.style else text
        elif wrap is None:  # a core tag: `!!str 1` is text, `!!int "1"` a number
            kind = tag[len(_CORE) :]
            value = _construct(kind, text, self.file, span) if kind in _CORE_SCALARS else text
        elif wrap == "Fn::GetAtt":
            resource, dot, attribute = text.partition(".")
            if not dot or not resource or not attribute:
                raise ParseError(
                    f"`!GetAtt {show(text)}` names no attribute",
                    _at(self.file, span),
                    hint="write `!GetAtt Resource.Attribute`",
                )
            value = [resource, attribute]
        else:
            value = text
        self._add(value, span, wrap)

    def _key(self, frame: _Frame, event: Any, span: Span) -> None:
        text: str = event.value
        if event.tag is not None:
            raise ParseError("a mapping key cannot be tagged", _at(self.file, span))
        if not event.style and text == "<<":
            raise ParseError("merge keys (`<<`) are not allowed in CloudFormation templates", _at(self.file, span))
        if text in frame.first_seen:
            raise SchemaError(
                f"duplicate key `{show(text)}` (first defined on line {frame.first_seen[text]})",
                _at(self.file, span),
            )
        frame.first_seen[text] = span.line
        frame.key = text
        self.key_spans[(*frame.path, text)] = span

    def _child_path(self) -> Path_:
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.value, dict):
            assert frame.key is not None
            return (*frame.path, frame.key)
        return (*frame.path, len(frame.value))

    def _add(self, value: Any, span: Span, wrap: str | None = None, at: Path_ | None = None) -> None:
        path = self._child_path() if at is None else at
        if wrap is not None:
            self.spans[(*path, wrap)] = span
            self.key_spans[(*path, wrap)] = span
            if isinstance(value, list) and at is None:  # `!GetAtt A.B`: both parts at the scalar
                for index in range(len(value)):
                    self.spans[(*path, wrap, index)] = span
            value = {wrap: value}
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

    def _open(self, event: Any) -> None:
        span = _span(event)
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.value, dict) and frame.key is None:
            raise SchemaError("mapping keys must be strings, not collections", _at(self.file, span))
        if len(self.stack) >= MAX_DEPTH:
            raise ParseError(f"nesting is deeper than {MAX_DEPTH} levels", _at(self.file, span))
        wrap = _function_key(event.tag, self.file, span) if event.tag is not None else None
        outer = self._child_path()
        value: dict[str, Any] | list[Any] = {} if isinstance(event, yaml.MappingStartEvent) else []
        inner = (*outer, wrap) if wrap is not None else outer
        self.stack.append(_Frame(value, inner, outer, event, wrap))

    def _close(self, event: Any) -> None:
        frame = self.stack.pop()
        span = _span(frame.start, event)
        if frame.wrap is None:
            self._add(frame.value, span, at=frame.outer)
        else:
            self.spans[frame.path] = span
            self._add(frame.value, span, frame.wrap, at=frame.outer)


def _syntax_error(exc: yaml.YAMLError, text: str, file: str) -> ParseError:
    if isinstance(exc, yaml.reader.ReaderError):
        line, col = position(text, max(text.find(chr(exc.character)), 0))
        return ParseError(f"character U+{exc.character:04X} is not allowed in YAML", Location(file, line, col))
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        loc = Location(file, mark.line + 1, mark.column + 1) if mark is not None else Location(file)
        if "maximum nesting depth" in problem:
            return ParseError(f"nesting is deeper than {MAX_DEPTH} levels", loc)
        message = f"invalid YAML: {problem}"
        if exc.context and exc.problem:
            message += f" ({exc.context})"
        return ParseError(message, loc)
    return ParseError(f"invalid YAML: {exc}", Location(file))


def decode_yaml(text: str | bytes, file: str) -> Document:
    """A YAML template (see the module docstring)."""
    source = decode_input(text, file)
    builder = _Builder(file)
    try:
        for event in yaml.parse(source, Loader=_LOADER):
            builder.feed(event)
    except PolicysimError:
        raise
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, source, file) from None
    except Exception as exc:  # a library failure must not escape as anything but a ParseError
        raise ParseError(f"cannot parse YAML: {type(exc).__name__}", Location(file)) from None
    if not builder.done or builder.root is None:
        raise empty_error(file)
    return Document(builder.root, file, builder.spans, builder.key_spans)


def decode_template(text: str | bytes, file: str) -> Document:
    """A template, JSON when its first character is `{` (falling back to YAML, of which JSON is nearly a subset,
    when it is not valid JSON), YAML otherwise. The root must be a mapping."""
    source = decode_input(text, file)
    if source.lstrip()[:1] == "{":
        try:
            document = load_json(source, file)
        except ParseError as json_error:
            try:
                document = decode_yaml(source, file)
            except ParseError:
                raise json_error from None
    else:
        document = decode_yaml(source, file)
    if not isinstance(document.data, dict):
        raise SchemaError("a CloudFormation template is a mapping (`Resources:` ...)", document.locate(()))
    return document
