"""AWS's documented limits, and policysim's own bounds on the work one input can cause, in one place.

This is a ground-floor module: it imports nothing from policysim but `errors`, so every layer (the loaders, the
policy compiler, the scenario builder, the simulate twins) can call it. Every number names its source.

Measuring a policy against a quota: AWS counts characters, and for the IAM quotas "IAM does not count white space
when calculating the size of a policy against these quotas" (reference_iam-quotas.md); for SCPs and RCPs "All
characters in your SCP count against its maximum size", but "you can delete any white space, such as space
characters and line breaks that are outside quotation marks" (orgs_manage_policies_scps_syntax.md). A policy in a
scenario is a model of one stored in AWS, written in YAML or pretty-printed JSON, so policysim counts the smallest
text AWS could hold for it: the compact JSON, without white space (`policy_chars`). It never refuses a policy that
AWS could store.

Quotas AWS can raise are enforced at the largest value AWS can grant (the role trust policy: 2,048 characters by
default, 4,096 at most): policysim cannot know an account's quota, and refusing what AWS could accept would make
a valid model invalid. Only what no AWS account can hold is refused.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from policysim.errors import Location, PolicyError


@dataclass(frozen=True, slots=True)
class Bound:
    """A length range in characters, as a botocore shape states it (`min`, `max`), with the shape's name."""

    min: int
    max: int
    shape: str


# ---------------------------------------------------------------- the simulate API's members
# botocore/data/iam/2010-05-08/service-2.json (botocore 1.44.8), the members of SimulateCustomPolicyRequest and
# SimulatePrincipalPolicyRequest:
#   "ActionNameType": {"type": "string", "max": 128, "min": 3}
#   "ResourceNameType": {"type": "string", "max": 2048, "min": 1}           ResourceArns items, ResourceOwner, CallerArn
#   "arnType": {"type": "string", "max": 2048, "min": 20}                   PolicySourceArn
#   "policyDocumentType": {"type": "string", "max": 131072, "min": 1, ...}  every policy string
#   "ContextKeyNameType": {"type": "string", "max": 256, "min": 5}
#   "ContextKeyValueType": {"type": "string"}                               no length limit
#   "markerType": {"type": "string", "max": 320, "min": 1, ...}
#   "ResourceHandlingOptionType": {"type": "string", "max": 64, "min": 1}
# The lists (ActionNameListType, ResourceNameListType, ContextEntryListType, ContextKeyValueListType) have no
# documented length. "The maximum length of the policy document that you can pass in this operation, including
# whitespace, is listed below." (SimulateCustomPolicy, PolicyInputList)
ACTION_NAME = Bound(3, 128, "ActionNameType")
RESOURCE_NAME = Bound(1, 2048, "ResourceNameType")
ARN = Bound(20, 2048, "arnType")
POLICY_DOCUMENT = Bound(1, 131072, "policyDocumentType")
CONTEXT_KEY_NAME = Bound(5, 256, "ContextKeyNameType")
MARKER = Bound(1, 320, "markerType")
RESOURCE_HANDLING_OPTION = Bound(1, 64, "ResourceHandlingOptionType")

# ---------------------------------------------------------------- policysim's bounds on one simulation request
# AWS documents no limit on the number of ContextEntries or of values per key. Real requests carry tens of keys,
# and multivalued keys are small (aws:TagKeys holds at most the 50 tags a resource or request can carry;
# aws:CalledVia one entry per service in a chain). A thousand of each is far beyond any real request and keeps the
# work of one request small: every condition compares its values against each value of its key.
MAX_CONTEXT_ENTRIES = 1000
MAX_CONTEXT_VALUES = 1000

