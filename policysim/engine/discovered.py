"""What discovery found for a request that is not allowed: the conditions under which it would be, as data, and
their words. The search is `engine/discovery.py`; this module is only its result, so `Outcome` can carry it.

An alternative is a conjunction of requirements, each one condition of a policy (key, operator as AWS writes it,
values, the statement it comes from) that must hold, or, to keep a Deny from applying, must not hold; and the
witness: the context, those keys set, that was evaluated `allowed`. The missing keys an alternative does not set
(`unset`) are part of it: they stay absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from policysim.compiled import StatementRef
from policysim.conditions import Comparison, Family, OperatorSpec, SetQualifier
from policysim.enums import Gate


class DiscoveryStatus(StrEnum):
    """What discovery concluded."""

    ALLOWED = "allowed"  # the request is allowed already: nothing to discover
    FOUND = "found"  # alternatives, each verified
    NONE = "none"  # denied whatever the missing keys hold (the search was exhaustive)
    UNDECIDED = "undecided"  # no alternative found, and the search was not exhaustive: nothing is claimed


class DiscoveryGap(StrEnum):
    """Why a search was not exhaustive (more alternatives may exist, or none was proven)."""

    EVALUATIONS = "evaluations"  # the cap on evaluations was reached
    ALTERNATIVES = "alternatives"  # the cap on alternatives was reached
    STATEMENTS = "statements"  # more statements depend on the missing keys than the search combines
    VALUES = "values"  # no value taken from the conditions met a combination of wildcard or set conditions
    VARIABLES = "variables"  # a policy variable in a statement of the action: keys may change what it reads
    UNDETERMINED = "undetermined"  # a witness was evaluated `undetermined` (an unknown policy document)
    LATER_HOP = "later-hop"  # a witness moved a role chain past the refusing hop, to policies not searched
    REFUSED = "refused"  # a candidate context was refused as input (an endpoint the model does not declare, ...)
    ENDPOINT = "endpoint"  # a candidate chose a VPC endpoint whose policy compares other missing keys (not searched)


GAP_WORDS: dict[DiscoveryGap, str] = {
    DiscoveryGap.EVALUATIONS: "the cap on evaluations was reached",
    DiscoveryGap.ALTERNATIVES: "the cap on alternatives was reached",
    DiscoveryGap.STATEMENTS: "more statements compare the missing keys than the search combines",
    DiscoveryGap.VALUES: "no value taken from the conditions met some combination of wildcard or set conditions",
    DiscoveryGap.VARIABLES: "a statement of the action reads a policy variable",
    DiscoveryGap.UNDETERMINED: "a candidate context was `undetermined` (an unknown policy document)",
    DiscoveryGap.LATER_HOP: "a candidate context passed the refusing role-chain hop and met other policies",
    DiscoveryGap.REFUSED: "a candidate context was refused as input",
    DiscoveryGap.ENDPOINT: "a candidate context chose a VPC endpoint whose policy compares other missing keys",
}


@dataclass(frozen=True, slots=True)
class Requirement:
    """One condition that must hold (`holds`), or must not hold (to keep a Deny from applying)."""

    key: str  # as the policy writes it
    operator: OperatorSpec  # `operator.name` is the operator as AWS writes it
    values: tuple[str, ...]  # the policy's values
    statement: StatementRef
    holds: bool = True

    def __str__(self) -> str:
        return phrase(self)


@dataclass(frozen=True, slots=True)
class Alternative:
    """A conjunction of requirements that makes the request allowed, with the context that was verified."""

    requirements: tuple[Requirement, ...]
    witness: tuple[tuple[str, tuple[str, ...]], ...]  # key (as written) -> values: the context evaluated `allowed`
    unset: tuple[str, ...]  # the other missing keys the conditions compare: absent in the witness, as required

    @property
    def context(self) -> dict[str, str | list[str]]:
        """The witness as `Scenario.evaluate`'s `context` (a one-value key as a string)."""
        return {key: values[0] if len(values) == 1 else list(values) for key, values in self.witness}

    def lines(self, first: bool) -> list[str]:
        """This alternative in words: the conjunction, each requirement's source, the witness."""
        lead = "allowed if" if first else "or allowed if"
        out = [f"discovery: {lead} " + " and ".join(phrase(r) for r in self.requirements)]
        out += [f"  - {phrase(r)}: `{r.operator.name}` in {r.statement}" for r in self.requirements]
        shown = ", ".join(f"{k}={','.join(v)}" for k, v in self.witness)
        out.append(f"  verified with: {shown}")
        if self.unset:
            out.append("  left absent: " + ", ".join(self.unset))
        return out


