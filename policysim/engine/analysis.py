"""What each policy kind said about one request: the findings `decide` reads, kept on the outcome for its readers
(the twins' per-type decision details, `Outcome.matched`), so nothing scans an outcome's policies again.
"""

from __future__ import annotations

from typing import NamedTuple

from policysim.compiled import StatementRef
from policysim.engine.policies import PolicySet
from policysim.engine.scan import Findings, scan
from policysim.ir.principal import PrincipalMatch
from policysim.request import Principal, PrincipalKind, Request

Levels = tuple[tuple[str, Findings], ...]  # per level of an organization, root first


class Analysis(NamedTuple):
    """The findings of every policy kind for one request; None where the kind does not apply to it."""

    identity: Findings
    boundary: Findings | None
    session: Findings | None  # None: the caller is not limited by session policies
    resource: Findings | None  # the resource-based policy (a trust policy for the trust actions)
    scps: Levels  # the principal account's SCPs
    rcps: Levels  # the resource account's RCPs
    endpoint: Findings | None = None  # the VPC endpoint's policy, when the request travels through one

    def denies(self) -> list[StatementRef]:
        """Every applicable Deny: identity, boundary, session, resource, VPC endpoint, then the SCP and RCP levels."""
        out = list(self.identity.denies)
        for found in (self.boundary, self.session, self.resource, self.endpoint):
            if found is not None:
                out += found.denies
        for _, found in self.scps:
            out += found.denies
        for _, found in self.rcps:
            out += found.denies
        return out

    def endpoint_allows(self, principal: Principal) -> bool:
        """Does the VPC endpoint's policy let the request through (an applying Allow; no Deny is judged here)?

        "If you specify principals in the following format, access is granted to the AWS account root user only, and
        not all users and roles for the account: "AWS": "account_id"" (Amazon VPC, Control access to VPC endpoints
        using endpoint policies): an Allow that names only the caller's account lets only its root user through.
        """
        found = self.endpoint
        if found is None or not found.allows:
            return False
        return found.best_match is not PrincipalMatch.ACCOUNT or principal.kind is PrincipalKind.ROOT

    def matched(self) -> tuple[StatementRef, ...]:
        """Every statement of the identity, boundary, session, resource and VPC endpoint policies that applied, allow
        or deny."""
        out: list[StatementRef] = []
        for found in (self.identity, self.boundary, self.session, self.resource, self.endpoint):
            if found is not None:
                out += found.denies
                out += found.allows
        return tuple(out)


def analyse(request: Request, policies: PolicySet, missing: set[str]) -> Analysis:
    """Scan every kind of `policies` for `request` once; absent condition keys go to `missing`."""
    boundary = policies.boundary
    scps, rcps = policies.scp_levels, policies.rcp_levels
    return Analysis(
        scan(policies.identity, request, missing),
        scan((boundary,), request, missing) if boundary else None,
        scan(policies.session, request, missing) if policies.session is not None else None,
        # NotPrincipal never spares a caller with a boundary: only the resource and endpoint policies name principals
        scan((policies.resource,), request, missing, boundary is not None) if policies.resource else None,
        tuple([(name, scan(level, request, missing)) for name, level in scps]) if scps else (),
        tuple([(name, scan(level, request, missing)) for name, level in rcps]) if rcps else (),
        scan((policies.endpoint,), request, missing, boundary is not None) if policies.endpoint else None,
    )
