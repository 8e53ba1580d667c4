"""One outbox for every kind of message: what a delivery attempt may end in, and when to stop."""
