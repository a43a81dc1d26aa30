"""AWS Organizations in a plan: the organization (or `data.aws_organizations_organization`), its OUs, the member
accounts the plan places, its SCPs and RCPs, and their attachments to the root, OUs and accounts.

Ids of new OUs and policies are known only after apply; attachments and parents are linked through their
configuration references. A level the plan attaches to keeps `FullAWSAccess` (AWS attaches it by default, and a
plan can only leave it attached). An OU whose parent is not in the plan hangs under the root with an unknown for
what it inherits; a policy of a type the organization has not enabled is not attached (AWS refuses it).
"""

from __future__ import annotations

import re
from typing import Any

from policysim.identifiers import is_account_id
from policysim.imports.terraform_model import Model, digest
from policysim.imports.terraform_plan import Instance, Target

TYPES = frozenset(
    {
        "aws_organizations_organization",
        "aws_organizations_organizational_unit",
        "aws_organizations_account",
        "aws_organizations_policy",
        "aws_organizations_policy_attachment",
    }
)
KINDS = {"SERVICE_CONTROL_POLICY": "scps", "RESOURCE_CONTROL_POLICY": "rcps"}
BUILT_IN = {"p-FullAWSAccess": ("scps", "FullAWSAccess"), "p-RCPFullAWSAccess": ("rcps", "RCPFullAWSAccess")}
_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{1,128}")
ROOT = "root"


