"""Project ideas that travel from one meeting to the region's next RTMs until decided."""
