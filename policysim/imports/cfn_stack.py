"""One imported stack: a template evaluated in its environment, and the exports that join several stacks.

`Stack` evaluates a template with its account, Region, stack name and parameters; `Ref` and `Fn::GetAtt` of its
resources come from `cfn_names`, `Fn::ImportValue` from `Exports`, which finds the stack (of the same account and
Region) whose `Outputs` export that name, as CloudFormation's cross-stack references (and CDK's
`ExportsOutput...` exports) do. Pseudo parameters: `AWS::AccountId`, `AWS::Region`, `AWS::Partition` and
`AWS::URLSuffix` are known; `AWS::StackName` is known when the stack is named (a `stack_name`, or CDK's manifest);
`AWS::StackId` and `AWS::NotificationARNs` are unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policysim.load import Document, Path_

from .cfn_intrinsics import Evaluator
from .cfn_names import Identity, identity, resource_value
from .cfn_params import Given, parameter_values, partition_of
from .cfn_values import NO_VALUE, Unknown, text, where


@dataclass(frozen=True)
class StackSpec:
    """A template to import: its file, its stack name (None if not known), its account and Region."""

    path: str
    name: str | None
    account: str
    region: str
    label: str  # the stack name, or a stand-in for generated names when it is not known


class Stack(Evaluator):
    """A template evaluated in its environment (see the module docstring)."""

    def __init__(self, doc: Document, spec: StackSpec, given: Mapping[str, Given], exports: Exports) -> None:
        self.spec = spec
        self.account, self.region, self.label = spec.account, spec.region, spec.label
        self.partition, self.url_suffix = partition_of(spec.region)
        origin = where(doc.locate(()))
        pseudo: dict[str, str | Unknown] = {
            "AWS::AccountId": spec.account,
            "AWS::Region": spec.region,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": self.url_suffix,
            "AWS::StackName": spec.name
            if spec.name is not None
            else Unknown("the stack name is not given (give stack_name)", origin),
            "AWS::StackId": Unknown("the stack id is generated when the stack is created", origin),
            "AWS::NotificationARNs": Unknown("the stack's notification ARNs are not in the template", origin),
        }
        parameters, self.warnings = parameter_values(doc, given)
        super().__init__(doc, parameters, pseudo)
        self.exports = exports
        self._props: dict[tuple[str, str], Any] = {}
        self._in_progress: set[tuple[str, str]] = set()
        self._identities: dict[str, Identity | None] = {}
        exports.stacks.append(self)

    def type_of(self, logical_id: str) -> str:
        """A resource's `Type` (empty when missing)."""
        resource = self.resources.get(logical_id)
        kind = resource.get("Type") if isinstance(resource, dict) else None
        return kind if isinstance(kind, str) else ""

    def prop(self, logical_id: str, name: str) -> Any:
        """A resource's evaluated property (NO_VALUE when absent)."""
        key = (logical_id, name)
        if key in self._props:
            return self._props[key]
        resource = self.resources.get(logical_id)
        properties = resource.get("Properties") if isinstance(resource, dict) else None
        if not isinstance(properties, dict) or name not in properties:
            return NO_VALUE
        path: Path_ = ("Resources", logical_id, "Properties", name)
        if key in self._in_progress:
            return Unknown(f"property `{name}` of `{logical_id}` depends on itself", self.where(path))
        self._in_progress.add(key)
        try:
            value = self.resolve(properties[name], path)
        finally:
            self._in_progress.discard(key)
        self._props[key] = value
        return value

    def identity(self, logical_id: str) -> Identity | None:
        """The resource's name and ARN as imported (None for a type policysim does not name)."""
        if logical_id not in self._identities:
            self._identities[logical_id] = identity(self, logical_id, self.type_of(logical_id))
        return self._identities[logical_id]

    def _left_out(self, logical_id: str, path: Path_) -> Unknown | None:
        if self.resource_condition(logical_id) is False:
            return self._invalid(f"resource `{logical_id}` is referenced but its condition leaves it out", path)
        return None

    def ref_resource(self, logical_id: str, path: Path_) -> Any:
        refused = self._left_out(logical_id, path)
        if refused is not None:
            return refused
        return resource_value(self, logical_id, self.type_of(logical_id), None, self.where(path))

    def get_att(self, logical_id: str, attribute: str, path: Path_) -> Any:
        refused = self._left_out(logical_id, path)
        if refused is not None:
            return refused
        return resource_value(self, logical_id, self.type_of(logical_id), attribute, self.where(path))

    def import_value(self, name: str, path: Path_) -> Any:
        return self.exports.lookup(name, self, self.where(path))

    def outputs(self) -> dict[str, Any]:
        """The template's `Outputs` section (as written)."""
        outputs = self.doc.data.get("Outputs")
        return outputs if isinstance(outputs, dict) else {}

    def export_names(self) -> dict[str, str]:
        """Export name -> output logical id, for outputs whose export name is known and whose condition may hold."""
        names: dict[str, str] = {}
        for output_id, output in self.outputs().items():
            if not isinstance(output, dict) or not isinstance(output.get("Export"), dict):
                continue
            condition = output.get("Condition")
            if condition is not None and self.condition(condition, ("Outputs", output_id, "Condition")) is False:
                continue
            name = self.value(("Outputs", output_id, "Export", "Name"))
            if isinstance(name, str | int) and not isinstance(name, bool):
                names[text(name)] = output_id
        return names


class Exports:
    """The exports of every imported stack, for `Fn::ImportValue`."""

    def __init__(self) -> None:
        self.stacks: list[Stack] = []
        self._names: dict[int, dict[str, str]] = {}
        self._looking: set[str] = set()

    def lookup(self, name: str, importer: Stack, at: str) -> Any:
        """The value exported as `name` by another imported stack of the importer's account and Region."""
        if name in self._looking:
            return Unknown(f"export `{name}` depends on itself", at)
        self._looking.add(name)
        try:
            for stack in self.stacks:
                if stack is importer:
                    continue
                if id(stack) not in self._names:
                    self._names[id(stack)] = stack.export_names()
                output_id = self._names[id(stack)].get(name)
                if output_id is None:
                    continue
                if (stack.account, stack.region) != (importer.account, importer.region):
                    return Unknown(
                        f"export `{name}` is exported in {stack.account}/{stack.region}, not in the importing "
                        "stack's account and Region",
                        at,
                    )
                condition = stack.outputs()[output_id].get("Condition")
                if condition is not None:
                    holds = stack.condition(condition, ("Outputs", output_id, "Condition"))
                    if isinstance(holds, Unknown):
                        return Unknown(
                            f"export `{name}` exists only if condition `{condition}` holds: {holds.reason}", at
                        )
                return stack.value(("Outputs", output_id, "Value"))
        finally:
            self._looking.discard(name)
        return Unknown(f"`Fn::ImportValue` of `{name}`: no imported stack exports it", at)