class _Org:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.plan = model.plan
        self.units: dict[str, dict[str, Any]] = {}
        self.unit_of: dict[str, str] = {}  # OU address or id -> unit name
        self.root: dict[str, Any] = {}
        self.placed: dict[str, str] = {}  # account id -> root | unit name
        self.policies: dict[str, Any] = {}
        self.policy_of: dict[str, tuple[str, str]] = {}  # policy address or id -> (scps|rcps, name)
        self.org: Instance | None = None
        self.root_id: str | None = None
        self.enabled = {"scps": True, "rcps": True}

    def read(self) -> None:
        plan, model = self.plan, self.model
        managed = [i for i in plan.instances.values() if i.mode == "managed" and i.type in TYPES]
        found = plan.of_type("aws_organizations_organization") or plan.of_type(
            "aws_organizations_organization", mode="data"
        )
        if not managed:
            model.absent(
                "SCPs and RCPs: the plan has no AWS Organizations resources (if its account is in an "
                "organization, the organization's SCPs and RCPs are not in the model)"
            )
            return
        model.absent("SCPs and RCPs attached outside the plan, and the OUs of member accounts the plan does not place")
        self.org = found[0] if found else None
        org_id = self.org and plan.known(self.org, "id")
        if not isinstance(org_id, str) or re.fullmatch(r"o-[a-z0-9]{10,32}", org_id) is None:
            org_id = "o-" + digest(self.org.address if self.org else "organization", 10)
        management = self.org and plan.known(self.org, "master_account_id")
        if not isinstance(management, str) and self.org is not None and self.org.mode == "managed":
            management = model.known_account  # the account that creates the organization manages it
        self._enabled()
        for instance in plan.of_type("aws_organizations_organizational_unit"):
            self._unit_name(instance)
        for instance in plan.of_type("aws_organizations_organizational_unit"):
            self._unit(instance)
        for instance in plan.of_type("aws_organizations_account"):
            self._account(instance)
        if isinstance(management, str) and is_account_id(management) and management not in self.placed:
            self.placed[management] = ROOT
        for instance in plan.of_type("aws_organizations_policy"):
            self._policy(instance)
        for instance in plan.of_type("aws_organizations_policy_attachment"):
            self._attachment(instance)
        if model.known_account not in self.placed:
            model.absent("whether the plan's own account is a member of the organization, and where")
        self._write(org_id, management if isinstance(management, str) and is_account_id(management) else None)

    def _enabled(self) -> None:
        plan, org = self.plan, self.org
        if org is None:
            return
        if plan.known(org, "feature_set") == "CONSOLIDATED_BILLING":
            self.enabled = {"scps": False, "rcps": False}
            return
        types = plan.known(org, "enabled_policy_types")
        if not isinstance(types, list):
            roots = plan.known(org, "roots")
            root = roots[0] if isinstance(roots, list) and roots and isinstance(roots[0], dict) else {}
            listed = root.get("policy_types")
            if not isinstance(listed, list):
                return  # unknown: policies are taken as enabled (they can only deny more)
            types = [t.get("type") for t in listed if isinstance(t, dict) and t.get("status") == "ENABLED"]
        self.enabled = {kind: name in types for name, kind in KINDS.items()}
        root_id = plan.known(org, "roots", 0, "id")
        self.root_id = root_id if isinstance(root_id, str) else None

    # ------------------------------------------------------------------ tree

    def _unit_name(self, instance: Instance) -> None:
        name = self.plan.known(instance, "name")
        name = name if isinstance(name, str) and name else instance.address
        if name in self.units or name == ROOT:
            name = f"{name} ({instance.address})"
        self.units[name] = {}
        self.unit_of[instance.address] = name
        self.model.out.sources[("organization", "units", name)] = self.plan.locate(instance)
        known_id = self.plan.known(instance, "id")
        if isinstance(known_id, str):
            self.unit_of[known_id] = name

    def _unit(self, instance: Instance) -> None:
        name = self.unit_of[instance.address]
        parent = self._level(instance, "parent_id", accounts=False)
        unit = self.units[name]
        if parent is None:
            unit["parent"] = ROOT
            self._inherits_unknown(unit, instance, "its parent is not in the plan")
        elif parent != ROOT:
            unit["parent"] = parent

    def _account(self, instance: Instance) -> None:
        plan = self.plan
        account_id = plan.known(instance, "id")
        if not isinstance(account_id, str) or not is_account_id(account_id):
            self.model.absent("accounts the plan creates: their ids are known only after apply")
            return
        if not plan.configured(instance, "parent_id") and not plan.known(instance, "parent_id"):
            self.placed[account_id] = ROOT
            return
        parent = self._level(instance, "parent_id", accounts=False)
        if parent is None:
            self.placed[account_id] = ROOT
            levels = self.model.account_scps.setdefault(account_id, {})
            why = self.model.marker(instance, "its OU is not in the plan: the SCPs and RCPs it inherits are unknown")
            levels.setdefault("scps", ["FullAWSAccess"]).append(why)
            levels.setdefault("rcps", []).append(why)
        else:
            self.placed[account_id] = parent

    def _inherits_unknown(self, unit: dict[str, Any], instance: Instance, why: str) -> None:
        marker = self.model.marker(instance, f"{why}: the SCPs and RCPs it inherits are unknown")
        unit.setdefault("scps", ["FullAWSAccess"]).append(marker)
        unit.setdefault("rcps", []).append(marker)

    def _level(self, instance: Instance, attribute: str, *, accounts: bool) -> str | None:
        """The root (`root`), a unit's name or (with `accounts`) an account id that an id attribute names."""
        plan = self.plan
        value = plan.known(instance, attribute)
        if isinstance(value, str) and value:
            if value == self.root_id or (self.root_id is None and value.startswith("r-")):
                return ROOT
            if value in self.unit_of:
                return self.unit_of[value]
            return value if accounts and is_account_id(value) else None
        single = plan.follow(instance, attribute).single
        if not single or len(single) != 1 or not single[0].exact:
            return None
        return self._level_of(single[0], accounts)

    def _level_of(self, target: Target, accounts: bool) -> str | None:
        found = target.instance
        if found.type == "aws_organizations_organization" and target.attribute[:1] == ("roots",):
            return ROOT
        if found.type == "aws_organizations_organizational_unit":
            return self.unit_of.get(found.address)
        if accounts and found.type == "aws_organizations_account":
            account_id = self.plan.known(found, "id")
            return account_id if isinstance(account_id, str) and is_account_id(account_id) else None
        return None

    # ------------------------------------------------------------------ policies

    def _policy(self, instance: Instance) -> None:
        plan, model = self.plan, self.model
        kind = KINDS.get(str(plan.known(instance, "type") or "SERVICE_CONTROL_POLICY"))
        if kind is None:
            return  # tag, backup, AI opt-out, chatbot and declarative policies grant and deny nothing
        name = plan.known(instance, "name")
        name = name if isinstance(name, str) and _NAME.fullmatch(name) else "policy-" + digest(instance.address, 26)
        if name in self.policies or name in ("FullAWSAccess", "RCPFullAWSAccess"):
            name = f"{name[:100]}-{digest(instance.address, 8)}"
        document = model.document(instance, "content", what=f"the {kind[:-1].upper()}")
        self.policies[name] = (
            document if document is not None else model.marker(instance, "the policy is not a document AWS would store")
        )
        model.out.sources[("organization", "policies", name)] = plan.locate(instance, "content")
        self.policy_of[instance.address] = (kind, name)
        known_id = plan.known(instance, "id")
        if isinstance(known_id, str):
            self.policy_of[known_id] = (kind, name)

    def _attachment(self, instance: Instance) -> None:
        plan, model = self.plan, self.model
        attached = self._attached_policy(instance)
        level = self._level(instance, "target_id", accounts=True)
        if level is None:
            model.warn(
                f"the target {instance.address} attaches to is not in the plan or is known only after apply "
                "and its reference cannot be followed; left out of the model",
                plan.locate(instance, "target_id"),
            )
            return
        for kind, ref in attached:
            if not self.enabled[kind]:
                model.warn(
                    f"{instance.address} attaches a policy of a type the organization has not enabled (AWS "
                    "refuses it); left out of the model",
                    plan.locate(instance),
                )
                continue
            if level == ROOT:
                entry = self.root
            elif level in self.units:
                entry = self.units[level]
            else:
                if level not in self.placed:
                    self.placed[level] = ROOT
                    why = model.marker(instance, "its OU is not in the plan: the SCPs and RCPs it inherits are unknown")
                    model.account_scps.setdefault(level, {}).setdefault("scps", ["FullAWSAccess"]).append(why)
                    model.account_scps[level].setdefault("rcps", []).append(why)
                entry = model.account_scps.setdefault(level, {})
            refs = entry.setdefault(kind, ["FullAWSAccess"] if kind == "scps" else [])
            if ref not in refs and ref != "RCPFullAWSAccess":
                refs.append(ref)

    def _attached_policy(self, instance: Instance) -> list[tuple[str, Any]]:
        plan, model = self.plan, self.model
        value = plan.known(instance, "policy_id")
        if isinstance(value, str) and value:
            if value in BUILT_IN:
                return [BUILT_IN[value]]
            if value in self.policy_of:
                return [self.policy_of[value]]
        else:
            single = plan.follow(instance, "policy_id").single
            if single and len(single) == 1 and single[0].exact and single[0].instance.address in self.policy_of:
                return [self.policy_of[single[0].instance.address]]
            if (
                single
                and all(t.instance.type == "aws_organizations_policy" for t in single)
                and not any(t.instance.address in self.policy_of for t in single)
            ):
                return []  # a tag, backup, ... policy
        marker = model.marker(
            instance,
            "the attached policy is not in the plan (or known only after apply): its kind and document are unknown",
        )
        return [("scps", marker), ("rcps", marker)]

    def _write(self, org_id: str, management: str | None) -> None:
        for account_id, level in self.placed.items():
            entry = self.root if level == ROOT else self.units[level]
            entry.setdefault("accounts", []).append(account_id)
        organization: dict[str, Any] = {"id": org_id}
        if management is not None:
            organization["management_account"] = management
        if self.policies:
            organization["policies"] = self.policies
        if self.root:
            organization["root"] = self.root
        if self.units:
            organization["units"] = self.units
        self.model.organization = organization
        if self.org is not None:
            self.model.out.sources[("organization",)] = self.plan.locate(self.org)


def read_organization(model: Model) -> None:
    """The plan's organization, if it has Organizations resources."""
    _Org(model).read()
