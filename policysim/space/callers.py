"""Who the request space asks as (diff, who-can, graph): the principals of a model, and stand-ins for the rest.

- users of either model, and a session of every role of either model (session name `policysim`); for the queries,
  the root user of each declared account;
- principals that a Principal element names in an account neither model declares: their own permissions are unknown,
  so they are given an identity policy that allows everything ("assumed to allow", as a cross-account reviewer must);
  an account id stands for any principal of that account;
- the service principals that Principal elements name;
- when some Principal element is `*`: the anonymous caller and a principal of an outside account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from policysim.compile import compile_policy
from policysim.compiled import CompiledPolicy
from policysim.enums import PolicyKind
from policysim.ir.arn import parse_arn
from policysim.ir.principal import principal_of_arn
from policysim.load import Document
from policysim.request import ANONYMOUS, Principal, PrincipalKind
from policysim.world.actor import Actor
from policysim.world.resolve import DEFAULT_SESSION_NAME, account_info, resolve_actor, role_actor
from policysim.world.world import World

from .harvest import Harvest

OUTSIDE_ACCOUNT = "000000000000"
STAND_IN_ROLE = "policysim-external-principal"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


class CallerKind(StrEnum):
    """Where a caller comes from."""

    USER = "user"
    ROOT = "root user"
    ROLE = "role session"
    EXTERNAL = "external principal"
    SERVICE = "service principal"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Caller:
    """A caller of the request space; `actor(scenario)` is None where that model does not have it."""

    key: str  # the principal ARN, role ARN (for role sessions), service name or `anonymous`
    kind: CallerKind
    label: str
    account: str | None = None

    def actor(self, world: World) -> Actor | None:
        """This caller in one model, with that model's policies."""
        if self.kind is CallerKind.USER:
            return resolve_actor(world, self.key, None) if self.key in world.users else None
        if self.kind is CallerKind.ROOT:
            return resolve_actor(world, self.key, None) if self.account in world.accounts else None
        if self.kind is CallerKind.ROLE:
            role = world.roles.get(self.key)
            return role_actor(world, role, DEFAULT_SESSION_NAME) if role is not None else None
        if self.kind is CallerKind.SERVICE:
            return Actor(Principal(PrincipalKind.SERVICE, self.key))
        if self.kind is CallerKind.ANONYMOUS:
            return Actor(ANONYMOUS)
        return self._stand_in(world)

    def _stand_in(self, world: World) -> Actor:
        arn = parse_arn(self.key)
        account = account_info(world, arn.account, arn.partition)
        principal = principal_of_arn(arn, self.key, DEFAULT_SESSION_NAME)
        assert principal is not None  # outside callers are user, role and role session ARNs (see `callers`)
        return Actor(principal, (allow_all(),), account=account)


@cache
def allow_all() -> CompiledPolicy:
    """The identity policy a stand-in for an outside principal gets: its own account is assumed to allow."""
    doc = Document.from_data(ALLOW_ALL, "<outside principal>")
    return compile_policy(doc, "outside principal: own permissions assumed to allow", PolicyKind.IDENTITY)


def callers(
    found: Harvest, declared_users: set[str], declared_roles: set[str], roots: Mapping[str, str] | None = None
) -> list[Caller]:
    """Every caller of the request space, in a stable order; with `roots` (account id -> partition), the root user
    of each of those accounts too, after the users."""
    out = [Caller(arn, CallerKind.USER, arn, parse_arn(arn).account) for arn in sorted(declared_users)]
    for account, partition in sorted((roots or {}).items()):
        arn = f"arn:{partition}:iam::{account}:root"
        out.append(Caller(arn, CallerKind.ROOT, f"the root user of account {account}", account))
    out += [Caller(arn, CallerKind.ROLE, f"{arn} (session)", parse_arn(arn).account) for arn in sorted(declared_roles)]
    declared = declared_users | declared_roles
    for arn in sorted(found.principal_arns - declared):
        parsed = parse_arn(arn)
        if parsed.account not in found.accounts and not parsed.resource.startswith("federated-user/"):
            out.append(Caller(arn, CallerKind.EXTERNAL, f"{arn} (outside the model)", parsed.account))
    accounts = sorted(found.principal_accounts - found.accounts)
    if found.wildcard_principal and OUTSIDE_ACCOUNT not in found.accounts:
        accounts.append(OUTSIDE_ACCOUNT)
    for account in accounts:
        for partition in sorted(found.partitions or {"aws"}):  # an account id names no partition: try the model's
            arn = f"arn:{partition}:sts::{account}:assumed-role/{STAND_IN_ROLE}/{DEFAULT_SESSION_NAME}"
            label = f"any principal of account {account} (outside the model)"
            out.append(Caller(arn, CallerKind.EXTERNAL, label, account))
    out += [Caller(name, CallerKind.SERVICE, name) for name in sorted(found.services)]
    if found.wildcard_principal:
        out.append(Caller("anonymous", CallerKind.ANONYMOUS, "anonymous"))
    return out
