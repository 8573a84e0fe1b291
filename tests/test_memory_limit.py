"""The memory limit of a sandbox: all the processes of a notebook's kernel together, in a memory cgroup.

Kernels are started directly (no grading), under small limits where a limit must be passed, so that each case
takes a second or two; one case imports TensorFlow under the default limits. The cgroup cases are skipped where
this machine gives the grader no memory cgroup (not root and nothing delegated); the address-space limit that
replaces the cgroup there is tested everywhere bubblewrap is.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from unittest import mock

import pytest

from autograder import sandbox
from autograder.sandbox import (CGROUP_ENV, KernelDied, Limits, MemoryCgroup, SandboxKernel, bwrap_available,
                                run_subprocess_in_sandbox, sandbox_slot)

NEEDS_BWRAP = pytest.mark.skipif(not bwrap_available(), reason="bubblewrap is not installed")
NEEDS_CGROUP = pytest.mark.skipif(
    not sandbox._cgroup_parents(),
    reason="no memory cgroup can be made here: grading as root, or a cgroup delegated to this user "
           "(SEQUENCE_MODELS_CGROUP), is needed")

TOUCH = "b = bytearray({mb} * 2**20)\nfor i in range(0, len(b), 4096):\n    b[i] = 1\n"
# A reservation of 16 GB of address space that is never touched (as TensorFlow makes): no memory is used.
RESERVE_16G = ("import mmap\nreserved = mmap.mmap(-1, 16 * 2**30, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, "
               "prot=mmap.PROT_READ)\n")


@contextlib.contextmanager
def cgroup_parent():
    """Sandboxes made in this block (in this process or its children) put their memory cgroups in a cgroup of the
    block's own, which it yields (None where there is no memory cgroup: nothing changes then). On leaving, the
    cgroups still in it are removed and their names are listed in the yielded object's ``left`` (a list)."""
    parents = sandbox._cgroup_parents()
    if not parents:
        yield None
        return
    base, version = parents[0]
    folder = MemoryCgroup(base / f"sm-tests-{uuid.uuid4().hex[:10]}", version)
    folder.path.mkdir()
    folder.left = []
    try:
        with mock.patch.dict(os.environ, {CGROUP_ENV: str(folder.path)}):
            yield folder
    finally:
        for child in (c for c in folder.path.iterdir() if c.is_dir()):
            folder.left.append(child.name)
            MemoryCgroup(child, version).remove()
        folder.remove()


@pytest.fixture(scope="module")
def slot():
    """A grading slot held by this module's kernels, so that no grading beside them takes theirs for a dead one's."""
    with cgroup_parent(), sandbox_slot() as held:
        yield held


@contextlib.contextmanager
def kernel(limits: Limits, slot: int):
    """A started sandbox kernel under ``limits``; on leaving it is stopped and its cgroup must be gone."""
    k = SandboxKernel(limits=limits, slot=slot)
    try:
        k.start()
        yield k
    finally:
        k.stop()
    assert k.cgroup is None or not k.cgroup.path.exists(), k.cgroup.path


