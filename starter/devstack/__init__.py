"""The embedded stack for development and the demo: dev server, SMTP catcher, demo data."""
