"""A student's notebook runs in a throwaway sandbox; the grader talks to its kernel with data only.

Each submission gets a scratch folder holding only its notebook, and a Jupyter kernel started under bubblewrap:

- an unprivileged user (the grader, when root, switches to a user id of its own per job with ``setpriv``; otherwise
  bubblewrap's user namespace maps the kernel to the grader's user), no capabilities, no new privileges;
- an empty file system holding, read-only, only the system's folders (``/usr``, ``/etc`` ...), the Python
  environment, and of the course the check kit, the week packages, the kernel runtime of ``autograder/`` (never ``autograder/reference``) and
  ``data/``: no course directory, no other checkout, no home folder, no other student's scratch folder; the
  scratch folder is the only writable place;
- no network, its own PID, IPC and UTS namespaces, its own session; it dies with the grader, and when its first
  process ends every process it started ends with it;
- a limit on the memory of all its processes together (a memory cgroup of its own, see :class:`MemoryCgroup`;
  where this machine gives the grader none, on the address space of each process instead), limits on CPU time,
  processes, file size (``prlimit``), and on output size and wall time per notebook (the grader), each reported by
  name when hit.

The kernel is reached through Unix sockets in the scratch folder (there is no network in the sandbox); its
connection file lies in a folder of the grader's that the sandbox sees read-only, so that nothing the grader writes
goes through a link the notebook made.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import queue
import re
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

from checks.paths import COURSE_ROOT

INSTALL_HINT = ("bubblewrap is not installed: grading runs student code in a bubblewrap sandbox. Install it with "
                "`sudo apt-get install bubblewrap` (Debian/Ubuntu) or `sudo dnf install bubblewrap` (Fedora); "
                "only for a trusted class, `--unsafe-no-sandbox` grades without it.")
#: Where the sandbox's user ids start when the grader runs as root (one per parallel job, so that the process
#: limit of one submission never counts another's).
FIRST_UID = 61000


@dataclass(frozen=True)
class Limits:
    """What one submission may use. The defaults fit every solution notebook of the course with room to spare
    (benchmarks/sandbox_memory.py measures the memory: at most about 1.1 GB, and 4.4 GB of address space)."""
    memory_mb: int = 2048        # memory of the notebook's processes together (a memory cgroup)
    address_space_mb: int = 8192  # only where no memory cgroup can be made: address space of each process
    #                               (TensorFlow reserves far more than it touches: this is no measure of memory)
    cpu_seconds: int = 900       # CPU time of the kernel, all threads, the whole notebook
    processes: int = 512         # processes and threads of the sandbox's user
    file_size_mb: int = 256      # largest file the notebook may write
    output_kb: int = 16384       # all the notebook's outputs together (audio players hold their sound: ~0.6 MB per 10 s)
    wall_seconds: int = 600      # the whole notebook
    cell_seconds: int = 120      # one cell (nbgrader_config.py's Execute.timeout when read from there)
    threads: int = 2             # threads of the kernel's math libraries (numpy, TensorFlow): cores / jobs at once
    scratch_mb: int = 512        # the scratch folder: a file system of this size (when grading as root)
    tmp_mb: int = 64             # each of the sandbox's /tmp, /var/tmp and /run (in memory)
    grader_memory_mb: int = 512  # growth of the grader's own process while it works on one test cell (decoding the
    #                              notebook's answers, stand-ins, checks; autograder.remote)


SLOTS = 4096
# Where the sandboxes' scratch folders are made (default: the system's temporary folder). A grading that sets it
# can tell its own sandboxes' processes from another grading's on the same machine (their folders, their HOME).
SCRATCH_ENV = "SEQUENCE_MODELS_SCRATCH"


def _scratch_folder(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix, dir=os.environ.get(SCRATCH_ENV) or None))


def _mount_sized(folder: Path, megabytes: int, uid: int) -> bool:
    """Make ``folder`` a file system of ``megabytes`` owned by ``uid`` (an in-memory tmpfs; only root may mount):
    a notebook that fills it gets "No space left on device" instead of filling the machine's disk. False when it
    cannot be mounted here; the folder then stays an ordinary one."""
    options = f"size={megabytes}m,mode=0700,uid={uid},gid={uid},nosuid,nodev"
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


@functools.cache
def _bwrap_sizes_tmpfs() -> bool:
    """Whether this bubblewrap can bound a tmpfs (``--size``, bubblewrap 0.8)."""
    try:
        return "--size" in subprocess.run(["bwrap", "--help"], capture_output=True, text=True).stdout
    except OSError:
        return False


def _slot_lock(folder: Path, slot: int):
    """The lock file of ``slot``, held (an open file), or None when another grading holds it."""
    handle = open(folder / f"{slot}.lock", "a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return handle
    except OSError:
        handle.close()
        return None


def _sweep_orphans(folder: Path) -> None:
    """Kill what runs as the sandbox user of a slot nobody holds: the kernel of a grader that died (a worker killed
    at the instant its sandbox started may leave one behind), where sandboxes get user ids of their own; and remove
    the memory cgroups such a grader left."""
    _sweep_cgroups(folder)
    if os.geteuid() != 0:
        return
    by_uid: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                uid = entry.stat().st_uid
            except OSError:
                continue
            if FIRST_UID <= uid < FIRST_UID + SLOTS:
                by_uid.setdefault(uid, []).append(int(entry.name))
    for uid, pids in by_uid.items():
        held = _slot_lock(folder, uid - FIRST_UID)
        if held is None:
            continue  # a grading holds that slot: its kernel
        try:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        finally:
            held.close()
    for mountpoint, uid in _scratch_mounts():  # and the scratch file systems such a grader left mounted
        held = _slot_lock(folder, uid - FIRST_UID)
        if held is not None:
            try:
                subprocess.run(["umount", "--lazy", mountpoint], capture_output=True)
                shutil.rmtree(mountpoint, ignore_errors=True)
            finally:
                held.close()


def _lines(path: str) -> list[str]:
    """The lines of a file of the kernel's (``/proc``), none where it cannot be read."""
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def _scratch_mounts() -> list[tuple[str, int]]:
    """(mount point, sandbox user id) of every scratch file system mounted by a grading (see _mount_sized)."""
    found = []
    for line in _lines("/proc/mounts"):
        fields = line.split()
        if len(fields) < 4 or fields[2] != "tmpfs" or not Path(fields[1]).name.startswith("sm-grade-"):
            continue
        uid = next((int(o[4:]) for o in fields[3].split(",") if o.startswith("uid=") and o[4:].isdigit()), None)
        if uid is not None and FIRST_UID <= uid < FIRST_UID + SLOTS:
            found.append((fields[1], uid))
    return found


