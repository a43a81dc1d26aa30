"""The compiled model of a scenario: accounts, identities, resources and the organization, all policies compiled.

Built once by `scenario.build`; read by the request resolver and the flows. Nothing here parses.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from policysim.compiled import CompiledPolicy
from policysim.errors import Location

Levels = tuple[tuple[str, tuple[CompiledPolicy, ...]], ...]


@dataclass(frozen=True)
class AccountInfo:
    """An account, its partition and the organization policies that govern it."""

    id: str
    name: str | None
    partition: str
    in_organization: bool = False
    management: bool = False
    scp_levels: Levels = ()  # root first, then each OU, then the account itself
    rcp_levels: Levels = ()
    org_path: str | None = None  # aws:PrincipalOrgPaths / aws:ResourceOrgPaths value
    org_id: str | None = None  # aws:PrincipalOrgID / aws:ResourceOrgID value

    @property
    def label(self) -> str:
        """`Name (id)` or the id."""
        return f"{self.name} ({self.id})" if self.name else self.id


@dataclass(frozen=True)
class UserInfo:
    """An IAM user with every policy that applies to it (its own and its groups')."""

    account: str
    name: str
    arn: str
    user_id: str
    identity: tuple[CompiledPolicy, ...]
    boundary: CompiledPolicy | None
    tags: Mapping[str, str]
    location: Location | None = None
    groups: tuple[str, ...] = ()  # the ARNs of the groups it is a member of


@dataclass(frozen=True)
class RoleInfo:
    """An IAM role: its trust policy, permissions, boundary and limits."""

    account: str
    name: str
    arn: str
    path: str
    role_id: str
    trust: CompiledPolicy | None
    identity: tuple[CompiledPolicy, ...]
    boundary: CompiledPolicy | None
    tags: Mapping[str, str]
    max_session_duration: int
    location: Location | None = None

    @property
    def service_linked(self) -> bool:
        """Service-linked roles live under `/aws-service-role/`; SCPs and RCPs do not restrict them."""
        return self.path.startswith("/aws-service-role/")


@dataclass(frozen=True)
class ResourceInfo:
    """A declared resource: its owner, tags and resource-based policy."""

    arn: str
    account: str
    partition: str
    policy: CompiledPolicy | None
    tags: Mapping[str, str]


@dataclass(frozen=True)
class EndpointInfo:
    """A VPC endpoint: its policy (AWS's default full-access policy when none is attached), its VPC and service."""

    id: str  # the `aws:SourceVpce` value of requests that travel through it
    account: str | None  # None: an endpoint the model does not declare (its policy unknown)
    policy: CompiledPolicy
    vpc: str | None = None  # the `aws:SourceVpc` of those requests
    service: str | None = None  # the service prefix (`s3`) whose requests it carries; None: every service's
    location: Location | None = None

    @property
    def label(self) -> str:
        """How reasons name it: `VPC endpoint `vpce-...``."""
        return f"VPC endpoint `{self.id}`"

    def carries(self, action_lower: str) -> bool:
        """Does a request for the (lowercased) action travel through this endpoint? Only its own service's do."""
        return self.service is None or action_lower.partition(":")[0] == self.service


@dataclass(frozen=True)
class World:
    """Everything a scenario declares, compiled."""

    accounts: Mapping[str, AccountInfo]
    users: Mapping[str, UserInfo]  # by ARN
    roles: Mapping[str, RoleInfo]  # by ARN
    buckets: Mapping[str, ResourceInfo]  # by bucket name
    resources: Mapping[str, ResourceInfo]  # by ARN
    org_id: str | None = None
    management_account: str | None = None
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # user/role name -> ARNs
    # built from imports (contracts.md section 5): what the inputs cannot tell is unknown, not absent: S3 Block Public
    # Access settings (services/s3.py) and the policies of principals outside the model (resolve.outside_actor)
    imported: bool = False
    vpc_endpoints: Mapping[str, EndpointInfo] = field(default_factory=dict)  # by endpoint id
    # whether a request's `aws:SourceVpce` is evaluated against an endpoint policy: True but in the simulate-custom-
    # policy twin given no `VpcEndpointPolicyInputList` (AWS's simulator evaluates no endpoint policy)
    endpoint_policies: bool = True

    def account(self, account_id: str) -> AccountInfo | None:
        """The declared account, or None."""
        return self.accounts.get(account_id)

    def compiled_policies(self) -> Iterator[CompiledPolicy]:
        """Every compiled policy the model holds: identities', trust, resource, organization, then VPC endpoint
        policies (a policy attached in several places, once per place)."""
        for user in self.users.values():
            yield from user.identity
            if user.boundary is not None:
                yield user.boundary
        for role in self.roles.values():
            yield from role.identity
            yield from (p for p in (role.trust, role.boundary) if p is not None)
        for resource in (*self.buckets.values(), *self.resources.values()):
            if resource.policy is not None:
                yield resource.policy
        for account in self.accounts.values():
            for _, level in (*account.scp_levels, *account.rcp_levels):
                yield from level
        for endpoint in self.vpc_endpoints.values():
            yield endpoint.policy
