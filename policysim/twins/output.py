"""AWS's `SimulatePolicyResponse` shape, built from outcomes: field names and order as in botocore's model.

Statement positions follow what AWS returns (evidence in docs/aws-compat.md): lines and columns are 1-based;
a statement in a `Statement` array starts just past the `[` or `,` before it and ends just past its `}` (or past
the `,` after it when another statement follows); a lone `Statement` object starts just past its `{`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from policysim.compiled import CompiledPolicy, StatementRef
from policysim.engine.analysis import Analysis, analyse
from policysim.engine.outcome import Outcome
from policysim.engine.policies import PolicySet
from policysim.engine.scan import Findings
from policysim.enums import Decision, Effect, PolicyKind
from policysim.errors import Location, RequestError
from policysim.identifiers import is_ascii_digits
from policysim.load import Document
from policysim.request import Principal
from policysim.twins.discovered import discovery_fields

Position = tuple[int, int]
StatementSpan = tuple[Position, Position]
Positions = Mapping[str, Mapping[int, StatementSpan]]

IAM_POLICY = "IAM Policy"
RESOURCE_POLICY = "Resource Policy"
BOUNDARY_POLICY = "Permissions Boundary Policy"
SESSION_POLICY = "Session Policy"  # policysim extension: AWS's simulator takes no session policies
# policysim extension `PolicyTypeDecisionDetails`: the other types' names, in the same style
SCP_POLICY = "Service Control Policy"
RCP_POLICY = "Resource Control Policy"
ENDPOINT_POLICY = "VPC Endpoint Policy"
SOURCE_TYPES: dict[PolicyKind, str] = {
    PolicyKind.RESOURCE: RESOURCE_POLICY,
    PolicyKind.TRUST: RESOURCE_POLICY,
    PolicyKind.IDENTITY: IAM_POLICY,
    PolicyKind.BOUNDARY: BOUNDARY_POLICY,
    PolicyKind.SESSION: SESSION_POLICY,
    PolicyKind.VPC_ENDPOINT: ENDPOINT_POLICY,  # policysim extension, as the session policy's
}
_ORDER = list(SOURCE_TYPES)
ALLOWED, EXPLICIT, IMPLICIT = Decision.ALLOWED, Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY


def statement_positions(doc: Document, text: str) -> dict[int, StatementSpan]:
    """Start and end (line, column) of every statement of a JSON policy, as AWS reports them."""
    statement = doc.data.get("Statement") if isinstance(doc.data, dict) else None
    outer = doc.spans.get(("Statement",))
    if outer is None:
        return {}
    if isinstance(statement, dict):
        return {0: ((outer.line, outer.column + 1), (outer.end_line, outer.end_column))}
    if not isinstance(statement, list):
        return {}
    starts = _line_starts(text)
    out: dict[int, StatementSpan] = {}
    previous: Position = (outer.line, outer.column + 1)  # just past `[`
    for index in range(len(statement)):
        span = doc.spans[("Statement", index)]
        end: Position = (span.end_line, span.end_column)
        if index < len(statement) - 1:
            end = _past_comma(text, starts, end)
        out[index] = (previous, end)
        previous = end
    return out


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    return starts


def _past_comma(text: str, starts: list[int], at: Position) -> Position:
    offset = starts[at[0] - 1] + at[1] - 1
    while offset < len(text) and text[offset] in " \t\r\n":
        offset += 1
    if offset < len(text) and text[offset] == ",":
        offset += 1
    line = max(i for i, s in enumerate(starts) if s <= offset)
    return line + 1, offset - starts[line] + 1


def positions_of(policies: Sequence[tuple[CompiledPolicy, Document, str]]) -> dict[str, dict[int, StatementSpan]]:
    """Statement positions of JSON policies by policy id."""
    return {policy.id: statement_positions(doc, text) for policy, doc, text in policies}


@dataclass(frozen=True)
class Evaluation:
    """One action on one resource: the outcome, and the policies it was decided with."""

    action: str
    resource: str
    outcome: Outcome
    policies: PolicySet


class Renderer:
    """Turns evaluations into `EvaluationResults` items."""

    def __init__(self, positions: Positions, source_id: Callable[[str], str] = str) -> None:
        self.positions = positions
        self.source_id = source_id

    def result(self, ev: Evaluation) -> dict[str, Any]:
        """One `EvaluationResult`."""
        outcome = ev.outcome
        specific = ev.resource != "*"
        matched = self._matched(outcome)
        missing = list(outcome.missing_keys)
        orgs, boundary, details, types = _details(ev)
        out: dict[str, Any] = {
            "EvalActionName": ev.action,
            "EvalResourceName": ev.resource,
            "EvalDecision": outcome.decision.value,
            "MatchedStatements": matched,
            "MissingContextValues": missing,
        }
        if outcome.discovery is not None:  # policysim extension: `"SimulationMode": "Discovery"` (twins/discovered.py)
            out.update(discovery_fields(outcome.discovery, self.source))
        if outcome.unknowns:  # policysim extension: the decision is `undetermined`, and these decide it
            out["Unknowns"] = [{"Reason": u.reason, "Source": u.source} for u in outcome.unknowns]
        if ev.policies.resource is None and ev.policies.absent_resource_policy:
            # policysim extension: the resource policy that must allow (a key policy, a trust policy) was not given
            out["MissingResourcePolicy"] = ev.policies.absent_resource_policy
        if orgs is not None:
            out["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": orgs}
        if boundary is not None:
            out["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": boundary}
        cross = _cross_account(outcome)
        if orgs is not False and (cross or specific):
            out["EvalDecisionDetails"] = details if cross else {}
        if types:  # policysim extension: what each policy type evaluated said, refusing types included
            out["PolicyTypeDecisionDetails"] = types
        if specific:
            item: dict[str, Any] = {
                "EvalResourceName": ev.resource,
                "EvalResourceDecision": outcome.decision.value,
                "MatchedStatements": matched,
                "MissingContextValues": missing,
            }
            if cross and orgs is not False:
                item["EvalDecisionDetails"] = details
            if boundary is not None:
                item["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": boundary}
            out["ResourceSpecificResults"] = [item]
        return out

    def _matched(self, outcome: Outcome) -> list[dict[str, Any]]:
        if outcome.decision is Decision.IMPLICIT_DENY:
            return []  # AWS lists only statements that decided: an implicit deny has none
        effect = Effect.DENY if outcome.decision is Decision.EXPLICIT_DENY else Effect.ALLOW
        refs = [r for r in dict.fromkeys(outcome.matched) if r.effect is effect and r.kind in SOURCE_TYPES]
        refs.sort(key=lambda r: _ORDER.index(r.kind))
        return [self.statement(r) for r in refs]

    def source(self, ref: StatementRef) -> dict[str, Any]:
        """A statement named as `statement` does; an SCP's or RCP's, which AWS's types do not cover, by its kind."""
        if ref.kind in SOURCE_TYPES:
            return self.statement(ref)
        return {"SourcePolicyId": self.source_id(ref.policy_id), "SourcePolicyType": ref.kind.value}

    def statement(self, ref: StatementRef) -> dict[str, Any]:
        """One `Statement` of `MatchedStatements`."""
        out: dict[str, Any] = {
            "SourcePolicyId": self.source_id(ref.policy_id),
            "SourcePolicyType": SOURCE_TYPES[ref.kind],
        }
        span = self.positions.get(ref.policy_id, {}).get(ref.index)
        if span is None and ref.location is not None and ref.location.line is not None and ref.end is not None:
            span = ((ref.location.line, ref.location.column or 1), ref.end)
        if span is not None:
            out["StartPosition"] = {"Line": span[0][0], "Column": span[0][1]}
            out["EndPosition"] = {"Line": span[1][0], "Column": span[1][1]}
        return out


