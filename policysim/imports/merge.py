"""A scenario file's `import:` list (contracts.md section 5): each entry's importer runs, and its model merges with the
hand-written `accounts:` and `organization:`. A conflict — the same entity defined twice, differently — is an error
naming both places. Errors about imported values point into the imported files (`ImportedDocument.locate`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policysim.errors import Location, PathPart, SchemaError, UnsupportedError
from policysim.imports.model import Imported, ImportWarning, Path_
from policysim.load import Document, has_imports

if TYPE_CHECKING:
    from policysim.model.scenario import ImportEntry

# the importer of each kind of entry (the `kind` of its wire model): module, function (imported only when a file
# names the kind; the wire models of entries, pydantic's, too)
IMPORTERS = {
    "gaad": ("policysim.imports.gaad", "import_gaad"),
    "terraform_plan": ("policysim.imports.terraform", "import_terraform_plan"),
    "cloudformation": ("policysim.imports.cloudformation", "import_cloudformation"),
}
NAMED_MAPS = ("users", "groups", "roles", "policies", "buckets")
AWS_MANAGED = "aws_managed_policies"


@dataclass(frozen=True)
class ImportedDocument(Document):
    """A scenario document with imported parts: `sources` locates their values in the files they came from."""

    sources: Mapping[Path_, Location] = field(default_factory=dict)

    def locate(self, path: Sequence[str | int], *, value: bool = False) -> Location:
        """Where `path` is: in an imported file, or in the scenario file, whichever knows the deeper part of it (a
        hand-written user of an imported account is located in the scenario file)."""
        full = tuple(path)
        imported = self._imported_depth(full)
        if imported > self._written_depth(full):
            found = self.sources[full[:imported]]
            return Location(found.file, found.line, found.column, full)
        return super().locate(path, value=value)

    def _imported_depth(self, full: Path_) -> int:
        return next((i for i in range(len(full), 0, -1) if full[:i] in self.sources), 0)

    def _written_depth(self, full: Path_) -> int:
        return next((i for i in range(len(full), 0, -1) if full[:i] in self.spans or full[:i] in self.key_spans), 0)

    def sub(self, path: Sequence[str | int]) -> Document:
        """The value at `path` as a document of its own, its imported parts still located in their files."""
        prefix, inner = tuple(path), super().sub(path)
        size = len(prefix)
        below = {p[size:]: loc for p, loc in self.sources.items() if p[:size] == prefix and len(p) > size}
        above = next((self.sources[prefix[:i]] for i in range(size, 0, -1) if prefix[:i] in self.sources), None)
        if above is None and not below:
            return inner
        if above is not None:
            below.setdefault((), above)
        imported = above is not None and self._imported_depth(prefix) > self._written_depth(prefix)
        file = above.file if imported and above is not None and above.file else inner.file
        return ImportedDocument(inner.data, file, inner.spans, inner.key_spans, below)


@dataclass
class Merged:
    """The scenario document with its imports merged, and what the imports said about themselves."""

    doc: Document
    aliases: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # kinds of data not given, and warnings, in words


def as_scenario(doc: Document, path: Path) -> Document:
    """A Terraform plan or a GAAD export named where a scenario file is expected (`policysim diff PLAN PLAN`), as a
    scenario that imports it; any other document as it is."""
    data = doc.data
    entry: dict[str, Any] | None = None
    if isinstance(data, dict) and "format_version" in data and ("planned_values" in data or "resource_changes" in data):
        entry = {"terraform_plan": path.name}
    elif isinstance(data, dict) and {"UserDetailList", "RoleDetailList", "GroupDetailList", "Policies"} & set(data):
        entry = {"gaad": path.name}
    if entry is None:
        return doc
    return Document.from_data({"scenario": f"imported from {path.name}", "import": [entry]}, doc.file)


def apply_imports(doc: Document, base_dir: Path | None) -> Merged:
    """Run the file's `import:` entries and merge their models; a file without `import:` is returned as it is."""
    data = doc.data
    if not has_imports(data):
        return Merged(doc)
    entries = _entries(doc)
    if base_dir is None:
        raise SchemaError("`import:` needs a scenario loaded from a file", doc.locate(("import",)))
    merged: dict[str, Any] = {key: value for key, value in data.items()}
    sources: dict[Path_, Location] = {}
    owners: dict[Path_, Location] = {}  # who defined each entity: for conflict messages
    out = Merged(doc)
    for index, entry in enumerate(entries):
        imported = _run(entry, base_dir, doc.locate(("import", index)))
        _merge(merged, imported, sources, owners, doc)
        out.aliases.update(imported.aliases)
        out.notes += [f"not given by `import[{index}]`: {what}" for what in imported.absent]
        out.notes += [_warning(item) for item in imported.warnings]
    spans, keys = doc.spans, doc.key_spans
    out.doc = ImportedDocument(merged, doc.file, spans, keys, sources)
    return out


