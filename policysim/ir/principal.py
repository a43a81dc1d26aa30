"""The Principal / NotPrincipal element, compiled: which callers a statement names, and how specifically.

How specifically matters: in the same account a resource-based policy that names an IAM user ARN or a role session
ARN is enough on its own, one that names a role ARN still needs the boundary and session policy, and one that names
the account only delegates (reference_policies_evaluation-logic.md, table in aws-reference.md 2.3).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from policysim.errors import Location, PolicyError
from policysim.identifiers import is_account_id, is_service_principal
from policysim.ir.arn import Arn, parse_arn
from policysim.request import Principal, PrincipalKind

CANONICAL_USER = re.compile(r"[0-9a-f]{64}")
IAM_PRINCIPAL_RESOURCE = re.compile(r"(user|role)(/[\w+=,.@-]+)*/[\w+=,.@-]+", re.ASCII)
STS_PRINCIPAL_RESOURCE = re.compile(r"(assumed-role/[\w+=,.@-]+/[\w+=,.@-]+|federated-user/[\w+=,.@-]+)", re.ASCII)


class PrincipalMatch(IntEnum):
    """How a statement named the caller, most specific first (lower value = more specific)."""

    SESSION = 1  # the role session ARN, or the federated-user ARN
    USER = 2  # the IAM user ARN
    WILDCARD = 3  # "*": everyone, the caller included
    ROLE = 4  # the role ARN, matching its sessions
    ACCOUNT = 5  # the account (id or :root ARN): delegation only
    SERVICE = 6
    FEDERATED = 7
    CANONICAL_USER = 8


@dataclass(frozen=True, slots=True)
class PrincipalSet:
    """The principals one statement names."""

    wildcard: bool
    accounts: frozenset[str]
    arns: frozenset[str]
    services: frozenset[str]
    federated: frozenset[str]
    canonical_users: frozenset[str]

    def match(self, principal: Principal) -> PrincipalMatch | None:
        """How this set names `principal`, or None when it does not."""
        kind = principal.kind
        if kind is PrincipalKind.SERVICE:
            if principal.arn in self.services:
                return PrincipalMatch.SERVICE
            return PrincipalMatch.WILDCARD if self.wildcard else None
        if kind is PrincipalKind.ANONYMOUS:
            return PrincipalMatch.WILDCARD if self.wildcard else None
        if principal.arn in self.arns:
            if kind is PrincipalKind.USER:
                return PrincipalMatch.USER
            if kind in (PrincipalKind.ROLE_SESSION, PrincipalKind.FEDERATED_USER):
                return PrincipalMatch.SESSION
        if principal.role_arn is not None and principal.role_arn in self.arns:
            return PrincipalMatch.ROLE
        if self.wildcard:
            return PrincipalMatch.WILDCARD
        if principal.account is not None and principal.account in self.accounts:
            return PrincipalMatch.ACCOUNT
        return None


def principal_of_arn(arn: Arn, text: str, session_name: str) -> Principal | None:
    """The caller an ARN names, knowing nothing else of it; None when `text` names no caller.

    A role ARN names a session of the role (called `session_name`); its path stays in the role ARN and is not in
    the session ARN (`arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`, reference_policies_elements_principal.md).
    """
    account, partition, resource = arn.account, arn.partition, arn.resource
    if arn.service == "iam":
        if resource == "root":
            return Principal(PrincipalKind.ROOT, text, account, partition, user_id=account)
        if resource.startswith("user/"):
            return Principal(PrincipalKind.USER, text, account, partition, resource.rsplit("/", 1)[1])
        if resource.startswith("role/"):
            name = resource.rsplit("/", 1)[1]
            session = f"arn:{partition}:sts::{account}:assumed-role/{name}/{session_name}"
            return Principal(PrincipalKind.ROLE_SESSION, session, account, partition, name, text, session_name)
        return None
    pieces = resource.split("/")
    if arn.service == "sts" and pieces[0] == "assumed-role" and len(pieces) == 3:
        role = f"arn:{partition}:iam::{account}:role/{pieces[1]}"
        return Principal(PrincipalKind.ROLE_SESSION, text, account, partition, pieces[1], role, pieces[2])
    if arn.service == "sts" and pieces[0] == "federated-user" and len(pieces) == 2:
        return Principal(
            PrincipalKind.FEDERATED_USER, text, account, partition, pieces[1], user_id=f"{account}:{pieces[1]}"
        )
    return None


def not_principal_applies(names: PrincipalSet, principal: Principal, bounded: bool) -> bool:
    """Whether a Deny with `NotPrincipal: names` applies to `principal` (`bounded`: it has a permissions boundary).

    "The NotPrincipal element with a Deny effect will always deny any IAM principal that has a permissions
    boundary policy attached, regardless of the values specified in the NotPrincipal element."
    (access_policies_boundaries.md). Otherwise the list spares only a caller it names together with its account:
    "When you use NotPrincipal ... you must also specify the account ARN of the not-denied principal" and, for a
    role session, the role and session ARNs: "AWS might validate the account first, then the role, and then the
    assumed-role user" (reference_policies_elements_notprincipal.md). Naming only the account or only the role
    spares no one. NotPrincipal with Allow is refused when the policy is compiled.
    """
    kind = principal.kind
    if kind is PrincipalKind.SERVICE:
        return principal.arn not in names.services
    if kind is PrincipalKind.ANONYMOUS:
        return not names.wildcard
    if bounded and kind in (PrincipalKind.USER, PrincipalKind.ROLE_SESSION):
        return True
    if names.wildcard:
        return False
    account_named = principal.account is not None and principal.account in names.accounts
    if kind is PrincipalKind.ROOT:
        return not account_named
    if principal.arn not in names.arns or not account_named:
        return True
    return kind is PrincipalKind.ROLE_SESSION and principal.role_arn not in names.arns


def compile_principal(value: str | Mapping[Any, str | list[str]], location: Location) -> PrincipalSet:
    """Compile a Principal / NotPrincipal value; malformed principals are located errors."""
    if value == "*":
        return PrincipalSet(True, frozenset(), frozenset(), frozenset(), frozenset(), frozenset())
    assert not isinstance(value, str)  # the wire model admits only "*" or a mapping
    wildcard = False
    accounts: set[str] = set()
    arns: set[str] = set()
    services: set[str] = set()
    federated: set[str] = set()
    canonical: set[str] = set()
    for kind, raw in value.items():
        values: Sequence[str] = [raw] if isinstance(raw, str) else raw
        for index, item in enumerate(values):
            where = location.child(kind, index) if not isinstance(raw, str) else location.child(kind)
            if kind == "AWS":
                if item == "*":
                    wildcard = True
                else:
                    _add_aws(item, accounts, arns, where)
            elif kind == "Service":
                if not is_service_principal(item):
                    raise PolicyError(
                        f"invalid service principal `{item}`",
                        where,
                        "service principals look like `ec2.amazonaws.com`",
                    )
                services.add(item)
            elif kind == "Federated":
                if "*" in item:
                    raise PolicyError(f"federated principal `{item}` cannot contain wildcards", where)
                federated.add(item)
            else:  # CanonicalUser
                if not CANONICAL_USER.fullmatch(item):
                    raise PolicyError(f"invalid canonical user id `{item}`", where, "64 lowercase hex characters")
                canonical.add(item)
    return PrincipalSet(
        wildcard,
        frozenset(accounts),
        frozenset(arns),
        frozenset(services),
        frozenset(federated),
        frozenset(canonical),
    )


def _add_aws(item: str, accounts: set[str], arns: set[str], where: Location) -> None:
    if is_account_id(item):
        accounts.add(item)
        return
    if not item.startswith("arn:"):
        raise PolicyError(
            f"invalid AWS principal `{item}`",
            where,
            'use an account id, an IAM user/role ARN, a role session ARN, a federated user ARN or "*"',
        )
    if "*" in item or "?" in item:
        raise PolicyError(
            f"principal `{item}` cannot contain wildcards",
            where,
            'AWS allows no partial wildcards in principals; use "*" with a condition on aws:PrincipalArn',
        )
    arn = parse_arn(item, location=where)
    if arn.service == "iam" and arn.resource == "root":
        accounts.add(arn.account)
    elif (arn.service == "iam" and IAM_PRINCIPAL_RESOURCE.fullmatch(arn.resource)) or (
        arn.service == "sts" and STS_PRINCIPAL_RESOURCE.fullmatch(arn.resource)
    ):
        if not is_account_id(arn.account):
            raise PolicyError(f"principal `{item}` must name a 12-digit account", where)
        arns.add(item)
    else:
        raise PolicyError(
            f"invalid AWS principal `{item}`",
            where,
            "principal ARNs name `root`, `user/...`, `role/...`, `assumed-role/ROLE/SESSION` or `federated-user/...`",
        )
