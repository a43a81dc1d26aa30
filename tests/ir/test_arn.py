"""ARNs: strict parsing, Resource pattern validation, and ArnLike matching per component."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policysim.context import RequestContext
from policysim.errors import Location, ParseError, PolicyError
from policysim.ir.arn import PARTITIONS, Arn, ArnGlob, check_resource_pattern, parse_arn
from policysim.ir.pattern import Glob
from policysim.ir.template import parse_template

EMPTY = RequestContext()
WHERE = Location("scenario.yaml", 4, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("arn:aws:s3:::bucket", Arn("aws", "s3", "", "", "bucket")),
        ("arn:aws:s3:::bucket/a/b:c d", Arn("aws", "s3", "", "", "bucket/a/b:c d")),
        ("arn:aws:iam::123456789012:user/Bob", Arn("aws", "iam", "", "123456789012", "user/Bob")),
        ("arn:aws:iam::aws:policy/ReadOnlyAccess", Arn("aws", "iam", "", "aws", "policy/ReadOnlyAccess")),
        (
            "arn:aws-cn:sqs:cn-north-1:123456789012:queue1",
            Arn("aws-cn", "sqs", "cn-north-1", "123456789012", "queue1"),
        ),
        (
            "arn:aws:sts::123456789012:assumed-role/R/s",
            Arn("aws", "sts", "", "123456789012", "assumed-role/R/s"),
        ),
        (
            "arn:aws:logs:us-east-1:123456789012:log-group:g:*",
            Arn("aws", "logs", "us-east-1", "123456789012", "log-group:g:*"),
        ),
        (
            "arn:aws:s3:us-west-2:123456789012:accesspoint/ap",
            Arn("aws", "s3", "us-west-2", "123456789012", "accesspoint/ap"),
        ),
        ("arn:aws:ec2:us-east-1::image/ami-1", Arn("aws", "ec2", "us-east-1", "", "image/ami-1")),
    ],
)
def test_parse_arn(text: str, expected: Arn) -> None:
    arn = parse_arn(text)
    assert arn == expected
    assert str(arn) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foo", "malformed ARN `foo`"),
        ("arn:aws:s3", "malformed ARN `arn:aws:s3`"),
        ("ARN:aws:s3:::b", "malformed ARN `ARN:aws:s3:::b`"),
        ("arn:awz:s3:::b", "invalid partition `awz` in ARN `arn:awz:s3:::b`"),
        ("arn:AWS:s3:::b", "invalid partition `AWS` in ARN `arn:AWS:s3:::b`"),
        ("arn::s3:::b", "invalid partition `` in ARN `arn::s3:::b`"),
        ("arn:aws:S3:::b", "invalid service `S3` in ARN `arn:aws:S3:::b`"),
        ("arn:aws::::b", "invalid service `` in ARN `arn:aws::::b`"),
        (
            "arn:aws:ec2:US-EAST-1:123456789012:x",
            "invalid region `US-EAST-1` in ARN `arn:aws:ec2:US-EAST-1:123456789012:x`",
        ),
        ("arn:aws:ec2:us-east-1:12345:x", "invalid account `12345` in ARN `arn:aws:ec2:us-east-1:12345:x`"),
        (
            "arn:aws:iam::1234567890123:x",
            "invalid account `1234567890123` in ARN `arn:aws:iam::1234567890123:x`",
        ),
        (
            "arn:aws:ec2:us-east-1:123456789012:",
            "empty resource part in ARN `arn:aws:ec2:us-east-1:123456789012:`",
        ),
        ("arn:aws:s3:::b*", None),
        (
            "arn:aws:iam:us-east-1:123456789012:user/x",
            "IAM resource `arn:aws:iam:us-east-1:123456789012:user/x` cannot contain region information",
        ),
        (
            "arn:aws:s3:us-east-1::b",
            "S3 resource `arn:aws:s3:us-east-1::b` cannot contain region information",
        ),
        (
            "arn:aws:s3::123456789012:b",
            "S3 resource `arn:aws:s3::123456789012:b` cannot contain an account id",
        ),
    ],
)
def test_parse_arn_errors(text: str, message: str | None) -> None:
    if message is None:  # a `*` in the resource part is just a character of a concrete ARN
        assert parse_arn(text).resource == "b*"
        return
    with pytest.raises(ParseError) as caught:
        parse_arn(text, location=WHERE)
    assert caught.value.message == message
    assert caught.value.location == WHERE
    assert caught.value.hint


def test_partition_hint_lists_partitions() -> None:
    with pytest.raises(ParseError) as caught:
        parse_arn("arn:awz:s3:::b")
    assert caught.value.hint is not None
    assert all(p in caught.value.hint for p in PARTITIONS)


concrete = st.builds(
    Arn,
    st.sampled_from(sorted(PARTITIONS)),
    st.sampled_from(["ec2", "sqs", "dynamodb", "kms", "lambda"]),
    st.from_regex(r"([a-z]{2}-[a-z]+-[0-9])?", fullmatch=True),
    st.from_regex(r"([0-9]{12})?", fullmatch=True),
    st.text(alphabet="abc:/*?-_ .", min_size=1, max_size=20),
)


@settings(max_examples=200, deadline=None)
@given(arn=concrete)
def test_parse_arn_round_trip(arn: Arn) -> None:
    assert parse_arn(str(arn)) == arn


@pytest.mark.parametrize(
    "text",
    [
        "*",
        "arn:aws:s3:::bucket/*",
        "arn:*:s3:::bucket",
        "arn:aws-?n:s3:::bucket",
        "arn:aws:*:*:*:*",
        "arn:aws:iam::*:role/*",
        "arn:aws:iam::aws:policy/*",
        "arn:aws:sqs:us-east-2:*:${aws:username}-queue",
        "arn:aws:s3:::b/${aws:PrincipalTag/team}/*",
        "arn:aws:s3:*:*:accesspoint/*",
        "arn:aws:s3:*:123456789012:*",
        "arn:aws:logs:us-east-1:123456789012:log-group:x:*",
    ],
)
def test_check_resource_pattern_accepts(text: str) -> None:
    check_resource_pattern(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foo", "resource `foo` must be in ARN format or `*`"),
        ("**", "resource `**` must be in ARN format or `*`"),
        ("arn:aws:s3", "resource `arn:aws:s3` must be in ARN format or `*`"),
        ("*:aws:s3:::b", "resource `*:aws:s3:::b` must be in ARN format or `*`"),
        ("arn:awz:s3:::b", "invalid partition `awz` in resource `arn:awz:s3:::b`"),
        ("arn::s3:::b", "invalid partition `` in resource `arn::s3:::b`"),
        ("arn:aws:S3:::b", "invalid service `S3` in resource `arn:aws:S3:::b`"),
        ("arn:aws::::b", "invalid service `` in resource `arn:aws::::b`"),
        ("arn:aws:ec2:US:*:x", "invalid region `US` in resource `arn:aws:ec2:US:*:x`"),
        ("arn:aws:ec2:*:12a:x", "invalid account `12a` in resource `arn:aws:ec2:*:12a:x`"),
        ("arn:aws:ec2:*:*:", "empty resource part in resource `arn:aws:ec2:*:*:`"),
        (
            "arn:aws:iam:us-east-1::user/x",
            "IAM resource `arn:aws:iam:us-east-1::user/x` cannot contain region information",
        ),
        (
            "arn:aws:s3::123456789012:b",
            "S3 resource `arn:aws:s3::123456789012:b` cannot contain an account id",
        ),
        (
            "arn:aws:iam::${aws:PrincipalAccount}:user/x",
            "policy variable outside the resource part of ARN `arn:aws:iam::${aws:PrincipalAccount}:user/x`",
        ),
    ],
)
def test_check_resource_pattern_rejects(text: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        check_resource_pattern(text, location=WHERE)
    assert caught.value.message == message
    assert caught.value.location == WHERE


def test_check_resource_pattern_variables_disabled() -> None:
    with pytest.raises(PolicyError, match="invalid account"):
        check_resource_pattern("arn:aws:iam::${aws:x}:user/x", variables_enabled=False)


def arn_glob(text: str, *, variables: bool = True) -> ArnGlob:
    return ArnGlob.from_template(parse_template(text, variables_enabled=variables))


def test_arn_like_checks_components_separately() -> None:
    # reference_policies_elements_condition_operators.md: StringLike matches, ArnLike does not.
    pattern = "arn:aws:someservice:*:111122223333:finance/*"
    value = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
    assert Glob.compile(pattern).matches(value)
    assert not arn_glob(pattern).matches_in(value, EMPTY)
    assert arn_glob(pattern).matches_in("arn:aws:someservice:us-east-2:111122223333:finance/a:b/c", EMPTY)


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("arn:aws:sns:us-east-1:123456789012:topic", "arn:aws:sns:us-east-1:123456789012:topic", True),
        ("arn:aws:sns:us-east-1:123456789012:topic", "arn:aws:sns:us-east-1:123456789012:Topic", False),
        ("arn:aws:sns:us-east-?:*:topic", "arn:aws:sns:us-east-1:123456789012:topic", True),
        ("arn:aws:sns:*:topic", "arn:aws:sns:us-east-1:123456789012:topic", False),
        ("arn:aws:sns:*:*:*", "arn:aws:sns:us-east-1:123456789012:a:b", True),
        ("arn:*:*:*:*:*", "arn:aws:s3:::b", True),
        ("arn:*:*:*:*:*", "not-an-arn", False),
        ("arn:*:*:*:*:*", "arn:aws:s3::b", False),
        ("*", "arn:aws:s3:::b", False),
        ("arn:aws:iam::*", "arn:aws:iam::123456789012:role/x", False),
        ("arn:aws:iam::123456789012:role/${*}", "arn:aws:iam::123456789012:role/*", True),
        ("arn:aws:iam::123456789012:role/${*}", "arn:aws:iam::123456789012:role/x", False),
    ],
)
def test_arn_like(pattern: str, value: str, expected: bool) -> None:
    assert arn_glob(pattern).matches_in(value, EMPTY) is expected


def test_fewer_than_six_components_is_flagged() -> None:
    assert not arn_glob("arn:aws:iam::*").well_formed
    assert arn_glob("arn:aws:iam::*:*").well_formed
    assert not arn_glob("${aws:SourceArn}").well_formed


def test_arn_like_with_variables() -> None:
    glob = arn_glob("arn:aws:iam::${aws:PrincipalAccount}:role/${aws:PrincipalTag/team, 'none'}-*")
    assert glob.has_variables and glob.well_formed
    ctx = RequestContext({"aws:principalaccount": ("123456789012",), "aws:principaltag/team": ("red",)})
    assert glob.matches_in("arn:aws:iam::123456789012:role/red-admin", ctx)
    assert not glob.matches_in("arn:aws:iam::999999999999:role/red-admin", ctx)
    only_account = RequestContext({"aws:principalaccount": ("123456789012",)})
    assert glob.matches_in("arn:aws:iam::123456789012:role/none-x", only_account)
    assert not glob.matches_in("arn:aws:iam::123456789012:role/none-x", EMPTY)
    assert not arn_glob("arn:aws:iam::123456789012:role/x").has_variables


def test_arn_like_2008_literal() -> None:
    glob = arn_glob("arn:aws:iam::123456789012:role/${aws:username}", variables=False)
    assert not glob.has_variables
    assert glob.matches_in("arn:aws:iam::123456789012:role/${aws:username}", EMPTY)
