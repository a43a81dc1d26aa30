"""A Terraform plan (`terraform show -json PLANFILE`) as resource instances, and the references between them.

What is read (Terraform's "JSON Output Format"): `planned_values` (every managed resource after apply, child modules
included; unknown attributes omitted), `resource_changes` (the actions, and `after_unknown`: `true` at every leaf
known only after apply), `prior_state` (data sources read during planning) and `configuration` (the expressions:
`constant_value` or `references`, per module). Unknown properties are ignored; a major `format_version` other than 0
or 1 is refused. Messages name addresses and attribute names, never values: plans hold secrets in clear text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policysim.errors import Location, ParseError, PathPart, SchemaError, UnsupportedError
from policysim.load import Document, load_json, read_limited

MAJOR_VERSIONS = frozenset({"0", "1"})
_DELETES = frozenset({"delete"})
# "The removed block specifies a resource to remove from state without changing the underlying infrastructure"
# (Terraform, removed blocks): a forgotten resource still exists in AWS, as prior_state holds it
_FORGET = "forget"
_NOT_OBJECTS = frozenset({"count", "each", "path", "terraform", "self", "local"})
_STEP = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+|"(?:[^"\\]|\\.)*")\]')
_MAX_DEPTH = 12

Index = int | str | None
Step = tuple[bool, str | int]  # (is an index, name or key)


def steps(text: str) -> list[Step] | None:
    """`module.a["k"].aws_iam_role.app[0].arn` as steps: names (False, ...) and index keys (True, ...)."""
    out: list[Step] = []
    pos = 0
    while pos < len(text):
        found = _STEP.match(text, pos)
        if found is None or (found.group(1) is not None and pos and text[pos] != "."):
            return None
        if found.group(1) is not None:
            out.append((False, found.group(1)))
        else:
            key = found.group(2)
            out.append((True, int(key) if key.isdigit() else json.loads(key)))
        pos = found.end()
    return out


def module_calls(address: str) -> list[tuple[str, Index]] | None:
    """A module address (`module.a["k"].module.b`) as its calls and instance keys; the root module is `[]`."""
    parsed = steps(address) if address else []
    if parsed is None:
        return None
    calls: list[tuple[str, Index]] = []
    i = 0
    while i < len(parsed):
        if parsed[i] != (False, "module") or i + 1 >= len(parsed) or parsed[i + 1][0]:
            return None
        call = str(parsed[i + 1][1])
        key: Index = None
        i += 2
        if i < len(parsed) and parsed[i][0]:
            key = parsed[i][1]
            i += 1
        calls.append((call, key))
    return calls


def module_address(calls: Sequence[tuple[str, Index]]) -> str:
    """The inverse of `module_calls`."""
    out = ""
    for call, key in calls:
        out += ("." if out else "") + f"module.{call}"
        if key is not None:
            out += f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key)}]"
    return out


@dataclass
class Instance:
    """One resource instance of the plan: its values after apply and where they are in the file."""

    address: str
    module: str  # "" for the root module
    mode: str  # managed | data
    type: str
    name: str
    index: Index
    values: dict[str, Any]
    unknown: Any  # the after_unknown tree: True at unknown leaves
    where: tuple[PathPart, ...]  # the JSON path of the values object
    at: tuple[PathPart, ...] = ()  # the JSON path of the resource object
    config: dict[str, Any] = field(default_factory=dict)  # the configuration's expressions
    provider_key: str | None = None
    actions: tuple[str, ...] = ()
    reason: str | None = None  # action_reason

    @property
    def deferred(self) -> bool:
        """A data source Terraform reads during apply (its values are then partly unknown)."""
        return self.mode == "data" and "read" in self.actions


@dataclass(frozen=True)
class Target:
    """A reference followed to an instance, and the attribute path below it (`("arn",)`, `("roots", 0, "id")`)."""

    instance: Instance
    attribute: tuple[str | int, ...]
    exact: bool  # False when the reference names a resource with several instances and none could be chosen


@dataclass
class Followed:
    """What an expression's references lead to: one entry per reference that is not implied by another."""

    targets: list[list[Target]] = field(default_factory=list)  # per reference: its candidate instances
    others: list[str] = field(default_factory=list)  # references that lead to no instance (var, local, ...)
    refs: list[str] = field(default_factory=list)  # the references, as the configuration writes them

    def names(self) -> list[str]:
        """What the expression depends on: the addresses it leads to, or the references that lead nowhere."""
        found = [t.instance.address for ts in self.targets for t in ts]
        return list(dict.fromkeys(found + self.others if found or self.others else self.refs))

    @property
    def single(self) -> list[Target] | None:
        """The candidates of the expression's one reference, when it has exactly one and nothing else."""
        return self.targets[0] if len(self.targets) == 1 and not self.others else None


