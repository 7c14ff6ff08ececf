"""Wait for kernel messages in short polls, so a missed wake-up costs half a second, not a whole cell limit.

Measured here under CPU load (2 cores busy): the asyncio poll of a kernel client's channel sometimes does not
wake when a message arrives. Lesson 04's widget cell finished in the kernel in 0.9 s, its reply sat in the
socket, and nbclient waited out the full cell timeout (300 s in the suite) before a new poll found it at
once. With the autograder the same miss would turn a finished cell into a false "timed out". A fresh poll
always sees a queued message, so every wait is cut into slices of POLL_SLICE seconds.
"""

from __future__ import annotations

import time
from queue import Empty

from jupyter_core.utils import run_sync
from nbclient import NotebookClient

from grader.patches.guard import Touch

POLL_SLICE = 0.5


def poll_in_slices(channel, slice_seconds: float = POLL_SLICE) -> None:
    """Replace channel.get_msg by the same wait made of short polls (same timeout, same Empty at the end)."""
    wait = channel.get_msg

    async def get_msg(timeout: float | None = None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = slice_seconds if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await wait(timeout=min(slice_seconds, left))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    channel.get_msg = get_msg


class SlicedPolling:
    """Mixin for nbclient's NotebookClient (and nbconvert/nbgrader's Execute): its kernel client polls in slices."""

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        for channel in (kc.shell_channel, kc.iopub_channel):
            poll_in_slices(channel)
        return kc

    # nbclient binds the synchronous name to its own coroutine; rebind it to this one.
    start_new_kernel_client = run_sync(async_start_new_kernel_client)


class SlicedNotebookClient(SlicedPolling, NotebookClient):
    """nbclient's NotebookClient with sliced polling (for running notebooks outside the grader)."""


TOUCHES = [
    Touch('grader.patches.sliced_polling', 'nbclient.client:NotebookClient.async_start_new_kernel_client',
          'nbclient', '0.11.0', 'd11643fc98f96058',
          'returns the client whose channels the cells are read from'),
    Touch('grader.patches.sliced_polling', 'jupyter_client.channels:AsyncZMQSocketChannel.get_msg',
          'jupyter_client', '8.10.0', 'a9db0fd2e0f533b3',
          'get_msg(timeout) raises Empty when nothing came in time; set per instance'),
]
