"""Reading the participant directory and writing the meeting projection."""
