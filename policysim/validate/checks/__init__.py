"""The checks `policysim validate` runs on every policy, in order; each is a function of the policy's view and the
catalogue that yields findings. The codes they report are data, in `policysim.validate.codes`."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..findings import Finding
from ..policy import Policy
from ..vocabulary import Vocabulary
from .actions import check_action_names, check_resource_types, check_trust_actions
from .conditions import (
    check_condition_keys,
    check_condition_types,
    check_if_exists_and_wildcards,
    check_null_if_exists,
    check_set_qualifiers,
)
from .grants import check_admin_access, check_not_elements, check_public_access
from .redundancy import check_entries, check_statements
from .structure import check_principals, check_sids, check_trust_elements, check_version

Check = Callable[[Policy, Vocabulary], Iterator[Finding]]

CHECKS: tuple[Check, ...] = (
    check_version,
    check_sids,
    check_principals,
    check_trust_elements,
    check_action_names,
    check_trust_actions,
    check_resource_types,
    check_null_if_exists,
    check_condition_keys,
    check_condition_types,
    check_set_qualifiers,
    check_if_exists_and_wildcards,
    check_admin_access,
    check_public_access,
    check_not_elements,
    check_statements,
    check_entries,
)

__all__ = ["CHECKS", "Check"]
