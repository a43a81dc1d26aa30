"""What a request is made of: who asks (Principal), on what (Resource), to do what, with which context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from policysim.context import RequestContext


class PrincipalKind(StrEnum):
    """The kinds of caller AWS distinguishes; `aws:PrincipalType` values where AWS has one."""

    ROOT = "Account"
    USER = "User"
    ROLE_SESSION = "AssumedRole"
    FEDERATED_USER = "FederatedUser"
    SERVICE = "Service"
    ANONYMOUS = "Anonymous"


@dataclass(frozen=True, slots=True)
class Principal:
    """A caller. `arn` is the user, root, session or federated-user ARN; a service name for a service principal."""

    kind: PrincipalKind
    arn: str
    account: str | None = None
    partition: str = "aws"
    name: str | None = None  # user name, role name, federated user name
    role_arn: str | None = None  # for role sessions: the role's ARN (with its path) = aws:PrincipalArn
    session_name: str | None = None
    user_id: str | None = None  # aws:userid
    tags: Mapping[str, str] = field(default_factory=dict)
    service_linked: bool = False  # a service-linked role's session: SCPs and RCPs do not apply

    @property
    def principal_arn(self) -> str | None:
        """The value of aws:PrincipalArn: the role ARN for a role session, absent for anonymous and services."""
        if self.kind in (PrincipalKind.ANONYMOUS, PrincipalKind.SERVICE):
            return None
        return self.role_arn if self.kind is PrincipalKind.ROLE_SESSION else self.arn

    @property
    def is_aws_account_identity(self) -> bool:
        """True for callers that belong to an account (they have identity policies and are subject to SCPs)."""
        return self.kind not in (PrincipalKind.ANONYMOUS, PrincipalKind.SERVICE)

    def __str__(self) -> str:
        return "anonymous" if self.kind is PrincipalKind.ANONYMOUS else self.arn


ANONYMOUS = Principal(kind=PrincipalKind.ANONYMOUS, arn="*", account=None)


@dataclass(frozen=True, slots=True)
class Request:
    """One request: principal, action, resource, the resource's owner account, and the full context."""

    principal: Principal
    action: str
    resource: str
    resource_account: str | None
    context: RequestContext
    resource_partition: str = "aws"
    action_lower: str = ""

    def __post_init__(self) -> None:
        if not self.action_lower:
            object.__setattr__(self, "action_lower", self.action.lower())
