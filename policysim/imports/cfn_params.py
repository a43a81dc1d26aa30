"""A stack's inputs: its parameters (given, defaulted, checked) and pseudo parameters (from account and region).

Parameters are given as the `aws cloudformation` JSON list (`[{"ParameterKey": .., "ParameterValue": ..}]`, as
`create-stack --parameters file://...` reads and `describe-stacks` writes, with `UsePreviousValue` and
`ResolvedValue`), as a plain map (`{Key: Value}`), or as a CodePipeline template configuration
(`{"Parameters": {Key: Value}}`). A parameter without a value (not given, no `Default`) is unknown; so is one whose
value CloudFormation would refuse (outside `AllowedValues`, not matching `AllowedPattern`: the stack would not be
created with it) and one read from SSM when the stack is deployed (`AWS::SSM::Parameter::Value<...>`), unless a
`ResolvedValue` is given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policysim.errors import Location, SchemaError
from policysim.load import Document, load_file

from .cfn_values import Unknown, text, where
from .model import ImportWarning

# (region prefix, partition, URL suffix); longer prefixes first
_PARTITIONS = (
    ("us-isob-", "aws-iso-b", "sc2s.sgov.gov"),
    ("us-isof-", "aws-iso-f", "csp.hci.ic.gov"),
    ("eu-isoe-", "aws-iso-e", "cloud.adc-e.uk"),
    ("us-iso-", "aws-iso", "c2s.ic.gov"),
    ("us-gov-", "aws-us-gov", "amazonaws.com"),
    ("cn-", "aws-cn", "amazonaws.com.cn"),
    ("eusc-", "aws-eusc", "amazonaws.eu"),
)
_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-[0-9]+$")
_ACCOUNT = re.compile(r"^[0-9]{12}$")


def partition_of(region: str) -> tuple[str, str]:
    """The partition of a Region and its URL suffix (`AWS::Partition`, `AWS::URLSuffix`)."""
    for prefix, partition, suffix in _PARTITIONS:
        if region.startswith(prefix):
            return partition, suffix
    return "aws", "amazonaws.com"


def check_environment(account: str, region: str, where_: Location) -> None:
    """An account id is 12 digits and a Region looks like one (`us-east-1`), or the import is refused."""
    if not _ACCOUNT.match(account):
        raise SchemaError(f"account `{account}` is not a 12-digit account id", where_, hint='quote it: "111111111111"')
    if not _REGION.match(region):
        raise SchemaError(f"region `{region}` is not an AWS Region name", where_, hint="such as `us-east-1`")


@dataclass(frozen=True)
class Given:
    """A parameter value given for the stack: the text, or why it is unknown; and where it was given."""

    value: str | list[str] | Unknown
    location: Location
    resolved: str | None = None  # `ResolvedValue` (describe-stacks) of an SSM-typed parameter


def _scalar(value: Any, doc: Document, path: tuple[str | int, ...]) -> str | list[str]:
    if isinstance(value, list) and all(isinstance(v, str | int | float | bool) for v in value):
        return [text(v) for v in value]
    if isinstance(value, str | int | float | bool):
        return text(value)
    raise SchemaError("a parameter value is text (or a list of text)", doc.locate(path, value=True))


def _from_list(doc: Document) -> dict[str, Given]:
    given: dict[str, Given] = {}
    for index, entry in enumerate(doc.data):
        at = doc.locate((index,))
        if not isinstance(entry, dict) or not isinstance(entry.get("ParameterKey"), str):
            raise SchemaError("each entry is `{ParameterKey: ..., ParameterValue: ...}`", at)
        key = entry["ParameterKey"]
        if key in given:
            raise SchemaError(f"parameter `{key}` is given twice", at)
        resolved = entry.get("ResolvedValue")
        if entry.get("UsePreviousValue") is True:
            value: str | list[str] | Unknown = Unknown(
                f"parameter `{key}` keeps its previous value (UsePreviousValue), which the input does not hold",
                where(at),
            )
        elif "ParameterValue" in entry:
            value = _scalar(entry["ParameterValue"], doc, (index, "ParameterValue"))
        else:
            raise SchemaError(f"parameter `{key}` has neither ParameterValue nor UsePreviousValue", at)
        given[key] = Given(value, at, resolved if isinstance(resolved, str) else None)
    return given


def read_parameters(parameters: Mapping[str, str] | Path | None) -> dict[str, Given]:
    """The given parameter values, from a mapping or a parameters file (JSON or YAML)."""
    if parameters is None:
        return {}
    if isinstance(parameters, Path):
        doc = load_file(parameters)
    else:
        doc = Document.from_data(dict(parameters), "<parameters>")
    data = doc.data
    if isinstance(data, list):
        return _from_list(doc)
    if not isinstance(data, dict):
        raise SchemaError("parameters are a list of {ParameterKey, ParameterValue} or a map", doc.locate(()))
    base: tuple[str | int, ...] = ()
    if set(data) <= {"Parameters", "Tags", "StackPolicy"} and isinstance(data.get("Parameters"), dict):
        base = ("Parameters",)  # a CodePipeline template configuration file
        data = data["Parameters"]
    return {key: Given(_scalar(value, doc, (*base, key)), doc.locate((*base, key))) for key, value in data.items()}


_LIST_TYPES = ("CommaDelimitedList", "List<")


def _is_list_type(kind: str) -> bool:
    inner = kind[len("AWS::SSM::Parameter::Value<") : -1] if kind.startswith("AWS::SSM::Parameter::Value<") else kind
    return inner.startswith(_LIST_TYPES)


def _check(name: str, decl: dict[str, Any], value: str | list[str]) -> str | None:
    """Why CloudFormation would refuse `value` for the parameter, or None."""
    items = value if isinstance(value, list) else [value]
    allowed = decl.get("AllowedValues")
    if isinstance(allowed, list) and allowed:
        choices = [text(v) for v in allowed]
        for item in items:
            if item not in choices:
                return f"value `{item}` of parameter `{name}` is not among its AllowedValues ({', '.join(choices)})"
    pattern = decl.get("AllowedPattern")
    if isinstance(pattern, str):
        try:
            compiled = re.compile(pattern)
        except re.error:
            return None  # a Java pattern Python cannot read: not checked
        for item in items:
            if not compiled.fullmatch(item):
                return f"value `{item}` of parameter `{name}` does not match its AllowedPattern `{pattern}`"
    return None


def parameter_values(
    doc: Document, given: Mapping[str, Given]
) -> tuple[dict[str, str | list[str] | Unknown], list[ImportWarning]]:
    """Each declared parameter's value: given, else its Default, else unknown (see the module docstring)."""
    declared = doc.data.get("Parameters")
    values: dict[str, str | list[str] | Unknown] = {}
    warnings: list[ImportWarning] = []
    if not isinstance(declared, dict):
        return values, warnings
    for name, decl in declared.items():
        at = doc.locate(("Parameters", name))
        if not isinstance(decl, dict):
            raise SchemaError(f"parameter `{name}` is not a mapping", at)
        kind = text(decl.get("Type", "String"))
        value: str | list[str] | Unknown
        if name in given:
            value = given[name].value
        elif "Default" in decl:
            value = _scalar(decl["Default"], doc, ("Parameters", name, "Default"))
        else:
            value = Unknown(f"parameter `{name}` has no value (no Default, and none given)", where(at))
        if kind.startswith("AWS::SSM::Parameter::Value<") and not isinstance(value, Unknown):
            resolved = given[name].resolved if name in given else None
            value = (
                resolved
                if resolved is not None
                else Unknown(
                    f"parameter `{name}` is read from SSM parameter `{value}` when the stack is deployed", where(at)
                )
            )
        if isinstance(value, str) and _is_list_type(kind):
            value = value.split(",")
        if not isinstance(value, Unknown):
            refused = _check(name, decl, value)
            if refused is not None:
                source = given[name].location if name in given else doc.locate(("Parameters", name, "Default"))
                warnings.append(ImportWarning(refused + ": CloudFormation would refuse it", source))
                value = Unknown(refused, where(source))
        values[name] = value
    return values, warnings
