"""Checks of Condition elements against the keys AWS documents: unknown keys, keys the statement's actions never
carry, operators of another type than their key, set qualifiers, IfExists and Null, wildcards without Like.

A key's documentation is the catalogue's: global keys (data/global_keys.txt) and each service's keys with their
types (`ArrayOf...` is multivalued). Keys of identity providers (`accounts.google.com:aud`, `saml:sub`,
`token.actions.githubusercontent.com:sub`) are the provider's, not AWS's: they are not checked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from policysim.conditions import Comparison, Family, SetQualifier
from policysim.enums import Effect

from ..codes import Code
from ..findings import Finding
from ..policy import Clause, Policy, Statement
from ..vocabulary import Vocabulary

# "Availability - This key is always included in the request context." (reference_policies_condition-keys.md:
# aws:CurrentTime, aws:EpochTime, aws:RequestedRegion, aws:SecureTransport); aws:PrincipalAccount "is included in
# the request context for all requests, including anonymous requests".
ALWAYS_PRESENT = frozenset(
    {"aws:currenttime", "aws:epochtime", "aws:requestedregion", "aws:securetransport", "aws:principalaccount"}
)
# The operator families each key type works with (the type's own, and Null, which only asks whether it is there).
# "aws:EpochTime ... Works with date operators or numeric operators" (reference_policies_condition-keys.md), so a
# Date key takes Numeric operators too; an ARN operator on a String key compares ARNs held as text.
FAMILIES_OF_TYPE: Mapping[str, frozenset[Family]] = {
    "String": frozenset({Family.STRING, Family.ARN, Family.NULL}),
    "ARN": frozenset({Family.ARN, Family.NULL}),
    "Bool": frozenset({Family.BOOL, Family.NULL}),
    "Numeric": frozenset({Family.NUMERIC, Family.NULL}),
    "Date": frozenset({Family.DATE, Family.NUMERIC, Family.NULL}),
    "IPAddress": frozenset({Family.IP, Family.NULL}),
}
# Keys whose presence depends on the resource or the request (tags): whether an action's requests carry them is
# what the catalogue lists per action and resource type, although the key names are global.
TAG_KEY_PREFIXES = ("aws:resourcetag/", "aws:requesttag/")
TAG_KEYS = frozenset({"aws:tagkeys"})


def provider_key(key: str) -> bool:
    """A key of an identity provider (its name is a URL or `saml`), not documented by AWS's catalogue."""
    prefix = key.partition(":")[0]
    return "." in prefix or "/" in prefix or prefix.lower() == "saml"


def absent_holds(clause: Clause) -> bool:
    """Does the clause hold for a request without the key? ("If the key that you specify in a policy condition is not
    present in the request context, the values do not match and the condition is false", except negated operators,
    IfExists and ForAllValues, which hold, and Null; reference_policies_elements_condition_operators.md.)"""
    spec = clause.spec
    assert spec is not None
    if spec.family is Family.NULL:
        return any(value.text.lower() == "true" for value in clause.values)
    if spec.if_exists or spec.qualifier is SetQualifier.FOR_ALL_VALUES:
        return True
    if spec.qualifier is SetQualifier.FOR_ANY_VALUE:
        return False
    return spec.negated


