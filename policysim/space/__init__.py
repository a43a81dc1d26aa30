"""The request space of a model: who may call (callers.py), which actions (actions.py), on which resources
(resources.py), with which context values, all drawn from what the model names (harvest.py).

`policysim diff` explores it on two models; the queries (`who-can`, `what-can`, `graph`) on one.
"""