class Plan:
    """The plan's instances by address and by resource, its configuration per module, its providers."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.file = doc.file
        data = doc.data
        if not isinstance(data, dict):
            raise SchemaError("not a Terraform plan: the file is not a JSON object", doc.locate(()))
        self._check_format(data)
        self.data = data
        self.complete = data.get("complete") is not False
        self.instances: dict[str, Instance] = {}
        self.by_resource: dict[tuple[str, str, str, str], list[Instance]] = {}
        self.modules: dict[tuple[str, ...], dict[str, Any]] = {}
        self.deleted: list[str] = []
        self.forgotten: set[str] = set()  # removed from state only: still in AWS
        changes = self._changes(data)
        self._read_values(data, changes)
        self._read_configuration(data)

    # ------------------------------------------------------------------ reading

    def _check_format(self, data: dict[str, Any]) -> None:
        version = data.get("format_version")
        where = self.doc.locate(("format_version",), value=True)
        if "format_version" not in data:
            hint = "give the output of `terraform show -json PLANFILE`"
            raise SchemaError("not a Terraform plan: it has no `format_version`", self.doc.locate(()), hint)
        if not isinstance(version, str) or re.fullmatch(r"[0-9]+\.[0-9]+", version) is None:
            raise SchemaError("`format_version` is not a version such as `1.2`", where)
        if version.split(".")[0] not in MAJOR_VERSIONS:
            raise UnsupportedError(
                f"Terraform plan format_version {version} is not supported",
                where,
                "policysim reads plan format versions 0.x and 1.x (Terraform 0.12 and later)",
            )
        if "planned_values" not in data and "resource_changes" not in data:
            hint = "give `terraform show -json PLANFILE` (a plan file), not the state"
            if "values" in data:
                raise SchemaError("this is a Terraform state, not a plan", self.doc.locate(()), hint)
            raise SchemaError("not a Terraform plan: no `planned_values` or `resource_changes`", where, hint)
        if data.get("errored") is True:
            raise SchemaError(
                "the plan is errored: Terraform could not finish planning",
                self.doc.locate(("errored",)),
                "fix the errors `terraform plan` reports, then import the new plan",
            )

    def _changes(self, data: dict[str, Any]) -> dict[str, tuple[int, dict[str, Any]]]:
        out: dict[str, tuple[int, dict[str, Any]]] = {}
        for index, change in enumerate(_list(data.get("resource_changes"))):
            if not isinstance(change, dict) or not isinstance(change.get("address"), str) or "deposed" in change:
                continue
            actions = _actions(change)
            if actions and set(actions) <= _DELETES:
                self.deleted.append(change["address"])
            if _FORGET in actions:
                self.forgotten.add(change["address"])
                continue  # not changed in AWS: read from prior_state below
            out[change["address"]] = (index, change)
        return out

    def _read_values(self, data: dict[str, Any], changes: dict[str, tuple[int, dict[str, Any]]]) -> None:
        prior = data.get("prior_state")
        prior_values = prior.get("values") if isinstance(prior, dict) else None
        if isinstance(prior_values, dict) and isinstance(prior_values.get("root_module"), dict):
            root = ("prior_state", "values", "root_module")
            for resource, where, module in _walk(prior_values["root_module"], root, ""):
                # managed resources come from planned_values, but for those the plan forgets (they stay in AWS)
                address = resource.get("address")
                if resource.get("mode") == "data" or (isinstance(address, str) and address in self.forgotten):
                    self._add(resource, where, module, None)
        planned = data.get("planned_values")
        if isinstance(planned, dict) and isinstance(planned.get("root_module"), dict):
            for resource, where, module in _walk(planned["root_module"], ("planned_values", "root_module"), ""):
                address = resource.get("address")
                self._add(resource, where, module, changes.get(address) if isinstance(address, str) else None)
        for address, (index, change) in changes.items():
            after = _body(change).get("after")
            if address in self.deleted or not isinstance(after, dict):
                continue
            # a data source read during apply: what prior_state holds is an earlier read, the change what is known now
            deferred = change.get("mode") == "data" and "read" in _actions(change)
            if deferred or address not in self.instances:
                owner = change.get("module_address")
                at: tuple[PathPart, ...] = ("resource_changes", index, "change", "after")
                self._add(change, at, owner if isinstance(owner, str) else "", (index, change), values=after)
        for address in self.deleted:
            self._remove(address)

    def _add(
        self,
        resource: dict[str, Any],
        where: tuple[PathPart, ...],
        module: str,
        change: tuple[int, dict[str, Any]] | None,
        values: Any = None,
    ) -> None:
        address, mode, type_, name = (resource.get(k) for k in ("address", "mode", "type", "name"))
        if not all(isinstance(v, str) for v in (address, mode, type_, name)):
            return
        index = resource.get("index")
        index = index if isinstance(index, int | str) and not isinstance(index, bool) else None
        if not _names(str(address), module, str(mode), str(type_), str(name), index):
            raise SchemaError(
                "not a Terraform plan: a resource's `address` is not its module, type, name and index",
                self.doc.locate(where[:2] if values is not None else where, value=True),
            )
        at = where
        if values is None:
            values = resource.get("values")
            where = (*where, "values")
        else:
            at = where[:2]
        body = _body(change[1]) if change is not None else {}
        actions = _actions(change[1]) if change is not None else ()
        reason = change[1].get("action_reason") if change is not None else None
        self._remove(str(address))
        instance = Instance(
            address=str(address),
            module=module,
            mode=str(mode),
            type=str(type_),
            name=str(name),
            index=index,
            values=values if isinstance(values, dict) else {},
            unknown=body.get("after_unknown") if isinstance(body.get("after_unknown"), dict) else {},
            where=where,
            at=at,
            actions=actions,
            reason=reason if isinstance(reason, str) else None,
        )
        self.instances[instance.address] = instance
        self.by_resource.setdefault((module, instance.mode, instance.type, instance.name), []).append(instance)

    def _remove(self, address: str) -> None:
        old = self.instances.pop(address, None)
        if old is not None:
            self.by_resource[(old.module, old.mode, old.type, old.name)].remove(old)

    def _read_configuration(self, data: dict[str, Any]) -> None:
        config = data.get("configuration")
        config = config if isinstance(config, dict) else {}
        providers = config.get("provider_config")
        self.providers: dict[str, Any] = providers if isinstance(providers, dict) else {}
        root = config.get("root_module")
        stack: list[tuple[tuple[str, ...], Any]] = [((), root)]
        while stack:
            path, node = stack.pop()
            if not isinstance(node, dict):
                continue
            self.modules[path] = node
            calls = node.get("module_calls")
            for call, body in (calls if isinstance(calls, dict) else {}).items():
                if isinstance(body, dict) and len(path) < _MAX_DEPTH:
                    stack.append(((*path, call), body.get("module")))
        for instance in self.instances.values():
            calls = module_calls(instance.module) or []
            node = self.modules.get(tuple(call for call, _ in calls), {})
            local = f"{'data.' if instance.mode == 'data' else ''}{instance.type}.{instance.name}"
            for resource in _list(node.get("resources")):
                if isinstance(resource, dict) and resource.get("address") == local:
                    expressions = resource.get("expressions")
                    instance.config = expressions if isinstance(expressions, dict) else {}
                    key = resource.get("provider_config_key")
                    instance.provider_key = key if isinstance(key, str) else None
                    break

    # ------------------------------------------------------------------ questions

    def of_type(self, *types: str, mode: str = "managed") -> list[Instance]:
        """The instances of these resource types, in plan order."""
        return [i for i in self.instances.values() if i.mode == mode and i.type in types]

    def locate(self, instance: Instance, *attribute: str | int) -> Location:
        """Where an instance (or one of its attributes) is in the plan file, named by its address."""
        found = (
            self.doc.locate((*instance.where, *attribute)) if attribute else self.doc.locate(instance.at, value=True)
        )
        return Location(self.file, found.line, found.column, (instance.address, *attribute))

    def known(self, instance: Instance, *path: str | int) -> Any:
        """The value at `path`, or None when it is null, absent or unknown."""
        node: Any = instance.values
        for part in path:
            if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
                node = node[part]
            elif isinstance(part, str) and isinstance(node, dict):
                node = node.get(part)
            else:
                return None
        return node

    def is_unknown(self, instance: Instance, *path: str | int) -> bool:
        """Is the value at `path` (or above it) known only after apply?"""
        return _unknown_at(instance.unknown, path)

    def configured(self, instance: Instance, attribute: str) -> bool:
        """Does the configuration set `attribute` (as opposed to a value the provider computes)?"""
        return attribute in instance.config

    def follow(self, instance: Instance, *path: str | int) -> Followed:
        """Follow the references of the expression at `path` of the instance's configuration."""
        expression: Any = instance.config
        for part in path:
            if isinstance(part, int) and isinstance(expression, list) and 0 <= part < len(expression):
                expression = expression[part]
            elif isinstance(part, str) and isinstance(expression, dict):
                expression = expression.get(part)
            else:
                return Followed()
        return self._follow(expression, instance.module, instance.index, 0)

    def _follow(self, expression: Any, module: str, key: Index, depth: int) -> Followed:
        out = Followed()
        refs = [r for r in _list(expression.get("references") if isinstance(expression, dict) else None)]
        refs = [r for r in refs if isinstance(r, str)]
        out.refs = refs
        pairs = any(r in ("count.index", "each.key", "each.value") for r in refs)
        significant = [r for r in refs if not any(o != r and o.startswith((r + ".", r + "[")) for o in refs)]
        for ref in dict.fromkeys(significant):
            parsed = steps(ref)
            if parsed is None or depth > _MAX_DEPTH:
                out.others.append(ref)
                continue
            head = str(parsed[0][1])
            if head in ("count", "each"):
                continue
            if head in _NOT_OBJECTS or len(parsed) < 2:
                out.others.append(ref)
            elif head == "var":
                self._through_variable(out, ref, str(parsed[1][1]), module, depth)
            elif head == "module":
                self._through_output(out, ref, parsed, module, depth)
            else:
                out.targets.append(self._instances(parsed, module, key if pairs else None))
        return out

    def _instances(self, parsed: list[Step], module: str, pair: Index) -> list[Target]:
        mode = "data" if parsed[0] == (False, "data") else "managed"
        rest = parsed[1:] if mode == "data" else parsed
        if len(rest) < 2 or rest[0][0] or rest[1][0]:
            return []
        candidates = self.by_resource.get((module, mode, str(rest[0][1]), str(rest[1][1])), [])
        tail = rest[2:]
        if tail and tail[0][0]:
            wanted = tail[0][1]
            attribute = tuple(value for _, value in tail[1:])
            return [Target(c, attribute, True) for c in candidates if c.index == wanted]
        attribute = tuple(value for _, value in tail)
        if len(candidates) == 1 and candidates[0].index is None:
            return [Target(candidates[0], attribute, True)]
        if pair is not None:
            paired = [c for c in candidates if c.index == pair]
            if paired:
                return [Target(paired[0], attribute, True)]
        return [Target(c, attribute, False) for c in candidates]

    def _through_variable(self, out: Followed, ref: str, name: str, module: str, depth: int) -> None:
        calls = module_calls(module)
        if not calls:  # a root variable has a value; it is never the reason an attribute is unknown
            out.others.append(ref)
            return
        parent = calls[:-1]
        call, key = calls[-1]
        node = self.modules.get(tuple(c for c, _ in parent), {})
        body = (node.get("module_calls") or {}).get(call)
        expressions = body.get("expressions") if isinstance(body, dict) else None
        expression = expressions.get(name) if isinstance(expressions, dict) else None
        if expression is None:
            out.others.append(ref)
            return
        inner = self._follow(expression, module_address(parent), key, depth + 1)
        out.targets += inner.targets
        out.others += inner.others

    def _through_output(self, out: Followed, ref: str, parsed: list[Step], module: str, depth: int) -> None:
        calls = list(module_calls(module) or [])
        call, rest = str(parsed[1][1]), parsed[2:]
        key: Index = None
        if rest and rest[0][0]:
            key, rest = rest[0][1], rest[1:]
        if not rest or rest[0][0]:
            out.others.append(ref)
            return
        child = [*calls, (call, key)]
        node = self.modules.get(tuple(c for c, _ in child), {})
        output = (node.get("outputs") or {}).get(str(rest[0][1]))
        expression = output.get("expression") if isinstance(output, dict) else None
        if expression is None:
            out.others.append(ref)
            return
        inner = self._follow(expression, module_address(child), None, depth + 1)
        out.targets += inner.targets
        out.others += inner.others


