"""The shipped AWS managed policy library, and loading managed policies from an account's files."""

from __future__ import annotations

import json
import pathlib
import re
import urllib.parse
from typing import Any

import pytest

from policysim.errors import InputError, ParseError, SchemaError
from policysim.managed import ManagedKind, ManagedPolicy, ManagedPolicyLibrary

DATA = pathlib.Path(__file__).parents[2] / "policysim" / "managed" / "data"

IAM_POLICIES = {
    "AdministratorAccess": "/",
    "PowerUserAccess": "/",
    "ReadOnlyAccess": "/",
    "ViewOnlyAccess": "/job-function/",
    "SecurityAudit": "/",
    "AmazonS3FullAccess": "/",
    "AmazonS3ReadOnlyAccess": "/",
    "IAMFullAccess": "/",
    "IAMReadOnlyAccess": "/",
}
ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}


@pytest.fixture(scope="module")
def lib() -> ManagedPolicyLibrary:
    return ManagedPolicyLibrary.builtin()


def _actions(policy: ManagedPolicy) -> list[str]:
    out: list[str] = []
    for statement in policy.document["Statement"]:
        action = statement.get("Action", [])
        out += [action] if isinstance(action, str) else action
    return out


# --- the shipped data ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "path"), IAM_POLICIES.items())
def test_required_iam_policy_is_shipped_with_version_date_and_source(
    lib: ManagedPolicyLibrary, name: str, path: str
) -> None:
    policy = lib.lookup_arn(f"arn:aws:iam::aws:policy{path}{name}")
    assert policy is not None
    assert (policy.name, policy.path, policy.kind, policy.account) == (name, path, ManagedKind.IAM, "aws")
    assert policy.arn() == f"arn:aws:iam::aws:policy{path}{name}"
    assert re.fullmatch(r"v[1-9][0-9]*", policy.version_id)
    assert re.fullmatch(r"20[12][0-9]-[01][0-9]-[0-3][0-9]", policy.updated)
    assert policy.source
    assert policy.document["Version"] == "2012-10-17"
    assert policy.document["Statement"]
    assert json.loads(policy.document_text) == policy.document
    assert lib.lookup_name(name) is policy


@pytest.mark.parametrize(
    ("name", "kind", "policy_id", "statement"),
    [
        ("FullAWSAccess", ManagedKind.SCP, "p-FullAWSAccess", ALLOW_ALL),
        ("RCPFullAWSAccess", ManagedKind.RCP, "p-RCPFullAWSAccess", {**ALLOW_ALL, "Principal": "*"}),
    ],
)
def test_organizations_policies(
    lib: ManagedPolicyLibrary, name: str, kind: ManagedKind, policy_id: str, statement: dict[str, str]
) -> None:
    policy = lib.org_policy(name)
    assert policy is not None
    assert (policy.kind, policy.policy_id, policy.version_id) == (kind, policy_id, "")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", policy.updated)
    assert policy.document == {"Version": "2012-10-17", "Statement": [statement]}
    segment = "service_control_policy" if kind is ManagedKind.SCP else "resource_control_policy"
    assert policy.arn() == f"arn:aws:organizations::aws:policy/{segment}/{policy_id}"
    assert lib.lookup_arn(policy.arn("aws-us-gov")) is policy
    assert lib.org_policy("ReadOnlyAccess") is None


def test_the_required_policies_are_listed_and_organizations_json_is_loaded(lib: ManagedPolicyLibrary) -> None:
    assert set(IAM_POLICIES) | {"FullAWSAccess", "RCPFullAWSAccess"} <= set(lib.names())
    records = json.loads((DATA / "organizations.json").read_text())["policies"]
    assert [r["name"] for r in records] == ["FullAWSAccess", "RCPFullAWSAccess"]
    for record in records:
        policy = lib.org_policy(record["name"])
        assert policy is not None
        assert (policy.document, policy.source, policy.version_id, policy.updated) == (
            record["document"],
            record["source"],
            record["version_id"],
            record["updated"],
        )


def test_builtin_is_cached() -> None:
    assert ManagedPolicyLibrary.builtin() is ManagedPolicyLibrary.builtin()


