"""The meeting workflow: one per meeting, from planning to closing."""
