"""Fast makers for the frozen, slotted records the hot path returns.

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__`, which costs several times a
plain assignment; on the path that answers a remembered decision (`Evaluator.evaluate`) that is most of the work.
These makers set the slots through their descriptors instead: the same object, the same fields, made without the
frozen guard's round trip. Only code that makes a record wholesale uses them; the records stay immutable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, fields
from typing import Any, TypeVar

T = TypeVar("T")
FAST_INIT = "<records.fast_init of "  # how the file name of a `fast_init` code starts


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


def fast_init(cls: type[T]) -> type[T]:
    """Give the frozen, slotted dataclass `cls` an `__init__` of the same signature (its fields in order, their
    defaults) that sets the slots through their descriptors: for records the hot path makes by the thousand. A class
    with a `__post_init__`, a keyword-only or non-init field or a default factory is refused (its init does more)."""
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__")
    env: dict[str, Any] = {}
    params: list[str] = []
    sets: list[str] = []
    for f in fields(cls):  # type: ignore[arg-type]
        if not f.init or f.kw_only or f.default_factory is not MISSING:
            raise TypeError(f"{cls.__name__}.{f.name} is keyword-only, not in __init__ or has a default factory")
        if f.default is MISSING:
            params.append(f.name)
        else:
            env[f"default_{f.name}"] = f.default
            params.append(f"{f.name}=default_{f.name}")
        env[f"set_{f.name}"] = getattr(cls, f.name).__set__
        sets.append(f"    set_{f.name}(self, {f.name})")
    text = "\n".join([f"def __init__(self, {', '.join(params)}):", *sets])  # from the class's own field names
    exec(compile(text, f"{FAST_INIT}{cls.__qualname__}>", "exec"), env)
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = f"A {cls.__name__} of these fields (set through the slots: `records.fast_init`)."
    setattr(cls, "__init__", init)  # noqa: B010 (mypy refuses assigning a method)
    return cls


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