def check_null_if_exists(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """NULL_WITH_IF_EXISTS."""
    for statement in policy.statements:
        for operator, path in dict.fromkeys((c.operator, c.operator_path) for c in statement.clauses):
            # "You can add IfExists to the end of any condition operator name except the Null condition"
            # (reference_policies_elements_condition_operators.md)
            if operator.rpartition(":")[2] == "NullIfExists":
                yield policy.finding(
                    Code.NULL_WITH_IF_EXISTS,
                    f"`{operator}` is not a condition operator: `IfExists` cannot be added to `Null`",
                    path,
                    statement,
                    value=False,
                )


def check_condition_keys(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """UNKNOWN_CONDITION_KEY, CONDITION_KEY_NOT_SUPPLIED, DENY_CONDITION_KEY_NOT_SUPPLIED."""
    for statement in policy.statements:
        for clause in statement.clauses:
            if clause.spec is None or provider_key(clause.key):
                continue
            if vocabulary.key_spec(clause.key) is None:
                yield _unknown_key(policy, statement, clause, vocabulary)
            elif not absent_holds(clause):
                yield from _not_supplied(policy, statement, clause, vocabulary)


def _unknown_key(policy: Policy, statement: Statement, clause: Clause, vocabulary: Vocabulary) -> Finding:
    # "The condition key does not exist. Use a valid condition key." (Error - Invalid global condition key; Error -
    # Invalid service condition key, access-analyzer-reference-policy-checks.md)
    prefix = clause.key.partition(":")[0]
    known = prefix.lower() == "aws" or vocabulary.known_service(prefix)
    if ":" not in clause.key:
        what = f"condition key `{clause.key}` (a key is `service:name`)"
    else:
        what = f"condition key `{clause.key}`" if known else f"service `{prefix}` of condition key `{clause.key}`"
    close = vocabulary.similar_key(clause.key)
    return policy.finding(
        Code.UNKNOWN_CONDITION_KEY,
        f"unknown {what}: no request carries it",
        clause.key_path,
        statement,
        f"did you mean `{close}`?" if close else None,
        value=False,
    )


def _not_supplied(policy: Policy, statement: Statement, clause: Clause, vocabulary: Vocabulary) -> Iterator[Finding]:
    """The Action entries none of whose actions' requests carry the key, when the clause needs the key present."""
    key = clause.key.lower()
    tag_key = key in TAG_KEYS or key.startswith(TAG_KEY_PREFIXES)
    if vocabulary.global_spec(key) is not None and not tag_key:
        return
    if statement.not_action or policy.source.accepted & {v.text.lower() for v in statement.actions}:
        return
    missing = []
    for value in statement.actions:
        actions = vocabulary.expand(value.text) if value.text != "*" else None
        if not actions:
            return  # `*`, or an action the catalogue does not know: nothing can be said
        if not any(vocabulary.supplied_by(action, clause.key, tag_key) for action in actions):
            missing.append(value.text)
    if not missing:
        return
    names = ", ".join(f"`{name}`" for name in missing[:5]) + (" and more" if len(missing) > 5 else "")
    if statement.effect is Effect.DENY:
        # "If you use the aws:ResourceTag condition key and it's not supported by a service action, then the key is
        # not included in the request context. In this case, the condition in the Deny statement always returns
        # false and the action is never denied." (Security Warning - Deny with unsupported tag condition key)
        yield policy.finding(
            Code.DENY_CONDITION_KEY_NOT_SUPPLIED,
            f"requests for {names} never carry `{clause.key}`, so this Deny never applies to them",
            clause.key_path,
            statement,
            value=False,
        )
    else:
        # "... the condition in the Allow statement always returns false and the action is never allowed."
        # (Suggestion - Allow with unsupported tag condition key for service)
        yield policy.finding(
            Code.CONDITION_KEY_NOT_SUPPLIED,
            f"requests for {names} never carry `{clause.key}`, so this Allow never grants them",
            clause.key_path,
            statement,
            value=False,
        )


def check_condition_types(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """CONDITION_TYPE_MISMATCH, USE_ARN_OPERATOR."""
    for statement in policy.statements:
        for clause in statement.clauses:
            spec = vocabulary.key_spec(clause.key) if clause.spec is not None else None
            if clause.spec is None or spec is None or spec.base_type not in FAMILIES_OF_TYPE:
                continue
            family = clause.spec.family
            if family in FAMILIES_OF_TYPE[spec.base_type] or family is Family.BINARY:
                continue
            if spec.base_type == "ARN" and family is Family.STRING:
                # "AWS recommends that you use ARN operators instead of string operators when comparing ARNs."
                # (reference_policies_condition-keys.md, aws:PrincipalArn)
                yield policy.finding(
                    Code.USE_ARN_OPERATOR,
                    f"`{clause.key}` is an ARN; compare it with an ARN operator rather than `{clause.operator}`",
                    clause.operator_path,
                    statement,
                    value=False,
                )
                continue
            # "Use the operator type instead of operator for the condition key." (General Warning - Type mismatch)
            yield policy.finding(
                Code.CONDITION_TYPE_MISMATCH,
                f"`{clause.key}` is of type {spec.base_type}, but `{clause.operator}` compares {family.value} values",
                clause.operator_path,
                statement,
                value=False,
            )


def check_set_qualifiers(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """FOR_ALL_VALUES_SINGLE_VALUED_KEY, FOR_ANY_VALUE_SINGLE_VALUED_KEY, MISSING_SET_QUALIFIER,
    FOR_ALL_VALUES_WITH_ALLOW."""
    for statement in policy.statements:
        for clause in statement.clauses:
            spec = vocabulary.key_spec(clause.key) if clause.spec is not None else None
            if clause.spec is None or spec is None or spec.type == "Unknown":
                continue
            qualifier = clause.spec.qualifier
            where = clause.operator_path
            # "Use set operators only with multivalued condition keys. Do not use set operators with single-valued
            # condition keys." (reference_policies_condition-keys.md)
            if not spec.multivalued and qualifier is SetQualifier.FOR_ALL_VALUES:
                # "Using ForAllValues qualifier with the single-valued condition key can be overly permissive."
                # (Security Warning - ForAllValues with single valued key)
                yield policy.finding(
                    Code.FOR_ALL_VALUES_SINGLE_VALUED_KEY,
                    f"`{clause.key}` is single-valued; `ForAllValues` also holds when it is absent",
                    where,
                    statement,
                    value=False,
                )
            elif not spec.multivalued and qualifier is SetQualifier.FOR_ANY_VALUE:
                yield policy.finding(
                    Code.FOR_ANY_VALUE_SINGLE_VALUED_KEY,
                    f"`{clause.key}` is single-valued; `ForAnyValue` is meant for multivalued keys",
                    where,
                    statement,
                    value=False,
                )
            elif spec.multivalued and qualifier is SetQualifier.NONE and clause.spec.family is not Family.NULL:
                # "The request context key has multiple values. Use the ForAllValues or ForAnyValue condition key
                # qualifiers in your policy." (Error - Missing qualifier)
                yield policy.finding(
                    Code.MISSING_SET_QUALIFIER,
                    f"`{clause.key}` is multivalued; `{clause.operator}` needs `ForAnyValue:` or `ForAllValues:`",
                    where,
                    statement,
                    value=False,
                )
            elif (
                spec.multivalued
                and qualifier is SetQualifier.FOR_ALL_VALUES
                and statement.allows
                and not _otherwise_limited(statement, clause)
            ):
                # "Use caution if you use ForAllValues with an Allow effect because it can be overly permissive if
                # the presence of missing context keys or context keys with empty values in the request context
                # is unexpected. You can include the Null condition operator in your policy with a false value
                # to check if the context key exists" (reference_policies_condition-single-vs-multi-valued-
                # context-keys.md)
                yield policy.finding(
                    Code.FOR_ALL_VALUES_WITH_ALLOW,
                    f"`{clause.operator}` on `{clause.key}` holds when the request has no `{clause.key}`, so "
                    "this Allow also grants requests without it",
                    where,
                    statement,
                    value=False,
                )


def _otherwise_limited(statement: Statement, clause: Clause) -> bool:
    """Does another clause of the statement fail for a request without its key (`Null: {KEY: false}`, a
    `StringEquals` on `aws:ResourceTag/...`)? Then the Allow does not rest on the ForAllValues alone: a request without
    the key is still held to that clause, as AWS's ABAC tutorial relies on for `aws:TagKeys`."""
    return any(
        other is not clause and other.spec is not None and not absent_holds(other) for other in statement.clauses
    )


def check_if_exists_and_wildcards(policy: Policy, vocabulary: Vocabulary) -> Iterator[Finding]:
    """IF_EXISTS_ON_ALWAYS_PRESENT_KEY, WILDCARD_WITHOUT_LIKE_OPERATOR."""
    for statement in policy.statements:
        for clause in statement.clauses:
            spec = clause.spec
            if spec is None:
                continue
            if spec.if_exists and clause.key.lower() in ALWAYS_PRESENT:
                yield policy.finding(
                    Code.IF_EXISTS_ON_ALWAYS_PRESENT_KEY,
                    f"every request carries `{clause.key}`, so `IfExists` in `{clause.operator}` changes nothing",
                    clause.operator_path,
                    statement,
                    value=False,
                )
            if spec.family is Family.STRING and spec.comparison is not Comparison.LIKE:
                wild = next((v for v in clause.values if _wildcard(v.text, policy.variables)), None)
                if wild is not None:
                    # "Your condition value includes a * or ? character. If you meant to use a wildcard (*, ?),
                    # update the condition operator to include Like." (General Warning - Wildcard without like
                    # operator). The value itself is not repeated: condition values can be secrets (ExternalId).
                    yield policy.finding(
                        Code.WILDCARD_WITHOUT_LIKE_OPERATOR,
                        f"a value of `{clause.key}` holds `*` or `?`, which `{clause.operator}` compares as "
                        "plain characters",
                        wild.path,
                        statement,
                    )


def _wildcard(text: str, variables: bool) -> bool:
    """`*` or `?` outside policy variables and their escapes (`${*}`)."""
    if variables:
        while "${" in text and "}" in text.partition("${")[2]:
            head, _, rest = text.partition("${")
            text = head + rest.partition("}")[2]
    return "*" in text or "?" in text