def read_plan(path: Path) -> Plan:
    """Load and check a plan file (JSON, whatever its suffix), bounded as every user-named file is."""
    name = str(path)
    text = read_limited(path, name)
    try:
        doc = load_json(text, name)
    except ParseError as error:
        if "`" not in error.message:  # size, encoding, nesting: nothing of the input is quoted
            raise
        # the loader quotes what it found (`invalid value `...``), and a plan holds secrets: say where, not what
        raise ParseError(
            "the plan is not valid JSON", error.location, "give the output of `terraform show -json PLANFILE`"
        ) from None
    return Plan(doc)


Walked = Iterator[tuple[dict[str, Any], tuple[PathPart, ...], str]]


def _walk(node: dict[str, Any], where: tuple[PathPart, ...], module: str) -> Walked:
    """The resources of a values representation's module and of its child modules, with their JSON paths."""
    for index, resource in enumerate(_list(node.get("resources"))):
        if isinstance(resource, dict):
            yield resource, (*where, "resources", index), module
    for index, child in enumerate(_list(node.get("child_modules"))):
        if isinstance(child, dict) and isinstance(child.get("address"), str) and len(where) < 4 * _MAX_DEPTH:
            yield from _walk(child, (*where, "child_modules", index), child["address"])


def _names(address: str, module: str, mode: str, type_: str, name: str, index: Index) -> bool:
    """Is `address` the address of this module's resource instance (keys compared after unquoting)?"""
    parsed, calls = steps(address), module_calls(module)
    if parsed is None or calls is None:
        return False
    expected: list[Step] = []
    for call, key in calls:
        expected += [(False, "module"), (False, call)] + ([(True, key)] if key is not None else [])
    expected += [(False, "data")] if mode == "data" else []
    expected += [(False, type_), (False, name)] + ([(True, index)] if index is not None else [])
    return parsed == expected


def _body(change: dict[str, Any]) -> dict[str, Any]:
    body = change.get("change")
    return body if isinstance(body, dict) else {}


def _actions(change: dict[str, Any]) -> tuple[str, ...]:
    return tuple(a for a in _list(_body(change).get("actions")) if isinstance(a, str))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _unknown_at(tree: Any, path: Sequence[str | int]) -> bool:
    node = tree
    for part in path:
        if node is True:
            return True
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict):
            node = node.get(part)
        else:
            return False
    return node is True


def unknown_leaves(tree: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The paths of the `true` leaves of an after_unknown tree."""
    if tree is True:
        yield prefix
    elif isinstance(tree, dict):
        for key, value in tree.items():
            yield from unknown_leaves(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from unknown_leaves(value, (*prefix, index))
