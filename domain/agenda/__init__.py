"""The agenda: standing items, proposals, decisions, slotting and the timetable."""
