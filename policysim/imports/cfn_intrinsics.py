"""Evaluating a template's intrinsic functions and conditions, offline, with unknowns kept as `Unknown`.

`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::FindInMap`, `Fn::If` (over the
`Conditions`: `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`, `Condition`), `Fn::Base64`, `Fn::Cidr`, and the
language extensions' `Fn::Length` and `Fn::ToJsonString` are computed. `Ref: AWS::NoValue` removes the property or
list item it stands for. What cannot be told offline is an `Unknown` with its reason and the `file:line:col` of the
use: a parameter without a value, `Fn::GetAZs`, `Fn::Transform` (macros), a dynamic reference
(`{{resolve:ssm:...}}`), an `Fn::If` whose condition is unknown (unless both branches agree). A subclass says what
`Ref` and `Fn::GetAtt` of a resource, and `Fn::ImportValue`, evaluate to.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from collections.abc import Mapping
from typing import Any

from policysim.errors import ParseError
from policysim.load import Document, Path_

from .cfn_values import NO_VALUE, Unknown, first_unknown, text, where

_DYNAMIC = re.compile(r"\{\{resolve:[^}]*\}\}")
_SUB = re.compile(r"\$\{(!?)([^}]*)\}")
MAX_CHAIN = 24
"""References evaluated inside references (a name built from another resource's name ...) deeper than this are
unknown: a template that deep is a cycle in all but name."""
MAX_DEPTH = 120
"""Values evaluated inside values deeper than this are unknown (it bounds the evaluator's recursion)."""
MAX_STEPS = 2_000_000
"""A template whose evaluation takes more steps than this (unknown conditions evaluate both branches of `Fn::If`)
is refused."""

Condition = bool | Unknown


class Evaluator:
    """One template's values: parameters, pseudo parameters, mappings, conditions, intrinsic functions."""

    def __init__(
        self,
        doc: Document,
        parameters: Mapping[str, str | list[str] | Unknown],
        pseudo: Mapping[str, str | Unknown],
    ) -> None:
        self.doc = doc
        self.parameters = parameters
        self.pseudo = pseudo
        data = doc.data
        self.resources: dict[str, Any] = data.get("Resources") if isinstance(data.get("Resources"), dict) else {}
        self.mappings: dict[str, Any] = data.get("Mappings") if isinstance(data.get("Mappings"), dict) else {}
        self.conditions: dict[str, Any] = data.get("Conditions") if isinstance(data.get("Conditions"), dict) else {}
        self._condition_cache: dict[str, Condition] = {}
        self._evaluating: set[str] = set()
        self.chain = 0
        self.depth = 0
        self.steps = 0

    # ------------------------------------------------------------------ hooks

    def ref_resource(self, logical_id: str, path: Path_) -> Any:
        """`Ref` of a resource of the template."""
        return Unknown(f"the physical id of resource `{logical_id}`", self.where(path))

    def get_att(self, logical_id: str, attribute: str, path: Path_) -> Any:
        """`Fn::GetAtt` of a resource of the template."""
        return Unknown(f"attribute `{attribute}` of resource `{logical_id}`", self.where(path))

    def import_value(self, name: str, path: Path_) -> Any:
        """`Fn::ImportValue` of an export."""
        return Unknown(f"`Fn::ImportValue` of export `{name}`: no imported stack exports it", self.where(path))

    # ------------------------------------------------------------------ values

    def where(self, path: Path_) -> str:
        """`file:line:col` of the template value at `path`."""
        return where(self.doc.locate(path, value=True))

    def value(self, path: Path_) -> Any:
        """The evaluated template value at `path` (NO_VALUE if absent)."""
        node: Any = self.doc.data
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return NO_VALUE
        return self.resolve(node, path)

    def resolve(self, node: Any, path: Path_) -> Any:
        """Evaluate `node`, the template value at `path`."""
        self.steps += 1
        if self.steps > MAX_STEPS:
            where_ = self.doc.locate(path)
            raise ParseError(f"the template is too complex to evaluate (over {MAX_STEPS:,} steps)", where_)
        if self.depth >= MAX_DEPTH:
            return Unknown("values nest too deeply to evaluate", self.where(path))
        self.depth += 1
        try:
            return self._resolve(node, path)
        finally:
            self.depth -= 1

    def _resolve(self, node: Any, path: Path_) -> Any:
        if isinstance(node, str):
            found = _DYNAMIC.search(node)
            if found is not None:
                return Unknown(
                    f"dynamic reference `{found.group()}` is resolved when the stack is deployed", self.where(path)
                )
            return node
        if isinstance(node, list):
            items = (self.resolve(item, (*path, index)) for index, item in enumerate(node))
            return [item for item in items if item is not NO_VALUE]
        if isinstance(node, dict):
            if len(node) == 1:
                ((key, arg),) = node.items()
                if key == "Ref":
                    return self._ref(arg, (*path, key))
                if key.startswith("Fn::"):
                    return self._function(key, arg, (*path, key))
            out = {}
            for key, item in node.items():
                value = self.resolve(item, (*path, key))
                if value is not NO_VALUE:
                    out[key] = value
            return out
        return node

    def _invalid(self, what: str, path: Path_) -> Unknown:
        return Unknown(f"{what}; CloudFormation would refuse the template", self.where(path))

    def _ref(self, name: Any, path: Path_) -> Any:
        if not isinstance(name, str):
            name = self.resolve(name, path)
            if isinstance(name, Unknown):
                return name
            if not isinstance(name, str):
                return self._invalid("`Ref` takes a name", path)
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            found = self.pseudo[name]
            return Unknown(found.reason, self.where(path)) if isinstance(found, Unknown) else found
        if name in self.parameters:
            value = self.parameters[name]
            return Unknown(value.reason, self.where(path)) if isinstance(value, Unknown) else value
        if name in self.resources:
            return self._guarded(lambda: self.ref_resource(name, path), path)
        if name.startswith("AWS::"):
            return Unknown(f"pseudo parameter `{name}` is not known offline", self.where(path))
        return self._invalid(f"`Ref` names no parameter or resource `{name}`", path)

    def _guarded(self, compute: Any, path: Path_) -> Any:
        if self.chain >= MAX_CHAIN:
            return Unknown("references nest too deeply (a cycle?)", self.where(path))
        self.chain += 1
        try:
            return compute()
        finally:
            self.chain -= 1

    def _args(self, arg: Any, path: Path_, count: tuple[int, ...]) -> list[Any] | Unknown:
        value = self.resolve(arg, path)
        if isinstance(value, Unknown):
            return value
        if not isinstance(value, list) or len(value) not in count:
            return self._invalid(f"`{path[-1]}` takes a list of {' or '.join(map(str, count))} arguments", path)
        return value

    def _function(self, key: str, arg: Any, path: Path_) -> Any:
        handler = _FUNCTIONS.get(key)
        if handler is None:
            if key in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not"):
                return self._invalid(f"`{key}` stands only in Conditions", path)
            if key == "Fn::Transform":
                return Unknown("`Fn::Transform` runs a macro when the stack is deployed", self.where(path))
            return Unknown(f"`{key}` is not a function policysim evaluates", self.where(path))
        return handler(self, arg, path)

    def _fn_base64(self, arg: Any, path: Path_) -> Any:
        value = self.resolve(arg, path)
        if isinstance(value, Unknown):
            return value
        return base64.b64encode(text(value).encode()).decode()

    def _fn_cidr(self, arg: Any, path: Path_) -> Any:
        args = self._args(arg, path, (3,))
        if isinstance(args, Unknown):
            return args
        missing = first_unknown(args)
        if missing is not None:
            return missing
        try:
            network = ipaddress.ip_network(text(args[0]), strict=False)
            count, bits = int(text(args[1])), int(text(args[2]))
            subnets = network.subnets(new_prefix=network.max_prefixlen - bits)
            out = [str(next(subnets)) for _ in range(count)]
        except (ValueError, StopIteration):
            return self._invalid("`Fn::Cidr` cannot make those subnets", path)
        return out

    def _fn_find_in_map(self, arg: Any, path: Path_) -> Any:
        args = self._args(arg, path, (3, 4))
        if isinstance(args, Unknown):
            return args
        keys = args[:3]
        missing = first_unknown(keys)
        if missing is not None:
            return missing
        node: Any = self.mappings
        map_path: Path_ = ("Mappings",)
        for key in keys:
            key = text(key)
            if not isinstance(node, dict) or key not in node:
                if len(args) == 4 and isinstance(args[3], dict) and "DefaultValue" in args[3]:
                    return args[3]["DefaultValue"]
                return self._invalid(f"Mappings hold no `{'.'.join(text(k) for k in keys)}`", path)
            node = node[key]
            map_path = (*map_path, key)
        return self.resolve(node, map_path)

    def _fn_get_azs(self, arg: Any, path: Path_) -> Any:
        region = self.resolve(arg, path)
        name = region if isinstance(region, str) and region else "the stack's Region"
        return Unknown(f"the Availability Zones of {name} are not known offline (`Fn::GetAZs`)", self.where(path))

    def _fn_get_att(self, arg: Any, path: Path_) -> Any:
        if isinstance(arg, str) and "." in arg:
            arg = arg.split(".", 1)
        if not isinstance(arg, list) or len(arg) != 2 or not isinstance(arg[0], str):
            return self._invalid("`Fn::GetAtt` takes [Resource, Attribute]", path)
        attribute = self.resolve(arg[1], (*path, 1))
        if isinstance(attribute, Unknown):
            return attribute
        if arg[0] not in self.resources:
            return self._invalid(f"`Fn::GetAtt` names no resource `{arg[0]}`", path)
        return self._guarded(lambda: self.get_att(arg[0], text(attribute), path), path)

    def _fn_if(self, arg: Any, path: Path_) -> Any:
        if not isinstance(arg, list) or len(arg) != 3 or not isinstance(arg[0], str):
            return self._invalid("`Fn::If` takes [Condition, IfTrue, IfFalse]", path)
        holds = self.condition(arg[0], (*path, 0))
        if holds is True:
            return self.resolve(arg[1], (*path, 1))
        if holds is False:
            return self.resolve(arg[2], (*path, 2))
        yes, no = self.resolve(arg[1], (*path, 1)), self.resolve(arg[2], (*path, 2))
        if yes == no:
            return yes
        return Unknown(f"condition `{arg[0]}` is unknown: {holds.reason}", self.where(path))

    def _fn_import_value(self, arg: Any, path: Path_) -> Any:
        name = self.resolve(arg, path)
        if isinstance(name, Unknown):
            return name
        return self._guarded(lambda: self.import_value(text(name), path), path)

    def _fn_join(self, arg: Any, path: Path_) -> Any:
        args = self._args(arg, path, (2,))
        if isinstance(args, Unknown):
            return args
        delimiter, items = args
        if isinstance(items, Unknown):
            return items
        missing = first_unknown([delimiter, items])
        if missing is not None:
            return missing
        if not isinstance(items, list) or any(isinstance(item, dict | list) for item in items):
            return self._invalid("`Fn::Join` joins a list of strings", path)
        return text(delimiter).join(text(item) for item in items if item is not None)

    def _fn_select(self, arg: Any, path: Path_) -> Any:
        args = self._args(arg, path, (2,))
        if isinstance(args, Unknown):
            return args
        index, items = args
        for part in (index, items):
            if isinstance(part, Unknown):
                return part
        try:
            position = int(text(index))
        except ValueError:
            return self._invalid("`Fn::Select` takes a number", path)
        if not isinstance(items, list) or not 0 <= position < len(items):
            return self._invalid(f"`Fn::Select` index {position} is outside the list", path)
        return items[position]

    def _fn_split(self, arg: Any, path: Path_) -> Any:
        args = self._args(arg, path, (2,))
        if isinstance(args, Unknown):
            return args
        missing = first_unknown(args)
        if missing is not None:
            return missing
        return text(args[1]).split(text(args[0]))

    def _fn_sub(self, arg: Any, path: Path_) -> Any:
        variables: dict[str, Any] = {}
        template = arg
        if isinstance(arg, list):
            if len(arg) != 2 or not isinstance(arg[1], dict):
                return self._invalid("`Fn::Sub` takes a string or [string, {variables}]", path)
            template = arg[0]
            variables = arg[1]
        if not isinstance(template, str):
            template = self.resolve(template, (*path, 0))
            if isinstance(template, Unknown):
                return template
            if not isinstance(template, str):
                return self._invalid("`Fn::Sub` substitutes into a string", path)
        out: list[str] = []
        last = 0
        for match in _SUB.finditer(template):
            out.append(template[last : match.start()])
            last = match.end()
            literal, name = match.group(1), match.group(2).strip()
            if literal:
                out.append("${" + match.group(2) + "}")
                continue
            value = self._sub_variable(name, variables, path)
            if isinstance(value, Unknown):
                return value
            if isinstance(value, dict | list) or value is NO_VALUE:
                return self._invalid(f"`${{{name}}}` in `Fn::Sub` is not a string", path)
            out.append(text(value))
        out.append(template[last:])
        return self.resolve("".join(out), path)

    def _sub_variable(self, name: str, variables: dict[str, Any], path: Path_) -> Any:
        if name in variables:
            return self.resolve(variables[name], (*path, 1, name))
        resource, dot, attribute = name.partition(".")
        if dot and resource in self.resources:
            return self._guarded(lambda: self.get_att(resource, attribute, path), path)
        return self._ref(name, path)

    def _fn_length(self, arg: Any, path: Path_) -> Any:
        value = self.resolve(arg, path)
        if isinstance(value, Unknown):
            return value
        return len(value) if isinstance(value, list) else self._invalid("`Fn::Length` counts a list", path)

    def _fn_to_json_string(self, arg: Any, path: Path_) -> Any:
        value = self.resolve(arg, path)
        missing = first_unknown(value)
        if missing is not None:
            return missing
        return json.dumps(value, separators=(",", ":"))

    # ------------------------------------------------------------------ conditions

    def condition(self, name: Any, path: Path_) -> Condition:
        """Whether the named condition holds (or why that is unknown)."""
        if not isinstance(name, str) or name not in self.conditions:
            return self._invalid(f"no condition `{name}`", path)
        if name in self._condition_cache:
            return self._condition_cache[name]
        if name in self._evaluating:
            return self._invalid(f"condition `{name}` depends on itself", path)
        if self.depth >= MAX_DEPTH:
            return Unknown("conditions nest too deeply to evaluate", self.where(path))
        self._evaluating.add(name)
        self.depth += 1
        try:
            holds = self._holds(self.conditions[name], ("Conditions", name))
        finally:
            self._evaluating.discard(name)
            self.depth -= 1
        self._condition_cache[name] = holds
        return holds

    def _holds(self, node: Any, path: Path_) -> Condition:
        if not isinstance(node, dict) or len(node) != 1:
            return self._invalid("a condition is one condition function", path)
        ((key, arg),) = node.items()
        inner = (*path, key)
        if key == "Condition":
            return self.condition(arg, inner)
        if key == "Fn::Equals":
            args = self._args(arg, inner, (2,))
            if isinstance(args, Unknown):
                return args
            missing = first_unknown(args)
            if missing is not None:
                return missing
            left, right = (a if isinstance(a, list | dict) else text(a) for a in args)
            return bool(left == right)
        if key in ("Fn::And", "Fn::Or", "Fn::Not"):
            if not isinstance(arg, list) or not arg or (key == "Fn::Not" and len(arg) != 1):
                return self._invalid(f"`{key}` takes a list of conditions", inner)
            results = [self._holds(item, (*inner, index)) for index, item in enumerate(arg)]
            if key == "Fn::Not":
                return results[0] if isinstance(results[0], Unknown) else not results[0]
            decisive: bool = key == "Fn::Or"  # Or: one True decides; And: one False decides
            if any(result is decisive for result in results):
                return decisive
            for result in results:
                if isinstance(result, Unknown):
                    return result
            return not decisive
        return self._invalid(f"`{key}` is not a condition function", inner)

    def resource_condition(self, logical_id: str) -> Condition:
        """Whether a resource (or output) exists: its `Condition`, True without one."""
        resource = self.resources.get(logical_id)
        name = resource.get("Condition") if isinstance(resource, dict) else None
        if name is None:
            return True
        return self.condition(name, ("Resources", logical_id, "Condition"))


_FUNCTIONS = {
    "Fn::Base64": Evaluator._fn_base64,
    "Fn::Cidr": Evaluator._fn_cidr,
    "Fn::FindInMap": Evaluator._fn_find_in_map,
    "Fn::GetAZs": Evaluator._fn_get_azs,
    "Fn::GetAtt": Evaluator._fn_get_att,
    "Fn::If": Evaluator._fn_if,
    "Fn::ImportValue": Evaluator._fn_import_value,
    "Fn::Join": Evaluator._fn_join,
    "Fn::Select": Evaluator._fn_select,
    "Fn::Split": Evaluator._fn_split,
    "Fn::Sub": Evaluator._fn_sub,
    "Fn::Length": Evaluator._fn_length,
    "Fn::ToJsonString": Evaluator._fn_to_json_string,
}