# A cgroup under which the sandboxes' memory cgroups are made, chosen by the instructor (see _cgroup_parents); it
# must be a cgroup this grader may create cgroups in and move its kernels into.
CGROUP_ENV = "SEQUENCE_MODELS_CGROUP"
#: The folder a grader running as root makes at the top of the memory hierarchy when its own cgroup cannot be used.
CGROUP_FOLDER = "sequence-models"


def _cgroup_mounts() -> dict[int, tuple[str, Path]]:
    """The cgroup hierarchy that holds the memory controller, by version (2: the unified one; 1: a ``memory``
    hierarchy): (the root of the mount within its hierarchy, the mount point)."""
    found: dict[int, tuple[str, Path]] = {}
    for line in _lines("/proc/self/mountinfo"):
        fields = line.split()
        if " - " not in line or len(fields) < 5:
            continue
        fstype, _, options = line.split(" - ", 1)[1].split()[:3]
        if fstype == "cgroup2":
            found.setdefault(2, (fields[3], Path(fields[4])))
        elif fstype == "cgroup" and "memory" in options.split(","):
            found.setdefault(1, (fields[3], Path(fields[4])))
    return found


def _own_cgroup(version: int) -> str | None:
    """This process's cgroup in the hierarchy of ``version`` (a path from that hierarchy's root)."""
    for line in _lines("/proc/self/cgroup"):
        number, controllers, path = line.split(":", 2)
        if version == 2 and number == "0" and not controllers:
            return path
        if version == 1 and "memory" in controllers.split(","):
            return path
    return None