def _printed(k: SandboxKernel, code: str, timeout: float = 60) -> str:
    out = []
    reply = k.run(code, timeout, out.append)
    assert reply["status"] == "ok", reply
    return "".join(m["content"]["text"] for m in out if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")


@NEEDS_BWRAP
@NEEDS_CGROUP
def test_one_process_past_the_limit_is_stopped_and_named(slot):
    with kernel(Limits(memory_mb=400), slot) as k:
        assert k.cgroup is not None
        assert k.memory_limit == "the sandbox's memory limit: the notebook's processes together may use 400 MB"
        with pytest.raises(KernelDied) as died:
            k.run(TOUCH.format(mb=800), 60)
        assert str(died.value) == ("ran out of memory: the notebook's processes together passed its memory limit "
                                   "of 400 MB")
        assert not k.alive()
        k.restart()  # a fresh kernel in the same cgroup runs, and is not blamed for the earlier kill
        assert _printed(k, "print(6 * 7)") == "42\n"


@NEEDS_BWRAP
@NEEDS_CGROUP
def test_processes_each_under_the_limit_together_over_it_are_stopped(slot):
    """Four children of 150 MB each: one alone fits in 400 MB beside the kernel, the four at once do not."""
    child = TOUCH.format(mb=150) + "import sys, time\ntime.sleep(float(sys.argv[1]))\n"
    start = (f"import subprocess, sys\ndef child(wait):\n"
             f"    return subprocess.Popen([sys.executable, '-c', {child!r}, str(wait)])\n")
    with kernel(Limits(memory_mb=400), slot) as k:
        assert _printed(k, start + "print(child(0).wait())") == "0\n"
        with pytest.raises(KernelDied, match="processes together passed its memory limit of 400 MB"):
            k.run("children = [child(30) for _ in range(4)]\nprint([c.wait() for c in children])", 60)


@NEEDS_BWRAP
@NEEDS_CGROUP
def test_reserved_address_space_and_honest_tensorflow_work_are_not_stopped(slot):
    """Under the default limits: Emojify's embedding matrix in float64 in a frozen Keras layer, with TensorFlow
    loaded, and 16 GB of address space reserved but never touched."""
    code = RESERVE_16G + """
import numpy as np, tensorflow as tf
matrix = np.ones((400_001, 50))
layer = tf.keras.layers.Embedding(400_001, 50, trainable=False)
layer.build((None,))
layer.set_weights([matrix])
print(len(reserved) // 2**30, matrix.dtype, float(tf.reduce_sum(layer(np.array([[1, 400_000]])))))
"""
    with kernel(Limits(), slot) as k:
        assert _printed(k, code, 120).endswith("16 float64 100.0\n")
        assert k.alive()
        peak = k.cgroup.peak_bytes()
        assert peak is None or peak < Limits().memory_mb * 2 ** 20


@NEEDS_BWRAP
def test_without_a_cgroup_each_process_address_space_is_limited(tmp_path, monkeypatch):
    """Where no memory cgroup can be made (here: SEQUENCE_MODELS_CGROUP names a folder that is not one), the
    sandbox limits each process's address space instead: the same 16 GB reservation is refused."""
    monkeypatch.setenv(CGROUP_ENV, str(tmp_path))
    assert MemoryCgroup.make("sm-grade-none.slot0.pid1", 400) is None
    refused = run_subprocess_in_sandbox([sys.executable, "-c", RESERVE_16G], limits=Limits(address_space_mb=4096))
    assert refused.returncode != 0 and "Cannot allocate memory" in refused.stderr, refused.stderr
    k = SandboxKernel(limits=Limits(address_space_mb=4096))
    try:
        assert k.cgroup is None and "may reserve 4,096 MB of address space" in k.memory_limit
    finally:
        k.stop()


@NEEDS_BWRAP
@NEEDS_CGROUP
def test_with_a_cgroup_the_address_space_is_not_limited():
    """The same reservation, in a sandbox with a cgroup (the grader's default place for it), under the same
    address-space setting: it is not refused, for no address-space limit applies."""
    reserved = run_subprocess_in_sandbox([sys.executable, "-c", RESERVE_16G + "print(len(reserved) // 2**30)"],
                                         limits=Limits(address_space_mb=4096))
    assert reserved.returncode == 0 and reserved.stdout == "16\n", reserved.stderr


@NEEDS_CGROUP
def test_a_dead_graders_cgroup_is_removed_by_the_next_grading():
    """A cgroup named for a grading process that is gone and a slot nobody holds is a killed grader's: the next
    grading on the machine stops what runs in it and removes it. One whose grader lives is left alone."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    with cgroup_parent() as parent:
        dead = MemoryCgroup.make(f"sm-grade-test.slot{sandbox.SLOTS - 1}.pid{gone.pid}", 64)
        alive = MemoryCgroup.make(f"sm-grade-test.slot{sandbox.SLOTS - 1}.pid{os.getpid()}", 64)
        left_running = subprocess.Popen(dead.enter_command() + ["sleep", "60"])
        try:
            for _ in range(500):  # until the process is in it
                if dead.pids():
                    break
                time.sleep(0.01)
            assert dead.pids() == [left_running.pid]
            with sandbox_slot():
                pass
            assert left_running.wait(5) == -9
            assert not dead.path.exists() and alive.path.exists()
        finally:
            left_running.kill()
            alive.remove()
    assert parent.left == []


def test_a_cgroup_v2_gets_its_limit_without_swap_and_is_killed_as_one(tmp_path, monkeypatch):
    """On cgroup v2 (files of a cgroup file system, here in an ordinary folder): the memory controller is handed
    down to the grader's cgroups, each gets memory.max, no swap and group kills, and its counters are read from
    memory.events and memory.peak."""
    (tmp_path / "cgroup.controllers").write_text("cpu io memory pids\n")
    (tmp_path / "cgroup.subtree_control").write_text("cpu\n")
    monkeypatch.setenv(CGROUP_ENV, str(tmp_path))
    group = MemoryCgroup.make("sm-grade-x.slot3.pid1", 300)
    assert (group.path, group.version) == (tmp_path / "sm-grade-x.slot3.pid1", 2)
    assert (tmp_path / "cgroup.subtree_control").read_text() == "+memory"
    assert {f: (group.path / f).read_text() for f in ("memory.max", "memory.swap.max", "memory.oom.group")} == \
        {"memory.max": str(300 * 2 ** 20), "memory.swap.max": "0", "memory.oom.group": "1"}
    (group.path / "memory.events").write_text("low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 1\n")
    (group.path / "memory.peak").write_text("314572800\n")
    assert (group.oom_kills(), group.peak_bytes()) == (2, 300 * 2 ** 20)
    (group.path / "cgroup.kill").write_text("")
    group.kill()
    assert (group.path / "cgroup.kill").read_text() == "1"
    assert group.enter_command()[-1] == str(group.path / "cgroup.procs")
