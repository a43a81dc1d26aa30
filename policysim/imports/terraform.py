"""Terraform plans (`terraform show -json PLANFILE`) as scenario models (contracts.md section 5, docs/imports.md).

    imported = import_terraform_plan(Path("plan.json"), account="111111111111", region="us-east-1")

The model is the plan's state after apply: the IAM, S3, KMS, SQS, SNS, Lambda-permission, Secrets Manager and
Organizations resources of `planned_values` (child modules too), without the resources the plan deletes. A value
known only after apply is linked through the configuration's references where the plan allows it
(`aws_iam_role_policy.role` -> the role), and is an unknown marker (`imports/model.py`) where it does not; a name
Terraform generates is a symbolic identity (`terraform_model.py`). The modules:

- `terraform_plan.py`: the plan file, its instances and the references between them;
- `terraform_policy.py`: policy documents (JSON strings, `aws_iam_policy_document` data sources, deferred ones);
- `terraform_model.py`: the account, partition, regions, entities and symbolic names;
- `terraform_iam.py`, `terraform_resources.py`, `terraform_org.py`: each kind of resource.

Plans carry secrets in clear text (`variables`, attributes of any resource): messages name addresses and
attributes, never values.
"""

from __future__ import annotations

from pathlib import Path

from policysim.imports import terraform_iam, terraform_org, terraform_resources
from policysim.imports.model import Imported
from policysim.imports.terraform_model import Model
from policysim.imports.terraform_plan import read_plan

SUPPORTED_TYPES = terraform_iam.TYPES | terraform_resources.TYPES | terraform_org.TYPES


def import_terraform_plan(path: Path, *, account: str | None = None, region: str | None = None) -> Imported:
    """Read a Terraform plan JSON file into a scenario model (a located `PolicysimError` if it cannot be read)."""
    plan = read_plan(Path(path))
    model = Model(plan, account, region)
    terraform_iam.read_iam(model)
    terraform_resources.read_resources(model)
    terraform_org.read_organization(model)
    model.absent(
        "resources outside the plan: what this configuration does not manage (other configurations, the console) "
        "is not in the model"
    )
    if any(e.kind == "buckets" for e in model.named.values()):
        model.absent("S3 Block Public Access settings (a public grant through a bucket policy is undetermined)")
    if any(e.kind == "resources" and ":kms:" in e.arn for e in model.named.values()):
        model.absent("KMS grants")
    if not plan.complete:
        model.absent("the resources Terraform deferred to a later plan (the plan is not complete)")
    model.data()
    return model.out