@dataclass(frozen=True, slots=True)
class Discovery:
    """The result of discovery for one request."""

    status: DiscoveryStatus
    keys: tuple[str, ...] = ()  # the missing keys that the conditions of the request's statements compare
    alternatives: tuple[Alternative, ...] = ()  # minimal ones first
    gaps: tuple[DiscoveryGap, ...] = ()  # why the search was not exhaustive (empty: it was)
    refused_by: tuple[Gate, ...] = ()  # NONE: the gates that refuse with every statement that could apply
    denies: tuple[StatementRef, ...] = ()  # NONE: Deny statements no value of the missing keys keeps from applying
    evaluations: int = 0  # contexts evaluated through the evaluator

    @property
    def exhaustive(self) -> bool:
        """Did the search cover every combination of statements and values?"""
        return not self.gaps

    def lines(self) -> list[str]:
        """The discovery in words."""
        keys = ", ".join(f"`{k}`" for k in self.keys)
        if self.status is DiscoveryStatus.ALLOWED:
            return ["discovery: the request is allowed already"]
        if self.status is DiscoveryStatus.NONE:
            if not self.keys:
                return [
                    "discovery: denied whatever the missing keys hold: no condition of a statement that applies "
                    "to the request compares a key the request lacks"
                ]
            why = []
            if self.denies:
                why.append("a Deny applies whatever they hold: " + "; ".join(str(d) for d in self.denies))
            if self.refused_by:
                why.append(
                    "refused at " + ", ".join(g.value for g in self.refused_by) + " with every statement that "
                    "could apply"
                )
            return [f"discovery: denied whatever the missing keys ({keys}) hold: " + "; ".join(why or ["-"])]
        out: list[str] = []
        for index, alternative in enumerate(self.alternatives):
            out += alternative.lines(index == 0)
        if self.status is DiscoveryStatus.UNDECIDED:
            out.append(f"discovery: no alternative found for the missing keys ({keys}); nothing is claimed")
        if self.gaps:
            words = "; ".join(GAP_WORDS[gap] for gap in self.gaps)
            more = "more alternatives may exist" if self.alternatives else "the search was cut"
            out.append(f"discovery: {more} ({words}; {self.evaluations} contexts evaluated)")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def document(self) -> dict[str, Any]:
        """As data (JSON-ready): the status, the keys, each alternative (requirements, the verified context, the keys
        left absent) and, when there is none, why."""
        return {
            "status": self.status.value,
            "keys": list(self.keys),
            "exhaustive": self.exhaustive,
            "gaps": [gap.value for gap in self.gaps],
            "evaluations": self.evaluations,
            "alternatives": [
                {
                    "requirements": [
                        {
                            "key": r.key,
                            "operator": r.operator.name,
                            "values": list(r.values),
                            "holds": r.holds,
                            "statement": str(r.statement),
                            "text": str(r),
                        }
                        for r in alternative.requirements
                    ],
                    "context": alternative.context,
                    "unset": list(alternative.unset),
                }
                for alternative in self.alternatives
            ],
            "refused_by": [gate.value for gate in self.refused_by],
            "denies": [str(ref) for ref in self.denies],
            "text": self.lines(),
        }


# (positive, negative) words per comparison; ordered comparisons of dates read as time
_WORDS: dict[Comparison, tuple[str, str]] = {
    Comparison.EQUALS: ("is", "is not"),
    Comparison.EQUALS_IGNORE_CASE: ("is, ignoring case,", "is not, ignoring case,"),
    Comparison.LIKE: ("is like", "is not like"),
    Comparison.LESS_THAN: ("is less than", "is not less than"),
    Comparison.LESS_THAN_EQUALS: ("is at most", "is more than"),
    Comparison.GREATER_THAN: ("is more than", "is not more than"),
    Comparison.GREATER_THAN_EQUALS: ("is at least", "is less than"),
    Comparison.IN_RANGE: ("is in", "is not in"),
}
_DATE_WORDS: dict[Comparison, tuple[str, str]] = {
    Comparison.LESS_THAN: ("is before", "is not before"),
    Comparison.LESS_THAN_EQUALS: ("is at or before", "is after"),
    Comparison.GREATER_THAN: ("is after", "is not after"),
    Comparison.GREATER_THAN_EQUALS: ("is at or after", "is before"),
}


def phrase(requirement: Requirement) -> str:
    """A requirement in words, for a key that is given (an alternative gives every key it requires):
    "`aws:SourceIp` is in `10.0.0.0/8`", "`aws:SourceIp` is not in `192.0.2.0/24`" (a Deny's condition negated),
    "some value of `aws:TagKeys` is `team`"."""
    op, key = requirement.operator, f"`{requirement.key}`"
    if op.family is Family.NULL:  # a given key is not null: `Null: true` fails, `Null: false` holds
        return f"{key} is given"
    # IfExists changes nothing for a given key; the negation of a set qualifier swaps it and the inner test
    negated = op.negated if requirement.holds else not op.negated
    subject = key
    if op.qualifier is not SetQualifier.NONE:
        some = (op.qualifier is SetQualifier.FOR_ANY_VALUE) == requirement.holds
        subject = f"{'some' if some else 'every'} value of {key}"
    words = (_DATE_WORDS if op.family is Family.DATE else {}).get(op.comparison) or _WORDS[op.comparison]
    values = requirement.values
    shown = ", ".join(f"`{v}`" for v in values)
    return f"{subject} {words[1] if negated else words[0]} {'one of ' if len(values) > 1 else ''}{shown}"


def witness_mapping(witness: Mapping[str, tuple[str, ...]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A witness as the sorted pairs an `Alternative` keeps."""
    return tuple(sorted(witness.items(), key=lambda item: item[0].lower()))
