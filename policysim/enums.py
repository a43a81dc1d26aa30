"""The small closed vocabularies of policysim; nothing compares raw strings after compile."""

from __future__ import annotations

from enum import StrEnum


class Decision(StrEnum):
    """AWS's own words for the result of an evaluation."""

    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"


class Effect(StrEnum):
    """A statement's effect (case-sensitive in AWS)."""

    ALLOW = "Allow"
    DENY = "Deny"


class PolicyKind(StrEnum):
    """The kinds of policy AWS evaluates; they differ in data, not in code."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    BOUNDARY = "boundary"
    SESSION = "session"
    SCP = "scp"
    RCP = "rcp"

    @property
    def has_principal(self) -> bool:
        """Resource and trust policies name principals; the others must not."""
        return self in (PolicyKind.RESOURCE, PolicyKind.TRUST)


class Gate(StrEnum):
    """The checkpoint that decided (or helped decide) an outcome, like iam-simulate's `blockedBy`."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    BOUNDARY = "boundary"
    SESSION = "session"
    SCP = "scp"
    RCP = "rcp"
    SERVICE = "service"  # a rule of the service beyond the policies (STS validation, AWS-owned resources, ...)
    ROOT = "root"  # the account root user's implicit full access

    @classmethod
    def of(cls, kind: PolicyKind) -> Gate:
        """The gate a policy kind stands for."""
        return cls(kind.value)


class ReportFormat(StrEnum):
    """The output formats of `policysim check`."""

    TEXT = "text"
    JSON = "json"
    JUNIT = "junit"
    SARIF = "sarif"
    GITHUB = "github"


class FailOn(StrEnum):
    """What fails the diff gate."""

    NEW_ACCESS = "new-access"  # a request allowed now that was not before
    ANY_CHANGE = "any-change"  # any decision that changed
    NEVER = "never"  # report only


class ChangeKind(StrEnum):
    """How a request's decision changed between two models."""

    NEW_ACCESS = "new-access"  # not allowed before, allowed now
    REMOVED_ACCESS = "removed-access"  # allowed before, denied now
    DENY_CHANGED = "deny-changed"  # denied both times, for a different kind of reason
