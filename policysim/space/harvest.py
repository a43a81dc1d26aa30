"""What one compiled model names: its policies' actions, resources, principals and condition values.

`policysim diff` builds its request space from the harvests of both models (see docs/diff.md); the queries from
one model's (docs/queries.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields

from policysim.compiled import ActionMatcher, CompiledPolicy
from policysim.conditions.operators import Family
from policysim.context import context_value_text
from policysim.identifiers import is_account_id
from policysim.ir.pattern import Glob
from policysim.model.records import Test
from policysim.world.world import World

#: keys the model itself sets from the caller, the session or the resource: never explored as free context
DERIVED_KEY_PREFIXES = ("aws:principal", "aws:resource")  # aws:PrincipalArn, aws:PrincipalTag/..., aws:ResourceTag/...
DERIVED_KEYS = frozenset({"aws:userid", "aws:username", "aws:sourceidentity", "aws:tokenissuetime"})


VARIABLE = re.compile(r"\$\{([^}]+)\}")
PRINCIPAL_KEYS = frozenset({"aws:principalaccount", "aws:principalarn"})
IAM_PRINCIPAL = re.compile(r"(user|role)/[\w+=,.@/-]+", re.ASCII)


def is_derived_key(key: str) -> bool:
    """Is this (lowercased) key set by the model rather than by the request?"""
    return key in DERIVED_KEYS or key.startswith(DERIVED_KEY_PREFIXES)


@dataclass
class Harvest:
    """Names gathered from one or more models; `merge` unions two harvests."""

    actions: dict[str, str] = field(default_factory=dict)  # lowercased -> as written
    action_globs: dict[str, Glob] = field(default_factory=dict)  # pattern text -> compiled (case-insensitive)
    resources: set[str] = field(default_factory=set)  # concrete ARNs (or `*`)
    resource_patterns: set[str] = field(default_factory=set)  # Resource patterns, wildcards and variables kept
    principal_arns: set[str] = field(default_factory=set)  # AWS principals named in Principal elements
    principal_accounts: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)  # service principals named
    wildcard_principal: bool = False
    conditions: dict[str, set[tuple[Family, str]]] = field(default_factory=dict)  # key (lowercased) -> values
    key_names: dict[str, str] = field(default_factory=dict)  # lowercased key -> as written
    accounts: set[str] = field(default_factory=set)
    partitions: set[str] = field(default_factory=set)  # of the declared accounts
    user_names: set[str] = field(default_factory=set)
    principal_tags: dict[str, set[str]] = field(default_factory=dict)  # tag key (lowercased) -> values
    # keys whose absence is not reported as missing: read by policy variables or tested by `Null` (lowercased)
    always_keys: set[str] = field(default_factory=set)
    conditioned: list[tuple[ActionMatcher, frozenset[str]]] = field(default_factory=list)  # actions -> keys
    all_actions: bool = False  # some Action is `*` or some NotAction covers what it does not name

    def variable_values(self, variable: str) -> list[str]:
        """The values a policy variable takes for the models' principals (`aws:username`, `aws:PrincipalTag/K`)."""
        name = variable.lower()
        if name == "aws:username":
            return sorted(self.user_names)
        if name.startswith("aws:principaltag/"):
            return sorted(self.principal_tags.get(name.split("/", 1)[1], ()))
        return []

    def condition_keys(self, action_lower: str) -> set[str]:
        """The (lowercased) condition keys of the statements and tests that cover an action (for many actions,
        index them once: `ConditionIndex`)."""
        return ConditionIndex(self.conditioned).keys(action_lower)

    def merge(self, other: Harvest) -> Harvest:
        """The union of two harvests (a new object): sets and flags united, lists joined, mappings combined."""
        out = Harvest()
        for item in fields(self):
            mine, theirs = getattr(self, item.name), getattr(other, item.name)
            if isinstance(mine, bool):
                value: object = mine or theirs
            elif isinstance(mine, set):
                value = mine | theirs
            elif isinstance(mine, list):
                value = mine + theirs
            else:
                value = {**mine, **theirs}
            setattr(out, item.name, value)
        for name in ("conditions", "principal_tags"):
            mine, theirs = getattr(self, name), getattr(other, name)
            setattr(out, name, {k: mine.get(k, set()) | theirs.get(k, set()) for k in mine.keys() | theirs.keys()})
        return out


class ConditionIndex:
    """The condition keys of the statements and tests that cover an action, indexed once: literal action names in a
    table, each distinct Action wildcard tested once per action, and NotAction or `*` matchers once each."""

    def __init__(self, conditioned: Iterable[tuple[ActionMatcher, frozenset[str]]]) -> None:
        self._literal: dict[str, set[str]] = {}
        self._globs: dict[Glob, set[str]] = {}
        self._others: dict[ActionMatcher, set[str]] = {}
        for matcher, keys in conditioned:
            if matcher.negated or matcher.everything:
                self._others.setdefault(matcher, set()).update(keys)
                continue
            for action in matcher.literals:
                self._literal.setdefault(action, set()).update(keys)
            for glob in matcher.globs:
                self._globs.setdefault(glob, set()).update(keys)

    def keys(self, action_lower: str) -> set[str]:
        """The (lowercased) condition keys of the statements and tests that cover the (lowercased) action."""
        out = set(self._literal.get(action_lower, ()))
        for glob, keys in self._globs.items():
            if glob.matches(action_lower):
                out |= keys
        for matcher, keys in self._others.items():
            if matcher.matches(action_lower):
                out |= keys
        return out


