"""KMS's rule: a key's key policy must allow, and every key has one.

"Every KMS key must have exactly one key policy" and "Without permission from the key policy, IAM policies that
allow permissions have no effect" (KMS developer guide, key-policies.md; reference_policies_evaluation-logic.md:
"IAM role trust policies and KMS key policies are exceptions to this logic, because they must explicitly allow
access for principals"). So a key whose policy the input does not give is one whose policy allows nobody here:
policysim never lets identity policies alone reach a key.
"""

from __future__ import annotations

import re
from typing import Any

_KEY_ARN = re.compile(r"arn:[a-z0-9-]+:kms:[a-z0-9-]*:[^:]*:key/")


def is_key(arn: str) -> bool:
    """Is `arn` a KMS key (not an alias)?"""
    return _KEY_ARN.match(arn) is not None


def missing_key_policy(arn: str) -> str:
    """The reason a key without a given key policy refuses every caller."""
    return (
        f"no key policy was given for `{arn}`: every KMS key has one, and without its permission IAM policies "
        "have no effect"
    )


def default_key_policy(partition: str, account: str) -> dict[str, Any]:
    """The key policy KMS gives a key created without one: the account may use IAM policies to allow access
    ("Enable IAM User Permissions", KMS developer guide, key-policy-default.md)."""
    return {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
