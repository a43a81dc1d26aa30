"""Family -> builder, checked when built: every family in the operator table has exactly one builder."""

from __future__ import annotations

from .arn import build_arn
from .binary import build_binary
from .boolean import build_bool
from .dates import build_date
from .ip import build_ip
from .numeric import build_numeric
from .operators import BASE_OPERATORS, Family
from .strings import build_string
from .values import Builder

#: `Null` is not a per-value test; the block compiles it with `null.build_null`
BUILDERS: dict[Family, Builder] = {
    Family.STRING: build_string,
    Family.NUMERIC: build_numeric,
    Family.DATE: build_date,
    Family.BOOL: build_bool,
    Family.BINARY: build_binary,
    Family.IP: build_ip,
    Family.ARN: build_arn,
}


def check_registry() -> None:
    """Fail at import if the operator table and the builders disagree."""
    families = {family for family, _, _ in BASE_OPERATORS.values()}
    missing = families - set(BUILDERS) - {Family.NULL}
    extra = set(BUILDERS) - families
    if missing or extra or Family.NULL in BUILDERS:  # pragma: no cover - a programming error
        raise RuntimeError(f"condition registry out of step: missing {missing}, extra {extra}")


check_registry()
