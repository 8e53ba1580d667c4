"""The meeting definition, its changes (reschedule, cancel) and its workflow state."""
