"""Write `model/records.py` from the pydantic wire models: `python -m policysim.model.records_refresh`.

The pydantic models (model/scenario.py, model/policy.py, model/config_file.py) stay the one statement of each wire
form, its documentation and its error messages. From them this writes, for every model a file reaches, a frozen
record with the same fields (what the rest of policysim reads) and its rule as data (`SPEC`), which model/wire.py
checks plain data against without importing pydantic. tests/model/test_wire_records.py fails when the written file
is stale and holds the two readings equal. A form this does not know is refused here, at release time.
"""

from __future__ import annotations

import enum
import subprocess
import sys
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel, BeforeValidator
from pydantic.fields import FieldInfo
from pydantic.types import Strict
from pydantic_core import PydanticUndefined

from policysim.model.wire import resolve

ROOTS = (
    "policysim.model.scenario:ScenarioFile",
    "policysim.model.policy:PolicyDocument",
    "policysim.model.config_file:ConfigFile",
)
ALIASES = ("policysim.model.scenario:Ref",)  # type aliases over models, mirrored over their records
TARGET = Path(__file__).with_name("records.py")
Node = tuple[Any, ...]


def _qualified(thing: Any) -> str:
    return f"{thing.__module__}:{thing.__qualname__}"


def _split(tp: Any) -> tuple[Any, list[Any]]:
    """A type without its `Annotated` layers, and their metadata (a nested `Field`'s own metadata flattened)."""
    metadata: list[Any] = []
    while typing.get_origin(tp) is typing.Annotated:
        inner, *extra = typing.get_args(tp)
        for item in extra:
            metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        tp = inner
    return tp, metadata