def harvest(world: World, tests: Sequence[Test] = ()) -> Harvest:
    """Everything a model (its world and its tests) names that the request space draws on."""
    found = Harvest()
    found.accounts.update(world.accounts)
    found.partitions.update(a.partition for a in world.accounts.values())
    found.resources.update(world.users)
    found.resources.update(world.roles)
    found.resources.update(r.arn for r in world.resources.values())
    for bucket in world.buckets.values():
        found.resources.update((bucket.arn, f"{bucket.arn}/policysim-example"))
    found.user_names.update(u.name for u in world.users.values())
    for tags in [u.tags for u in world.users.values()] + [r.tags for r in world.roles.values()]:
        for tag, value in tags.items():
            found.principal_tags.setdefault(tag.lower(), set()).add(value)
    seen: set[int] = set()
    for policy in world.compiled_policies():
        if id(policy) not in seen:
            seen.add(id(policy))
            _harvest_policy(policy, found)
    _harvest_tests(tests, found)
    return found


def _harvest_policy(policy: CompiledPolicy, found: Harvest) -> None:
    for statement in policy.statements:
        found.all_actions |= statement.actions.everything or statement.actions.negated
        found.actions.update((a, a) for a in statement.actions.literals)
        found.action_globs.update((g.text, g) for g in statement.actions.globs)
        if statement.resources is not None:
            found.resources.update(statement.resources.literals)
            found.resource_patterns.update(p.text for p in statement.resources.patterns)
            found.always_keys.update(_variables(p.text for p in statement.resources.patterns))
        if statement.principals is not None:
            names = statement.principals
            # an Allow with NotPrincipal grants everyone but the named: the public, as far as callers go
            found.wildcard_principal |= names.wildcard or statement.principals_negated
            found.principal_arns.update(names.arns)
            found.principal_accounts.update(names.accounts)
            found.services.update(names.services)
        if statement.condition is not None:
            found.conditioned.append((statement.actions, frozenset(c.key for c in statement.condition.clauses)))
            for clause in statement.condition.clauses:
                if clause.key in PRINCIPAL_KEYS:
                    _harvest_principal_values(clause.policy_values, found)
                found.key_names.setdefault(clause.key, clause.name)
                values = found.conditions.setdefault(clause.key, set())
                values.update((clause.spec.family, v) for v in clause.policy_values)
                found.always_keys.update(_variables(clause.policy_values))
                if clause.spec.family is Family.NULL:
                    found.always_keys.add(clause.key)


def _variables(texts: Iterable[str]) -> set[str]:
    """The (lowercased) keys that `${key}` or `${key, 'default'}` variables in the texts read (not `${*}` escapes)."""
    names = {m.group(1).split(",")[0].strip().lower() for text in texts for m in VARIABLE.finditer(text)}
    return names - {"*", "?", "$"}


def _harvest_principal_values(values: tuple[str, ...], found: Harvest) -> None:
    """Accounts and principals a condition on aws:PrincipalAccount / aws:PrincipalArn names become callers too."""
    for value in values:
        if is_account_id(value):
            found.principal_accounts.add(value)
            continue
        fields = value.split(":")
        if len(fields) < 6 or fields[0] != "arn" or not is_account_id(fields[4]):
            continue
        if "*" in value or "?" in value or "${" in value or not IAM_PRINCIPAL.fullmatch(fields[5]):
            found.principal_accounts.add(fields[4])  # a pattern: any principal of that account stands for it
        else:
            found.principal_arns.add(value)


def _harvest_tests(tests: Sequence[Test], found: Harvest) -> None:
    for test in tests:
        actions = [test.action] if isinstance(test.action, str) else test.action
        found.actions.update((a.lower(), a) for a in actions)
        if test.context:
            matcher = ActionMatcher(False, frozenset(a.lower() for a in actions), (), False)
            found.conditioned.append((matcher, frozenset(k.lower() for k in test.context)))
        if isinstance(test.resource, str | list):
            found.resources.update([test.resource] if isinstance(test.resource, str) else test.resource)
        else:  # `{pattern: ...}`: filled in like a Resource pattern
            found.resource_patterns.add(test.resource.pattern)
        for key, value in test.context.items():
            found.key_names.setdefault(key.lower(), key)
            items = value if isinstance(value, list | tuple) else [value]
            found.conditions.setdefault(key.lower(), set()).update(
                (Family.STRING, context_value_text(v)) for v in items if v is not None
            )