# ---------------------------------------------------------------- IAM and Organizations policy-size quotas
# awsdocs/iam-user-guide doc_source/reference_iam-quotas.md, "IAM and STS character quotas":
#   "For inline policies | You can add as many inline policies as you want to an IAM user, role, or group. But the
#   total aggregate policy size (the sum size of all inline policies) per entity cannot exceed the following
#   quotas: [...] IAM does not count white space when calculating the size of a policy against these quotas."
#   "For managed policies | [...] IAM does not count white space when calculating the size of a policy against
#   this quota."
# The Markdown source leaves the numbers to a list rendered on the page, which reads: "User policy size cannot
# exceed 2,048 characters. Role policy size cannot exceed 10,240 characters. Group policy size cannot exceed 5,120
# characters." and "The size of each managed policy cannot exceed 6,144 characters."
# "Default quotas for IAM entities" (adjustable): "| Role trust policy length | 2048 characters | 4096 characters |"
# (default quota, maximum quota).
# Organizations CreatePolicy: "The following AWS Organizations quotas are enforced for the maximum size of a policy
# document: Service control policies: 5,120 characters Resource control policies: 5,120 characters".
# AWS managed policies are AWS's own and not held to the customer quota (ReadOnlyAccess is far larger).
MANAGED_POLICY_CHARS = 6144
INLINE_AGGREGATE_CHARS = {"user": 2048, "group": 5120, "role": 10240}
TRUST_POLICY_DEFAULT_CHARS = 2048
TRUST_POLICY_CHARS = 4096  # the maximum quota: enforced (see the module docstring)
SCP_CHARS = 5120
RCP_CHARS = 5120

# The quotas that hold for every policy of a kind, wherever it is compiled (by `PolicyKind` value). Identity and
# boundary policies depend on where they are attached (managed or inline, user or role) and are checked there.
_KIND_QUOTAS = {
    "trust": (TRUST_POLICY_CHARS, "a role trust policy", "the maximum quota AWS can grant (the default is 2,048)"),
    "scp": (SCP_CHARS, "a service control policy", "AWS Organizations quota"),
    "rcp": (RCP_CHARS, "a resource control policy", "AWS Organizations quota"),
}
_WHITE_SPACE = " \t\n\r"


def policy_chars(data: Any) -> int:
    """The characters AWS counts against a policy-size quota: the compact JSON of the document, no white space."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return len(text) - sum(text.count(char) for char in _WHITE_SPACE)


def _too_large(chars: int, limit: int, what: str, why: str, where: Location | None) -> PolicyError:
    return PolicyError(
        f"policy is too large: {chars} characters (white space not counted), the limit for {what} is {limit}",
        where,
        f"{why}; split the policy or shorten it",
    )


def check_policy_size(data: Any, kind: str, where: Location | None) -> None:
    """Refuse a policy document no AWS account could hold as a policy of `kind` (a `PolicyKind` value).

    Every kind: `policyDocumentType`'s 131,072 characters, the most any IAM API accepts for a policy document.
    Trust policies, SCPs and RCPs: their quota (above). Identity and boundary policies are checked where they are
    attached (`check_managed_size`, `check_inline_aggregate`).
    """
    chars = policy_chars(data)
    if chars > POLICY_DOCUMENT.max:
        raise _too_large(chars, POLICY_DOCUMENT.max, "any policy document", "botocore policyDocumentType", where)
    quota = _KIND_QUOTAS.get(str(kind))
    if quota is not None and chars > quota[0]:
        raise _too_large(chars, quota[0], quota[1], quota[2], where)


def check_managed_size(data: Any, where: Location | None) -> None:
    """A customer managed policy (attached as a permissions policy or a boundary): at most 6,144 characters."""
    chars = policy_chars(data)
    if chars > MANAGED_POLICY_CHARS:
        raise _too_large(chars, MANAGED_POLICY_CHARS, "a customer managed policy", "IAM quota", where)


def check_inline_aggregate(entity: str, documents: Sequence[Any], where: Location | None) -> None:
    """The inline policies of one user, group or role (`entity`) together: at most 2,048 / 5,120 / 10,240."""
    limit = INLINE_AGGREGATE_CHARS[entity]
    chars = sum(policy_chars(data) for data in documents)
    if chars > limit:
        raise PolicyError(
            f"inline policies are too large: {chars} characters together (white space not counted), "
            f"the limit for the inline policies of a {entity} is {limit}",
            where,
            "IAM quota on the sum of an entity's inline policies; move some into customer managed policies",
        )