def test_power_user_access_is_not_action_iam_organizations_account(lib: ManagedPolicyLibrary) -> None:
    policy = lib.lookup_name("PowerUserAccess")
    assert policy is not None
    first, *rest = policy.document["Statement"]
    assert first == {
        "Effect": "Allow",
        "NotAction": ["iam:*", "organizations:*", "account:*"],
        "Resource": "*",
    }
    extra = [a for s in rest for a in s["Action"]]
    assert {"iam:CreateServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization"} <= set(extra)
    assert all(s["Effect"] == "Allow" and s["Resource"] == "*" for s in rest)


def test_large_policies_are_complete(lib: ManagedPolicyLibrary) -> None:
    read_only, audit, view_only = (lib.lookup_name(n) for n in ("ReadOnlyAccess", "SecurityAudit", "ViewOnlyAccess"))
    assert read_only is not None and audit is not None and view_only is not None
    assert len(_actions(read_only)) > 2000
    assert {"s3:Get*", "ec2:Describe*", "iam:Get*"} <= set(_actions(read_only))
    assert len(_actions(audit)) > 500
    assert {"iam:Get*", "iam:List*", "iam:GenerateCredentialReport"} <= set(_actions(audit))
    assert len(_actions(view_only)) > 200


def test_simple_documents_are_exact(lib: ManagedPolicyLibrary) -> None:
    def doc(name: str) -> Any:
        policy = lib.lookup_name(name)
        assert policy is not None
        return policy.document

    assert doc("AdministratorAccess") == {"Version": "2012-10-17", "Statement": [ALLOW_ALL]}
    assert doc("AmazonS3FullAccess")["Statement"] == [
        {"Effect": "Allow", "Action": ["s3:*", "s3-object-lambda:*"], "Resource": "*"}
    ]


# --- lookup --------------------------------------------------------------------------------------


@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
@pytest.mark.parametrize("name", ["PowerUserAccess", "ViewOnlyAccess", "AmazonS3ReadOnlyAccess"])
def test_lookup_in_any_partition(lib: ManagedPolicyLibrary, partition: str, name: str) -> None:
    arn = f"arn:{partition}:iam::aws:policy{IAM_POLICIES[name]}{name}"
    policy = lib.lookup_arn(arn)
    assert policy is not None and policy.name == name
    assert policy.arn(partition) == arn


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::aws:policy/NoSuchPolicy",
        "arn:aws:iam::aws:policy/ViewOnlyAccess",  # it lives under /job-function/
        "arn:aws:iam::aws:policy/service-role/PowerUserAccess",
        "arn:aws:iam::123456789012:policy/PowerUserAccess",  # a customer policy of the same name
        "arn:aws:iam::aws:role/PowerUserAccess",
        "arn:azure:iam::aws:policy/PowerUserAccess",
        "arn:aws:iam::aws:policy/poweruseraccess",
        "arn:aws:organizations::aws:policy/service_control_policy/p-RCPFullAWSAccess",
        "arn:aws:organizations::aws:policy/service_control_policy/p-abcd1234",
        "PowerUserAccess",
        "",
    ],
)
def test_unknown_arn_is_none(lib: ManagedPolicyLibrary, arn: str) -> None:
    assert lib.lookup_arn(arn) is None


# --- get-account-authorization-details -----------------------------------------------------------

EC2_DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}],
}
MINE_DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}
POWER_V13 = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
}


def _version(doc: Any, version: str, default: bool = True) -> dict[str, Any]:
    return {
        "Document": doc,
        "VersionId": version,
        "IsDefaultVersion": default,
        "CreateDate": "2027-01-05T10:00:00Z",
    }


def _auth_details() -> dict[str, Any]:
    return {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": [
            {
                "PolicyName": "AmazonEC2ReadOnlyAccess",
                "Arn": "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess",
                "Path": "/",
                "DefaultVersionId": "v2",
                "UpdateDate": "2018-11-27T02:30:14Z",
                "PolicyVersionList": [
                    _version(urllib.parse.quote(json.dumps(EC2_DOC)), "v2"),
                    _version(urllib.parse.quote(json.dumps(MINE_DOC)), "v1", default=False),
                ],
            },
            {
                "PolicyName": "PowerUserAccess",
                "Arn": "arn:aws:iam::aws:policy/PowerUserAccess",
                "Path": "/",
                "DefaultVersionId": "v13",
                "UpdateDate": "2027-01-05T10:00:00Z",
                "PolicyVersionList": [_version(POWER_V13, "v13")],
            },
            {
                "PolicyName": "mine",
                "Arn": "arn:aws:iam::123456789012:policy/team/mine",
                "Path": "/team/",
                "DefaultVersionId": "v1",
                "UpdateDate": "2026-03-01T00:00:00Z",
                "PolicyVersionList": [_version(MINE_DOC, "v1")],
            },
        ],
    }


