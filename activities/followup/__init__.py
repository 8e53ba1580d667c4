"""The action-item workflow's side effects."""