class _Walk:
    """The rule (`SPEC` node) and the annotation text of every type the models use."""

    def __init__(self) -> None:
        self.models: dict[str, type[BaseModel]] = {}
        self.enums: set[type[enum.Enum]] = set()

    def model(self, cls: type[BaseModel]) -> str:
        name = cls.__name__
        known = self.models.get(name)
        if known is not None and known is not cls:
            raise ValueError(f"two wire models named {name}: {_qualified(known)}, {_qualified(cls)}")
        self.models[name] = cls
        return name

    def node(self, tp: Any, metadata: list[Any]) -> Node:
        tp, more = _split(tp)
        metadata = [*metadata, *more]
        befores = [m for m in metadata if isinstance(m, BeforeValidator)]
        if len(befores) > 1:
            raise ValueError(f"more than one BeforeValidator on {tp}")
        rest = [m for m in metadata if not isinstance(m, BeforeValidator)]
        inner = self._plain(tp, rest)
        return ("before", _qualified(befores[0].func), inner) if befores else inner

    def _plain(self, tp: Any, metadata: list[Any]) -> Node:
        limits = _limits(metadata, tp)
        origin = typing.get_origin(tp)
        if tp is str:
            return ("str", limits.pop("pattern", None), limits.pop("min", None), limits.pop("max", None))
        if tp is int:
            return _done(("int", limits.pop("ge", None), limits.pop("le", None)), limits, tp)
        if tp is bool:
            return _done(("bool",), limits, tp)
        if tp is float:
            return _done(("float",), limits, tp)
        if tp is type(None):
            return _done(("none",), limits, tp)
        if tp is Any:
            return _done(("any",), limits, tp)
        if origin is typing.Literal:
            return _done(("lit", typing.get_args(tp)), limits, tp)
        if origin is list:
            (item,) = typing.get_args(tp)
            return ("list", self.node(item, []), limits.pop("min", None), limits.pop("max", None))
        if origin is dict:
            key, value = typing.get_args(tp)
            return _done(("dict", self.node(key, []), self.node(value, [])), limits, tp)
        if origin in (typing.Union, types.UnionType):
            return _done(("union", tuple(self.node(m, []) for m in typing.get_args(tp))), limits, tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return _done(("record", self.model(tp)), limits, tp)
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            if not limits.pop("lax", False):
                raise ValueError(f"enum {tp} in strict mode: only instances pass, which plain data never holds")
            self.enums.add(tp)
            return _done(("enum", _qualified(tp)), limits, tp)
        raise ValueError(f"a wire type records_refresh does not know: {tp!r}")

    def text(self, tp: Any) -> str:
        """The annotation of a record field: model names stand for their records."""
        tp, _ = _split(tp)
        origin = typing.get_origin(tp)
        if tp is type(None):
            return "None"
        if tp is Any:
            return "Any"
        if origin is typing.Literal:
            return "Literal[" + ", ".join(repr(v) for v in typing.get_args(tp)) + "]"
        if origin in (list, dict):
            return f"{origin.__name__}[" + ", ".join(self.text(a) for a in typing.get_args(tp)) + "]"
        if origin in (typing.Union, types.UnionType):
            return " | ".join(self.text(a) for a in typing.get_args(tp))
        if isinstance(tp, type):
            return str(tp.__name__)
        raise ValueError(f"no annotation text for {tp!r}")


def _limits(metadata: list[Any], tp: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, annotated_types.MinLen):
            found["min"] = item.min_length
        elif isinstance(item, annotated_types.MaxLen):
            found["max"] = item.max_length
        elif isinstance(item, annotated_types.Ge):
            found["ge"] = item.ge
        elif isinstance(item, annotated_types.Le):
            found["le"] = item.le
        elif isinstance(item, Strict) and item.strict is False:
            found["lax"] = True
        elif type(item).__name__ == "_PydanticGeneralMetadata" and set(vars(item)) == {"pattern"}:
            found["pattern"] = item.pattern
        else:
            raise ValueError(f"a constraint records_refresh does not know on {tp!r}: {item!r}")
    return found


def _done(node: Node, limits: dict[str, Any], tp: Any) -> Node:
    if limits:
        raise ValueError(f"constraints {sorted(limits)} on {tp!r}, which records_refresh does not apply there")
    return node


def _default(walk: _Walk, info: FieldInfo) -> tuple[Node, str]:
    """The field's default as SPEC data and as the record's dataclass default."""
    if info.default_factory is not None:
        raise ValueError("default_factory is not supported; write the default")
    value = info.default
    if value is PydanticUndefined:
        return ("required",), ""
    if value == [] and isinstance(value, list):
        return ("list",), " = field(default_factory=list)"
    if value == {} and isinstance(value, dict):
        return ("dict",), " = field(default_factory=dict)"
    if isinstance(value, BaseModel):
        if value.model_fields_set:
            raise ValueError(f"a model default with fields set: {value!r}")
        name = walk.model(type(value))
        return ("record", name), f" = field(default_factory={name})"
    if value is None or isinstance(value, str | int | float | bool):
        return ("value", value), f" = {value!r}"
    raise ValueError(f"a default records_refresh does not know: {value!r}")


def _models(walk: _Walk) -> Iterator[type[BaseModel]]:
    """Every model the roots reach, each once, in the order first reached."""
    for root in ROOTS:
        walk.model(resolve(root))
    done: set[str] = set()
    while len(done) < len(walk.models):
        for name in list(walk.models):
            if name not in done:
                done.add(name)
                for info in walk.models[name].model_fields.values():
                    walk.node(info.annotation, list(info.metadata))
                    _default(walk, info)
                yield walk.models[name]


def render() -> str:
    """The text of `records.py`."""
    walk = _Walk()
    models = list(_models(walk))[::-1]  # a record after those its defaults name
    classes: list[str] = []
    spec: list[str] = []
    for cls in models:
        if cls.model_config.get("extra") != "forbid" or not cls.model_config.get("strict"):
            raise ValueError(f"{cls.__name__}: records mirror strict models that forbid unknown keys")
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else cls.__name__
        lines = ["@dataclass(frozen=True, kw_only=True, slots=True)", f"class {cls.__name__}:", f'    """{doc}"""', ""]
        fields = []
        for name, info in cls.model_fields.items():
            node = walk.node(info.annotation, list(info.metadata))
            default, written = _default(walk, info)
            key = info.alias or name
            lines.append(f"    {name}: {walk.text(info.annotation)}{written}")
            fields.append(f"        ({name!r}, {key!r}, {node!r}, {default!r}),")
        lines.append("    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)")
        classes.append("\n".join(lines))
        spec.append(f"    {cls.__name__!r}: (\n        {_qualified(cls)!r},\n        (\n" + "\n".join(fields))
        spec[-1] += "\n        ),\n    ),"
    aliases = "".join(f"{name.partition(':')[2]} = {walk.text(resolve(name))}\n" for name in ALIASES)
    enum_imports = "".join(f"from {e.__module__} import {e.__name__}\n" for e in sorted(walk.enums, key=_qualified))
    return (
        '"""Wire records: what policysim reads of a scenario, policy or configuration file.\n\n'
        "WRITTEN by `python -m policysim.model.records_refresh` from the pydantic wire models; do not edit.\n"
        "`SPEC`: record name -> (its pydantic model, fields as (name, key, rule, default)); model/wire.py reads it.\n"
        '"""\n\n'
        "from __future__ import annotations\n\n"
        "from dataclasses import dataclass, field\n"
        "from typing import Any, Literal\n\n"
        f"{enum_imports}\n\n" + "\n\n\n".join(classes) + "\n\n\n" + aliases + "\n\n"
        "SPEC: dict[str, tuple[str, tuple[tuple[str, str, Any, Any], ...]]] = {\n" + "\n".join(spec) + "\n}\n"
    )


def formatted(text: str) -> str:
    """`text` as `ruff format` writes it (the project's formatter), so the file stays clean for ruff."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(TARGET), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def main(write: Callable[[str], object] = TARGET.write_text) -> None:
    """Write the records file."""
    write(formatted(render()))


if __name__ == "__main__":
    main()
