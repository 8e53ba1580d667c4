"""Reminder policies and the pure planning of who is reminded when."""