IAM_RECORD = {
    "name": "IAMFullAccess",
    "arn": "arn:aws:iam::aws:policy/IAMFullAccess",
    "path": "/",
    "version_id": "v9",
    "updated": "2027-01-01",
    "kind": "iam",
    "source": "a test",
    "document": MINE_DOC,
}


def _write(tmp_path: pathlib.Path, data: Any, name: str = "auth.json") -> pathlib.Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2))
    return path


def test_authorization_details_add_and_override_aws_managed(lib: ManagedPolicyLibrary, tmp_path: pathlib.Path) -> None:
    path = _write(tmp_path, _auth_details())
    merged = lib.with_file(path)
    ec2 = merged.lookup_arn("arn:aws-cn:iam::aws:policy/AmazonEC2ReadOnlyAccess")
    assert ec2 is not None
    assert (ec2.document, ec2.version_id, ec2.updated, ec2.kind) == (
        EC2_DOC,
        "v2",
        "2027-01-05",
        ManagedKind.IAM,
    )
    assert ec2.source == f"{path} (get-account-authorization-details)"
    power = merged.lookup_arn("arn:aws:iam::aws:policy/PowerUserAccess")
    assert power is not None and power.document == POWER_V13 and power.version_id == "v13"
    # customer managed policies stay out of the library; the builtin one is untouched
    assert merged.lookup_arn("arn:aws:iam::123456789012:policy/team/mine") is None
    assert "mine" not in merged.names()
    shipped = lib.lookup_arn("arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess")
    assert shipped is not None and (shipped.version_id, shipped.updated) == ("v5", "2026-02-12")
    assert merged.shipped("arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess") is shipped
    original = lib.lookup_name("PowerUserAccess")
    assert original is not None and original.version_id == "v12"
    assert merged.org_policy("FullAWSAccess") is lib.org_policy("FullAWSAccess")


def test_customer_policies_in_authorization_details(tmp_path: pathlib.Path) -> None:
    (mine,) = ManagedPolicyLibrary.customer_policies_in(_write(tmp_path, _auth_details()))
    assert (mine.name, mine.path, mine.account, mine.document) == ("mine", "/team/", "123456789012", MINE_DOC)
    assert not mine.aws_managed
    assert mine.arn("aws-us-gov") == "arn:aws-us-gov:iam::123456789012:policy/team/mine"


def test_own_format_file(lib: ManagedPolicyLibrary, tmp_path: pathlib.Path) -> None:
    rcp = json.loads((DATA / "organizations.json").read_text())["policies"][1]
    records = [
        rcp,
        IAM_RECORD,
        {**IAM_RECORD, "name": "Extra", "arn": "arn:aws:iam::aws:policy/x/Extra", "path": "/x/"},
    ]
    merged = lib.with_file(_write(tmp_path, {"policies": records}))
    assert merged.lookup_arn("arn:aws:iam::aws:policy/x/Extra") is not None
    assert merged.org_policy("RCPFullAWSAccess") == lib.org_policy("RCPFullAWSAccess")
    iam = merged.lookup_name("IAMFullAccess")
    assert iam is not None and (iam.version_id, iam.source, iam.document) == ("v9", "a test", MINE_DOC)
    assert len(merged) == len(lib) + 1


# --- malformed files -----------------------------------------------------------------------------


