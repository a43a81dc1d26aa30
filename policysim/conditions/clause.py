"""One (operator, key) pair of a Condition block, compiled: the unit `block` evaluates and `explain` describes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from policysim.context import RequestContext

from .operators import Family, OperatorSpec
from .values import ValueTest

#: the clause result for a key that is present with these values
Runner: TypeAlias = Callable[[tuple[str, ...], RequestContext], bool]


class Clause:
    """One (operator, key) pair with its compiled values."""

    __slots__ = (
        "key",
        "name",
        "on_missing",
        "policy_values",
        "reports_missing",
        "run",
        "spec",
        "test",
        "variables_enabled",
    )

    key: str
    name: str
    spec: OperatorSpec
    policy_values: tuple[str, ...]
    run: Runner
    on_missing: bool
    reports_missing: bool
    test: ValueTest | None
    variables_enabled: bool

    def __init__(
        self,
        name: str,
        spec: OperatorSpec,
        policy_values: tuple[str, ...],
        run: Runner,
        on_missing: bool,
        test: ValueTest | None,
        variables_enabled: bool,
    ) -> None:
        setter = object.__setattr__
        setter(self, "key", name.lower())
        setter(self, "name", name)
        setter(self, "spec", spec)
        setter(self, "policy_values", policy_values)
        setter(self, "run", run)
        setter(self, "on_missing", on_missing)
        setter(self, "reports_missing", spec.family is not Family.NULL)
        setter(self, "test", test)
        setter(self, "variables_enabled", variables_enabled)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def source(self) -> tuple[str, OperatorSpec, tuple[str, ...], bool]:
        """What the clause was compiled from: key name, operator, values and whether variables are read."""
        return self.name, self.spec, self.policy_values, self.variables_enabled

    def __eq__(self, other: object) -> bool:
        """Clauses compiled from the same operator, key and values are equal (their functions are made alike)."""
        return isinstance(other, Clause) and self.source() == other.source()

    def __hash__(self) -> int:
        return hash(self.source())

    def __repr__(self) -> str:
        return f"Clause({self.spec.name!r}, {self.name!r}, {self.policy_values!r})"

    def result(self, values: tuple[str, ...] | None, ctx: RequestContext) -> bool:
        """This clause's result for the key's request values (None: absent)."""
        return self.on_missing if values is None else self.run(values, ctx)
