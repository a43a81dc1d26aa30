"""Read plain data into wire records (model/records.py), the located error when it does not fit.

Data is first checked against the records' rule (`records.SPEC`, written from the pydantic models) without pydantic.
What that check does not accept goes to pydantic's validation of the same model (model/validation.py), which states
the refusal with its location, or, where the check is only more cautious than pydantic (an ambiguous union, a
string subclass), accepts it; its model is then turned into the record. So the pydantic models stay the one rule,
and `check` imports pydantic only for data with a problem. tests/model/test_wire_records.py holds the two equal.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from policysim.errors import Location, PathPart
from policysim.model import records

Locator = Callable[[Sequence[PathPart]], Location]
R = TypeVar("R")
Check = Callable[[Any], Any]
_REFUSED: Any = object()  # what a check gives for data it does not accept
_CHECKS: dict[str, Check] = {}


def read(record: type[R], data: Any, locate: Locator, what: str = "") -> R:
    """`data` as a `record`, or the SchemaError pydantic's validation of it raises, located at the first problem."""
    found = parse(record, data)
    if found is not None:
        return found
    from policysim.model.validation import validate  # pydantic: only for data the check does not accept

    wire = validate(pydantic_model(record), data, locate, what)
    converted: R = to_record(wire)
    return converted


def parse(record: type[R], data: Any) -> R | None:
    """`data` as a `record` if the records' rule accepts it, else None (pydantic then has the last word)."""
    found = _record_check(record.__name__)(data)
    return None if found is _REFUSED else found


def pydantic_model(record: type[Any]) -> Any:
    """The pydantic model a record mirrors."""
    return resolve(records.SPEC[record.__name__][0])


def to_record(model: Any) -> Any:
    """A validated pydantic model as its record (nested models too; plain data as it is)."""
    cls = getattr(records, type(model).__name__)
    values = {name: _plain(getattr(model, name)) for name in type(model).model_fields}
    return cls(**values, fields_set=frozenset(model.model_fields_set))


def _plain(value: Any) -> Any:
    if hasattr(type(value), "model_fields"):
        return to_record(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def resolve(name: str) -> Any:
    """The object a `module:name` of `records.SPEC` names."""
    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _record_check(name: str) -> Check:
    """The check of one record, built on first use."""
    check = _CHECKS.get(name)
    if check is None:
        check = _CHECKS[name] = _build_record(name)
    return check


def _build_record(name: str) -> Check:
    cls = getattr(records, name)
    fields = [(field, key, _check(rule), default) for field, key, rule, default in records.SPEC[name][1]]
    keys = {key for _, key, _, _ in fields}

    def check(value: Any) -> Any:
        if type(value) is not dict or not keys.issuperset(value):
            return _REFUSED
        values: dict[str, Any] = {}
        for field, key, rule, default in fields:
            if key in value:
                found = rule(value[key])
                if found is _REFUSED:
                    return _REFUSED
                values[field] = found
            elif default[0] == "required":
                return _REFUSED
            else:
                values[field] = _default(default)
        given = frozenset(field for field, key, _, _ in fields if key in value)
        return cls(**values, fields_set=given)

    return check


def _default(default: tuple[Any, ...]) -> Any:
    kind = default[0]
    if kind == "value":
        return default[1]
    if kind == "list":
        return []
    if kind == "dict":
        return {}
    return getattr(records, default[1])()  # "record"


def _check(node: tuple[Any, ...], in_union: bool = False) -> Check:
    """The check of one rule (a `records.SPEC` node): the value as the record holds it, or `_REFUSED`."""
    kind = node[0]
    if kind == "str":
        return _string(*node[1:])
    if kind == "int":
        return _integer(*node[1:])
    if kind == "bool":
        return lambda v: v if type(v) is bool else _REFUSED
    if kind == "float":
        # strict pydantic takes a whole number for a float (as a float); in a union it picks the member by exact
        # type, so there only a float is taken here and a whole number without an int member goes to pydantic
        if in_union:
            return lambda v: v if type(v) is float else _REFUSED
        return lambda v: v if type(v) is float else float(v) if type(v) is int else _REFUSED
    if kind == "none":
        return lambda v: None if v is None else _REFUSED
    if kind == "any":
        return lambda v: v
    if kind == "lit":
        return _literal(node[1])
    if kind == "list":
        return _list(_check(node[1]), node[2], node[3])
    if kind == "dict":
        return _dict(_check(node[1]), _check(node[2]))
    if kind == "union":
        return _union([_check(member, in_union=True) for member in node[1]])
    if kind == "record":
        name = node[1]
        return lambda v: _record_check(name)(v)
    if kind == "enum":
        return _enum(resolve(node[1]))
    if kind == "before":
        return _before(resolve(node[1]), _check(node[2], in_union))
    raise ValueError(f"unknown wire rule {node!r}")  # records_refresh writes only the kinds above


def _string(pattern: str | None, low: int | None, high: int | None) -> Check:
    # pydantic's patterns are searched by the Rust regex engine, where `$` is the very end; Python's `$` also
    # matches before a final newline, so a string with a newline is left to pydantic
    matcher = re.compile(pattern).search if pattern is not None else None

    def check(value: Any) -> Any:
        if type(value) is not str:
            return _REFUSED
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            return _REFUSED
        if matcher is not None and ("\n" in value or matcher(value) is None):
            return _REFUSED
        return value

    return check


def _integer(low: int | None, high: int | None) -> Check:
    def check(value: Any) -> Any:
        if type(value) is not int or (low is not None and value < low) or (high is not None and value > high):
            return _REFUSED
        return value

    return check


def _literal(allowed: tuple[Any, ...]) -> Check:
    def check(value: Any) -> Any:
        for choice in allowed:
            if type(value) is type(choice) and value == choice:
                return choice
        return _REFUSED

    return check


def _list(item: Check, low: int | None, high: int | None) -> Check:
    def check(value: Any) -> Any:
        if (
            type(value) is not list
            or (low is not None and len(value) < low)
            or (high is not None and len(value) > high)
        ):
            return _REFUSED
        out = [item(element) for element in value]
        return _REFUSED if any(element is _REFUSED for element in out) else out

    return check


def _dict(key: Check, item: Check) -> Check:
    def check(value: Any) -> Any:
        if type(value) is not dict:
            return _REFUSED
        out = {}
        for name, element in value.items():
            name_found, element_found = key(name), item(element)
            if name_found is _REFUSED or element_found is _REFUSED:
                return _REFUSED
            out[name_found] = element_found
        return out

    return check


def _union(members: list[Check]) -> Check:
    def check(value: Any) -> Any:
        found = [out for out in (member(value) for member in members) if out is not _REFUSED]
        if found and all(out is found[0] for out in found):  # one reading (`None` of `Any | None`: the same object)
            return found[0]
        return _REFUSED  # none, or two different readings: pydantic decides

    return check


def _enum(kind: Any) -> Check:
    values = {member.value: member for member in kind}

    def check(value: Any) -> Any:
        return values.get(value, _REFUSED) if type(value) is str else _REFUSED

    return check


def _before(function: Callable[[Any], Any], inner: Check) -> Check:
    def check(value: Any) -> Any:
        try:
            value = function(value)
        except Exception:  # the function's refusal: pydantic states it
            return _REFUSED
        return inner(value)

    return check
