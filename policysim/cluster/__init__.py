"""Work beyond one machine (contracts.md section 8): a function of (a payload shipped once per worker, one item)
over many items on a Dask cluster, the results in item order (`client.cluster_map`); the extra `policysim[cluster]`.

`evaluate_many` (scenario/cluster.py), who-can, what-can, graph (queries/) and diff (diff/compare.py) are its uses.
It sits on the ground floor, beside `parallel.py` (the same work over this machine's forked processes), so that every
floor above can spread its work either way. Dask is imported only when a cluster is used: `import policysim` and
`policysim check` never load it.
"""
