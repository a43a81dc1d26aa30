"""The scenario model a Terraform plan imports as, while it is built: the plan's account, partition and regions, its
entities (each with the name and ARN it imports as, symbolic when Terraform generates the name at apply), and the
`Imported` being filled.

Symbolic identities. A name Terraform generates at apply (no `name`, or only `name_prefix`) imports as the known
prefix (`name_prefix`, or `terraform-`, the prefix the AWS provider gives generated names; nothing when the name is
computed from other unknown values) followed by 26 lowercase hexadecimal characters of the SHA-256 of
`terraform:<address>`: the length of the suffix the provider generates, so the name fits IAM's limits whenever the
real one does, is stable from one import to the next, and matches the prefix patterns the real name will match
(`role/app-*`) but no literal name. ARNs are then formed as AWS forms them from the name
(`arn:P:iam::A:role/PATH/NAME`).
A KMS key id is a UUID-shaped digest (`mrk-` and 32 characters for a multi-Region key); a secret's ARN ends with
`-` and 6 digest characters, as Secrets Manager's random suffix does. Every entity is also named by its address in
`aliases` (`terraform:aws_iam_role.app` -> its ARN), and a policy of the plan whose principal references the
entity's `arn` gets the same ARN, so it matches the entity's sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from policysim.digest import sha256
from policysim.errors import Location, PathPart, SchemaError
from policysim.identifiers import is_account_id
from policysim.imports.model import Imported, ImportWarning, unknown
from policysim.imports.terraform_plan import Instance, Plan, Target
from policysim.imports.terraform_policy import Document_, Documents, Invalid, Unknown

GENERATED_PREFIX = "terraform-"
SUFFIX_LENGTH = 26
NAMED_KINDS = ("users", "groups", "roles", "policies", "buckets")


def digest(address: str, length: int) -> str:
    """`length` hexadecimal characters of the SHA-256 of `terraform:<address>`."""
    return sha256(f"terraform:{address}".encode()).hexdigest()[:length]


def uuid_of(address: str) -> str:
    """A UUID-shaped digest of the address (a symbolic KMS key id)."""
    h = digest(address, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def partition_of_region(region: str) -> str:
    """The partition a region belongs to."""
    for prefix, partition in (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-isob-", "aws-iso-b")):
        if region.startswith(prefix):
            return partition
    if region.startswith("us-iso-"):
        return "aws-iso"
    return "aws"


@dataclass
class Entity:
    """One thing of the model: its kind (`roles`, ..., `resources`), key (name, or ARN for `resources`), ARN, body."""

    kind: str
    key: str
    arn: str
    location: Location
    address: str | None = None  # the plan address it comes from (None: outside the plan)
    symbolic: bool = False
    body: dict[str, Any] = field(default_factory=dict)
    sources: dict[tuple[PathPart, ...], Location] = field(default_factory=dict)  # below the entity
    extra: dict[str, Any] = field(default_factory=dict)  # kind-specific facts (a queue's URL, a key's id, ...)


class Model:
    """The model while it is built from one plan."""

    def __init__(self, plan: Plan, account: str | None, region: str | None) -> None:
        self.plan = plan
        self.out = Imported()
        self.entities: dict[str, Entity] = {}  # by plan address
        self.named: dict[tuple[str, str], Entity] = {}  # by (kind, key)
        self.index: dict[str, Entity] = {}  # resources by what names them: `arn:...`, `url:...`, `key:...`, ...
        self.organization: dict[str, Any] = {}
        self.account_scps: dict[str, dict[str, list[Any]]] = {}  # member account -> {"scps": [...], "rcps": [...]}
        self.documents = Documents(plan, self.arn_of)
        self._region_argument = region
        self._account = self._read_account(account)
        self.partition = self._read_partition()

    # ------------------------------------------------------------------ context

    def _read_account(self, given: str | None) -> str | None:
        plan = self.plan
        if given is not None and not is_account_id(given):
            raise SchemaError("`account` is not a 12-digit account id", Location(plan.file), 'quote it: "111111111111"')
        found: list[tuple[str, Instance]] = []
        for identity in plan.of_type("aws_caller_identity", mode="data"):
            value = plan.known(identity, "account_id")
            if isinstance(value, str) and is_account_id(value) and value not in [a for a, _ in found]:
                found.append((value, identity))
        for _, instance in found[1:]:
            self.warn(
                f"{instance.address} names another account than {found[0][1].address}; "
                f"the plan is imported into one account",
                plan.locate(instance, "account_id"),
            )
        if given is not None:
            if found and found[0][0] != given:
                self.warn(
                    f"the plan's account ({found[0][1].address}) is not the `account` given; the `account` given wins",
                    plan.locate(found[0][1], "account_id"),
                )
            return given
        return found[0][0] if found else None

    def _read_partition(self) -> str:
        for instance in self.plan.of_type("aws_partition", mode="data"):
            value = self.plan.known(instance, "partition")
            if isinstance(value, str) and value:
                return value
        region = self._region_argument or self._plan_region()
        return partition_of_region(region) if region else "aws"

    def account(self, instance: Instance) -> str:
        """The plan's account; an error located at `instance` when neither the plan nor the import entry says it."""
        if self._account is None:
            raise SchemaError(
                f"the plan does not say its account, which {instance.address} needs "
                "(it has no data.aws_caller_identity with a known account_id)",
                self.plan.locate(instance),
                'give the account: `account: "111111111111"` in the import entry, `--account` on the command line',
            )
        return self._account

    @property
    def known_account(self) -> str | None:
        """The plan's account, if it is known."""
        return self._account

    def region(self, instance: Instance) -> str:
        """The region of a regional resource: its own `region`, its provider's, the import entry's, data.aws_region."""
        plan = self.plan
        own = plan.known(instance, "region")
        if isinstance(own, str) and own:
            return own
        found = self._provider_region(instance.provider_key) or self._region_argument or self._plan_region()
        if found is None:
            raise SchemaError(
                f"the plan does not say the region of {instance.address}",
                plan.locate(instance),
                "give the region: `region: us-east-1` in the import entry, `--region` on the command line",
            )
        return found

    def _provider_region(self, key: str | None) -> str | None:
        provider = self.plan.providers.get(key) if key else None
        expressions = provider.get("expressions") if isinstance(provider, dict) else None
        region = expressions.get("region") if isinstance(expressions, dict) else None
        if not isinstance(region, dict) or not isinstance(provider, dict):
            return None
        if isinstance(region.get("constant_value"), str):
            return str(region["constant_value"])
        refs = [r for r in region.get("references") or [] if isinstance(r, str)]
        if len(refs) == 1 and refs[0].startswith("var.") and "module_address" not in provider:
            variables = self.plan.data.get("variables")
            entry = variables.get(refs[0][4:]) if isinstance(variables, dict) else None
            value = entry.get("value") if isinstance(entry, dict) else None
            return value if isinstance(value, str) and value else None
        return None

    def _plan_region(self) -> str | None:
        for instance in self.plan.of_type("aws_region", mode="data"):
            for attribute in ("region", "name"):
                value = self.plan.known(instance, attribute)
                if isinstance(value, str) and value:
                    return value
        return self._provider_region("aws")

    # ------------------------------------------------------------------ output

    def warn(self, message: str, location: Location) -> None:
        """Something of the plan that is not part of the model, or contradicts itself."""
        self.out.warnings.append(ImportWarning(message, location))

    def absent(self, text: str) -> None:
        """A kind of data the plan cannot tell."""
        if text not in self.out.absent:
            self.out.absent.append(text)

    def marker(self, instance: Instance, reason: str) -> dict[str, Any]:
        """The unknown marker of a value of `instance`."""
        return unknown(reason, f"{self.plan.file}: {instance.address}")

    # ------------------------------------------------------------------ entities

    def add(self, entity: Entity, instance: Instance | None) -> Entity:
        """Register an entity; a second one with the same name is left out (AWS would refuse to create it)."""
        existing = self.named.get((entity.kind, entity.key))
        if existing is not None:
            if instance is not None:
                self.warn(
                    f"{instance.address} has the same name as {existing.address or 'another entity'} "
                    "(AWS would refuse to create it); left out of the model",
                    self.plan.locate(instance),
                )
            return existing
        self.named[(entity.kind, entity.key)] = entity
        if instance is not None:
            self.entities[instance.address] = entity
            self.out.aliases[f"terraform:{instance.address}"] = entity.arn
        return entity

    def arn_of(self, target: Target) -> str | None:
        """The ARN an `arn` reference to a plan instance stands for (its entity's, symbolic or not)."""
        entity = self.entities.get(target.instance.address)
        return entity.arn if entity is not None and target.attribute == ("arn",) else None

    def name(self, instance: Instance, attribute: str = "name", prefix: str = "name_prefix") -> tuple[str, bool]:
        """The name an instance imports as, and whether it is symbolic (generated at apply)."""
        plan = self.plan
        known = plan.known(instance, attribute)
        if isinstance(known, str) and known:
            return known, False
        start = plan.known(instance, prefix)
        if not isinstance(start, str):
            generated = not plan.configured(instance, attribute) and not plan.configured(instance, prefix)
            start = GENERATED_PREFIX if generated else ""
        return start + digest(instance.address, SUFFIX_LENGTH), True

    def document(self, instance: Instance, attribute: str, *, what: str) -> dict[str, Any] | None:
        """A policy document of `instance` for the model: the document, an unknown marker, or None (unset, or not a
        document AWS would store: a warning)."""
        found: Document_ | None = self.documents.attribute(instance, attribute)
        return self.as_model(found, instance, attribute, what=what)

    def as_model(
        self, found: Document_ | None, instance: Instance, attribute: str, *, what: str
    ) -> dict[str, Any] | None:
        """A document as the model holds it (a marker for `Unknown`; None and a warning for `Invalid`)."""
        if isinstance(found, Unknown):
            return self.marker(instance, f"{what}: {found.reason}")
        if isinstance(found, Invalid):
            self.warn(
                f"`{attribute}` of {instance.address} {found.message}; left out of the model",
                self.plan.locate(instance, attribute),
            )
            return None
        return found

    def iam_arn(self, kind: str, instance: Instance, name: str, path: str) -> str:
        """The ARN of an IAM user, group, role or policy of the plan's account."""
        return f"arn:{self.partition}:iam::{self.account(instance)}:{kind}{path}{name}"

    def check_arn_account(self, instance: Instance, arn: str) -> None:
        """Warn when a known ARN names another account than the plan's (the plan's account wins)."""
        parts = self.plan.known(instance, "arn")
        if isinstance(parts, str) and parts.count(":") >= 5:
            account = parts.split(":")[4]
            if account and account != self.account(instance) and arn != parts:
                self.warn(
                    f"the `arn` of {instance.address} names another account than the plan's; imported into "
                    "the plan's account",
                    self.plan.locate(instance, "arn"),
                )

    def data(self) -> None:
        """Write the entities into `out.data` (and their places into `out.sources`)."""
        accounts: dict[str, dict[str, Any]] = {}
        for entity in self.named.values():
            account = self._account_data(accounts)
            if entity.kind == "policies":
                body: Any = entity.body.get("document")
            else:
                body = {k: v for k, v in entity.body.items() if v not in ({}, [], None)}
            if entity.kind == "resources":
                items = account.setdefault("resources", [])
                where: tuple[PathPart, ...] = ("accounts", self._account or "", "resources", len(items))
                items.append({"arn": entity.key, **body})
            else:
                account.setdefault(entity.kind, {})[entity.key] = body
                where = ("accounts", self._account or "", entity.kind, entity.key)
            self.out.sources[where] = entity.location
            for below, location in entity.sources.items():
                self.out.sources[(*where, *below)] = location
        for account_id, levels in self.account_scps.items():
            account = accounts.setdefault(account_id, {})
            account.update({k: v for k, v in levels.items() if v})
        if accounts:
            self.out.data["accounts"] = accounts
        if self.organization:
            self.out.data["organization"] = self.organization

    def _account_data(self, accounts: dict[str, dict[str, Any]]) -> dict[str, Any]:
        account_id = self._account
        assert account_id is not None  # every entity asked for it
        if account_id not in accounts:
            accounts[account_id] = {"partition": self.partition} if self.partition != "aws" else {}
        return accounts[account_id]