def _cgroup_version(folder: Path) -> int | None:
    """2 or 1 where ``folder`` is a cgroup whose memory can be limited, else None."""
    if (folder / "cgroup.controllers").is_file():
        try:
            return 2 if "memory" in (folder / "cgroup.controllers").read_text().split() else None
        except OSError:
            return None
    return 1 if (folder / "memory.limit_in_bytes").is_file() else None


def _memory_for_children(folder: Path, version: int) -> bool:
    """Whether cgroups made in ``folder`` can be given a memory limit by this process: on cgroup v2, the memory
    controller is handed down to them (``cgroup.subtree_control``; the kernel refuses that to a cgroup holding
    processes, the grader's own one usually); on cgroup v1, the folder is writable."""
    if version == 1:
        return os.access(folder, os.W_OK)
    control = folder / "cgroup.subtree_control"
    try:
        if "memory" in control.read_text().split():
            return True
        control.write_text("+memory")
        return True
    except OSError:
        return False


def _cgroup_parents(make: bool = True) -> list[tuple[Path, int]]:
    """Where this grader can make memory cgroups, with the cgroup version: the cgroup named by SEQUENCE_MODELS_CGROUP
    when it is set, alone; otherwise the grader's own cgroup (the sandboxes' memory then also counts in whatever
    limit the grader itself runs under), or, for a grader running as root whose own cgroup cannot hold them (on
    cgroup v2, one that holds processes), the folder ``sequence-models`` at the top of the hierarchy, made when
    ``make`` and there is no other. Empty where none can be used: not root and nothing delegated to this user."""
    chosen = os.environ.get(CGROUP_ENV)
    if chosen:
        folder = Path(chosen)
        if make:
            with contextlib.suppress(OSError):
                folder.mkdir(exist_ok=True)
        version = _cgroup_version(folder)
        return [(folder, version)] if version and _memory_for_children(folder, version) else []
    parents = []
    for version, (mount_root, mount) in sorted(_cgroup_mounts().items(), reverse=True):
        if _cgroup_version(mount) != version:
            continue  # the memory controller is in the other hierarchy
        own = _own_cgroup(version)
        if own is not None and (own + "/").startswith(mount_root.rstrip("/") + "/"):
            folder = mount / own[len(mount_root.rstrip("/")):].lstrip("/")
            if _memory_for_children(folder, version):
                parents.append((folder, version))
        top = mount / CGROUP_FOLDER
        if os.geteuid() == 0 and (top.is_dir() or (make and not parents and _memory_for_children(mount, version))):
            with contextlib.suppress(OSError):
                top.mkdir(exist_ok=True)
            if _cgroup_version(top) == version and _memory_for_children(top, version):
                parents.append((top, version))
    return parents


def _write(path: Path, value) -> None:
    path.write_text(str(value))


