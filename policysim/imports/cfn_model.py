"""The scenario data a CloudFormation import builds, and what goes with it: sources, aliases, warnings.

`Model` holds the accounts being built, in the shape of a scenario file's `accounts:` (and `organization:`), and the
`Imported` they end in. Every entity is entered with the location of its logical id; a policy document is entered
as data (its scalars as text, as IAM reads the JSON CloudFormation sends), or as the unknown marker of its first
unknown value, and its statements keep their template locations where the evaluated document has the template's
shape.
"""

from __future__ import annotations

from typing import Any

from policysim.errors import Location, PolicysimError
from policysim.load import Document, Path_, load_json

from .cfn_intrinsics import Condition
from .cfn_stack import Stack
from .cfn_values import NO_VALUE, Unknown, first_unknown, stringify
from .model import Imported, ImportWarning


def _is_function(node: Any) -> bool:
    if not isinstance(node, dict) or len(node) != 1:
        return False
    key = str(next(iter(node)))
    return key == "Ref" or key.startswith("Fn::")


_UNSET: Any = object()


def raw(doc: Document, path: Path_) -> Any:
    """The template value at `path` as written (None if absent)."""
    node: Any = doc.data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def list_items(stack: Stack, path: Path_) -> list[tuple[Path_, Any]] | Unknown:
    """The evaluated items of the template list at `path`, each with its template path (the list's own path when
    the list is computed, `!If [...]` or `!Split`), items that are `AWS::NoValue` removed."""
    node = raw(stack.doc, path)
    if isinstance(node, list):
        items = ((((*path, index)), stack.resolve(item, (*path, index))) for index, item in enumerate(node))
        return [(at, value) for at, value in items if value is not NO_VALUE]
    value = stack.value(path)
    if value is NO_VALUE or value is None:
        return []
    if isinstance(value, Unknown):
        return value
    return [(path, item) for item in value] if isinstance(value, list) else [(path, value)]


