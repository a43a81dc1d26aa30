"""Invalid simulate input is a located InputError, never a traceback or a silent skip."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policysim.errors import InputError, ParseError, PolicyError, RequestError, SchemaError
from policysim.load import load_json
from policysim.twins import simulate_custom_policy, simulate_document

ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


def entry(kind: str, *values: str, name: str = "aws:SourceIp") -> dict[str, Any]:
    return {"ContextKeyName": name, "ContextKeyValues": list(values), "ContextKeyType": kind}


def simulate(**data: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"PolicyInputList": [ALLOW_ALL], "ActionNames": ["s3:GetObject"]}
    return simulate_custom_policy({**base, **data})


@pytest.mark.parametrize(
    ("context", "words"),
    [
        (entry("ip", "10.0.0.300"), "`10.0.0.300` is not a valid IP address"),
        (entry("ipList", "10.0.0.1", "nope"), "`nope` is not a valid IP address"),
        (entry("date", "yesterday", name="aws:CurrentTime"), "`yesterday` is not a valid date"),
        (entry("numeric", "1O", name="aws:MultiFactorAuthAge"), "`1O` is not a valid number"),
        (entry("boolean", "yes", name="aws:SecureTransport"), "`yes` is not a valid boolean"),
        (entry("binary", "***", name="s3:x-amz-content"), "not a valid base64 value"),
        (entry("string", "a", "b", name="aws:username"), "takes exactly one value, got 2"),
    ],
)
def test_context_values_are_checked_against_their_type(context: dict[str, Any], words: str) -> None:
    with pytest.raises(RequestError, match="context key") as caught:
        simulate(ContextEntries=[context])
    assert words in caught.value.message


def test_context_error_is_located_in_the_input_file() -> None:
    text = json.dumps(
        {
            "PolicyInputList": [ALLOW_ALL],
            "ActionNames": ["s3:GetObject"],
            "ContextEntries": [entry("ip", "10.0.0.1"), entry("ip", "x", name="aws:VpcSourceIp")],
        },
        indent=2,
    )
    with pytest.raises(RequestError) as caught:
        simulate_document(load_json(text, "input.json"))
    location = caught.value.location
    assert location is not None and location.file == "input.json" and location.line == 19
    assert location.path == ("ContextEntries", 1, "ContextKeyValues", 0)


def test_unknown_and_missing_keys() -> None:
    with pytest.raises(SchemaError, match="unknown key `PolicyInputLists`"):
        simulate_custom_policy({"PolicyInputList": [], "PolicyInputLists": [], "ActionNames": ["s3:GetObject"]})
    with pytest.raises(SchemaError, match="missing required key `PolicyInputList`"):
        simulate_custom_policy({"ActionNames": ["s3:GetObject"]})
    with pytest.raises(SchemaError, match="ContextKeyType"):
        simulate(ContextEntries=[entry("ipaddress", "10.0.0.1")])


def test_bad_policy_is_located_in_its_string() -> None:
    with pytest.raises(ParseError) as caught:
        simulate(PolicyInputList=[ALLOW_ALL, '{"Version":"2012-10-17",'])
    assert str(caught.value.location).startswith("PolicyInputList[1]:1:")
    with pytest.raises(PolicyError, match="must not contain `Principal`"):
        simulate(
            PolicyInputList=[
                '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}'
            ]
        )


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"ActionNames": ["s3:*"]}, "is not an action name"),
        ({"ResourcePolicy": ALLOW_ALL}, "`CallerArn` is required"),
        ({"CallerArn": "arn:aws:iam::123456789012:group/Admins"}, "is not a caller"),
        ({"ResourceOwner": "123"}, "is not an account"),
        ({"PermissionsBoundaryPolicyInputList": [ALLOW_ALL, ALLOW_ALL]}, "only one permissions boundary"),
        ({"CallerArn": "*"}, "has no identity-based policies"),
        (
            {
                "ResourceArns": ["arn:aws:s3:::b/k"],
                "ResourceOwner": "111111111111",
                "CallerArn": "arn:aws:iam::111111111111:user/u",
            },
            None,
        ),
        ({"ResourceArns": ["arn:aws:sqs:us-east-1:222222222222:q"], "ResourceOwner": "111111111111"}, "disagrees"),
        ({"Marker": "abc"}, "invalid `Marker`"),
    ],
)
def test_request_errors(data: dict[str, Any], words: str | None) -> None:
    if words is None:
        simulate(**data)  # accepted
        return
    with pytest.raises(InputError) as caught:
        simulate(**data)
    assert words in caught.value.message
