"""Fast makers for the frozen, slotted records the hot path returns.

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__`, which costs several times a
plain assignment; on the path that answers a remembered decision (`Evaluator.evaluate`) that is most of the work.
These makers set the slots through their descriptors instead: the same object, the same fields, made without the
frozen guard's round trip. Only code that makes a record wholesale uses them; the records stay immutable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def slot_maker(cls: type[T]) -> Callable[..., T]:
    """`cls(**values)` with every field given by keyword, without defaults and without `__post_init__`."""
    names = _names(cls)
    maker: Callable[..., T] = _generate(cls, f"make(*, {', '.join(names)})", {name: name for name in names})
    return maker


def slot_loader(cls: type[T]) -> Callable[..., T]:
    """`cls(*values)` with every field given in field order (for a loader handed the values in that order, as
    pickling does), without defaults and without `__post_init__`."""
    names = _names(cls)
    loader: Callable[..., T] = _generate(cls, f"load({', '.join(names)})", {name: name for name in names})
    return loader


def slot_copier(cls: type[T], field: str) -> Callable[[T, Any], T]:
    """`dataclasses.replace(record, **{field: value})` for `cls`, as `copy(record, value)`."""
    values = {name: "value" if name == field else f"record.{name}" for name in _names(cls)}
    copier: Callable[[T, Any], T] = _generate(cls, "copy(record, value)", values)
    return copier


def _names(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]


def _generate(cls: type, signature: str, values: dict[str, str]) -> Any:
    """A function `signature` making a `cls` whose slots are set to `values` (expressions by field name)."""
    env: dict[str, Any] = {"new": object.__new__, "cls": cls}
    env.update({f"set_{name}": getattr(cls, name).__set__ for name in values})
    sets = [f"    set_{name}(o, {value})" for name, value in values.items()]
    lines = [f"def {signature}:", "    o = new(cls)", *sets, "    return o"]
    exec("\n".join(lines), env)  # the code is made from the class's own field names
    return env[signature.split("(", 1)[0]]
