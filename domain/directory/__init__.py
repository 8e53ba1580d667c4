"""The participant directory: regions, countries, organisations and people."""
