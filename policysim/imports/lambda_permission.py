"""The statement a Lambda permission adds to its function's policy, as `AddPermission` writes it; the CloudFormation
(`AWS::Lambda::Permission`) and Terraform (`aws_lambda_permission`) importers both build it here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# each condition AddPermission writes: CloudFormation property, Terraform attribute, operator, key
CONDITIONS = (
    ("SourceArn", "source_arn", "ArnLike", "AWS:SourceArn"),
    ("SourceAccount", "source_account", "StringEquals", "AWS:SourceAccount"),
    ("PrincipalOrgID", "principal_org_id", "StringEquals", "aws:PrincipalOrgID"),
    ("FunctionUrlAuthType", "function_url_auth_type", "StringEquals", "lambda:FunctionUrlAuthType"),
    ("EventSourceToken", "event_source_token", "StringEquals", "lambda:EventSourceToken"),
)


def permission_statement(
    sid: str, principal: Any, action: Any, resource: Any, value: Callable[[str, str], Any | None]
) -> dict[str, Any]:
    """The permission's statement; `value(property, attribute)` gives a condition's value, or None when not set."""
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": action}
    statement["Resource"] = resource
    conditions: dict[str, dict[str, Any]] = {}
    for prop, attribute, operator, key in CONDITIONS:
        found = value(prop, attribute)
        if found is not None:
            conditions.setdefault(operator, {})[key] = found
    if conditions:
        statement["Condition"] = conditions
    return statement
