"""Per-family facts, one entry per operator family, checked when built: how its values compile, and whether they may
hold policy variables. Every family of the operator table has exactly one entry.

Variables, from the operator pages (reference_policies_elements_condition_operators.md): "You can use a policy
variable with the `String` condition operator", likewise `ARN` and `Boolean`; "You can not use a policy variable
with the `Numeric` condition operator", likewise `Date`, `Binary`, `IpAddress` and `Null`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

from .operators import BASE_OPERATORS, Family
from .values import Builder


@dataclass(frozen=True, slots=True)
class FamilyFacts:
    """What one operator family is: its builder, as `module:function` of this package (None for `Null`, which the
    block compiles with `null.build_null`: it is not a per-value test), and whether its values may hold policy
    variables. A family's module is imported when its first condition is compiled (docs/performance.md, start-up)."""

    builder: str | None
    variables: bool

    @property
    def build(self) -> Builder | None:
        """The family's builder (None for `Null`)."""
        return None if self.builder is None else _imported(self.builder)


@cache
def _imported(builder: str) -> Builder:
    module, _, name = builder.partition(":")
    found: Builder = getattr(importlib.import_module(f".{module}", __package__), name)
    return found


FAMILIES: dict[Family, FamilyFacts] = {
    Family.STRING: FamilyFacts("strings:build_string", variables=True),
    Family.ARN: FamilyFacts("arn:build_arn", variables=True),
    Family.BOOL: FamilyFacts("boolean:build_bool", variables=True),
    Family.NUMERIC: FamilyFacts("numeric:build_numeric", variables=False),
    Family.DATE: FamilyFacts("dates:build_date", variables=False),
    Family.BINARY: FamilyFacts("binary:build_binary", variables=False),
    Family.IP: FamilyFacts("ip:build_ip", variables=False),
    Family.NULL: FamilyFacts(None, variables=False),
}

_WITH_VARIABLES = [family.value for family, facts in FAMILIES.items() if facts.variables]
#: the hint of the error for a variable where a family allows none: `String, Arn and Bool operators only`
VARIABLES_HINT = f"variables work with {', '.join(_WITH_VARIABLES[:-1])} and {_WITH_VARIABLES[-1]} operators only"


def check_registry() -> None:
    """Fail at import if the operator table and the registry disagree."""
    families = {family for family, _, _ in BASE_OPERATORS.values()}
    missing = families - set(FAMILIES)
    extra = set(FAMILIES) - families
    builderless = {family for family, facts in FAMILIES.items() if facts.builder is None}
    if missing or extra or builderless != {Family.NULL}:  # pragma: no cover - a programming error
        raise RuntimeError(
            f"condition registry out of step: missing {missing}, extra {extra}, no builder {builderless}"
        )


check_registry()
