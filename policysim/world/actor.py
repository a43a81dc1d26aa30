"""An actor: a principal together with everything that governs it (policies, session state, derived keys)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from policysim.compiled import CompiledPolicy
from policysim.request import Principal, PrincipalKind
from policysim.world.world import AccountInfo


@dataclass(frozen=True)
class Actor:
    """Who makes a request, with the policies that apply to it and its session state."""

    principal: Principal
    identity: tuple[CompiledPolicy, ...] = ()
    boundary: CompiledPolicy | None = None
    session: tuple[CompiledPolicy, ...] | None = None  # None: not limited by session policies
    root: bool = False
    account: AccountInfo | None = None
    mfa: bool | None = None  # None: long-term credentials, MFA unknown to the request
    source_identity: str | None = None
    transitive_tags: Mapping[str, str] = field(default_factory=dict)
    issued_at: str | None = None  # aws:TokenIssueTime of a session

    @property
    def is_session(self) -> bool:
        """A role session (temporary credentials)."""
        return self.principal.kind is PrincipalKind.ROLE_SESSION

    @cached_property
    def principal_keys(self) -> Mapping[str, tuple[str, ...]]:
        """The global condition keys AWS derives from the caller (lowercased names); computed once."""
        p = self.principal
        keys: dict[str, tuple[str, ...]] = {}
        if p.kind is PrincipalKind.ANONYMOUS:
            return keys
        if p.kind is PrincipalKind.SERVICE:
            keys["aws:principalisawsservice"] = ("true",)
            keys["aws:principalservicename"] = (p.arn,)
            return keys
        keys["aws:principalisawsservice"] = ("false",)
        if p.principal_arn:
            keys["aws:principalarn"] = (p.principal_arn,)
        if p.account:
            keys["aws:principalaccount"] = (p.account,)
        keys["aws:principaltype"] = (p.kind.value,)
        if p.user_id:
            keys["aws:userid"] = (p.user_id,)
        if p.kind is PrincipalKind.USER and p.name:
            keys["aws:username"] = (p.name,)
        for tag, value in p.tags.items():
            keys[f"aws:principaltag/{tag.lower()}"] = (value,)
        account = self.account
        if account is not None and account.org_id:
            keys["aws:principalorgid"] = (account.org_id,)
            if account.org_path:
                keys["aws:principalorgpaths"] = (account.org_path,)
        if self.is_session or self.mfa is not None:
            keys["aws:multifactorauthpresent"] = ("true" if self.mfa else "false",)
        if self.mfa:
            keys["aws:multifactorauthage"] = ("0",)
        if self.is_session and self.issued_at:
            keys["aws:tokenissuetime"] = (self.issued_at,)
        if self.source_identity:
            keys["aws:sourceidentity"] = (self.source_identity,)
        return keys