class MemoryCgroup:
    """The memory cgroup of one sandbox: its kernel and every process the kernel starts, limited together to
    ``Limits.memory_mb`` without swap. When they pass it, the kernel's out-of-memory killer stops one of them (all of
    them at once on cgroup v2, ``memory.oom.group``), the grader sees the kill in the cgroup's counter, stops the
    rest and names the memory limit in the report. Named after its sandbox's scratch folder, grading slot and the
    grading process, so that two gradings never share one, and removed when its sandbox ends; the next grading on
    the machine removes those of a grader that was killed (see :func:`_sweep_cgroups`)."""

    def __init__(self, path: Path, version: int):
        self.path, self.version = Path(path), version

    @classmethod
    def make(cls, name: str, limit_mb: int) -> MemoryCgroup | None:
        """A new cgroup ``name`` limited to ``limit_mb``, in the first place that can hold one; None where this
        machine gives the grader none (the caller falls back to a per-process address-space limit)."""
        for parent, version in _cgroup_parents():
            try:
                (parent / name).mkdir()
            except OSError:
                continue
            group = cls(parent / name, version)
            try:
                group._limit(limit_mb * 2 ** 20)
                return group
            except OSError:
                group.remove()
        return None

    def _limit(self, limit: int) -> None:
        """Limit the cgroup to ``limit`` bytes, without swap; on cgroup v2 its processes are killed together.
        (Swap accounting and group kills are missing from some kernels: the limit alone holds then.)"""
        if self.version == 2:
            _write(self.path / "memory.max", limit)
            optional = {"memory.swap.max": 0, "memory.oom.group": 1}
        else:
            _write(self.path / "memory.limit_in_bytes", limit)  # first: memory and swap may not be below it
            optional = {"memory.memsw.limit_in_bytes": limit, "memory.swappiness": 0}
        for name, value in optional.items():
            with contextlib.suppress(OSError):
                _write(self.path / name, value)

    def enter_command(self) -> list[str]:
        """A command prefix that moves itself into this cgroup before it runs the rest: whatever the rest starts is
        in the cgroup from its first instruction on."""
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self.path / "cgroup.procs")]

    def _counter(self, filename: str, key: str) -> int:
        try:
            for line in (self.path / filename).read_text().splitlines():
                name, _, value = line.partition(" ")
                if name == key:
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def oom_kills(self) -> int:
        """How many of its processes the out-of-memory killer has stopped since the cgroup was made."""
        return self._counter(*(("memory.events", "oom_kill") if self.version == 2 else
                               ("memory.oom_control", "oom_kill")))

    def peak_bytes(self) -> int | None:
        """The most memory its processes used together at once (page cache included), where the kernel counts it."""
        try:
            return int((self.path / ("memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"))
                       .read_text())
        except (OSError, ValueError):
            return None

    def pids(self) -> list[int]:
        try:
            return [int(pid) for pid in (self.path / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return []

    def kill(self) -> None:
        """Stop every process in the cgroup."""
        if self.version == 2 and (self.path / "cgroup.kill").exists():
            with contextlib.suppress(OSError):
                _write(self.path / "cgroup.kill", 1)
                return
        for pid in self.pids():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def remove(self, wait: float = 5) -> None:
        """Stop what is left in the cgroup and remove it (the kernel removes a cgroup only once its processes are
        gone: this waits up to ``wait`` seconds for that; one still busy then is left to the next grading's sweep)."""
        deadline = time.monotonic() + wait
        while True:
            self.kill()
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.02)


def _cgroup_name(scratch: Path, slot: int) -> str:
    return f"{scratch.name}.slot{slot}.pid{os.getpid()}"


def _sweep_cgroups(folder: Path) -> None:
    """Remove the memory cgroups left by a grader that died: the process named in a cgroup's name is gone and its
    slot is held by nobody (a kernel's processes die with their grader; any still there are stopped first)."""
    for parent, version in _cgroup_parents(make=False):
        try:
            children = [child for child in parent.iterdir() if child.is_dir()]
        except OSError:
            continue
        for child in children:
            match = re.fullmatch(r"sm-[a-z]+-.*\.slot(\d+)\.pid(\d+)", child.name)
            if match is None or Path(f"/proc/{match.group(2)}").exists():
                continue
            held = _slot_lock(folder, int(match.group(1)))
            if held is None:
                continue  # a grading holds that slot
            try:
                MemoryCgroup(child, version).remove(wait=1)
            finally:
                held.close()


@contextlib.contextmanager
def sandbox_slot():
    """A slot number no other grading on this machine holds until the block ends (its sandbox's user id, when the
    grader is root): a file lock per slot, so it holds across worker processes, pools and clusters, and is let go
    when its holder ends, however it ends. Kernels left running as the user of a free slot are stopped first."""
    folder = Path(tempfile.gettempdir()) / "sequence-models-slots"
    folder.mkdir(mode=0o700, exist_ok=True)
    _sweep_orphans(folder)
    for slot in range(SLOTS):
        handle = _slot_lock(folder, slot)
        if handle is None:
            continue
        try:
            yield slot
        finally:
            handle.close()
        return
    raise RuntimeError(f"no free grading slot on this machine ({SLOTS} held in {folder})")


def bwrap_available() -> bool:
    return shutil.which("bwrap") is not None


class LimitHit(RuntimeError):
    """A sandbox limit stopped the notebook; ``str(exc)`` says which, for the instructor."""


class KernelDied(RuntimeError):
    pass


class CellTimeout(RuntimeError):
    pass


def _course_dirs(root: Path) -> list[Path]:
    """The course folders of the grader: the graded course's, and the one the course's packages are imported from
    (they differ for a scratch course, or where the packages are installed)."""
    return list(dict.fromkeys(p.resolve() for p in (root, COURSE_ROOT)))


#: The system's folders a Python kernel needs (programs, shared libraries, their configuration), read-only.
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")


def _readonly_mounts(root: Path) -> list[Path]:
    """What the kernel may read of this machine's private places: the Python environment, and of the course only
    what a student has anyway (the week packages, the check helpers, the data), where the kernel imports them."""
    paths = [Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent]
    paths += [course / name for course in _course_dirs(root)
              for name in ("checks", "week1", "week2", "week3", "autograder", "data")]
    return [p for p in dict.fromkeys(p.resolve() for p in paths) if p.exists()]


def _depth(path: Path) -> int:
    return len(path.parts)


def sandbox_command(scratch: Path, root: Path, limits: Limits, uid: int | None,
                    readonly: tuple[Path, ...] = (), cgroup: MemoryCgroup | None = None) -> list[str]:
    """The command prefix that runs a program in the sandbox (see the module doc); ``readonly``: more folders
    the sandbox sees read-only (the kernel's connection file); ``cgroup``: the memory cgroup it runs in (without
    one, each process's address space is limited instead)."""
    root = root.resolve()
    # An empty root with only the system folders, read-only: no other checkout of the course, no home folder,
    # no other student's scratch folder is there to be read.
    cmd = [*(cgroup.enter_command() if cgroup else []), "bwrap"]
    for name in SYSTEM_FOLDERS:
        path = Path(name)
        if path.is_symlink():
            cmd += ["--symlink", os.readlink(path), name]  # merged /usr: /bin -> usr/bin
        elif path.is_dir():
            cmd += ["--ro-bind", name, name]
    cmd += ["--dev", "/dev", "--proc", "/proc"]
    for name in ("/tmp", "/var/tmp", "/run"):  # in memory: bounded where bubblewrap can bound them
        cmd += [*(["--size", str(limits.tmp_mb * 2 ** 20)] if _bwrap_sizes_tmpfs() else []), "--tmpfs", name]
    # The folders that lead to the mounts below, traversable (bubblewrap would make them private to root).
    mounts = sorted(_readonly_mounts(root), key=_depth)
    leading = {parent for path in [*mounts, *readonly] for parent in path.parents if str(parent) not in ("/", "/tmp")}
    for path in sorted(leading, key=_depth):
        if not any(str(path) == name or str(path).startswith(name + "/") for name in SYSTEM_FOLDERS):
            cmd += ["--perms", "0755", "--dir", str(path)]
    for path in mounts:
        cmd += ["--ro-bind", str(path), str(path)]
    for course in _course_dirs(root):
        reference = course / "autograder" / "reference"
        if reference.exists():
            cmd += ["--tmpfs", str(reference)]  # the instructor's reference stays with the grader
    for path in readonly:
        cmd += ["--ro-bind", str(path), str(path)]
    cmd += ["--bind", str(scratch), str(scratch), "--chdir", str(scratch),
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--clearenv",
            "--setenv", "HOME", str(scratch), "--setenv", "PATH", f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "--setenv", "MPLCONFIGDIR", str(scratch / ".matplotlib"), "--setenv", "PYTHONNOUSERSITE", "1",
            "--setenv", "TF_CPP_MIN_LOG_LEVEL", "2"]
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
        cmd += ["--setenv", name, str(limits.threads)]
    cmd += ["--setenv", "TF_NUM_INTEROP_THREADS", "1" if limits.threads == 1 else "2"]
    if uid is None:
        cmd += ["--unshare-user", "--uid", "65534", "--gid", "65534"]
    mb = 2 ** 20
    # With a memory cgroup, no address-space limit: it would stop honest work (TensorFlow reserves far more
    # address space than it ever touches) and the cgroup limits what is really used.
    cmd += ["prlimit", *([] if cgroup else [f"--as={limits.address_space_mb * mb}"]), f"--cpu={limits.cpu_seconds}",
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
        self.scratch = _scratch_folder("sm-grade-")
        self.private = _scratch_folder("sm-conn-")  # the grader's: the connection file
        if self.uid is not None:  # readable by the sandbox's group, by nobody else
            os.chown(self.private, -1, self.uid)
            os.chmod(self.private, 0o750)
        # The only place the sandbox's user may write: a file system of its own, of limits.scratch_mb, as root.
        self.sized = self.uid is not None and _mount_sized(self.scratch, limits.scratch_mb, self.uid)
        if self.uid is not None:
            os.chown(self.scratch, self.uid, self.uid)
        # The memory of all the kernel's processes together: a cgroup of its own (None: none on this machine).
        self.cgroup = MemoryCgroup.make(_cgroup_name(self.scratch, slot), limits.memory_mb) if sandbox else None
        self.oom_kills_at_start = 0  # the cgroup's out-of-memory kills when the running kernel started
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
                                   connection_file=str(self.private / "kernel.json"))
        km.prefix = sandbox_command(self.scratch, self.root, self.limits, self.uid, (self.private,),
                                    self.cgroup) if self.sandbox else []
        # A signal would reach bubblewrap, not the kernel inside: interrupt with a message the kernel obeys.
        km.kernel_spec.interrupt_mode = "message"
        km.write_connection_file()
        if self.uid is not None:  # the sandbox's user reads it (otherwise it is the grader's own user)
            os.chown(km.connection_file, -1, self.uid)
            os.chmod(km.connection_file, 0o640)
        if not self.sandbox:
            km.prefix = []
        if self.cgroup is not None:
            self.oom_kills_at_start = self.cgroup.oom_kills()
        km.start_kernel(cwd=str(self.scratch), env=dict(os.environ),  # the sandbox clears the environment
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
        except RuntimeError as exc:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
            raise KernelDied(f"the notebook's kernel did not start: {self._out_of_memory() or exc}") from exc
        self.km, self.kc = km, kc
        if self.started is None:  # the wall-time limit is the whole notebook's, restarts included
            self.started = time.monotonic()

    def _kill(self):
        """End the kernel and, with the sandbox's first process, everything it started."""
        if self.kc is not None:
            self.kc.stop_channels()
        if self.cgroup is not None:
            self.cgroup.kill()
        if self.km is not None:
            provisioner = getattr(self.km, "provisioner", None)
            process = getattr(provisioner, "process", None)
            if process is not None and process.poll() is None:  # still ours: not reaped, so its group is its own
                try:
                    os.killpg(process.pid, signal.SIGKILL)  # bubblewrap runs in a session of its own
                except (ProcessLookupError, PermissionError):
                    pass
            try:
                self.km.shutdown_kernel(now=True)  # (and reaps it)
            except Exception:  # noqa: BLE001 - already gone
                pass
        self.km = self.kc = None

    def stop(self):
        """End the kernel and everything it started; remove the scratch folder."""
        self._kill()
        if self.sized:
            subprocess.run(["umount", "--lazy", str(self.scratch)], capture_output=True)
            self.sized = False
        if self.cgroup is not None:
            self.cgroup.remove()
        shutil.rmtree(self.scratch, ignore_errors=True)
        shutil.rmtree(self.private, ignore_errors=True)

    def restart(self):
        """A fresh kernel (the old one and its processes end); the notebook's state is gone."""
        self._kill()
        self.start()

    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    @property
    def memory_limit(self) -> str:
        """The memory limit this kernel runs under, in words for the report."""
        if self.cgroup is not None:
            return (f"the sandbox's memory limit: the notebook's processes together may use "
                    f"{self.limits.memory_mb:,} MB")
        if self.sandbox:
            return (f"the sandbox's memory limit: each of the notebook's processes may reserve "
                    f"{self.limits.address_space_mb:,} MB of address space (this machine gives the grader no memory "
                    f"cgroup)")
        return "no memory limit: the notebook ran without the sandbox"

    def _out_of_memory(self) -> str | None:
        """Why the kernel must stop when the cgroup's out-of-memory killer stopped one of its processes since it
        started (a child alone, on cgroup v1, may leave the kernel waiting for it), else None."""
        if self.cgroup is None or self.cgroup.oom_kills() <= self.oom_kills_at_start:
            return None
        return (f"ran out of memory: the notebook's processes together passed its memory limit of "
                f"{self.limits.memory_mb:,} MB")

    def _check_memory(self):
        """Raise KernelDied, after stopping the kernel, if the notebook passed its memory limit."""
        reason = self._out_of_memory()
        if reason:
            self._kill()
            raise KernelDied(reason)

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
                wall = self.wall_left() <= 0
                limit = f"the notebook's wall-time limit of {self.limits.wall_seconds} s" if wall else \
                    f"the per-cell time limit of {timeout:.0f} s"
                self._interrupt(msg_id, limit)
                if wall:
                    raise LimitHit(f"the notebook ran past its wall-time limit of {self.limits.wall_seconds} s")
                raise CellTimeout(f"ran past {limit}")
            ready = dict(poller.poll(100))  # wakes at once for any message, at the latest after 0.1 s
            if not ready and not self.km.is_alive():
                raise KernelDied(self._death_reason())
            if not ready:
                self._check_memory()
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
        self._check_memory()
        return reply

    def _interrupt(self, msg_id: str, limit: str):
        """Interrupt the running cell ``msg_id``; a kernel that ignores it for 5 s is stopped (KernelDied): the
        grader starts a fresh one."""
        try:
            self.km.interrupt_kernel()
        except Exception:  # noqa: BLE001
            pass
        end = time.monotonic() + 5
        while time.monotonic() < end:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.2)
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle" \
                        and msg["parent_header"].get("msg_id") == msg_id:  # (the interrupt request has its own)
                    return
            except queue.Empty:
                pass
        self._kill()
        raise KernelDied(f"it ran past {limit} and ignored the interrupt (it blocks or ignores SIGINT / "
                         f"KeyboardInterrupt?), so its kernel was stopped")

    def _death_reason(self) -> str:
        reason = self._out_of_memory()
        if reason:
            return reason
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
            return "the kernel was killed (out of memory?)"  # by the machine, or with no cgroup to tell
        return f"the kernel stopped (exit status {code}): the notebook ended its own process or crashed it"


def output_size(output: dict) -> int:
    return len(json.dumps(output))


def run_subprocess_in_sandbox(args: list[str], root: Path = COURSE_ROOT, limits: Limits = Limits(),
                              timeout: float = 60) -> subprocess.CompletedProcess:
    """Run one command in a sandbox like a kernel's (used by tests and the start-up benchmark)."""
    scratch = _scratch_folder("sm-sandbox-")
    with sandbox_slot() as slot:
        uid = FIRST_UID + slot if os.geteuid() == 0 else None
        if uid is not None:
            os.chown(scratch, uid, uid)
        cgroup = MemoryCgroup.make(_cgroup_name(scratch, slot), limits.memory_mb)
        try:
            return subprocess.run(sandbox_command(scratch, Path(root), limits, uid, cgroup=cgroup) + args,
                                  capture_output=True, text=True, timeout=timeout)
        finally:
            if cgroup is not None:
                cgroup.remove()
            shutil.rmtree(scratch, ignore_errors=True)
