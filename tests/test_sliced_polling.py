"""A missed wake-up of a kernel channel costs one slice, not the whole timeout (grader.patches.sliced_polling)."""

from __future__ import annotations

import asyncio
import threading
import time
from queue import Empty

import nbformat
import pytest

from grader.patches.sliced_polling import SlicedNotebookClient, SlicedPolling, poll_in_slices
from grader.pipeline.execute import SandboxedExecute
from grader.pipeline.stages import KERNEL_ARGS


class MissesItsFirstWakeUp:
    """A channel whose message is already queued, but whose first poll sleeps through it, as seen under load."""

    def __init__(self, message=None):
        self.message, self.polls = message, []

    async def get_msg(self, timeout=None):
        self.polls.append(timeout)
        if len(self.polls) == 1 or self.message is None:
            await asyncio.sleep(timeout if timeout is not None else 3600)
            raise Empty
        return self.message


def _timed(coro):
    """Run a coroutine to the end in a fresh event loop of its own thread: whatever an earlier test left in
    this thread (a running loop, as Playwright's sync API does) cannot get in the way."""
    outcome = {}

    def run():
        start = time.monotonic()
        try:
            outcome["result"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            outcome["error"] = exc
        outcome["seconds"] = time.monotonic() - start

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"], outcome["seconds"]


def test_a_queued_message_is_found_by_the_next_slice():
    channel = MissesItsFirstWakeUp({"msg_type": "execute_reply"})
    poll_in_slices(channel, slice_seconds=0.05)
    message, seconds = _timed(channel.get_msg(timeout=30))
    assert message == {"msg_type": "execute_reply"}
    assert seconds < 5, "the wait should have ended one slice after the missed wake-up, not at the timeout"
    assert channel.polls == [0.05, 0.05]


def test_no_message_still_ends_in_empty_at_the_timeout():
    channel = MissesItsFirstWakeUp(None)
    poll_in_slices(channel, slice_seconds=0.05)
    with pytest.raises(Empty):
        _timed(channel.get_msg(timeout=0.3))
    assert len(channel.polls) >= 5 and all(t <= 0.05 for t in channel.polls)


def test_an_unlimited_wait_keeps_polling_until_a_message_comes():
    channel = MissesItsFirstWakeUp({"msg_type": "status"})
    poll_in_slices(channel, slice_seconds=0.05)
    message, _ = _timed(channel.get_msg())
    assert message == {"msg_type": "status"} and channel.polls == [0.05, 0.05]


@pytest.mark.slow  # starts a kernel
def test_the_grader_and_the_notebook_runner_use_it(tmp_path):
    assert issubclass(SandboxedExecute, SlicedPolling)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    client = SlicedNotebookClient(nb, timeout=60, kernel_name="python3", extra_arguments=KERNEL_ARGS,
                                  resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel():
        for channel in (client.kc.shell_channel, client.kc.iopub_channel):
            assert "poll_in_slices" in channel.get_msg.__qualname__
        client.execute_cell(nb.cells[0], 0)
    assert nb.cells[0].outputs[0]["text"] == "42\n"
