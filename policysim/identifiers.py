"""The identifier rules, one validator each, ASCII only.

`str.isdigit()` and a bare `\\d` accept non-ASCII digits (Arabic-Indic ones, say), and `$` accepts a trailing
newline; every rule here is an explicit ASCII class matched with `fullmatch`. Composite patterns (an ARN with an
account in it) embed the `*_PATTERN` fragments instead of writing their own. `unique_id` is the one rule that
derives an identifier (the `AIDA…`/`AROA…` id of a user or role the model gives none).
"""

from __future__ import annotations

import base64
import re

from policysim.digest import sha256

ACCOUNT_PATTERN = "[0-9]{12}"
_ACCOUNT_ID = re.compile(ACCOUNT_PATTERN)
# `ec2.amazonaws.com`, `s3.amazonaws.com.cn` (reference_policies_elements_principal.md, service principals)
_SERVICE_PRINCIPAL = re.compile(r"[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?")
# STS's own patterns (botocore sts model): RoleSessionName / SourceIdentity `[\w+=,.@-]*` 2-64, ExternalId
# `[\w+=,.@:\/-]*` 2-1224; `\w` there is ASCII
_SESSION_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{2,64}")
_EXTERNAL_ID = re.compile(r"[A-Za-z0-9_+=,.@:/-]{2,1224}")
# one concrete action of a request: `service:ActionName`, no wildcards
_ACTION_NAME = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9_-]+")
# "Names of users, groups, roles, policies, instance profiles, and server certificates must be alphanumeric,
# including the following common characters: plus (+), equal (=), comma (,), period (.), at (@), underscore (_), and
# hyphen (-)." (UG:reference_iam-quotas); at most 128 characters (groups, policies; users and roles 64)
_IAM_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{1,128}")


def is_ascii_digits(text: str) -> bool:
    """One or more ASCII digits, nothing else."""
    return text.isascii() and text.isdigit()


def is_account_id(text: str) -> bool:
    """A 12-digit AWS account id (ASCII digits)."""
    return _ACCOUNT_ID.fullmatch(text) is not None


def is_service_principal(text: str) -> bool:
    """A service principal name such as `lambda.amazonaws.com`."""
    return _SERVICE_PRINCIPAL.fullmatch(text) is not None


def is_session_name(text: str) -> bool:
    """A valid RoleSessionName (also the SourceIdentity character rule)."""
    return _SESSION_NAME.fullmatch(text) is not None


def is_external_id(text: str) -> bool:
    """A valid ExternalId."""
    return _EXTERNAL_ID.fullmatch(text) is not None


def is_iam_name(text: str) -> bool:
    """Is `text` a name IAM would store for a user, group, role or policy?"""
    return _IAM_NAME.fullmatch(text) is not None


def is_action_name(text: str) -> bool:
    """One concrete action, `service:ActionName` (no wildcards)."""
    return _ACTION_NAME.fullmatch(text) is not None


def unique_id(prefix: str, arn: str) -> str:
    """A stable AWS-style unique id (`AIDA...`, `AROA...`) derived from the ARN: the prefix and 17 characters of the
    base32 SHA-256 of the ARN."""
    return prefix + base64.b32encode(sha256(arn.encode()).digest()).decode()[:17]
