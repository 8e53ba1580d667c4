"""The database: tables and the store that reads and writes them."""
