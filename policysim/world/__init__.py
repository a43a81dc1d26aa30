"""The compiled model and one request of one actor answered in it.

`world.py` holds what a model declares, compiled; `actor.py` who asks; `resolve.py` turns names and ARNs into actors
and targets; `assemble.py` builds the request and the policies that govern it; `evaluator.py` answers it (service
rules, then the policy logic). `flows/` and every entry point build on this floor; it imports nothing above it.
"""
