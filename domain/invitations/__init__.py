"""Invitation state and batching, and the iCalendar of an invitation."""
