"""Mail rendering: invitations, reminders and notices, as the bytes that are sent."""
