"""Per-family facts, one entry per operator family, checked when built: how its values compile, and whether they may
hold policy variables. Every family of the operator table has exactly one entry.

Variables, from the operator pages (reference_policies_elements_condition_operators.md): "You can use a policy
variable with the `String` condition operator", likewise `ARN` and `Boolean`; "You can not use a policy variable
with the `Numeric` condition operator", likewise `Date`, `Binary`, `IpAddress` and `Null`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .arn import build_arn
from .binary import build_binary
from .boolean import build_bool
from .dates import build_date
from .ip import build_ip
from .numeric import build_numeric
from .operators import BASE_OPERATORS, Family
from .strings import build_string
from .values import Builder


@dataclass(frozen=True, slots=True)
class FamilyFacts:
    """What one operator family is: its builder (None for `Null`, which the block compiles with
    `null.build_null`: it is not a per-value test) and whether its values may hold policy variables."""

    build: Builder | None
    variables: bool


FAMILIES: dict[Family, FamilyFacts] = {
    Family.STRING: FamilyFacts(build_string, variables=True),
    Family.ARN: FamilyFacts(build_arn, variables=True),
    Family.BOOL: FamilyFacts(build_bool, variables=True),
    Family.NUMERIC: FamilyFacts(build_numeric, variables=False),
    Family.DATE: FamilyFacts(build_date, variables=False),
    Family.BINARY: FamilyFacts(build_binary, variables=False),
    Family.IP: FamilyFacts(build_ip, variables=False),
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
    builderless = {family for family, facts in FAMILIES.items() if facts.build is None}
    if missing or extra or builderless != {Family.NULL}:  # pragma: no cover - a programming error
        raise RuntimeError(
            f"condition registry out of step: missing {missing}, extra {extra}, no builder {builderless}"
        )


check_registry()
