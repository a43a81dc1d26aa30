"""Questions over one model beyond one request: who can, what can, who can become whom (docs/queries.md)."""
