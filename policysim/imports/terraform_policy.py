"""Policy documents in a Terraform plan: JSON strings, `aws_iam_policy_document` data sources (read during planning,
or deferred to apply and rebuilt from their statement blocks), and what is known only after apply.

A document is either a dict or an `Unknown` saying why it cannot be told. A deferred data source is rebuilt only
when every unknown leaf of it is a principal identifier that references the `arn` of a role or user of the same
plan (a principal must be exactly an ARN, so the reference is the whole value); anything else unknown (a resource
such as `"${aws_s3_bucket.b.arn}/*"`, whose template the plan does not keep) leaves the document unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policysim.errors import PolicysimError
from policysim.imports.terraform_plan import Instance, Plan, Target, unknown_leaves
from policysim.load import load_json

POLICY_DOCUMENT = "aws_iam_policy_document"
_NOT_BLOCKS = frozenset(
    {
        "id",
        "json",
        "minified_json",
        "source_policy_documents",
        "override_policy_documents",
        "source_json",
        "override_json",
    }
)


@dataclass(frozen=True)
class Unknown:
    """Why a document (or value) is known only after apply."""

    reason: str


@dataclass(frozen=True)
class Invalid:
    """A value that is not a JSON policy document (AWS would refuse it); the message names no value."""

    message: str


Document_ = dict[str, Any] | Unknown | Invalid
ArnOf = Callable[[Target], str | None]  # the ARN an `arn` reference to a plan instance stands for


def parse_document(text: Any, label: str) -> dict[str, Any] | Invalid:
    """A JSON policy document held in a string; empty `Sid`s (which the AWS provider writes) dropped."""
    if isinstance(text, dict):
        data: Any = text
    elif isinstance(text, str):
        try:
            data = load_json(text, label).data
        except PolicysimError:
            return Invalid("is not a JSON document")
    else:
        return Invalid("is not a JSON document")
    if not isinstance(data, dict):
        return Invalid("is not a JSON object")
    return _normalised(data)


def _normalised(data: dict[str, Any]) -> dict[str, Any]:
    statements = data.get("Statement")
    if isinstance(statements, list):
        data = {**data, "Statement": [_without_empty_sid(s) for s in statements]}
    elif isinstance(statements, dict):
        data = {**data, "Statement": _without_empty_sid(statements)}
    return data


def _without_empty_sid(statement: Any) -> Any:
    if isinstance(statement, dict) and statement.get("Sid") == "":
        return {k: v for k, v in statement.items() if k != "Sid"}
    return statement


class Documents:
    """Reads the policy documents of one plan; `arn_of` gives the ARN an `arn` reference stands for."""

    def __init__(self, plan: Plan, arn_of: ArnOf) -> None:
        self.plan = plan
        self.arn_of = arn_of

    def attribute(self, instance: Instance, attribute: str) -> Document_ | None:
        """The document an attribute holds: parsed, rebuilt through its data source, unknown, or None (unset)."""
        plan = self.plan
        value = plan.known(instance, attribute)
        label = f"{plan.file}: {instance.address}.{attribute}"
        if isinstance(value, str | dict) and value != "":
            return parse_document(value, label)
        if not plan.is_unknown(instance, attribute):
            return None
        return self._through_reference(instance, attribute, 0)

    def _through_reference(self, instance: Instance, attribute: str, depth: int) -> Document_:
        followed = self.plan.follow(instance, attribute)
        single = followed.single
        if single and len(single) == 1 and single[0].exact and _is_document_json(single[0]):
            return self.data_source(single[0].instance, depth + 1)
        return Unknown(f"`{attribute}` is known only after apply{_depends(followed.names())}")

    def data_source(self, source: Instance, depth: int = 0) -> Document_:
        """The document of an `aws_iam_policy_document` data source: its `json`, or rebuilt from its blocks."""
        plan = self.plan
        text = plan.known(source, "json")
        if isinstance(text, str) and text:
            return parse_document(text, f"{plan.file}: {source.address}.json")
        if depth > 8:
            return Unknown(f"{source.address} is known only after apply")
        why = f" ({source.reason})" if source.reason else ""
        deferred = f"{source.address} is read during apply{why}"
        values, unknown = source.values, source.unknown
        substitutes: dict[tuple[str | int, ...], str] = {}
        for leaf in unknown_leaves(unknown):
            if leaf[0] in _NOT_BLOCKS:
                continue  # computed outputs, or documents read by `_documents`
            arn = self._principal_leaf(source, leaf)
            if arn is None:
                return Unknown(
                    f"{deferred}, and its `{_dotted(leaf)}` is known only after apply{self._refs(source, leaf)}"
                )
            substitutes[leaf] = arn
        sources = self._documents(source, "source_policy_documents", "source_json", depth)
        overrides = self._documents(source, "override_policy_documents", "override_json", depth)
        for found in (sources, overrides):
            if isinstance(found, Unknown):
                return Unknown(f"{deferred}, and {found.reason}")
        assert isinstance(sources, list) and isinstance(overrides, list)
        statements = _merge_by_sid(
            [s for doc in sources for s in _statements(doc)],
            [
                _statement(block, ("statement", i), substitutes)
                for i, block in enumerate(_blocks(values.get("statement")))
            ],
        )
        for doc in overrides:
            statements = _merge_by_sid(statements, _statements(doc))
        document: dict[str, Any] = {"Version": values.get("version") or "2012-10-17"}
        if isinstance(values.get("policy_id"), str) and values["policy_id"]:
            document["Id"] = values["policy_id"]
        document["Statement"] = statements
        return document

    def _principal_leaf(self, source: Instance, leaf: tuple[str | int, ...]) -> str | None:
        """The ARN standing at an unknown principal identifier, when the configuration tells it exactly."""
        if len(leaf) != 6 or leaf[0] != "statement" or leaf[2] not in ("principals", "not_principals"):
            return None
        if leaf[4] != "identifiers" or not isinstance(leaf[1], int) or not isinstance(leaf[3], int):
            return None
        blocks = _blocks(self.plan.known(source, "statement", leaf[1], leaf[2]))
        if not 0 <= leaf[3] < len(blocks):
            return None
        kind = blocks[leaf[3]].get("type")
        configured = source.config.get("statement")
        if not isinstance(configured, list) or len(configured) != len(_blocks(source.values.get("statement"))):
            return None  # dynamic blocks: the configuration does not line up with the values
        if not 0 <= leaf[1] < len(configured):
            return None
        same_type = [b for b in blocks if b.get("type") == kind]
        config_blocks = [
            (j, b)
            for j, b in enumerate(
                _blocks(configured[leaf[1]].get(leaf[2]) if isinstance(configured[leaf[1]], dict) else None)
            )
            if isinstance(b.get("type"), dict) and b["type"].get("constant_value") == kind
        ]
        if len(same_type) != 1 or len(config_blocks) != 1:
            return None
        followed = self.plan.follow(source, "statement", leaf[1], leaf[2], config_blocks[0][0], "identifiers")
        if followed.others or not followed.targets:
            return None
        arns = []
        for candidates in followed.targets:
            if len(candidates) != 1 or not candidates[0].exact or candidates[0].attribute != ("arn",):
                return None
            target = candidates[0]
            if isinstance(self.plan.known(target.instance, "arn"), str):
                continue  # known: it is among the known identifiers already
            arn = self.arn_of(target)
            if arn is None:
                return None
            arns.append(arn)
        identifiers = self.plan.known(source, "statement", leaf[1], leaf[2], leaf[3], "identifiers")
        unknown_count = sum(1 for x in identifiers if x is None) if isinstance(identifiers, list) else -1
        if unknown_count != len(arns):
            return None
        return "\0".join(sorted(arns))  # all of them stand in the block's unknown places (a set: order is free)

    def _documents(self, source: Instance, attribute: str, legacy: str, depth: int) -> list[dict[str, Any]] | Unknown:
        """The documents of `source_policy_documents` / `override_policy_documents` (and their legacy form)."""
        out: list[dict[str, Any]] = []
        plan = self.plan
        for name in (attribute, legacy):
            if any(True for _ in unknown_leaves(source.unknown.get(name))):
                followed = plan.follow(source, name)
                refs = [ts for ts in followed.targets]
                if followed.others or not refs or not all(len(t) == 1 and _is_document_json(t[0]) for t in refs):
                    return Unknown(f"its `{name}` is known only after apply")
                known = [v for v in _as_list(plan.known(source, name)) if isinstance(v, str) and v]
                for text in known:
                    parsed = parse_document(text, f"{plan.file}: {source.address}.{name}")
                    if isinstance(parsed, Invalid):
                        return Unknown(f"its `{name}` {parsed.message}")
                    out.append(parsed)
                for candidates in refs:
                    found = self.data_source(candidates[0].instance, depth + 1)
                    if not isinstance(found, dict):
                        return Unknown(f"its `{name}` depends on {candidates[0].instance.address}")
                    if found not in out:
                        out.append(found)
                continue
            for text in _as_list(plan.known(source, name)):
                if isinstance(text, str) and text:
                    parsed = parse_document(text, f"{plan.file}: {source.address}.{name}")
                    if isinstance(parsed, Invalid):
                        return Unknown(f"its `{name}` {parsed.message}")
                    out.append(parsed)
        return out

    def _refs(self, source: Instance, leaf: tuple[str | int, ...]) -> str:
        path: list[str | int] = []
        for part in leaf:
            if (
                isinstance(part, int)
                and path
                and path[-1] in ("resources", "not_resources", "actions", "not_actions", "identifiers", "values")
            ):
                break
            path.append(part)
        return _depends(self.plan.follow(source, *path).names())


def _is_document_json(target: Target) -> bool:
    return (
        target.instance.mode == "data"
        and target.instance.type == POLICY_DOCUMENT
        and target.attribute[:1] in (("json",), ("minified_json",))
    )


def _depends(names: list[str]) -> str:
    unique = list(dict.fromkeys(names))
    if not unique:
        return ""
    return " (it depends on " + ", ".join(unique[:4]) + (", ..." if len(unique) > 4 else "") + ")"


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + part
    return out


def _blocks(value: Any) -> list[dict[str, Any]]:
    return [b for b in value if isinstance(b, dict)] if isinstance(value, list) else []


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _one_or_list(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _strings(
    block: dict[str, Any], key: str, where: tuple[str | int, ...], subs: dict[tuple[str | int, ...], str]
) -> list[str]:
    out: list[str] = []
    for index, value in enumerate(_as_list(block.get(key))):
        if isinstance(value, str):
            out.append(value)
        elif value is None and (*where, key, index) in subs:
            for arn in subs[(*where, key, index)].split("\0"):
                if arn not in out:
                    out.append(arn)
    return out


def _statement(
    block: dict[str, Any], where: tuple[str | int, ...], subs: dict[tuple[str | int, ...], str]
) -> dict[str, Any]:
    """One `statement` block rendered as the AWS provider renders it (`Effect` defaults to Allow)."""
    out: dict[str, Any] = {}
    if isinstance(block.get("sid"), str) and block["sid"]:
        out["Sid"] = block["sid"]
    out["Effect"] = block.get("effect") or "Allow"
    for key, name in (("actions", "Action"), ("not_actions", "NotAction")):
        values = _strings(block, key, where, subs)
        if values:
            out[name] = _one_or_list(values)
    for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals: dict[str, list[str]] = {}
        for index, item in enumerate(_blocks(block.get(key))):
            kind = item.get("type")
            if isinstance(kind, str):
                principals.setdefault(kind, []).extend(_strings(item, "identifiers", (*where, key, index), subs))
        if principals == {"*": ["*"]}:
            out[name] = "*"
        elif principals:
            out[name] = {kind: _one_or_list(ids) for kind, ids in principals.items()}
    for key, name in (("resources", "Resource"), ("not_resources", "NotResource")):
        values = _strings(block, key, where, subs)
        if values:
            out[name] = _one_or_list(values)
    conditions: dict[str, dict[str, list[str]]] = {}
    for item in _blocks(block.get("condition")):
        test, variable = item.get("test"), item.get("variable")
        if isinstance(test, str) and isinstance(variable, str):
            conditions.setdefault(test, {}).setdefault(variable, []).extend(
                v for v in _as_list(item.get("values")) if isinstance(v, str)
            )
    if conditions:
        out["Condition"] = {t: {v: _one_or_list(vs) for v, vs in keys.items()} for t, keys in conditions.items()}
    return out


def _statements(document: dict[str, Any]) -> list[Any]:
    statements = document.get("Statement")
    return statements if isinstance(statements, list) else [statements] if statements is not None else []


def _merge_by_sid(base: list[Any], later: list[Any]) -> list[Any]:
    """`later` statements replace those of `base` with the same non-empty Sid; the others are appended."""
    out = list(base)
    for statement in later:
        sid = statement.get("Sid") if isinstance(statement, dict) else None
        at = next((i for i, s in enumerate(out) if sid and isinstance(s, dict) and s.get("Sid") == sid), None)
        if at is None:
            out.append(statement)
        else:
            out[at] = statement
    return out


def refusals(document: dict[str, Any], bucket_arn: str | None) -> list[str]:
    """Why AWS would refuse to store this resource policy: a statement without a principal, or (a bucket policy) a
    `Resource` outside the bucket. Statements are named by Sid or position, resources not quoted."""
    problems = []
    for index, statement in enumerate(_statements(document), 1):
        if not isinstance(statement, dict):
            continue  # the policy compiler reports it
        sid = statement.get("Sid")
        label = f"statement `{sid}`" if isinstance(sid, str) and sid.isalnum() else f"statement #{index}"
        if "Principal" not in statement and "NotPrincipal" not in statement:
            problems.append(f"{label} has no `Principal`")
        if bucket_arn is not None:
            for resource in _as_list(statement.get("Resource")):
                if isinstance(resource, str) and not within_bucket(resource, bucket_arn):
                    problems.append(f"{label} has a `Resource` outside the bucket")
                    break
    return problems


def within_bucket(resource: str, bucket_arn: str) -> bool:
    """Could `resource` (wildcards and policy variables allowed) name the bucket or an object in it?"""
    cut = next((i for i, c in enumerate(resource) if c in "*?$"), None)
    if cut is None:
        return resource == bucket_arn or resource.startswith(bucket_arn + "/")
    literal = resource[:cut]
    return (bucket_arn + "/").startswith(literal) or literal.startswith(bucket_arn + "/")
