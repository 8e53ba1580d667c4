"""Retry, heartbeat and mail-sending policies and search attributes shared by every workflow."""
