"""Importers of real estates (contracts.md section 5): GAAD exports, Terraform plans, CloudFormation templates.

Each source has one module; each reads its input into an `Imported` (`model.py`): scenario data in the shape of a
scenario file (`accounts:`, `organization:`), where each value came from, and what the input could not tell. The
scenario loader merges it with the hand-written parts of the file; nothing downstream knows where data came from.
"""