def _entries(doc: Document) -> list[ImportEntry]:
    """The validated `import:` entries, each by the key that names its kind."""
    from policysim.model.scenario import IMPORT_KINDS
    from policysim.model.validation import validate

    raw = doc.data["import"]
    if not isinstance(raw, list):
        raise SchemaError("`import` must be a list of entries", doc.locate(("import",)))
    kinds = ", ".join(f"`{k}`" for k in IMPORT_KINDS)
    entries: list[ImportEntry] = []
    for index, item in enumerate(raw):
        named = [key for key in IMPORT_KINDS if isinstance(item, dict) and key in item]
        if len(named) != 1:
            raise SchemaError(f"an import entry names exactly one of {kinds}", doc.locate(("import", index)))
        model = IMPORT_KINDS[named[0]]
        entries.append(validate(model, item, _locator(doc, index), "import"))
    return entries


def _locator(doc: Document, index: int) -> Callable[[Sequence[PathPart]], Location]:
    return lambda path: doc.locate(("import", index, *path))


def _run(entry: ImportEntry, base_dir: Path, where: Location) -> Imported:
    module_name, function = IMPORTERS[entry.kind]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        raise UnsupportedError(f"this policysim cannot import `{type(entry).kind}` models yet", where) from None
    found: Imported = getattr(module, function)(**entry.arguments(base_dir))
    return found


def _warning(item: ImportWarning) -> str:
    return f"warning: {item.message} ({item.location})"


def _merge(
    merged: dict[str, Any],
    imported: Imported,
    sources: dict[Path_, Location],
    owners: dict[Path_, Location],
    doc: Document,
) -> None:
    """Merge one import into the document data; the hand-written file's own entities are owned by the file."""
    for path, location in imported.sources.items():
        sources.setdefault(path, location)
    normalize(imported)
    versions = merged.setdefault(AWS_MANAGED, {})
    for arn, version in imported.data.get(AWS_MANAGED, {}).items():
        if arn in versions and versions[arn] != version:
            _conflict((AWS_MANAGED, arn), imported, owners, doc, f"the account's version of `{arn}`")
        versions[arn] = version
    if not versions:
        del merged[AWS_MANAGED]
    accounts = merged.setdefault("accounts", {})
    for account_id, account in imported.data.get("accounts", {}).items():
        target = accounts.setdefault(account_id, {})
        for key, value in account.items():
            where: Path_ = ("accounts", account_id, key)
            if key in NAMED_MAPS:
                entities = target.setdefault(key, {})
                for name, entity in value.items():
                    _put(entities, name, entity, (*where, name), imported, owners, doc)
            elif key == "resources":
                arns = {r.get("arn"): i for i, r in enumerate(target.setdefault("resources", []))}
                for item in value:
                    if item.get("arn") in arns:
                        _conflict((*where, arns[item["arn"]]), imported, owners, doc, f"resource `{item.get('arn')}`")
                    target["resources"].append(item)
            elif key in target and target[key] != value:
                _conflict(where, imported, owners, doc, f"`{key}` of account `{account_id}`")
            else:
                target[key] = value
    if "organization" in imported.data:
        if "organization" in merged:
            _conflict(("organization",), imported, owners, doc, "the organization")
        merged["organization"] = imported.data["organization"]


def normalize(imported: Imported) -> None:
    """An import's extra keys in the scenario format: `managed_overrides` (the account's versions of AWS managed
    policies) as `aws_managed_policies`, `user_ids` (`{user ARN: UserId}`) as each user's `user_id`."""
    overrides = imported.data.pop("managed_overrides", None)
    if overrides:
        imported.data[AWS_MANAGED] = overrides
        for path in [p for p in imported.sources if p[:1] == ("managed_overrides",)]:
            imported.sources[(AWS_MANAGED, *path[1:])] = imported.sources.pop(path)
    for arn, user_id in imported.data.pop("user_ids", {}).items():
        account_id, name = arn.split(":")[4], arn.rsplit("/", 1)[-1]
        user = imported.data.get("accounts", {}).get(account_id, {}).get("users", {}).get(name)
        if user is not None:
            user["user_id"] = user_id
    extra = set(imported.data) - {"accounts", "organization", AWS_MANAGED}
    if extra:  # an importer's key nothing reads would be dropped silently: refuse it (a bug in the importer)
        raise UnsupportedError(f"an importer gave keys the scenario model cannot hold: {', '.join(sorted(extra))}")


def _put(
    entities: dict[str, Any],
    name: str,
    entity: Any,
    path: Path_,
    imported: Imported,
    owners: dict[Path_, Location],
    doc: Document,
) -> None:
    if name in entities and entities[name] != entity:
        _conflict(path, imported, owners, doc, f"`{name}`")
    entities[name] = entity
    owners.setdefault(path, imported.sources.get(path, Location(None)))


def _conflict(path: Path_, imported: Imported, owners: dict[Path_, Location], doc: Document, what: str) -> None:
    first = owners.get(path) or doc.locate(path)
    second = imported.sources.get(path, Location(None, path=path))
    raise SchemaError(
        f"{what} is defined twice, differently: at {first} and at {second}",
        second if second.file else first,
        "define it once: in the hand-written model or in one import",
    )
