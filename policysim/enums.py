"""The small closed vocabularies of policysim; nothing compares raw strings after compile."""

from __future__ import annotations

from enum import StrEnum


class Decision(StrEnum):
    """AWS's own words for the result of an evaluation."""

    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"
    # not AWS's: the model holds values its input could not tell, and they decide (contracts.md section 6)
    UNDETERMINED = "undetermined"


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
    VPC_ENDPOINT = "vpc-endpoint"  # the policy of the VPC endpoint a request travels through

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
    VPC_ENDPOINT = "vpc-endpoint"  # the policy of the VPC endpoint the request travels through
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
    UNDETERMINED = "undetermined"  # one side is `undetermined`: the models' unknowns decide whether access changed


class ReasonCode(StrEnum):
    """Why a gate decided as it did: the code a `Reason` carries; its words are in `engine/words.py`."""

    # the policies (engine/decide.py)
    EXPLICIT_DENY = "explicit-deny"  # an applicable Deny statement, in any policy
    RCP_NO_ALLOW = "rcp-no-allow"  # no RCP of one level allows
    SCP_NO_ALLOW = "scp-no-allow"  # no SCP of one level allows
    VPC_ENDPOINT_NO_ALLOW = "vpc-endpoint-no-allow"  # the policy of the VPC endpoint the request travels through
    PARTITION_CROSSED = "partition-crossed"  # the caller and the resource are in different partitions
    RESOURCE_POLICY_ABSENT = "resource-policy-absent"  # a policy that must allow (trust, key policy) was not given
    RESOURCE_NO_ALLOW = "resource-no-allow"  # no resource-based policy allows the caller
    TRUST_NO_ALLOW = "trust-no-allow"  # the role's trust policy does not allow the caller
    CROSS_ACCOUNT_NO_ALLOW = "cross-account-no-allow"  # cross-account, and no resource-based policy allows
    IDENTITY_NO_ALLOW = "identity-no-allow"
    BOUNDARY_NO_ALLOW = "boundary-no-allow"
    SESSION_NO_ALLOW = "session-no-allow"
    ROOT_ALLOWS = "root-allows"  # the account root user's full access to its account
    IDENTITY_ALLOWS = "identity-allows"
    BOUNDARY_ALLOWS = "boundary-allows"
    SESSION_ALLOWS = "session-allows"
    RESOURCE_ALLOWS = "resource-allows"  # a resource-based policy names the caller
    TRUST_ALLOWS = "trust-allows"  # the role's trust policy names the caller
    VPC_ENDPOINT_ALLOWS = "vpc-endpoint-allows"  # the VPC endpoint's policy lets the request through
    UNKNOWN_DECIDES = "unknown-decides"  # a policy the input could not tell could change the decision
    # the services' own rules (services/)
    AWS_OWNED_RESOURCE = "aws-owned-resource"  # no policy can grant a change to a resource AWS owns
    NEEDS_NO_PERMISSION = "needs-no-permission"  # an authentication operation no policy controls
    ROOT_CANNOT_ASSUME = "root-cannot-assume"
    UNSIGNED_ASSUME = "unsigned-assume"  # an anonymous caller makes a trust action
    FEDERATED_CANNOT_ASSUME = "federated-cannot-assume"
    UNSIGNED_AUTHENTICATION = "unsigned-authentication"  # an anonymous caller asks for GetCallerIdentity, ...
    SESSION_TOKEN_NEEDS_LONG_TERM = "session-token-needs-long-term"  # GetSessionToken from a session
    # AssumeRole's request validation (flows/assume_role.py)
    ASSUME_ACROSS_PARTITIONS = "assume-across-partitions"
    INVALID_SESSION_NAME = "invalid-session-name"
    INVALID_EXTERNAL_ID = "invalid-external-id"
    INVALID_SOURCE_IDENTITY = "invalid-source-identity"
    DURATION_OUT_OF_RANGE = "duration-out-of-range"
    DURATION_OVER_MAX_SESSION = "duration-over-max-session"
    DURATION_OVER_CHAINING_LIMIT = "duration-over-chaining-limit"
    SESSION_POLICY_TOO_LARGE = "session-policy-too-large"
    TOO_MANY_SESSION_POLICY_ARNS = "too-many-session-policy-arns"
    TOO_MANY_SESSION_TAGS = "too-many-session-tags"
    SESSION_TAG_TOO_LONG = "session-tag-too-long"
    TRANSITIVE_KEY_NOT_A_TAG = "transitive-key-not-a-tag"


class DiagnosticCode(StrEnum):
    """A finding about a policy that is not an error; its words are in `engine/words.py`."""

    VARIABLE_UNSUPPORTED_IN_VERSION = "variable-unsupported-in-version"  # `${...}` under Version 2008-10-17
