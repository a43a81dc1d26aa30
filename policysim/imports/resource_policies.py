"""Resource-policy exports, in the shapes the AWS CLI prints, into `buckets:` and `resources:` (docs/imports.md).

| CLI call | shape | the resource |
|---|---|---|
| `s3api get-bucket-policy` | `{"Policy": "<json>"}` | not named: add `"Bucket": NAME` (and `"Account"`: see below) |
| `kms get-key-policy` | `{"Policy", "PolicyName"}` | not named: add `"Arn": KEY_ARN` |
| `sqs get-queue-attributes` | `{"Attributes": {"Policy", "QueueArn"?}}` | `QueueArn` (`All` attributes), or `"Arn"` |
| `sns get-topic-attributes` | `{"Attributes": {"Policy", "TopicArn", ...}}` | `TopicArn` |
| `lambda get-policy` | `{"Policy", "RevisionId"}` | the function ARN its statements name, or `"Arn"` |
| `secretsmanager get-resource-policy` | `{"ARN", "Name", "ResourcePolicy"?}` | `ARN` |
| `ecr get-repository-policy` | `{"policyText", "registryId", "repositoryName"}` | not named (no region): add `"Arn"` |

A bucket belongs to the import's account; when the import has several, `"Account"` says which. A file holds one such
object or a list of them. A policy AWS would refuse to store (a statement without `Principal`,
a bucket policy whose `Resource` lies outside its bucket) is a warning and is left out, as in AWS, where it would not
exist; the resource is still declared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from policysim.errors import Location, SchemaError
from policysim.identifiers import is_account_id

from .aws_exports import ExportFile, JsonPath, ModelBuilder, document_sources, split_arn, type_word
from .model import Path_

ALL = "resource policies (S3, KMS, SQS, SNS, Lambda, Secrets Manager, ECR)"
# shape -> (the key holding the policy, the services its resource may be of, what the CLI call is)
_SHAPES: dict[str, tuple[JsonPath, frozenset[str] | None, str]] = {
    "secretsmanager": (("ResourcePolicy",), frozenset({"secretsmanager"}), "secretsmanager get-resource-policy"),
    "ecr": (("policyText",), frozenset({"ecr"}), "ecr get-repository-policy"),
    "attributes": (("Attributes", "Policy"), frozenset({"sqs", "sns"}), "sqs/sns get-*-attributes"),
    "kms": (("Policy",), frozenset({"kms"}), "kms get-key-policy"),
    "lambda": (("Policy",), frozenset({"lambda"}), "lambda get-policy"),
    "policy": (("Policy",), None, "s3api get-bucket-policy"),
}


def read_resource_policies(paths: Sequence[Path], builder: ModelBuilder, accounts: Mapping[str, str]) -> None:
    """Read each export into the account that owns its resource (`accounts`: the import's accounts, partitions)."""
    if not paths:
        builder.absent(f"{ALL}: no resource-policy export given")
        return
    builder.absent("tags of buckets and other resources: the resource-policy exports do not give them")
    for path in paths:
        file = ExportFile.load(path)
        data = file.doc.data
        if isinstance(data, dict):
            entries: list[JsonPath] = [()]
        elif isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
            entries = [(index,) for index in range(len(data))]
        else:
            raise SchemaError(
                f"expected a resource-policy export (an object, or a list of them), got {type_word(data)}",
                file.loc(()),
            )
        for entry in entries:
            _Entry(file, entry, builder, accounts).read()


class _Entry:
    def __init__(self, file: ExportFile, path: JsonPath, builder: ModelBuilder, accounts: Mapping[str, str]) -> None:
        self.file, self.path, self.builder, self.accounts = file, path, builder, accounts
        self.obj: dict[str, Any] = file.at(path)

    def read(self) -> None:
        shape = self._shape()
        policy_key, services, call = _SHAPES[shape]
        arn = self._arn(shape, call)
        policy_path = (*self.path, *policy_key)
        present = shape != "attributes" or "Policy" in (self.file.field(self.path, "Attributes", dict) or {})
        document = None
        if present and policy_key[-1] in self.file.at(policy_path[:-1]):
            document = self.file.document(policy_path, f"the policy of `{arn or self._bucket()}`")
        if arn is not None:
            parts = split_arn(arn)
            if parts is None:
                raise SchemaError(f"`{arn}` is not an ARN", self.file.loc(self._arn_path()))
            if services is not None and parts[1] not in services:
                raise SchemaError(
                    f"`{arn}` is not the ARN of a resource `{call}` reads ({', '.join(sorted(services))})",
                    self.file.loc(self._arn_path()),
                )
            if parts[1] == "s3" and "/" not in parts[4] and not parts[3]:
                self._bucket_entry(parts[4], document, policy_path, parts[0])
            else:
                self._resource(arn, parts[0], parts[3], document, policy_path)
            return
        self._bucket_entry(self._bucket(), document, policy_path, None)

    def _shape(self) -> str:
        obj = self.obj
        if "ResourcePolicy" in obj or ("ARN" in obj and "Name" in obj):
            return "secretsmanager"
        if "policyText" in obj or "repositoryName" in obj:
            return "ecr"
        if "Attributes" in obj:
            return "attributes"
        if "Policy" in obj:
            if "Bucket" in obj or "Arn" in obj:
                return "policy"
            return "kms" if "PolicyName" in obj else "lambda" if "RevisionId" in obj else "policy"
        raise SchemaError(
            "not a resource-policy export: expected `Policy`, `Attributes`, `ResourcePolicy` or `policyText`",
            self.file.loc(self.path),
            hint="give the output of get-bucket-policy, get-key-policy, get-queue-attributes, get-topic-attributes, "
            "lambda get-policy, get-resource-policy or get-repository-policy",
        )

    def _arn_path(self) -> JsonPath:
        for key in ("Arn", "ARN"):
            if key in self.obj:
                return (*self.path, key)
        return (*self.path, "Attributes") if "Attributes" in self.obj else self.path

    def _arn(self, shape: str, call: str) -> str | None:
        """The resource's ARN: as the export names it, else as `Arn` gives it; None for a bucket given by name."""
        given = self.file.field(self.path, "Arn", str)
        named: str | None = None
        if shape == "secretsmanager":
            named = self.file.text(self.path, "ARN")
        elif shape == "attributes":
            attributes = self.file.field(self.path, "Attributes", dict) or {}
            for key in ("QueueArn", "TopicArn"):
                if isinstance(attributes.get(key), str):
                    named = attributes[key]
        elif shape == "lambda" and given is None:
            named = self._lambda_arn()
        if named is not None and given is not None and named != given:
            self.builder.warn(
                f"`Arn` `{given}` disagrees with the ARN the export names, `{named}`: the export's is used",
                self.file.loc((*self.path, "Arn")),
            )
        arn = named or given
        if arn is None and shape != "policy":
            what = {"kms": "key", "ecr": "repository", "attributes": "queue", "lambda": "function"}[shape]
            raise SchemaError(
                f"`{call}` output does not name its {what}",
                self.file.loc(self.path),
                hint=f'add the {what}\'s ARN to the object: `"Arn": "arn:aws:..."`',
            )
        return arn

    def _lambda_arn(self) -> str | None:
        """The function ARN every statement of a `lambda get-policy` policy names (AddPermission writes it)."""
        try:
            document = self.file.document((*self.path, "Policy"), "the function policy")
        except SchemaError:
            return None
        statements = document.get("Statement") if document else None
        items = statements if isinstance(statements, list) else [statements]
        found = {item.get("Resource") for item in items if isinstance(item, dict)}
        if len(found) == 1:
            only = next(iter(found))
            parts = split_arn(only) if isinstance(only, str) else None
            if isinstance(only, str) and parts is not None and parts[1] == "lambda" and "*" not in only:
                return only
        return None

    def _bucket(self) -> str:
        bucket = self.file.field(self.path, "Bucket", str)
        if bucket is None:
            raise SchemaError(
                "`s3api get-bucket-policy` output does not name its bucket",
                self.file.loc(self.path),
                hint='add the bucket\'s name to the object: `"Bucket": "amzn-s3-demo-bucket"`',
            )
        if not bucket or any(c in bucket for c in "/: ") or "*" in bucket:
            raise SchemaError(f"`{bucket}` is not a bucket name", self.file.loc((*self.path, "Bucket")))
        return bucket

    def _bucket_entry(
        self, name: str, document: dict[str, Any] | None, policy_path: JsonPath, arn_partition: str | None
    ) -> None:
        account = self.file.field(self.path, "Account", str)
        if account is not None and not is_account_id(account):
            raise SchemaError(f"`Account` `{account}` must be 12 digits", self.file.loc((*self.path, "Account")))
        if account is None:
            if len(self.accounts) != 1:
                raise SchemaError(
                    f"bucket `{name}`: which account owns it? "
                    + ("The import has several accounts" if self.accounts else "The import names no account"),
                    self.file.loc(self.path),
                    hint='add the owner to the object: `"Account": "111111111111"` (bucket ARNs name no account)',
                )
            account = next(iter(self.accounts))
        partition = self.accounts.get(account, arn_partition or "aws")
        if arn_partition is not None and arn_partition != partition:
            self._left_out(f"bucket `{name}` is in partition `{arn_partition}`, its account in `{partition}`")
            return
        self._new_account(account, partition)
        bucket_arn = f"arn:{partition}:s3:::{name}"
        if document is not None:
            problems = _refusals(document, bucket_arn)
            if problems:
                why = f"AWS refuses to store the policy of bucket `{name}`: " + "; ".join(problems)
                self._left_out(why, policy_path)
                document = None
        entity = {} if document is None else {"policy": document}
        inner: dict[Path_, Location] = {} if document is None else {("policy",): self.file.loc(policy_path)}
        inner.update({("policy", *p): w for p, w in document_sources(self.file, policy_path, document).items()})
        path: Path_ = ("accounts", account, "buckets", name)
        self.builder.put(path, entity, self.file.loc(self.path), f"bucket `{name}`", inner)

    def _resource(
        self, arn: str, partition: str, account: str, document: dict[str, Any] | None, policy_path: JsonPath
    ) -> None:
        if not is_account_id(account):
            self._left_out(f"`{arn}` names no valid account (`{account}`)")
            return
        if self.accounts.get(account, partition) != partition:
            self._left_out(f"`{arn}` is in partition `{partition}`, its account in `{self.accounts[account]}`")
            return
        self._new_account(account, partition)
        if document is not None:
            problems = _refusals(document, None)
            if problems:
                self._left_out(f"AWS refuses to store the policy of `{arn}`: " + "; ".join(problems), policy_path)
                document = None
            elif split_arn(arn)[1:2] == ("ecr",):  # type: ignore[index]
                document = _implied_resource(document, arn)
        entity: dict[str, Any] = {"arn": arn}
        if document is not None:
            entity["policy"] = document
        where = ("accounts", account, "resources")
        if self.builder.append(where, entity, self.file.loc(self.path), f"resource `{arn}`", "arn"):
            index = next(
                i for i, item in enumerate(self.builder.data["accounts"][account]["resources"]) if item == entity
            )
            if document is not None:
                self.builder.source((*where, index, "policy"), self.file.loc(policy_path))
                for sub, place in document_sources(self.file, policy_path, document).items():
                    self.builder.source((*where, index, "policy", *sub), place)

    def _new_account(self, account: str, partition: str) -> None:
        if account in self.accounts:
            return
        if self.accounts:
            self.builder.warn(
                f"account `{account}` is not an account of the IAM export ({', '.join(self.accounts)}): only its "
                "resource policies are in the model",
                self.file.loc(self._arn_path()),
            )
        self.builder.absent(f"IAM of account `{account}`: only resource policies of it were given")
        self.builder.source(("accounts", account), self.file.loc(self.path))
        if partition != "aws":
            self.builder.put(("accounts", account, "partition"), partition, self.file.loc(self.path), "partition")

    def _left_out(self, why: str, path: JsonPath | None = None) -> None:
        self.builder.warn(f"{why}; left out of the model", self.file.loc(self.path if path is None else path))


def _refusals(document: dict[str, Any], bucket_arn: str | None) -> list[str]:
    """Why AWS would refuse to store this resource policy: statements without a principal, or (for a bucket
    policy) a `Resource` outside the bucket."""
    statements = document.get("Statement")
    items = statements if isinstance(statements, list) else [statements]
    problems = []
    for index, statement in enumerate(items, 1):
        if not isinstance(statement, dict):
            continue  # the policy compiler reports it
        label = f"statement `{statement['Sid']}`" if isinstance(statement.get("Sid"), str) else f"statement #{index}"
        if "Principal" not in statement and "NotPrincipal" not in statement:
            problems.append(f"{label} has no `Principal`")
        if bucket_arn is None:
            continue
        resources = statement.get("Resource")
        for resource in resources if isinstance(resources, list) else [resources]:
            if isinstance(resource, str) and not _within_bucket(resource, bucket_arn):
                problems.append(f"{label}'s `Resource` `{resource}` lies outside the bucket")
    return problems


def _implied_resource(document: dict[str, Any], arn: str) -> dict[str, Any]:
    """An ECR repository policy's statements apply to the repository and are written without `Resource`: give
    them the repository's ARN, which the policy grammar of every other resource policy requires."""
    statements = document.get("Statement")
    items = statements if isinstance(statements, list) else [statements]
    filled = [
        {**s, "Resource": arn} if isinstance(s, dict) and "Resource" not in s and "NotResource" not in s else s
        for s in items
    ]
    return {**document, "Statement": filled if isinstance(statements, list) else filled[0]}


def _within_bucket(resource: str, bucket_arn: str) -> bool:
    """Could `resource` (wildcards and policy variables allowed) name the bucket or an object in it?"""
    cut = next((i for i, c in enumerate(resource) if c in "*?$"), None)
    if cut is None:
        return resource == bucket_arn or resource.startswith(bucket_arn + "/")
    literal = resource[:cut]
    return (bucket_arn + "/").startswith(literal) or literal.startswith(bucket_arn + "/")
