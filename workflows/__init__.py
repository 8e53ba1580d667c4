"""Deterministic orchestration: decisions come from domain/, side effects from activities."""
