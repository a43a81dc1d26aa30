"""The offline twins of `aws iam simulate-custom-policy` and `aws iam simulate-principal-policy`.

Same input keys, same `SimulatePolicyResponse` output shape; see docs/aws-compat.md for every difference.
"""

from policysim.twins.custom import simulate_custom_policy, simulate_document
from policysim.twins.principal import simulate_principal_document, simulate_principal_policy

__all__ = [
    "simulate_custom_policy",
    "simulate_document",
    "simulate_principal_document",
    "simulate_principal_policy",
]
