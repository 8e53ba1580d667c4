"""Answers to invitations (RSVPs) from every channel, and calendar replies."""
