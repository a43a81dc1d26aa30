"""Candidate values for a condition key, taken from the conditions that compare it: the compared value, a value
inside and just outside a CIDR range, `true` and `false`, numbers and dates on and beside each bound, a wildcard
pattern filled in, and a few values that match none of them. Discovery (`engine/discovery.py`) keeps the candidates
that meet what it needs, each tested with the clause's own compiled test; nothing here decides anything.

Completeness: for keys compared only by ordered (Numeric, Date), IP, Bool, Null, Binary and exact String / Arn
conditions, with at most one wildcard pattern and no set qualifier, the candidates meet every combination of those
conditions (and their negations) that some value meets: an interval or CIDR region has an end point among the bounds,
the bounds plus or minus one, and the midpoints; an equality region is a policy value or a fresh one. Otherwise a
combination no candidate meets is reported (`DiscoveryGap.VALUES`), never taken as unsatisfiable.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import combinations, pairwise

from policysim.conditions import Clause, Comparison, Family, SetQualifier
from policysim.conditions.dates import parse_date
from policysim.conditions.ip import parse_network
from policysim.conditions.numeric import parse_number

FRESH = ("policysim-other", "", "0", "zz")  # values that match few conditions: "none of the policy's values"
_FILL = "xyz0123456789"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_SCALARS = 24  # candidates per key, before pairs (multivalued keys)


def candidates(clauses: Sequence[Clause]) -> tuple[list[tuple[str, ...]], bool]:
    """The candidate request values (each a tuple: one key's values) for a key compared by `clauses`, and whether
    they are complete for combinations of these clauses (see the module docstring)."""
    scalars: dict[str, None] = {}
    families = {clause.spec.family for clause in clauses}
    patterns = 0
    complete = True
    for clause in clauses:
        if clause.variables_enabled and any("${" in text for text in clause.policy_values):
            complete = False  # a variable's value is the request's: the texts are not what is compared
        if clause.spec.qualifier is not SetQualifier.NONE:
            complete = False
        if clause.spec.comparison is Comparison.LIKE and any(_wild(text) for text in clause.policy_values):
            patterns += 1
        if clause.spec.comparison is Comparison.EQUALS_IGNORE_CASE:
            patterns += 1
    complete = complete and patterns <= 1
    points = _ordered_points(clauses, families)
    literals = sum(len(clause.policy_values) for clause in clauses)
    for clause in clauses:
        for value in _scalars(clause, literals):
            scalars.setdefault(value, None)
    scalars.update(dict.fromkeys(points))
    for value in _fresh(families):
        scalars.setdefault(value, None)
    ordered = list(scalars)[:_MAX_SCALARS]
    if len(scalars) > _MAX_SCALARS:
        complete = False
    out: list[tuple[str, ...]] = [(value,) for value in ordered]
    if any(clause.spec.qualifier is not SetQualifier.NONE for clause in clauses):
        out += [pair for pair in combinations(ordered[:12], 2)]
    return out, complete


def _wild(text: str) -> bool:
    return "*" in text or "?" in text


def _scalars(clause: Clause, literals: int) -> list[str]:
    """Values from one clause's own policy values."""
    family, comparison = clause.spec.family, clause.spec.comparison
    out: list[str] = []
    for text in clause.policy_values:
        if family in (Family.STRING, Family.ARN, Family.BINARY):
            if comparison is Comparison.LIKE and _wild(text):  # filled in first: `home/` before `home/*`
                out += [_filled(text, k) for k in range(literals + 2)]
            out.append(text)
            if comparison is Comparison.EQUALS_IGNORE_CASE:
                out += [text.upper(), text.lower(), text.swapcase()]
        elif family is Family.BOOL:
            out += ["true", "false"]
        elif family is Family.IP:
            out += _ip_points(text)
    return out


def _filled(pattern: str, k: int) -> str:
    """A wildcard pattern filled in: each `*` with the k-th filler (the first empty), each `?` with a character."""
    star = "" if k == 0 else f"{k - 1}"
    return pattern.replace("*", star).replace("?", _FILL[k % len(_FILL)])


def _ip_points(text: str) -> list[str]:
    """The first, second and last addresses of a range, and the addresses just outside it."""
    network = parse_network(text)
    if network is None:
        return []
    first, last = int(network.network_address), int(network.broadcast_address)
    top = (1 << network.max_prefixlen) - 1
    maker = ipaddress.IPv4Address if network.version == 4 else ipaddress.IPv6Address
    numbers = [first + 1 if last > first else first, first, last, first - 1, last + 1, 0]
    return [str(maker(n)) for n in numbers if 0 <= n <= top]


def _ordered_points(clauses: Sequence[Clause], families: set[Family]) -> list[str]:
    """For Numeric and Date keys: every bound, each bound plus and minus one, and the midpoints between bounds."""
    out: list[str] = []
    for family, parse, show in ((Family.NUMERIC, parse_number, _number), (Family.DATE, parse_date, _date)):
        if family not in families:
            continue
        texts = [text for clause in clauses if clause.spec.family is family for text in clause.policy_values]
        bounds = sorted({value for value in map(parse, texts) if value is not None})
        points: list[Decimal] = []
        for value in bounds:
            points += [value, value - 1, value + 1]
        points += [(a + b) / 2 for a, b in pairwise(bounds)]
        for point in points:
            text = show(point)
            if text is not None:
                out.append(text)
    return out


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != 0 else "0"


def _date(value: Decimal) -> str | None:
    """Epoch seconds as ISO 8601 (UTC; a fraction of a second where there is one), or None past year 9999."""
    whole = int(value // 1)
    fraction = value - whole
    try:
        moment = _EPOCH + timedelta(seconds=whole)
    except OverflowError:
        return None
    if not 1 <= moment.year <= 9999:
        return None
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if fraction:
        digits = format(fraction.normalize(), "f")[2:]
        if len(digits) > 9:
            return None
        text += "." + digits
    return text + "Z"


def _fresh(families: set[Family]) -> list[str]:
    """Values matching none (or few) of a family's policy values."""
    out = list(FRESH)
    if Family.IP in families:
        out += ["192.0.2.1", "2001:db8::1"]
    if Family.BOOL in families:
        out += ["true", "false"]
    if Family.ARN in families:
        out.append("arn:aws:iam::000000000000:user/policysim-other")
    if Family.BINARY in families:
        out.append("cG9saWN5c2lt")
    return out
