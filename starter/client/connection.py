"""One way to reach Temporal: the configured address and namespace, the pydantic converter.

Light on purpose (no workflow, activity or ORM import), so a CLI command that only talks
to the server starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

if TYPE_CHECKING:
    from activities.config import Settings


async def connect(settings: Settings) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
    )
