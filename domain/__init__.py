"""Pure domain of the Round-Table Meeting engine: models, rules and rendering.

Imports nothing of the project and does no I/O, so workflows, activities and the
CLI can all share it and it stays deterministic inside the Temporal sandbox.
"""
