"""What the secretariat publishes and files: the meeting report, registers, action
trackers, calendar feeds and charts, drafted from what the engine recorded."""
