"""The classes of wrong answers found in review (issue 11), generated rather than listed.

- NotPrincipal Deny statements against every kind of caller, with and without a permissions boundary, through the
  whole engine, against a reference that states AWS's rules directly (reference_policies_elements_notprincipal.md,
  access_policies_boundaries.md).
- Every service-prefixed resource-tag key of the shipped Service Authorization Reference table reaches the request:
  a Deny conditioned on it applies to a tagged resource of that type (access_iam-tags.md).

`HYPOTHESIS_PROFILE=fuzz-more` runs the generated laws with 2,000 examples.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policysim import Decision, Scenario
from policysim.catalogue.resource_tags import builtin_resource_tag_keys

settings.register_profile("fuzz-more", max_examples=2000, deadline=None)
EXAMPLES = 2000 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz-more" else 60

A = "111111111111"
B = "222222222222"
OBJ = "arn:aws:s3:::bucket-a/key"
ALLOW_S3 = {"p": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}}
BOUNDARY = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}

# The callers: (scenario principal reference, ARNs that would name it in NotPrincipal, its account)
CALLERS: dict[str, tuple[str, str, str | None]] = {
    "user": ("Alice", f"arn:aws:iam::{A}:user/Alice", A),
    "session": (f"arn:aws:sts::{A}:assumed-role/App/s1", f"arn:aws:sts::{A}:assumed-role/App/s1", A),
    "root": (f"arn:aws:iam::{A}:root", f"arn:aws:iam::{A}:root", A),
    "other-account-user": (f"arn:aws:iam::{B}:user/Carol", f"arn:aws:iam::{B}:user/Carol", B),
}
NAMES = [
    f"arn:aws:iam::{A}:user/Alice",
    f"arn:aws:iam::{A}:role/App",
    f"arn:aws:sts::{A}:assumed-role/App/s1",
    f"arn:aws:iam::{B}:user/Carol",
    A,
    B,
]


def reference_applies(caller: str, named: set[str], bounded: bool) -> bool:
    """AWS's documented NotPrincipal rules, written out: does the Deny apply to `caller`?"""
    if bounded and caller in ("user", "session", "other-account-user"):
        return True  # "will always deny any IAM principal that has a permissions boundary policy attached"
    _, arn, account = CALLERS[caller]
    account_named = account in named or f"arn:aws:iam::{account}:root" in named
    if caller == "root":
        return not account_named
    if caller == "session":  # "validate the account first, then the role, and then the assumed-role user"
        return not (account_named and f"arn:aws:iam::{A}:role/App" in named and arn in named)
    return not (account_named and arn in named)  # "you must also specify the account ARN"


def _scenario(named: list[str], bounded: bool) -> Scenario:
    deny = {"Effect": "Deny", "NotPrincipal": {"AWS": named}, "Action": "s3:*", "Resource": OBJ}
    grant = {"Effect": "Allow", "Principal": {"AWS": [A, B]}, "Action": "s3:*", "Resource": OBJ}
    extra: dict[str, Any] = {"permissions_boundary": "Bound"} if bounded else {}
    return Scenario.from_dict(
        {
            "scenario": "NotPrincipal laws",
            "accounts": {
                A: {
                    "policies": {"Bound": BOUNDARY},
                    "users": {"Alice": {"inline_policies": ALLOW_S3, **extra}},
                    "roles": {"App": {"inline_policies": ALLOW_S3, **extra}},
                    "buckets": {"bucket-a": {"policy": {"Version": "2012-10-17", "Statement": [deny, grant]}}},
                },
                B: {"policies": {"Bound": BOUNDARY}, "users": {"Carol": {"inline_policies": ALLOW_S3, **extra}}},
            },
        }
    )


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    caller=st.sampled_from(sorted(CALLERS)),
    named=st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True),
    bounded=st.booleans(),
)
def test_not_principal_deny_follows_the_documented_rules(caller: str, named: list[str], bounded: bool) -> None:
    outcome = _scenario(named, bounded).evaluate(CALLERS[caller][0], "s3:GetObject", OBJ)
    expected = reference_applies(caller, set(named), bounded)
    assert (outcome.decision is Decision.EXPLICIT_DENY) is expected, outcome.explain()


def _tag_rows() -> list[tuple[str, str, str]]:
    table = builtin_resource_tag_keys()
    return [
        (service, fmt.example("aws", A), prefix)
        for service, rows in sorted(table.by_service.items())
        for fmt, prefixes in rows
        for prefix in prefixes
    ]


@pytest.mark.parametrize(("service", "arn", "prefix"), _tag_rows())
def test_every_listed_resource_tag_key_reaches_the_request(service: str, arn: str, prefix: str) -> None:
    key = prefix.split(":", 1)[0] + ":ResourceTag/env"
    statements = [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": f"{service}:*", "Resource": "*", "Condition": {"StringEquals": {key: "prod"}}},
    ]
    account: dict[str, Any] = {
        "users": {"admin": {"inline_policies": {"p": {"Version": "2012-10-17", "Statement": statements}}}}
    }
    if arn.startswith("arn:aws:s3:::"):  # S3 resources are declared as buckets
        account["buckets"] = {arn.split(":::", 1)[1].split("/", 1)[0]: {"tags": {"Env": "prod"}}}
    else:
        account["resources"] = [{"arn": arn, "tags": {"Env": "prod"}}]
    probe = f"{service}:PolicysimProbe"  # any action of the service: accepted as newer than the catalogue
    scenario = Scenario.from_dict({"scenario": "resource-tag keys", "accounts": {A: account}, "newer_actions": [probe]})
    outcome = scenario.evaluate("admin", probe, arn, resource_account=None)
    assert outcome.decision is Decision.EXPLICIT_DENY, outcome.explain()