def _cross_account(outcome: Outcome) -> bool:
    request = outcome.request
    if request is None:
        return False
    caller = request.principal.account
    return caller is not None and request.resource_account is not None and caller != request.resource_account


def _verdict(found: Findings) -> str:
    return found.verdict.value


def _details(ev: Evaluation) -> tuple[bool | None, bool | None, dict[str, str], dict[str, str]]:
    """AllowedByOrganizations, AllowedByPermissionsBoundary (None when not applicable), per-type decisions (AWS's
    `EvalDecisionDetails`), and what every policy type evaluated said (`PolicyTypeDecisionDetails`).

    Read from the outcome's analysis, the findings its decision was made from. An outcome a service rule gave before
    any policy was read has none; its policies are analysed here, once, as AWS's simulator would report them.
    """
    request = ev.outcome.request
    ps = ev.policies
    if request is None:
        return None, None, {}, {}
    found = ev.outcome.analysis or analyse(request, ps, set())
    orgs = None
    if ps.scp_levels:
        orgs = all(f.allows and not f.denies for _, f in found.scps)
    details: dict[str, str] = {}
    identity = found.identity
    details[IAM_POLICY] = Decision.ALLOWED.value if ps.root and not identity.denies else _verdict(identity)
    details[RESOURCE_POLICY] = _verdict(found.resource) if found.resource is not None else Decision.IMPLICIT_DENY.value
    boundary = None
    if found.boundary is not None:
        boundary = bool(found.boundary.allows) and not found.boundary.denies
        details[BOUNDARY_POLICY] = _verdict(found.boundary)
    if found.session is not None:
        details[SESSION_POLICY] = _verdict(found.session)
    return orgs, boundary, details, _policy_types(request.principal, ps, found, details)


