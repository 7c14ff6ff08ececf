"""jupyter_client's AsyncKernelManager with public hooks at the private steps a sandboxed kernel needs.

A kernel in a sandbox is launched by another command (bwrap around the kernel's), is interrupted by a
message on its control channel (a signal to its process group would stop bwrap with it), and leaves a
scratch folder to delete when it is cleaned up. jupyter_client has no public place for any of that, so this
class overrides the private steps of its start, interrupt and cleanup once, and calls hooks that
grader.isolation.sandbox implements; the sandbox itself touches nothing private.
"""

from __future__ import annotations

from jupyter_client.manager import AsyncKernelManager

from grader.patches.guard import Touch


class HookedKernelManager(AsyncKernelManager):
    """Hooks: before_launch(kw) -> kw; launch_command(cmd, kw) -> (cmd, kw); after_start(); after_cleanup()."""

    def before_launch(self, kw: dict) -> dict:
        """Change the launch's options (cwd, env) before jupyter_client writes the connection file."""
        return kw

    def launch_command(self, kernel_cmd: list[str], kw: dict) -> tuple[list[str], dict]:
        """The command that starts the kernel, given the one jupyter_client made."""
        return kernel_cmd, kw

    def after_start(self) -> None:
        """The kernel's process is running."""

    def after_cleanup(self) -> None:
        """The kernel is gone for good (not a restart) and jupyter_client has cleaned up."""

    def kernel_process(self):
        """The launched process (a Popen), or None."""
        return getattr(self.provisioner, "process", None)

    def kernel_process_group(self) -> int | None:
        """The launched process's group id, or None."""
        return getattr(self.provisioner, "pgid", None)

    async def _async_pre_start_kernel(self, **kw):
        kernel_cmd, kw = await super()._async_pre_start_kernel(**self.before_launch(kw))
        return self.launch_command(kernel_cmd, kw)

    async def _async_post_start_kernel(self, **kw):
        await super()._async_post_start_kernel(**kw)
        self.after_start()

    async def _async_interrupt_kernel(self) -> None:
        # Always over the control channel, whatever the kernel spec says: a signal would reach the sandbox.
        if self.has_kernel:
            msg = self.session.msg("interrupt_request", content={})
            self._connect_control_socket()
            self.session.send(self._control_socket, msg)

    interrupt_kernel = _async_interrupt_kernel  # AsyncKernelManager binds the base class's coroutine to the name

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self.after_cleanup()

    cleanup_resources = _async_cleanup_resources


JC = ("jupyter_client", "8.10.0")
TOUCHES = [
    Touch("grader.patches.kernel_manager", "jupyter_client.manager:KernelManager._async_pre_start_kernel",
          *JC, "f3c468c94ba6919f", "takes the launch options, writes the connection file, returns (command, options)"),
    Touch("grader.patches.kernel_manager", "jupyter_client.manager:KernelManager._async_post_start_kernel",
          *JC, "23eb510e07575c5a", "runs once the kernel's process is up"),
    Touch("grader.patches.kernel_manager", "jupyter_client.manager:KernelManager._async_interrupt_kernel",
          *JC, "77876eda32f8ad5f", "an interrupt_request message on the control socket is one way to interrupt"),
    Touch("grader.patches.kernel_manager", "jupyter_client.manager:KernelManager._connect_control_socket",
          *JC, "1a4f2ba407605625", "opens self._control_socket when it is not open"),
    Touch("grader.patches.kernel_manager", "jupyter_client.manager:KernelManager._async_cleanup_resources",
          *JC, "710198bb7d4600f0", "runs after the kernel stopped, with restart=True when it will start again"),
    Touch("grader.patches.kernel_manager", "jupyter_client.manager:AsyncKernelManager",
          *JC, "505077f8f08fb48d", "binds interrupt_kernel and cleanup_resources to the base class's coroutines"),
    Touch("grader.patches.kernel_manager", "jupyter_client.provisioning.local_provisioner:LocalProvisioner.launch_kernel",
          *JC, "a003b7f52fa801cf", "keeps the process as .process and its group as .pgid"),
]
