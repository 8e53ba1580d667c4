"""After the meeting: minutes, action items and their chasing plan."""