def _policy_types(principal: Principal, ps: PolicySet, found: Analysis, details: dict[str, str]) -> dict[str, str]:
    """Each policy type evaluated, with what it said: `allowed`, `explicitDeny` or `implicitDeny` (allowed nothing).

    Read from the same findings as the decision (`found`); organization levels count together (a Deny at any level
    denies, and every level must allow), the endpoint's as the decision reads it (`Analysis.endpoint_allows`).
    """
    types: dict[str, str] = {}
    if principal.is_aws_account_identity:
        types[IAM_POLICY] = details[IAM_POLICY]
    if found.resource is not None:
        types[RESOURCE_POLICY] = details[RESOURCE_POLICY]
    for name in (BOUNDARY_POLICY, SESSION_POLICY):
        if name in details:
            types[name] = details[name]
    for name, levels in ((SCP_POLICY, found.scps), (RCP_POLICY, found.rcps)):
        if levels:
            denied = any(f.denies for _, f in levels)
            allowed = all(f.allows for _, f in levels)
            types[name] = (EXPLICIT if denied else ALLOWED if allowed else IMPLICIT).value
    endpoint = found.endpoint
    if endpoint is not None:
        allowed = found.endpoint_allows(principal)
        types[ENDPOINT_POLICY] = (EXPLICIT if endpoint.denies else ALLOWED if allowed else IMPLICIT).value
    return types


def page(results: list[dict[str, Any]], max_items: int | None, marker: str | None, where: Location) -> dict[str, Any]:
    """The response, paged like AWS when `MaxItems` is given (the marker is the index of the next item)."""
    start = 0
    if marker is not None:
        if not is_ascii_digits(marker) or int(marker) > len(results):
            raise RequestError(f"invalid `Marker` `{marker}`", where, "pass the `Marker` of the previous response")
        start = int(marker)
    if max_items is None:
        return {"EvaluationResults": results[start:], "IsTruncated": False}
    end = start + max_items
    out: dict[str, Any] = {"EvaluationResults": results[start:end], "IsTruncated": end < len(results)}
    if end < len(results):
        out["Marker"] = str(end)
    return out
