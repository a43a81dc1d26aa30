"""The catalogue of `policysim validate` finding codes, as data, apart from the checks (as parliament keeps its
`config.yaml`): each code's severity, title, default hint, and the Access Analyzer and parliament checks it answers.

A code is stable: reports, suppressions and CI gates name it. Its severity is one of AWS Access Analyzer's four:
`ERROR` (AWS refuses the policy, or a part of it is certainly wrong), `SECURITY_WARNING` (it grants more than it
seems to), `WARNING` (it does not do what it seems to), `SUGGESTION` (it can be simpler). docs/validate.md lists every
code with a policy that triggers it; a test keeps that page and this table in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How serious a finding is, in Access Analyzer's words."""

    ERROR = "ERROR"
    SECURITY_WARNING = "SECURITY_WARNING"
    WARNING = "WARNING"
    SUGGESTION = "SUGGESTION"

    @property
    def rank(self) -> int:
        """3 for ERROR down to 0 for SUGGESTION: `--fail-on` fails on a finding ranked at or above its level."""
        return _RANKS[self]


_RANKS = {Severity.ERROR: 3, Severity.SECURITY_WARNING: 2, Severity.WARNING: 1, Severity.SUGGESTION: 0}

#: `--fail-on` values and the least severity that fails
FAIL_ON: Mapping[str, Severity] = {
    "error": Severity.ERROR,
    "security": Severity.SECURITY_WARNING,
    "warning": Severity.WARNING,
    "suggestion": Severity.SUGGESTION,
}


class Code(StrEnum):
    """Every finding code (the values are the codes themselves)."""

    INVALID_POLICY = "INVALID_POLICY"
    POLICY_TOO_LARGE = "POLICY_TOO_LARGE"
    UNKNOWN_SERVICE = "UNKNOWN_SERVICE"
    UNKNOWN_ACTION = "UNKNOWN_ACTION"
    WILDCARD_MATCHES_NO_ACTION = "WILDCARD_MATCHES_NO_ACTION"
    UNKNOWN_CONDITION_KEY = "UNKNOWN_CONDITION_KEY"
    NULL_WITH_IF_EXISTS = "NULL_WITH_IF_EXISTS"
    NOT_PRINCIPAL_WITH_ALLOW = "NOT_PRINCIPAL_WITH_ALLOW"
    TRUST_POLICY_WITH_RESOURCE = "TRUST_POLICY_WITH_RESOURCE"
    TRUST_POLICY_WITHOUT_PRINCIPAL = "TRUST_POLICY_WITHOUT_PRINCIPAL"
    TRUST_POLICY_UNSUPPORTED_ACTION = "TRUST_POLICY_UNSUPPORTED_ACTION"
    INVALID_SID = "INVALID_SID"
    DUPLICATE_SID = "DUPLICATE_SID"
    VARIABLE_UNSUPPORTED_IN_VERSION = "VARIABLE_UNSUPPORTED_IN_VERSION"
    ADMIN_ACCESS = "ADMIN_ACCESS"
    PASS_ROLE_WITHOUT_PASSED_TO_SERVICE = "PASS_ROLE_WITHOUT_PASSED_TO_SERVICE"
    PUBLIC_ACCESS = "PUBLIC_ACCESS"
    ALLOW_WITH_NOT_ACTION = "ALLOW_WITH_NOT_ACTION"
    ALLOW_WITH_NOT_RESOURCE = "ALLOW_WITH_NOT_RESOURCE"
    FOR_ALL_VALUES_WITH_ALLOW = "FOR_ALL_VALUES_WITH_ALLOW"
    FOR_ALL_VALUES_SINGLE_VALUED_KEY = "FOR_ALL_VALUES_SINGLE_VALUED_KEY"
    DENY_CONDITION_KEY_NOT_SUPPLIED = "DENY_CONDITION_KEY_NOT_SUPPLIED"
    RESOURCE_TYPE_MISMATCH = "RESOURCE_TYPE_MISMATCH"
    CONDITION_KEY_NOT_SUPPLIED = "CONDITION_KEY_NOT_SUPPLIED"
    CONDITION_TYPE_MISMATCH = "CONDITION_TYPE_MISMATCH"
    MISSING_SET_QUALIFIER = "MISSING_SET_QUALIFIER"
    FOR_ANY_VALUE_SINGLE_VALUED_KEY = "FOR_ANY_VALUE_SINGLE_VALUED_KEY"
    MISSING_VERSION = "MISSING_VERSION"
    WILDCARD_WITHOUT_LIKE_OPERATOR = "WILDCARD_WITHOUT_LIKE_OPERATOR"
    STATEMENT_SHADOWED_BY_DENY = "STATEMENT_SHADOWED_BY_DENY"
    POLICY_SIZE_OVER_DEFAULT_QUOTA = "POLICY_SIZE_OVER_DEFAULT_QUOTA"
    USE_ARN_OPERATOR = "USE_ARN_OPERATOR"
    IF_EXISTS_ON_ALWAYS_PRESENT_KEY = "IF_EXISTS_ON_ALWAYS_PRESENT_KEY"
    DUPLICATE_STATEMENT = "DUPLICATE_STATEMENT"
    REDUNDANT_STATEMENT = "REDUNDANT_STATEMENT"
    REDUNDANT_ACTION = "REDUNDANT_ACTION"
    REDUNDANT_RESOURCE = "REDUNDANT_RESOURCE"


