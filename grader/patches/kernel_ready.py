"""A quicker readiness check for a grading kernel's client than jupyter_client's.

jupyter_client's wait_for_ready ends by draining IOPub until it has been quiet for 0.2 s: per notebook, a
fifth of a second in which neither the kernel nor the grader does anything (with two workers on two cores,
an idle core). nbclient does not need the drain, since it picks each cell's messages by their parent id.
What it needs is a kernel_info reply on the shell channel and one message on IOPub, proof that both are
connected; a client that connected late and missed the IOPub message of one request asks again.
"""

from __future__ import annotations

import time
from queue import Empty

from grader.patches.guard import Touch


def quick_readiness(kc):
    """Give the client `kc` the quicker wait_for_ready; returns kc."""

    async def wait_for_ready(timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout or 60.0)
        while time.monotonic() < deadline:
            kc.kernel_info()
            try:
                reply = await kc.shell_channel.get_msg(timeout=1)
                # Any kernel_info reply: one to an earlier request (a slow boot) says the same.
                if reply["msg_type"] == "kernel_info_reply":
                    await kc.iopub_channel.get_msg(timeout=0.5)
                    kc._handle_kernel_info_reply(reply)
                    return
            except Empty:
                pass
            if not await kc._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
        raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    kc.wait_for_ready = wait_for_ready
    return kc


TOUCHES = [
    Touch('grader.patches.kernel_ready', 'jupyter_client.client:KernelClient._async_wait_for_ready',
          'jupyter_client', '8.10.0', '1591e58135a04bb1',
          'what readiness is: a kernel_info reply, then IOPub quiet (replaced by quick_readiness)'),
    Touch('grader.patches.kernel_ready', 'jupyter_client.client:KernelClient._handle_kernel_info_reply',
          'jupyter_client', '8.10.0', '1e48508572290b48',
          "records the kernel's protocol version from the reply"),
    Touch('grader.patches.kernel_ready', 'jupyter_client.client:KernelClient._async_is_alive',
          'jupyter_client', '8.10.0', '502a10655284a5e8',
          'whether the kernel still runs'),
]