class Model:
    """Accounts under construction, and the `Imported` they become (see the module docstring)."""

    def __init__(self, several_stacks: bool) -> None:
        self.imported = Imported()
        self.accounts: dict[str, dict[str, Any]] = {}
        self.several = several_stacks
        self.organization: dict[str, Any] | None = None
        self._resource_index: dict[tuple[str, str], int] = {}
        self.policy_names: dict[tuple[str, str], str] = {}  # (account, ARN) -> name of an imported managed policy
        self.group_sources: dict[tuple[str, str], Location] = {}  # (account, group) -> where a user names it

    # ------------------------------------------------------------------ places

    def account(self, stack: Stack) -> dict[str, Any]:
        """The account data of a stack's account (made on first use)."""
        entry = self.accounts.setdefault(stack.account, {})
        if stack.partition != "aws":
            entry["partition"] = stack.partition
        return entry

    def address(self, stack: Stack, logical_id: str) -> str:
        """The source address of a resource: `cloudformation:Id`, or `cloudformation:STACK/Id` with several stacks."""
        return f"cloudformation:{stack.label}/{logical_id}" if self.several else f"cloudformation:{logical_id}"

    def logical(self, stack: Stack, logical_id: str) -> Location:
        """Where the resource's logical id is written."""
        return stack.doc.locate(("Resources", logical_id))

    def warn(self, message: str, location: Location) -> None:
        """A warning: something in the templates that is not part of the model."""
        self.imported.warnings.append(ImportWarning(message, location))

    def alias(self, stack: Stack, logical_id: str, arn: str | None) -> None:
        """Name the resource by its source address."""
        if arn is not None:
            self.imported.aliases[self.address(stack, logical_id)] = arn

    # ------------------------------------------------------------------ entities

    def entity(self, stack: Stack, kind: str, name: str, logical_id: str) -> dict[str, Any] | None:
        """A new user, group, role, managed policy or bucket of the stack's account (None, with a warning, if the
        account already has one of that name: CloudFormation would fail to create the second)."""
        place = self.account(stack).setdefault(kind, {})
        where_ = self.logical(stack, logical_id)
        if name in place:
            first = self.imported.sources.get(("accounts", stack.account, kind, name))
            self.warn(
                f"`{logical_id}` names {kind[:-1]} `{name}`, which {first or 'another resource'} already defines: "
                "it is left out",
                where_,
            )
            return None
        entry: dict[str, Any] = {}
        place[name] = entry
        self.imported.sources[("accounts", stack.account, kind, name)] = where_
        return entry

    def find(self, stack: Stack, kind: str, name: str) -> dict[str, Any] | None:
        """An entity of the stack's account by name."""
        found = self.accounts.get(stack.account, {}).get(kind, {}).get(name)
        return found if isinstance(found, dict) else None

    def resource(self, stack: Stack, arn: str, where_: Location) -> dict[str, Any]:
        """The `resources:` entry of an ARN in the stack's account (made on first use)."""
        resources = self.account(stack).setdefault("resources", [])
        key = (stack.account, arn)
        if key not in self._resource_index:
            self._resource_index[key] = len(resources)
            resources.append({"arn": arn})
            self.imported.sources[("accounts", stack.account, "resources", len(resources) - 1)] = where_
        entry: dict[str, Any] = resources[self._resource_index[key]]
        return entry

    def resource_path(self, stack: Stack, arn: str) -> Path_:
        """The key path of a `resources:` entry."""
        return ("accounts", stack.account, "resources", self._resource_index[(stack.account, arn)])

    # ------------------------------------------------------------------ documents

    def document(self, stack: Stack, path: Path_, at: Path_, exists: Condition = True, value: Any = _UNSET) -> Any:
        """The policy document at template path `path` (evaluated, unless `value` is given), for model path `at`:
        data, an unknown marker, or NO_VALUE when absent or unusable (with a warning)."""
        if isinstance(exists, Unknown):
            self.imported.sources[at] = stack.doc.locate(path)
            return exists.marker()
        if value is _UNSET:
            value = stack.value(path)
        if value is NO_VALUE or value is None:
            return NO_VALUE
        if isinstance(value, str):
            try:
                value = load_json(value, stack.where(path)).data
            except PolicysimError as error:
                self.warn(f"the policy document is not JSON ({error.message}): it is left out", stack.doc.locate(path))
                return NO_VALUE
        missing = first_unknown(value)
        if missing is not None:
            self.imported.sources[at] = stack.doc.locate(path)
            return missing.marker()
        if not isinstance(value, dict):
            self.warn("a policy document is a mapping: it is left out", stack.doc.locate(path))
            return NO_VALUE
        self._trace(stack.doc, path, at, value, raw(stack.doc, path), 0)
        return stringify(value)

    def _trace(self, doc: Document, path: Path_, at: Path_, value: Any, node: Any, depth: int) -> None:
        self.imported.sources[at] = doc.locate(path)
        if depth > 8 or _is_function(node):
            return
        if isinstance(value, dict) and isinstance(node, dict):
            for key, item in value.items():
                if key in node:
                    self._trace(doc, (*path, key), (*at, key), item, node[key], depth + 1)
        elif isinstance(value, list) and isinstance(node, list) and len(value) == len(node):
            for index, item in enumerate(value):
                self._trace(doc, (*path, index), (*at, index), item, node[index], depth + 1)

    def reference(self, value: Any, stack: Stack, path: Path_) -> Any:
        """A policy reference (an ARN, or the marker of why it is unknown); NO_VALUE when absent."""
        if value is NO_VALUE or value is None:
            return NO_VALUE
        if isinstance(value, Unknown):
            return value.marker()
        if isinstance(value, str) and value:
            return value
        return Unknown("a policy reference is an ARN", stack.where(path)).marker()

    def references(self, stack: Stack, path: Path_) -> list[Any]:
        """A list of policy references (ManagedPolicyArns) at template path `path`."""
        value = stack.value(path)
        if value is NO_VALUE or value is None:
            return []
        if isinstance(value, Unknown):
            return [value.marker()]
        if not isinstance(value, list):
            return [Unknown("ManagedPolicyArns is a list of ARNs", stack.where(path)).marker()]
        refs = [self.reference(item, stack, (*path, index)) for index, item in enumerate(value)]
        return [ref for ref in refs if ref is not NO_VALUE]

    def finish(self) -> Imported:
        """The accounts (and organization) as `Imported.data`."""
        accounts = {
            account: {key: value for key, value in entry.items() if value not in ({}, [])}
            for account, entry in self.accounts.items()
        }
        self.imported.data["accounts"] = accounts
        if self.organization is not None:
            self.imported.data["organization"] = self.organization
        return self.imported


def existence(stack: Stack, logical_id: str) -> Condition:
    """Whether a resource exists: True, False (its condition leaves it out), or unknown (and why)."""
    holds = stack.resource_condition(logical_id)
    if isinstance(holds, Unknown):
        name = stack.resources[logical_id].get("Condition")
        return Unknown(
            f"`{logical_id}` exists only if condition `{name}` holds, which is unknown: {holds.reason}", holds.source
        )
    return holds
