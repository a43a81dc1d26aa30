"""Damaged plans: whatever a plan holds, the importer answers or refuses it with a located PolicysimError (never
another exception), and never echoes a value of the plan."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from policysim.errors import PolicysimError
from policysim.imports.terraform import import_terraform_plan

FIXTURES = Path(__file__).parent / "fixtures" / "terraform"
SECRET = "S3CRET-hunter2-do-not-echo"
PLANS = [json.loads((FIXTURES / name).read_text()) for name in ("plan.json", "org.json", "secrets.json")]
REPLACEMENTS = st.sampled_from([None, True, 7, SECRET, f"arn:aws:iam::{SECRET}", [], {}, [None], {"x": SECRET}])


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


# attributes that name things (addresses, names, ARNs, ids, references, tag keys): messages may name them
NAMES = frozenset(
    {
        "address",
        "module_address",
        "name",
        "name_prefix",
        "bucket",
        "bucket_prefix",
        "function_name",
        "role",
        "user",
        "group",
        "users",
        "groups",
        "roles",
        "role_name",
        "user_name",
        "group_name",
        "policy_names",
        "queue_url",
        "url",
        "arn",
        "id",
        "secret_arn",
        "key_id",
        "target_id",
        "policy_id",
        "parent_id",
        "account_id",
        "policy_arn",
        "policy_arns",
        "permissions_boundary",
        "managed_policy_arns",
        "references",
        "type",
        "mode",
        "tags",
        "tags_all",
        "statement_id",
        "roots",
        "master_account_id",
        "qualifier",
        "source_arn",
        "principal",
    }
)
PATHS = [(i, p) for i, plan in enumerate(PLANS) for p in _paths(plan) if p]


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {**node, head: _replace(node[head], rest, value)}
    copy = list(node)
    copy[head] = _replace(node[head], rest, value)
    return copy


@settings(
    max_examples=int(os.environ.get("TF_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.sampled_from(PATHS), REPLACEMENTS), min_size=1, max_size=4))
@example([((0, ("prior_state", "values", "root_module", "resources", 3, "address")), [])])  # crashed: unhashable
def test_damaged_plans_are_imported_or_refused_with_a_location(edits: list[tuple[tuple[int, Any], Any]]) -> None:
    index = edits[0][0][0]
    # a value holding the secret where the plan names something (a name, an ARN of one) is a name, and may be named
    named = any(
        NAMES & set(map(str, path)) for (which, path), value in edits if which == index and SECRET in str(value)
    )
    plan: Any = PLANS[index]
    for (which, path), value in edits:
        if which == index:
            try:
                plan = _replace(plan, path, value)
            except (KeyError, IndexError, TypeError):
                continue  # an earlier edit removed the place
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "plan.json"
        target.write_text(json.dumps(plan))
        try:
            found = import_terraform_plan(target, account="111111111111", region="us-east-1")
        except PolicysimError as error:
            assert error.location is not None and error.location.file == str(target)
            assert named or SECRET not in str(error)
            return
    if not named:  # a secret where the plan names something may be named; anywhere else it is never echoed
        assert not any(SECRET in w.message for w in found.warnings)
        assert not any(SECRET in text for text in found.absent)
