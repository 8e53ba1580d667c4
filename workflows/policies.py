"""Retry and heartbeat settings shared by every workflow's activities."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

# the database: short outages are retried, quickly
DB_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)
)
# SMTP: 4xx replies and dropped connections retry with backoff; 5xx is recorded, not raised
SMTP_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
)
# a send activity heartbeats at most once a second; a dead worker is noticed after this
SEND_HEARTBEAT = timedelta(seconds=10)