@dataclass(frozen=True)
class CodeInfo:
    """What a code means: its severity, a one-line title, the usual fix, and the checks of other tools it answers
    (Access Analyzer's as its policy check reference titles them; parliament's by issue code)."""

    severity: Severity
    title: str
    hint: str
    access_analyzer: str | None = None
    parliament: str | None = None


_E, _S, _W, _G = Severity.ERROR, Severity.SECURITY_WARNING, Severity.WARNING, Severity.SUGGESTION

CATALOGUE: Mapping[Code, CodeInfo] = {
    Code.INVALID_POLICY: CodeInfo(
        _E,
        "AWS would refuse the policy",
        "fix the element the message names",
        "the syntax errors (Invalid effect, Missing action, Invalid principal format, ...)",
        "MALFORMED, INVALID_ARN, INVALID_VERSION",
    ),
    Code.POLICY_TOO_LARGE: CodeInfo(
        _E,
        "Policy larger than any account's quota for its place",
        "split the policy, or move statements into customer managed policies",
        "Error - Policy size exceeds SCP quota; General Warning - Policy size exceeds identity policy quota",
    ),
    Code.UNKNOWN_SERVICE: CodeInfo(
        _E,
        "Action of a service that does not exist",
        "correct the service prefix (list the action under `newer_actions` if it is newer than the catalogue)",
        "Error - Invalid service in action",
        "UNKNOWN_PREFIX",
    ),
    Code.UNKNOWN_ACTION: CodeInfo(
        _E,
        "Action that does not exist",
        "correct the action name (list it under `newer_actions` if it is newer than the catalogue)",
        "Error - Invalid action",
        "UNKNOWN_ACTION",
    ),
    Code.WILDCARD_MATCHES_NO_ACTION: CodeInfo(
        _E,
        "Action wildcard that matches no action",
        "correct the pattern; it grants or denies nothing",
        "Error - Invalid action",
        "UNKNOWN_ACTION",
    ),
    Code.UNKNOWN_CONDITION_KEY: CodeInfo(
        _E,
        "Condition key that does not exist",
        "correct the key; a key no request carries makes the condition fail (or a negated one hold) always",
        "Error - Invalid global condition key; Error - Invalid service condition key",
        "UNKNOWN_CONDITION_FOR_ACTION",
    ),
    Code.NULL_WITH_IF_EXISTS: CodeInfo(
        _E, "`NullIfExists` is not an operator", "use `Null` alone", "Error - Null with if exists"
    ),
    Code.NOT_PRINCIPAL_WITH_ALLOW: CodeInfo(
        _E,
        "`NotPrincipal` with `Allow`",
        "grant with `Principal` (and a condition on aws:PrincipalArn), or make the statement a Deny",
        "Security Warning - Allow with NotPrincipal",
        "NOTPRINCIPAL_WITH_ALLOW",
    ),
    Code.TRUST_POLICY_WITH_RESOURCE: CodeInfo(
        _E,
        "Trust policy with `Resource` or `NotResource`",
        "remove the element: a trust policy's resource is its role",
    ),
    Code.TRUST_POLICY_WITHOUT_PRINCIPAL: CodeInfo(
        _E, "Trust policy statement without `Principal`", "name who may assume the role", "Error - Missing principal"
    ),
    Code.TRUST_POLICY_UNSUPPORTED_ACTION: CodeInfo(
        _E,
        "Trust policy action that is not an AssumeRole action",
        "a trust policy grants only sts:AssumeRole*, sts:TagSession, sts:SetSourceIdentity and sts:SetContext;"
        " put other permissions in the role's permission policies",
    ),
    Code.INVALID_SID: CodeInfo(
        _E,
        "Sid with characters IAM does not accept",
        "use only ASCII letters and digits",
        "Error - Unsupported Sid",
        "INVALID_SID",
    ),
    Code.DUPLICATE_SID: CodeInfo(
        _E,
        "Two statements with one Sid",
        "give every statement its own Sid",
        "Error - Unique Sids required",
        "DUPLICATE_SID",
    ),
    Code.VARIABLE_UNSUPPORTED_IN_VERSION: CodeInfo(
        _E,
        "Policy variable in a policy without Version 2012-10-17",
        'add `"Version": "2012-10-17"`; without it `${...}` is literal text',
        "Error - Variable unsupported in version",
        "OLD_VERSION",
    ),
    Code.ADMIN_ACCESS: CodeInfo(
        _S,
        "Grant equivalent to administrator access",
        "grant the actions and resources the identity needs; `iam:*` lets it grant itself anything",
        None,
        "PRIVILEGE_ESCALATION, PERMISSIONS_MANAGEMENT_ACTIONS (community auditors)",
    ),
    Code.PASS_ROLE_WITHOUT_PASSED_TO_SERVICE: CodeInfo(
        _S,
        "`iam:PassRole` on every role, to every service",
        "name the roles in `Resource`, or add a condition on `iam:PassedToService`",
        "Security Warning - Pass role with star in resource (with NotResource, with star in action and resource)",
    ),
    Code.PUBLIC_ACCESS: CodeInfo(
        _S,
        "Resource or trust policy that allows everyone",
        "name the principals, or narrow `*` with a condition such as aws:PrincipalOrgID, aws:SourceArn or "
        "aws:SourceAccount",
        "(Access Analyzer reports public access as an external-access finding, not a policy check)",
    ),
    Code.ALLOW_WITH_NOT_ACTION: CodeInfo(
        _S,
        "`Allow` with `NotAction`",
        "list the actions to allow; NotAction also allows every action AWS adds later",
    ),
    Code.ALLOW_WITH_NOT_RESOURCE: CodeInfo(
        _S,
        "`Allow` with `NotResource`",
        "list the resources to allow; NotResource also allows every resource created later",
        "Security Warning - Pass role with NotResource; General Warning - Create SLR with NotResource",
        "NOTRESOURCE_WITH_ALLOW",
    ),
    Code.FOR_ALL_VALUES_WITH_ALLOW: CodeInfo(
        _S,
        "`ForAllValues` in an `Allow`: true when the key is absent",
        'add `"Null": {"KEY": "false"}` to the statement, or use ForAnyValue',
    ),
    Code.FOR_ALL_VALUES_SINGLE_VALUED_KEY: CodeInfo(
        _S,
        "`ForAllValues` on a single-valued key",
        "remove `ForAllValues:`",
        "Security Warning - ForAllValues with single valued key",
        "SINGLE_VALUE_CONDITION_TOO_PERMISSIVE",
    ),
    Code.DENY_CONDITION_KEY_NOT_SUPPLIED: CodeInfo(
        _S,
        "Deny conditioned on a key the statement's actions never carry",
        "move those actions to a statement without the condition; this Deny never applies to them",
        "Security Warning - Deny with unsupported tag condition key for service",
    ),
    Code.RESOURCE_TYPE_MISMATCH: CodeInfo(
        _W,
        "Resource of a type none of the statement's actions acts on",
        "name a resource of a type the actions act on, or move the actions to a statement of their own",
        "(partly) Error - Invalid ARN resource",
        "RESOURCE_MISMATCH",
    ),
    Code.CONDITION_KEY_NOT_SUPPLIED: CodeInfo(
        _W,
        "Allow conditioned on a key the statement's actions never carry",
        "move those actions to a statement without the condition; this Allow never grants them",
        "Suggestion - Allow with unsupported tag condition key for service",
        "UNKNOWN_CONDITION_FOR_ACTION",
    ),
    Code.CONDITION_TYPE_MISMATCH: CodeInfo(
        _W,
        "Condition operator of another type than its key",
        "use an operator of the key's type",
        "General Warning - Type mismatch",
        "MISMATCHED_TYPE",
    ),
    Code.MISSING_SET_QUALIFIER: CodeInfo(
        _W,
        "Multivalued key without `ForAllValues:` or `ForAnyValue:`",
        "prefix the operator with ForAnyValue: (any value matches) or ForAllValues: (every value matches)",
        "Error - Missing qualifier",
    ),
    Code.FOR_ANY_VALUE_SINGLE_VALUED_KEY: CodeInfo(
        _W,
        "`ForAnyValue` on a single-valued key",
        "remove `ForAnyValue:`; with a negated operator it also changes what an absent key means",
        None,
        "SINGLE_VALUE_CONDITION_TOO_PERMISSIVE",
    ),
    Code.MISSING_VERSION: CodeInfo(
        _W,
        "Policy without `Version`",
        'add `"Version": "2012-10-17"`',
        "General Warning - Missing version",
        "NO_VERSION",
    ),
    Code.WILDCARD_WITHOUT_LIKE_OPERATOR: CodeInfo(
        _W,
        "`*` or `?` in a value of an operator that does not match wildcards",
        "use the Like form of the operator (StringLike, StringNotLike)",
        "General Warning - Wildcard without like operator",
    ),
    Code.STATEMENT_SHADOWED_BY_DENY: CodeInfo(
        _W,
        "Allow that a Deny of the same policy always overrides",
        "remove the Allow, or narrow the Deny",
    ),
    Code.POLICY_SIZE_OVER_DEFAULT_QUOTA: CodeInfo(
        _W,
        "Policy larger than the quota it usually has",
        "ask for the quota increase, or shorten the policy",
        "General Warning - Policy size exceeds identity policy quota",
    ),
    Code.USE_ARN_OPERATOR: CodeInfo(
        _G,
        "ARN key compared with a String operator",
        "use ArnEquals / ArnLike (ArnNotEquals / ArnNotLike)",
        None,
        "MISMATCHED_TYPE_BUT_USABLE",
    ),
    Code.IF_EXISTS_ON_ALWAYS_PRESENT_KEY: CodeInfo(
        _G,
        "`IfExists` on a key every request carries",
        "remove `IfExists`",
    ),
    Code.DUPLICATE_STATEMENT: CodeInfo(
        _G, "Statement that repeats another", "remove one of them", "Suggestion - Redundant statement"
    ),
    Code.REDUNDANT_STATEMENT: CodeInfo(
        _G,
        "Statement another statement of the same effect already covers",
        "remove it, or merge the two",
        "Suggestion - Redundant statement",
    ),
    Code.REDUNDANT_ACTION: CodeInfo(
        _G, "Action another entry of the same element already covers", "remove it", "Suggestion - Redundant action"
    ),
    Code.REDUNDANT_RESOURCE: CodeInfo(
        _G,
        "Resource another entry of the same element already covers",
        "remove it",
        "Suggestion - Redundant resource",
    ),
}


def severity_of(code: Code) -> Severity:
    """The severity of a code."""
    return CATALOGUE[code].severity
