"""Hybrid attendance: check-ins, online joins, the register and its counts."""
