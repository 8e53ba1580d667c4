"""The people's doors: cli/ (`rtm`), web/, inbound/, one client/, and devstack/
(the embedded stack)."""
