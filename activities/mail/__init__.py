"""SMTP delivery with a durable record per message."""
