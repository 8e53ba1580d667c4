"""The inbound SMTP endpoint for calendar replies."""