def _policy(**changes: Any) -> dict[str, Any]:
    entry = _auth_details()["Policies"][1]
    entry.update(changes)
    return {k: v for k, v in entry.items() if v is not None}


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        ('{"Policies": [}', ParseError, "{file}:1:15: invalid JSON: expecting value"),
        (
            "{'Policies': []}",
            ParseError,
            "{file}:1:2: invalid JSON: expecting property name enclosed in double quotes",
        ),
        ([], SchemaError, "{file}: expected a JSON object at the top level, got array"),
        (
            {"UserDetailList": []},
            SchemaError,
            "{file}: expected `Policies` (output of `aws iam get-account-authorization-details`) or `policies`",
        ),
        ({"Policies": {}}, SchemaError, "{file} (Policies): `Policies` must be an array, got object"),
        ({"Policies": [3]}, SchemaError, "{file} (Policies[0]): expected an object, got number"),
        ({"Policies": [_policy(Arn=None)]}, SchemaError, "{file} (Policies[0]): missing key `Arn`"),
        (
            {"Policies": [_policy(Arn="arn:aws:iam::aws:role/PowerUserAccess")]},
            SchemaError,
            "{file} (Policies[0].Arn): `arn:aws:iam::aws:role/PowerUserAccess` is not an IAM managed policy ARN",
        ),
        (
            {"Policies": [_policy(PolicyName="Other")]},
            SchemaError,
            "{file} (Policies[0].Arn): `Arn` `arn:aws:iam::aws:policy/PowerUserAccess` does not match "
            "path `/` and name `Other`",
        ),
        (
            {"Policies": [_policy(DefaultVersionId="v7")]},
            SchemaError,
            "{file} (Policies[0].PolicyVersionList): default version `v7` of `PowerUserAccess` "
            "is not in `PolicyVersionList`",
        ),
        (
            {"Policies": [_policy(PolicyVersionList=[_version("%7B%22Version%22", "v13")])]},
            ParseError,
            "{file} (Policies[0].PolicyVersionList[0].Document): document is not valid JSON: "
            "expecting ':' delimiter at line 1 column 11",
        ),
        (
            {"Policies": [_policy(PolicyVersionList=[_version(["x"], "v13")])]},
            SchemaError,
            "{file} (Policies[0].PolicyVersionList[0].Document): document must be a JSON object, got array",
        ),
        (
            {"Policies": [_policy(PolicyVersionList=[{**_version({}, "v13"), "CreateDate": "soon"}])]},
            SchemaError,
            "{file} (Policies[0].PolicyVersionList[0].CreateDate): `soon` is not an ISO date",
        ),
        ('{"Policies": [], "Policies": []}', SchemaError, "{file}: duplicate key `Policies`"),
        ({"policies": [{"name": "x"}]}, SchemaError, "{file} (policies[0]): missing key `arn`"),
        ({"policies": [{"nmae": "x"}]}, SchemaError, "{file} (policies[0].nmae): unknown key `nmae`"),
    ],
)
def test_malformed_file(
    lib: ManagedPolicyLibrary, tmp_path: pathlib.Path, content: Any, error: type[Exception], message: str
) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(error) as caught:
        lib.with_file(path)
    assert str(caught.value) == message.format(file=path)


def test_malformed_own_format_record(lib: ManagedPolicyLibrary, tmp_path: pathlib.Path) -> None:
    record = IAM_RECORD
    path = _write(tmp_path, {"policies": [{**record, "kind": "boundary"}]})
    with pytest.raises(
        SchemaError,
        match=r"^.* \(policies\[0\]\.kind\): `kind` must be `iam`, `scp` or `rcp`, "
        r"got `boundary`$",
    ):
        lib.with_file(path)
    path = _write(tmp_path, {"policies": [{**record, "path": "/x/"}]})
    with pytest.raises(SchemaError, match=r"does not match path `/x/` and name `IAMFullAccess`$"):
        lib.with_file(path)
    path = _write(tmp_path, {"policies": [{**record, "kind": "scp", "id": "p-IAMFullAccess"}]})
    with pytest.raises(SchemaError, match=r"is not the ARN of scp `p-IAMFullAccess`$"):
        lib.with_file(path)


def test_unreadable_and_undecodable_files(lib: ManagedPolicyLibrary, tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(InputError) as caught:
        lib.with_file(missing)
    assert str(caught.value) == f"{missing}: cannot read file: no such file or directory"
    binary = tmp_path / "binary.json"
    binary.write_bytes(b'{"Policies": ["\xff"]}')
    with pytest.raises(ParseError) as parse_error:
        lib.with_file(binary)
    assert str(parse_error.value) == (
        f"{binary}:1:16: input is not valid UTF-8: bad byte 0xff at byte offset 15\n  hint: save the file as UTF-8"
    )
