"""A bounded line for answers: N at a time, a limited number waiting, the rest refused.

The API answers ``NEWSQA_CONCURRENCY`` questions at a time, like the chat's queue;
more requests wait their turn, up to a bound, and past it are told to retry later
instead of piling up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio


class Busy(RuntimeError):
    """Too many requests are already waiting."""


class Gate:
    """``async with gate.slot():`` runs at most ``slots`` bodies at once, with at most
    ``max_waiting`` more waiting; the next one raises :class:`Busy`.

    Example:
        >>> async def main():
        ...     gate = Gate(slots=1, max_waiting=0)
        ...     async with gate.slot():
        ...         return gate.running, gate.full()
        >>> anyio.run(main)
        (1, True)
    """

    def __init__(self, slots: int, max_waiting: int) -> None:
        self._limiter = anyio.CapacityLimiter(max(1, slots))
        self.max_waiting = max_waiting

    @property
    def running(self) -> int:
        """Bodies running now."""
        return int(self._limiter.borrowed_tokens)

    @property
    def waiting(self) -> int:
        """Bodies waiting for a slot."""
        return int(self._limiter.statistics().tasks_waiting)

    def full(self) -> bool:
        """Whether a new arrival would be refused."""
        return self._limiter.available_tokens < 1 and self.waiting >= self.max_waiting

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one slot for the ``async with`` body; :class:`Busy` when the line is full."""
        if self.full():
            raise Busy(
                f"the server is busy: {self.running} answer(s) running and {self.waiting} "
                "waiting; retry in a few seconds"
            )
        borrower = object()  # its own token: a stream may end in another task
        await self._limiter.acquire_on_behalf_of(borrower)
        try:
            yield
        finally:
            self._limiter.release_on_behalf_of(borrower)
