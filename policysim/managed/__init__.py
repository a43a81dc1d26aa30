"""AWS managed policies shipped with policysim (dated, with sources) and loaded from an account's files."""

from policysim.managed.library import ManagedKind, ManagedPolicy, ManagedPolicyLibrary

__all__ = ["ManagedKind", "ManagedPolicy", "ManagedPolicyLibrary"]
