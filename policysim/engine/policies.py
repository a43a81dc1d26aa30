"""The policies that govern one request, by kind: what `decide` reads and an outcome records."""

from __future__ import annotations

from dataclasses import dataclass

from policysim.compiled import CompiledPolicy
from policysim.enums import Gate


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every policy that applies to one request, by kind, as the world (or a flow) assembled them.

    `session is None` means the caller is not limited by session policies; `()` means a session whose policies
    allow nothing. Empty `scp_levels` / `rcp_levels` mean the organization's policies do not apply.
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

    def every_policy(self) -> tuple[CompiledPolicy, ...]:
        """Every policy of the set: identity, boundary, session, the SCP and RCP levels, then the resource's."""
        out = [*self.identity, *((self.boundary,) if self.boundary else ()), *(self.session or ())]
        out += [policy for _, level in self.scp_levels for policy in level]
        out += [policy for _, level in self.rcp_levels for policy in level]
        out += [self.resource] if self.resource else []
        return tuple(out)
