"""Date operators: DateEquals ... DateGreaterThanEquals.

"You must specify date/time values with one of the W3C implementations of the ISO 8601 date formats or in
epoch (UNIX) time." Both forms are accepted on both sides (aws:CurrentTime is ISO, aws:EpochTime is epoch
seconds) and typed as exact epoch seconds (`Decimal`), so the ordered comparison is the one Numeric uses.

Accepted forms (W3C NOTE-datetime profiles): `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDThh:mm`,
`YYYY-MM-DDThh:mm:ss`, `YYYY-MM-DDThh:mm:ss.s...`, each time with `Z` or `+hh:mm`/`-hh:mm`; a time without a
zone is read as UTC. A value of digits only is epoch seconds — so the W3C year-only form `YYYY` is read as
epoch seconds, not as a year. "Wildcards are not permitted for date condition operators"; "You can not use a
policy variable with the `Date` condition operator."
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING

from .numeric import Parser, build_ordered, decimal
from .values import BuildInput, Matcher

if TYPE_CHECKING:
    from decimal import Decimal

_EPOCH_SECONDS = re.compile(r"[0-9]{1,15}", re.ASCII)
_W3C = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})"
    r"(?:-(?P<d>[0-9]{2})"
    r"(?:T(?P<h>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?P<f>\.[0-9]{1,9})?)?"
    r"(?P<tz>Z|[+-][0-9]{2}:[0-9]{2})?)?)?",
    re.ASCII,
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_date(text: str) -> Decimal | None:
    """Epoch seconds of an ISO-8601 (W3C) or epoch value, or None."""
    if _EPOCH_SECONDS.fullmatch(text):
        return decimal(text)
    match = _W3C.fullmatch(text)
    if match is None:
        return None
    parts = match.groupdict()
    try:
        when = datetime(
            int(parts["y"]),
            int(parts["mo"]),
            int(parts["d"] or 1),
            int(parts["h"] or 0),
            int(parts["mi"] or 0),
            int(parts["s"] or 0),
            tzinfo=_zone(parts["tz"]),
        )
    except ValueError:
        return None
    delta = when - _EPOCH
    seconds = decimal(delta.days * 86400 + delta.seconds)
    fraction = parts["f"]
    return seconds + decimal(fraction) if fraction else seconds


def _zone(text: str | None) -> timezone:
    if text is None or text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    if minutes >= 60:
        raise ValueError("minutes out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))  # raises ValueError beyond 24h


request_date: Parser = lru_cache(maxsize=4096)(parse_date)


def build_date(spec: BuildInput) -> Matcher:
    """Compile Date-family values."""
    return build_ordered(spec, parse_date, request_date, "date (ISO 8601 or epoch seconds)")
