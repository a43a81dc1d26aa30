"""The request context: condition keys and their values, as the engine sees them.

Key names are case-insensitive in AWS, so they are stored lowercased. Every key holds a tuple of strings: a
single-valued key holds one value, a multivalued key (``aws:TagKeys``) any number, an empty tuple is a key that is
present with no values. A key that is absent is simply not in the mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TypeAlias

SOURCE_VPCE = "aws:sourcevpce"  # the VPC endpoint a request travels through: it chooses the endpoint's policy
SOURCE_VPC = "aws:sourcevpc"  # the endpoint's VPC

ContextScalar: TypeAlias = str | bool | int | float
ContextInput: TypeAlias = ContextScalar | list[ContextScalar] | tuple[ContextScalar, ...]


def context_value_text(value: ContextScalar) -> str:
    """AWS compares context values as text; booleans are `true` / `false`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class RequestContext(Mapping[str, tuple[str, ...]]):
    """An immutable mapping of lowercased condition key names to their values."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self._values: dict[str, tuple[str, ...]] = dict(values) if values else {}

    @classmethod
    def owning(cls, values: dict[str, tuple[str, ...]]) -> RequestContext:
        """A context over `values` itself, not a copy: for a builder handing over a dict it made and drops."""
        context = cls.__new__(cls)
        context._values = values
        return context

    @classmethod
    def build(cls, items: Mapping[str, ContextInput | None]) -> RequestContext:
        """Build from user-facing values (str, bool, int, lists of them); `None` values are left out."""
        values: dict[str, tuple[str, ...]] = {}
        for key, raw in items.items():
            if raw is None:
                continue
            if isinstance(raw, list | tuple):
                values[key.lower()] = tuple(context_value_text(v) for v in raw)
            else:
                values[key.lower()] = (context_value_text(raw),)
        return cls(values)

    def with_values(self, items: Mapping[str, tuple[str, ...] | None]) -> RequestContext:
        """A copy with `items` set (lowercased names); a `None` value removes the key."""
        values = dict(self._values)
        set_values(values, items)
        return RequestContext.owning(values)

    def single(self, key: str) -> str | None:
        """The value of a single-valued key, or None when the key is absent or has not exactly one value."""
        values = self._values.get(key)
        if values is None or len(values) != 1:
            return None
        return values[0]

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self._values[key]

    def get(self, key: str, default: object = None) -> tuple[str, ...] | None:  # type: ignore[override]
        """The values of lowercased `key`, or None when absent."""
        return self._values.get(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"RequestContext({self._values!r})"

    def keys_matching(self, prefix: str) -> Iterable[str]:
        """Keys that start with a lowercased prefix such as `aws:principaltag/`."""
        return (k for k in self._values if k.startswith(prefix))


class DeferredContext(RequestContext):
    """A request context whose values are assembled the first time they are read: the context of an outcome
    answered from a plan's memory (`Evaluator.evaluate`), which most callers never read."""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[], dict[str, tuple[str, ...]]]) -> None:
        self._make = make

    def __getattr__(self, name: str) -> dict[str, tuple[str, ...]]:
        if name != "_values":
            raise AttributeError(name)
        values = self._make()  # the slot is unset until now; reading it again finds it
        self._values = values
        return values

    def __reduce__(self) -> tuple[type[RequestContext], tuple[dict[str, tuple[str, ...]]]]:
        return RequestContext, (self._values,)


def given_keys(items: Mapping[str, tuple[str, ...] | None]) -> dict[str, tuple[str, ...] | None]:
    """A copy of `items` by lowercased name, a later spelling of a name winning, as `set_values` reads them."""
    names = "".join(items)
    if names == names.lower():  # every name lowercased already (the common case, checked at once)
        return dict(items)
    return {key.lower(): raw for key, raw in items.items()}


def set_values(values: dict[str, tuple[str, ...]], items: Mapping[str, tuple[str, ...] | None]) -> None:
    """Set `items` in `values` (names lowercased); a `None` value removes the key."""
    for key, raw in items.items():
        if raw is None:
            values.pop(key.lower(), None)
        else:
            values[key.lower()] = raw
