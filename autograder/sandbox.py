"""A student's notebook runs in a throwaway sandbox; the grader talks to its kernel with data only.

Each submission gets a scratch folder holding only its notebook, and a Jupyter kernel started under bubblewrap:

- an unprivileged user (the grader, when root, switches to a user id of its own per job with ``setpriv``; otherwise
  bubblewrap's user namespace maps the kernel to the grader's user), no capabilities, no new privileges;
- the whole file system read-only; the course directory, the home directory and ``/tmp`` hidden, and only the
  Python environment, the week packages, the check helpers (never ``autograder/reference``) and ``data/`` shown;
  the scratch folder is the only writable place;
- no network, its own PID, IPC and UTS namespaces, its own session; it dies with the grader, and when its first
  process ends every process it started ends with it;
- limits on memory, CPU time, processes, file size (``prlimit``), and on output size and wall time per notebook
  (the grader), each reported by name when hit.

The kernel is reached through Unix sockets in the scratch folder (there is no network in the sandbox).
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import zmq
from jupyter_client import KernelManager

from autograder.paths import COURSE_ROOT

INSTALL_HINT = ("bubblewrap is not installed: grading runs student code in a bubblewrap sandbox. Install it with "
                "`sudo apt-get install bubblewrap` (Debian/Ubuntu) or `sudo dnf install bubblewrap` (Fedora); "
                "only for a trusted class, `--unsafe-no-sandbox` grades without it.")
#: Where the sandbox's user ids start when the grader runs as root (one per parallel job, so that the process
#: limit of one submission never counts another's).
FIRST_UID = 61000


@dataclass(frozen=True)
class Limits:
    """What one submission may use. The defaults fit every solution notebook of the course with room to spare."""
    memory_mb: int = 4096        # address space of the kernel (TensorFlow reserves much it never touches)
    cpu_seconds: int = 900       # CPU time of the kernel, all threads, the whole notebook
    processes: int = 512         # processes and threads of the sandbox's user
    file_size_mb: int = 256      # largest file the notebook may write
    output_kb: int = 2048        # all the notebook's outputs together
    wall_seconds: int = 600      # the whole notebook
    cell_seconds: int = 120      # one cell (nbgrader_config.py's Execute.timeout when read from there)


def bwrap_available() -> bool:
    return shutil.which("bwrap") is not None


class LimitHit(RuntimeError):
    """A sandbox limit stopped the notebook; ``str(exc)`` says which, for the instructor."""


class KernelDied(RuntimeError):
    pass


class CellTimeout(RuntimeError):
    pass


def _readonly_mounts(root: Path) -> list[Path]:
    """What the kernel may read of this machine's private places: the Python environment, and of the course only
    what a student has anyway."""
    paths = [Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent]
    paths += [root / name for name in ("week1", "week2", "week3", "autograder", "data")]
    return [p for p in dict.fromkeys(p.resolve() for p in paths) if p.exists()]


def sandbox_command(scratch: Path, root: Path, limits: Limits, uid: int | None) -> list[str]:
    """The command prefix that runs a program in the sandbox (see the module doc)."""
    root = root.resolve()
    home = Path.home().resolve()
    cmd = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
           "--tmpfs", "/var/tmp", "--tmpfs", "/run"]
    for hidden in dict.fromkeys([home, root, Path("/root")]):
        if hidden.exists():
            cmd += ["--tmpfs", str(hidden)]
    for path in _readonly_mounts(root):
        cmd += ["--ro-bind", str(path), str(path)]
    reference = root / "autograder" / "reference"
    if reference.exists():
        cmd += ["--tmpfs", str(reference)]  # the instructor's reference stays with the grader
    cmd += ["--bind", str(scratch), str(scratch), "--chdir", str(scratch),
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--clearenv",
            "--setenv", "HOME", str(scratch), "--setenv", "PATH", f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "--setenv", "MPLCONFIGDIR", str(scratch / ".matplotlib"), "--setenv", "PYTHONNOUSERSITE", "1",
            "--setenv", "TF_CPP_MIN_LOG_LEVEL", "2", "--setenv", "OMP_NUM_THREADS", "2"]
    if uid is None:
        cmd += ["--unshare-user", "--uid", "65534", "--gid", "65534"]
    mb = 2 ** 20
    cmd += ["prlimit", f"--as={limits.memory_mb * mb}", f"--cpu={limits.cpu_seconds}",
            f"--nproc={limits.processes}", f"--fsize={limits.file_size_mb * mb}", "--core=0", "--"]
    if uid is not None:
        cmd += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs"]
    return cmd


class _SandboxKernelManager(KernelManager):
    prefix: list[str] = []

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        return self.prefix + cmd


class SandboxKernel:
    """One student's kernel, in the sandbox (or, unsafe, as a plain subprocess); started by ``start()``."""

    def __init__(self, root: Path = COURSE_ROOT, limits: Limits = Limits(), sandbox: bool = True, slot: int = 0):
        self.root, self.limits, self.sandbox = Path(root), limits, sandbox
        self.uid = FIRST_UID + slot if sandbox and os.geteuid() == 0 else None
        self.scratch = Path(tempfile.mkdtemp(prefix="sm-grade-"))
        if self.uid is not None:
            os.chown(self.scratch, self.uid, self.uid)  # the only place the sandbox's user may write
        self.km = self.kc = None
        self.started = None
        self.output_bytes = 0

    # ------------------------------------------------------------------ life cycle

    def prepare(self, notebook: nbformat.NotebookNode, name: str) -> Path:
        """Put the notebook (and nothing else) in the scratch folder, writable by the sandbox's user."""
        path = self.scratch / name
        nbformat.write(notebook, path)
        if self.uid is not None:
            os.chown(path, self.uid, self.uid)
        return path

    def start(self):
        if self.sandbox and not bwrap_available():
            raise RuntimeError(INSTALL_HINT)
        km = _SandboxKernelManager(kernel_name="python3", transport="ipc", ip=str(self.scratch / "kernel"),
                                   connection_file=str(self.scratch / "kernel.json"))
        km.prefix = sandbox_command(self.scratch, self.root, self.limits, self.uid) if self.sandbox else []
        # A signal would reach bubblewrap, not the kernel inside: interrupt with a message the kernel obeys.
        km.kernel_spec.interrupt_mode = "message"
        km.write_connection_file()
        os.chmod(km.connection_file, 0o644)  # the sandbox's user reads it; it only holds the sockets' key
        if not self.sandbox:
            km.prefix = []
        km.start_kernel(cwd=str(self.scratch), env=dict(os.environ),  # the sandbox clears the environment
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
        except RuntimeError as exc:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
            raise KernelDied(f"the notebook's kernel did not start: {exc}") from exc
        self.km, self.kc, self.started = km, kc, time.monotonic()

    def stop(self):
        """End the kernel and everything it started; remove the scratch folder."""
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 - already gone
                pass
            if self.km.has_kernel and self.km.provisioner is not None:
                pid = getattr(self.km.provisioner, "pid", None)
                if pid:
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
        self.km = self.kc = None
        shutil.rmtree(self.scratch, ignore_errors=True)

    def restart(self):
        """A fresh kernel (the old one and its processes end); the notebook's state is gone."""
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            self.km.shutdown_kernel(now=True)
        self.km = self.kc = None
        self.start()

    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    def wall_left(self) -> float:
        return self.limits.wall_seconds - (time.monotonic() - self.started)

    # ------------------------------------------------------------------ running code

    def run(self, code: str, timeout: float, on_output=None, on_input=None, store_history: bool = True) -> dict:
        """Run ``code``; every iopub message of it goes to ``on_output(msg)``, every input request to
        ``on_input(prompt) -> reply``. Returns the execute reply's content. Raises CellTimeout (after interrupting
        the kernel), KernelDied, or LimitHit for the notebook's wall time."""
        timeout = min(timeout, max(self.wall_left(), 0))
        if timeout <= 0:
            raise LimitHit(f"the notebook ran past its wall-time limit of {self.limits.wall_seconds} s")
        msg_id = self.kc.execute(code, store_history=store_history, allow_stdin=on_input is not None,
                                 stop_on_error=False)  # an interrupted cell must not abort the next request
        deadline = time.monotonic() + timeout
        channels = {self.kc.iopub_channel.socket: "iopub", self.kc.stdin_channel.socket: "stdin",
                    self.kc.shell_channel.socket: "shell"}
        poller = zmq.Poller()
        for socket in channels:
            poller.register(socket, zmq.POLLIN)
        reply, idle = None, False
        while reply is None or not idle:
            if time.monotonic() > deadline:
                self._interrupt()
                if self.wall_left() <= 0:
                    raise LimitHit(f"the notebook ran past its wall-time limit of {self.limits.wall_seconds} s")
                raise CellTimeout(f"ran past the per-cell time limit of {timeout:.0f} s")
            ready = dict(poller.poll(100))  # wakes at once for any message, at the latest after 0.1 s
            if not ready and not self.km.is_alive():
                raise KernelDied(self._death_reason())
            if any(channels[s] == "iopub" for s in ready):
                while self.kc.iopub_channel.msg_ready():
                    msg = self.kc.get_iopub_msg(timeout=0)
                    if msg["parent_header"].get("msg_id") != msg_id:
                        continue
                    if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                        idle = True
                    elif on_output is not None:
                        on_output(msg)
            while self.kc.stdin_channel.msg_ready():
                msg = self.kc.get_stdin_msg(timeout=0)
                if msg["msg_type"] == "input_request":
                    self.kc.input(on_input(msg["content"]["prompt"]) if on_input else "")
            while reply is None and self.kc.shell_channel.msg_ready():
                msg = self.kc.get_shell_msg(timeout=0)
                if msg["parent_header"].get("msg_id") == msg_id:
                    reply = msg["content"]
        return reply

    def _interrupt(self):
        """Interrupt the running cell; a kernel that ignores it for 5 s is replaced by a fresh one."""
        try:
            self.km.interrupt_kernel()
        except Exception:  # noqa: BLE001
            pass
        end = time.monotonic() + 5
        while time.monotonic() < end:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.2)
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    return
            except queue.Empty:
                pass
        raise KernelDied("the kernel ignored the interrupt after the time limit, so it was stopped")

    def _death_reason(self) -> str:
        code = None
        provisioner = getattr(self.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        if process is not None:
            code = process.poll()
        cpu = -signal.SIGXCPU if hasattr(signal, "SIGXCPU") else None
        if code in (cpu, 128 + signal.SIGXCPU):
            return f"the notebook used up its CPU-time limit of {self.limits.cpu_seconds} s"
        if code in (-signal.SIGXFSZ, 128 + signal.SIGXFSZ):
            return f"the notebook wrote a file past the file-size limit of {self.limits.file_size_mb} MB"
        if code in (-signal.SIGKILL, 137):
            return "the kernel was killed (out of memory?)"
        return f"the kernel stopped (exit status {code}): the notebook ended its own process or crashed it"


def output_size(output: dict) -> int:
    return len(json.dumps(output))


def run_subprocess_in_sandbox(args: list[str], root: Path = COURSE_ROOT, limits: Limits = Limits(),
                              timeout: float = 60) -> subprocess.CompletedProcess:
    """Run one command in a sandbox like a kernel's (used by tests and the start-up benchmark)."""
    scratch = Path(tempfile.mkdtemp(prefix="sm-sandbox-"))
    uid = FIRST_UID if os.geteuid() == 0 else None
    if uid is not None:
        os.chown(scratch, uid, uid)
    try:
        return subprocess.run(sandbox_command(scratch, Path(root), limits, uid) + args, capture_output=True,
                              text=True, timeout=timeout)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
