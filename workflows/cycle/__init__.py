"""The per-region six-monthly cycle workflow."""
