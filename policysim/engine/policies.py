"""The policies that govern one request, by kind: what `decide` reads and an outcome records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from policysim.compiled import CompiledPolicy
from policysim.enums import Gate

Levels = tuple[tuple[str, tuple[CompiledPolicy, ...]], ...]


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every policy that applies to one request, by kind, as the world (or a flow) assembled them.

    `session is None` means the caller is not limited by session policies; `()` means a session whose policies
    allow nothing. Empty `scp_levels` / `rcp_levels` mean the organization's policies do not apply; `endpoint is None`
    means the request does not travel through a VPC endpoint whose policy the model holds.
    """

    identity: tuple[CompiledPolicy, ...] = ()
    boundary: CompiledPolicy | None = None
    session: tuple[CompiledPolicy, ...] | None = None
    scp_levels: tuple[tuple[str, tuple[CompiledPolicy, ...]], ...] = ()
    rcp_levels: tuple[tuple[str, tuple[CompiledPolicy, ...]], ...] = ()
    resource: CompiledPolicy | None = None
    resource_must_allow: bool = False  # role trust policies and KMS key policies
    root: bool = False  # the account root user: full access but for SCPs and explicit denies
    resource_gate: Gate = Gate.RESOURCE  # TRUST when the resource policy is a role's trust policy
    absent_resource_policy: str | None = None  # why no resource policy allows: the input did not give it
    # the policy of the VPC endpoint the request travels through (`aws:SourceVpce`), and how reasons name it
    endpoint: CompiledPolicy | None = None
    endpoint_label: str = "the VPC endpoint"

    def has_unknowns(self) -> bool:
        """Does the set hold a policy whose document is unknown? (One attribute test per policy.)"""
        for policy in self.identity:
            if policy.unknown is not None:
                return True
        rest = [self.boundary, self.resource, self.endpoint, *(self.session or ())]
        rest += [policy for _, level in (*self.scp_levels, *self.rcp_levels) for policy in level]
        return any(policy is not None and policy.unknown is not None for policy in rest)

    def unknowns(self) -> tuple[CompiledPolicy, ...]:
        """The policies of the set whose documents are unknown."""
        return tuple(policy for policy in self.every_policy() if policy.unknown is not None)

    def resolved(self, resolve: Callable[[CompiledPolicy], CompiledPolicy]) -> PolicySet:
        """The same set with each unknown policy replaced by `resolve(policy)`."""

        def one(policy: CompiledPolicy) -> CompiledPolicy:
            return resolve(policy) if policy.unknown is not None else policy

        def levels(found: tuple[tuple[str, tuple[CompiledPolicy, ...]], ...]) -> Levels:
            return tuple((name, tuple(map(one, level))) for name, level in found)

        return replace(
            self,
            identity=tuple(map(one, self.identity)),
            boundary=one(self.boundary) if self.boundary else None,
            session=tuple(map(one, self.session)) if self.session is not None else None,
            scp_levels=levels(self.scp_levels),
            rcp_levels=levels(self.rcp_levels),
            resource=one(self.resource) if self.resource else None,
            endpoint=one(self.endpoint) if self.endpoint else None,
        )

    def every_policy(self) -> tuple[CompiledPolicy, ...]:
        """Every policy of the set: identity, boundary, session, the SCP and RCP levels, the resource's, then the VPC
        endpoint's."""
        out = [*self.identity, *((self.boundary,) if self.boundary else ()), *(self.session or ())]
        out += [policy for _, level in self.scp_levels for policy in level]
        out += [policy for _, level in self.rcp_levels for policy in level]
        out += [self.resource] if self.resource else []
        out += [self.endpoint] if self.endpoint else []
        return tuple(out)
