"""Sub-commands of the `policysim` CLI, each registering itself on the typer app."""
