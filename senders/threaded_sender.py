"""A synchronous Cloud API client used from the asynchronous campaign run.

The run (senders/run.py) keeps many requests in flight with asyncio and awaits
`send(message)`. A client whose `send` is a plain function (today's
`senders.provider.CloudApiClient`, over httpx.Client, which is thread-safe) is driven
from a pool of threads, one request per thread, so up to `workers` requests are in the
air at once. An asynchronous client (`async def send`) is used as it is.
"""

from __future__ import annotations

import asyncio
import inspect
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from senders.provider import SendResult


class SyncSender(Protocol):
    def send(self, message: dict[str, Any]) -> SendResult: ...


class AsyncSender(Protocol):
    async def send(self, message: dict[str, Any]) -> SendResult: ...


class ThreadedSender:
    """`async send` over a synchronous client, on a pool of `workers` threads."""

    def __init__(self, client: SyncSender, workers: int) -> None:
        self.client = client
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="campaign-send")

    async def send(self, message: dict[str, Any]) -> SendResult:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self.client.send, message)

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def __repr__(self) -> str:
        return f"ThreadedSender({self.client!r})"


def is_async_sender(client: object) -> bool:
    return inspect.iscoroutinefunction(getattr(client, "send", None))
