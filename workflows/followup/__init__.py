"""The action-item workflow: one per follow-up action."""
