"""Attacks on autograding: submissions that try to cheat, to read or write what they must not, to exhaust the grader,
or that are malformed; and an interrupted grading run.

Grading is slow, so most cases share one autograde run of one scratch course (``attacked``): every attack is the
untouched release notebook plus one code cell (it has no solution, so it must score exactly 0), graded in parallel
with honest students whose scores must be exactly what they are when graded without the attackers. The endless
loops run in a second, small run of the same course with short time limits.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from autograder import grading
from autograder.sandbox import Limits, _scratch_mounts, bwrap_available
from course import ROOT, nbgrader_meta, own_sandboxes, sandbox_processes, scratch_course
from test_memory_limit import cgroup_parent

AID = "w1a1_rnn_step_by_step"
NB = "rnn_step_by_step.ipynb"
GRADED = ["rnn_cell_forward", "rnn_forward", "lstm_cell_forward", "lstm_forward", "gru_cell_forward", "gru_forward",
          "bidirectional_rnn_forward", "deep_rnn_forward", "rnn_cell_backward", "rnn_backward", "lstm_cell_backward",
          "lstm_backward"]
TAG = f"sm_attack_{uuid.uuid4().hex[:10]}"  # the name of every file an attack tries to leave behind


# Appended to rnn_backward's solution cell: rnn_backward is wrong (a leaf: nothing else calls it).
WRONG_RNN_BACKWARD = """
_correct_rnn_backward = rnn_backward
def rnn_backward(da, caches):
    gradients = _correct_rnn_backward(da, caches)
    gradients["dba"] = 2 * gradients["dba"]  # a wrong factor
    return gradients
"""

# An attack that defines graded functions keeps them: every later cell holding the release's stub is dropped.
KEEP_DEFINITIONS = """
get_ipython().input_transformers_post.append(
    lambda lines: [] if any("NotImplementedError" in line for line in lines) else lines)
"""


def escape_targets(course: Path) -> list[Path]:
    """Places outside the scratch folder where an attack tries to create a file."""
    places = [Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path.home(), Path("/root"), Path("/work"), course,
              course / "submitted", course / "source", ROOT, ROOT / "week1", ROOT / "autograder"]
    return [p / TAG for p in dict.fromkeys(places)]


def attacks(course: Path) -> dict:
    """Student -> (where the cell goes: "setup" (right after the setup cell) or "first", the cell's code)."""
    consts = (f"COURSE = {str(course)!r}\nREPO = {str(ROOT)!r}\nTAG = {TAG!r}\nAID = {AID!r}\n"
              f"TARGETS = {[str(p) for p in escape_targets(course)]!r}\n"
              f"DBS = {[str(course / 'gradebook.db'), 'gradebook.db', '../gradebook.db']!r}\n")
    write_everywhere = """
for _path in TARGETS:
    try:
        with open(_path, "w") as _f:
            _f.write("escaped")
        print("WROTE", _path)
    except Exception as _exc:
        print("could not write", _path, type(_exc).__name__)
"""
    loop_functions = "".join(f"def {f}(*args, **kwargs):\n    while True:\n        pass\n\n" for f in GRADED)
    a = {}
    # -------------------------------------------------------------- 1. tampering in the kernel
    a["rebind_checks"] = ("setup", """
_pass = lambda *args, **kwargs: None
for _name in [n for n in globals() if n.startswith("check_")]:
    globals()[_name] = _pass
""")
    a["patch_check_internals"] = ("setup", """
import week1.rnn_checks as _rc
import checks.assertions as _ac
import checks.fixtures as _fx
_nothing = lambda *args, **kwargs: None
_rc._check_cell = _nothing
_rc._check_unrolled = _nothing
_rc.FIXTURES.case = lambda *args, **kwargs: {"expected": {}, "mistakes": {}}
_fx.Fixtures.case = _rc.FIXTURES.case
_ac.check_close = _nothing
_rc.check_close = _nothing
_ac.check_gradient = _nothing
_ac.CheckFailed = type("CheckFailed", (Exception,), {})
for _name in dir(_rc):
    if _name.startswith("check_"):
        setattr(_rc, _name, _nothing)
""")
    a["patch_allclose"] = ("setup", """
import numpy as np
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
""")
    a["input_transformer"] = ("first", """get_ipython().input_transformers_post.append(lambda lines: ["pass\\n"])""")
    a["ast_transformer"] = ("setup", """
import ast

class _SwallowEverything(ast.NodeTransformer):
    def visit_Module(self, node):
        handler = ast.ExceptHandler(type=ast.Name("BaseException", ast.Load()), name=None, body=[ast.Pass()])
        node.body = [ast.Try(body=node.body or [ast.Pass()], handlers=[handler], orelse=[], finalbody=[])]
        return ast.fix_missing_locations(node)

get_ipython().ast_transformers.append(_SwallowEverything())
""")
    a["week1_beside_notebook"] = ("setup", """
import importlib, os, sys
sys.path.insert(0, os.getcwd())  # the folder beside the notebook, where the fake week1/ was submitted
for _name in [m for m in sys.modules if m == "week1" or m.startswith("week1.")]:
    del sys.modules[_name]
importlib.invalidate_caches()
from week1.rnn_checks import *
import week1.rnn_checks
print("checks from", week1.rnn_checks.__file__)
""")
    a["week1_written_at_run_time"] = ("setup", consts + """
import importlib, os, sys
import week1
_real = os.path.dirname(week1.__file__)
os.makedirs("week1", exist_ok=True)
with open("week1/__init__.py", "w") as _f:
    _f.write(f"__path__.append({_real!r})\\n")
with open("week1/rnn_checks.py", "w") as _f:
    _f.write("".join(f"def check_{name}(*args, **kwargs):\\n    print('all checks passed')\\n\\n"
                     for name in %r))
for _name in [m for m in sys.modules if m == "week1" or m.startswith("week1.")]:
    del sys.modules[_name]
sys.path.insert(0, os.getcwd())
importlib.invalidate_caches()
from week1.rnn_checks import *
import week1.rnn_checks
print("checks now from", week1.rnn_checks.__file__)
""" % (GRADED,))
    # -------------------------------------------------------------- 2. reading what the grader reads
    a["find_source"] = ("setup", consts + KEEP_DEFINITIONS + """
import glob, json, os, time
_found, _start = [], time.time()
_d = os.getcwd()
while True:  # walk up from the working directory
    _found += glob.glob(os.path.join(_d, "source", "w1a1*"))
    if _d == os.path.dirname(_d):
        break
    _d = os.path.dirname(_d)
for _base in (COURSE, REPO, "/work/main"):
    _found += glob.glob(os.path.join(_base, "source", "w1a1*"))
for _depth in range(6):  # /**/source/w1a1*, as deep as a course folder usually is
    _found += glob.glob("/" + "*/" * _depth + "source/w1a1*")
for _dir, _subdirs, _files in os.walk("/"):  # and deeper, for a few seconds (the whole disk takes minutes)
    if _dir in ("/proc", "/sys", "/dev") or time.time() - _start > 5:
        _subdirs[:] = []
        continue
    if os.path.basename(_dir) == "source":
        _found += [os.path.join(_dir, s) for s in _subdirs if s.startswith("w1a1")]
print("found:", sorted(set(_found)))
for _folder in set(_found):
    for _path in glob.glob(os.path.join(_folder, "*.ipynb")):
        try:
            for _cell in json.load(open(_path))["cells"]:
                if _cell["cell_type"] == "code":
                    try:
                        exec("".join(_cell["source"]), globals())
                    except Exception:
                        pass
        except Exception as _exc:
            print("could not read", _path, _exc)
for _attempt in ("from checks.fixtures import reference; globals().update(reference(AID).GRADED)",
                 "import autograder.reference.w1a1_rnn_step_by_step as _r; globals().update(_r.GRADED)",
                 "exec(open(REPO + '/autograder/reference/w1a1_rnn_step_by_step.py').read(), globals())",
                 "exec(open(COURSE + '/autograder/reference/w1a1_rnn_step_by_step.py').read(), globals())"):
    try:
        exec(_attempt)
        print("REFERENCE FOUND by", _attempt)
    except Exception as _exc:
        print("no reference:", type(_exc).__name__)
""")
    a["read_gradebook"] = ("setup", consts + """
import sqlite3, os
for _db in DBS + [REPO + "/gradebook.db"]:
    if not os.path.exists(_db):
        print("no gradebook at", _db)
        continue
    try:
        _c = sqlite3.connect(f"file:{_db}?mode=ro", uri=True)
        for (_source,) in _c.execute("SELECT source FROM source_cell"):
            print(_source)
    except Exception as _exc:
        print("could not read", _db, _exc)
""")
    a["stand_in_harvest"] = ("setup", KEEP_DEFINITIONS + """
# While one graded function is tested, ask the grader's reference of another graded function for the answer.
def rnn_cell_forward(xt, a_prev, parameters):
    a, y, caches = rnn_forward(xt[:, :, None], a_prev, parameters)
    return a[:, :, 0], y[:, :, 0], caches[0][0]

def gru_cell_forward(xt, a_prev, parameters):
    a, y, caches = gru_forward(xt[:, :, None], a_prev, parameters)
    return a[:, :, 0], y[:, :, 0], caches[0][0]

def rnn_cell_backward(da_next, cache):
    g = rnn_backward(da_next[:, :, None], ([cache], cache[2][:, :, None]))
    return {"dxt": g["dx"][:, :, 0], "da_prev": g["da0"], "dWax": g["dWax"], "dWaa": g["dWaa"], "dba": g["dba"]}
""")
    # -------------------------------------------------------------- 3. writing what the grader writes
    a["sql_scores"] = ("setup", consts + """
import sqlite3
for _db in DBS:
    try:
        _c = sqlite3.connect(_db, timeout=1)
        _c.execute("UPDATE grade SET auto_score = 0")
        _c.execute("UPDATE grade SET auto_score = (SELECT max_score FROM grade_cells WHERE grade_cells.id = grade.cell_id)"
                   " WHERE notebook_id IN (SELECT n.id FROM submitted_notebook n JOIN submitted_assignment s"
                   " ON n.assignment_id = s.id WHERE s.student_id = 'sql_scores')")
        _c.commit()
        print("WROTE", _db)
    except Exception as _exc:
        print("could not write", _db, type(_exc).__name__, _exc)
""")
    a["detached_sql"] = ("setup", consts + """
import subprocess, sys
with open("later.py", "w") as _f:
    _f.write(f'''
import sqlite3, time
time.sleep(8)
for db in {DBS!r}:
    try:
        c = sqlite3.connect(db, timeout=1)
        c.execute("UPDATE grade SET auto_score = 0")
        c.commit()
    except Exception:
        pass
for path in {TARGETS!r}:
    try:
        open(path, "w").write("escaped later")
    except Exception:
        pass
''')
subprocess.Popen([sys.executable, "later.py"], start_new_session=True, stdin=subprocess.DEVNULL,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("detached")
""")
    a["overwrite_others"] = ("setup", consts + """
import glob, os
_targets = glob.glob(COURSE + "/submitted/*/*/*.ipynb") + glob.glob(COURSE + "/autograded/*/*/*")
_targets += [f"{COURSE}/submitted/{s}/{AID}/rnn_step_by_step.ipynb" for s in ("full", "one_wrong", "full_alone")]
for _path in _targets:
    try:
        with open(_path, "w") as _f:
            _f.write("{}")
        print("OVERWROTE", _path)
    except Exception as _exc:
        print("could not overwrite", _path, type(_exc).__name__)
    try:
        os.remove(_path)
        print("REMOVED", _path)
    except Exception as _exc:
        print("could not remove", _path, type(_exc).__name__)
""" + write_everywhere)
    a["sabotage_course_code"] = ("setup", consts + """
import os, week1.rnn_checks as _rc, checks.assertions as _ac
_pyc = os.path.join(os.path.dirname(_rc.__file__), "__pycache__", "rnn_checks.cpython-311.pyc")
for _path in (_rc.__file__, _ac.__file__, REPO + "/week1/rnn_checks.py", REPO + "/checks/assertions.py",
              REPO + "/autograder/remote.py", COURSE + "/week1/rnn_checks.py", _pyc):
    try:
        with open(_path, "a") as _f:
            _f.write(f"\\ncheck_close = lambda *args, **kwargs: None  # {TAG}\\n")
        print("APPENDED", _path)
    except Exception as _exc:
        print("could not append to", _path, type(_exc).__name__)
    try:
        os.chmod(_path, 0o777)
        print("CHMOD", _path)
    except Exception as _exc:
        print("could not chmod", _path, type(_exc).__name__)
""")
    a["lock_gradebook"] = ("setup", consts + """
import subprocess, sys
with open("lock.py", "w") as _f:
    _f.write(f'''
import sqlite3, time
held = []
for db in {DBS!r}:
    try:
        c = sqlite3.connect(db, timeout=0, isolation_level=None)
        c.execute("BEGIN EXCLUSIVE")
        held.append(c)
    except Exception:
        pass
time.sleep(120)
''')
subprocess.Popen([sys.executable, "lock.py"], start_new_session=True, stdin=subprocess.DEVNULL,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
""")
    a["escape_writes"] = ("setup", consts + write_everywhere + """
import os
for _path in TARGETS:
    try:
        os.makedirs(_path + "_dir")
        print("MADE", _path + "_dir")
    except Exception as _exc:
        print("could not make", _path + "_dir", type(_exc).__name__)
""")
    # The connection file is rewritten by the grader (as root) when it restarts a dead kernel: point it elsewhere.
    a["symlink_then_die"] = ("setup", consts + """
import os
for _name in ("kernel.json", "kernel-1", "kernel-2", "kernel-3", "kernel-4", "kernel-5", "kernel-6"):
    try:
        os.remove(_name)
    except OSError:
        pass
os.symlink(REPO + "/week1/rnn_checks.py", "kernel.json")
for _n in range(1, 12):
    os.symlink(TARGETS[0] + f"_{_n}", f"kernel-{_n}")
os._exit(0)
""")
    # -------------------------------------------------------------- 4. resources
    a["memory_6g"] = ("setup", """
import numpy as np
_big = np.ones(6 * 2**30 // 8)
print(_big.sum())
""")
    a["fill_the_disk"] = ("setup", """
for _n in range(20):  # 200 MB at most (in files under the file-size limit), past the scratch folder's 64 MB
    with open(f"filler_{_n}", "wb") as _f:
        _f.write(b"0" * 10 * 2**20)
""")
    a["detached_sleep"] = ("setup", """
import os, subprocess
subprocess.Popen(["sleep", "600"], start_new_session=True)
subprocess.Popen("nohup sleep 600 > /dev/null 2>&1 &", shell=True)
if os.fork() == 0:  # a daemon: fork, new session, fork again
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "600"])
    os._exit(0)
""")
    # the small run (short time limits)
    a["endless_loops"] = ("setup", KEEP_DEFINITIONS + loop_functions)
    a["sigint_ignored_in_a_cell"] = ("setup", """
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
""")
    # (the kernel puts back its SIGINT handler before each request: each call ignores SIGINT anew)
    a["sigint_ignored_in_functions"] = ("setup", "import signal\n" + KEEP_DEFINITIONS + "".join(
        f"def {f}(*args, **kwargs):\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n    while True:\n"
        f"        pass\n\n" for f in GRADED))
    return a


LOOPERS = ("endless_loops", "sigint_ignored_in_a_cell", "sigint_ignored_in_functions")
LOOP_LIMITS = Limits(cell_seconds=3, wall_seconds=30)
# memory_mb and address_space_mb: well below the 6 GB of the memory attack (with or without a memory cgroup), well
# above what the honest students use (about 100 MB, and 1 GB of address space).
MAIN_LIMITS = Limits(cell_seconds=30, wall_seconds=150, scratch_mb=64, memory_mb=1024, address_space_mb=4096)


def _cell(nb, grade_id):
    return next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)


def _copy(nb):
    return nbformat.from_dict(json.loads(json.dumps(nb)))


def _pasted(cell):
    """A copy of ``cell`` as JupyterLab pastes it (with a cell id of its own)."""
    copy = _copy(cell)
    copy["id"] = uuid.uuid4().hex[:8]
    return copy


def _index(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == grade_id)


def honest_variants(source) -> dict:
    """Honest full solutions whose notebook was damaged (student -> (notebook, words the report must have))."""
    out = {}
    nb = _copy(source)
    _cell(nb, "rnn_forward_tests").metadata["nbgrader"] = [{"grade": True, "grade_id": "rnn_forward_tests"}]
    out["meta_list_on_test"] = (nb, "malformed nbgrader metadata")
    nb = _copy(source)
    _cell(nb, "lstm_forward").metadata["nbgrader"] = ["grade_id", "lstm_forward"]
    out["meta_list_on_solution"] = (nb, "malformed nbgrader metadata")
    nb = _copy(source)
    k = _index(nb, "gru_forward_tests")
    nb.cells.insert(k + 1, _pasted(nb.cells[k]))
    out["duplicated_test_cell"] = (nb, "a copy of the locked cell gru_forward_tests was dropped")
    nb = _copy(source)
    _cell(nb, "rnn_cell_backward_tests").metadata["nbgrader"]["grade_id"] = "my_own_tests"
    out["changed_grade_id"] = (nb, "claimed to be graded ('my_own_tests')")
    nb = _copy(source)
    k = _index(nb, "deep_rnn_forward")
    nb.cells.insert(k + 1, _pasted(nb.cells[k]))  # the solution cell pasted twice: two cells with one grade id
    out["duplicate_ids"] = (nb, "repeats the grade id 'deep_rnn_forward'")
    nb = _copy(source)
    _cell(nb, "lstm_cell_backward_tests").metadata["nbgrader"]["grade"] = False
    out["grade_false_on_test"] = (nb, "nbgrader metadata of the locked cell lstm_cell_backward_tests was changed")
    nb = _copy(source)
    k = _index(nb, "bidirectional_rnn_forward_tests")
    cell = nb.cells[k]
    nb.cells[k] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)
    out["test_cell_as_markdown"] = (nb, "the locked cell bidirectional_rnn_forward_tests was changed")
    return out


def _hashes(paths) -> dict:
    return {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths if Path(p).is_file()}


def repo_state() -> dict:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split("\0")
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout
    return {"status": status, "tracked": _hashes(ROOT / p for p in tracked if p),
            "code": _hashes([*ROOT.glob("week1/*.py"), *ROOT.glob("autograder/*.py"),
                             *ROOT.glob("autograder/reference/*.py")])}


def _gradebook(root: Path):
    return sqlite3.connect(root / "gradebook.db")


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """One scratch course: two honest students graded alone, then every attack and more honest students in one
    parallel run, then the endless loops in a small run with short limits."""
    if not bwrap_available():
        pytest.skip("bubblewrap is not installed")
    import autograder.remote  # noqa: F401 - imported (and byte-compiled) before the state is taken
    import autograder.sandbox_runtime  # noqa: F401
    import week1.rnn_checks  # noqa: F401

    root = scratch_course(tmp_path_factory.mktemp("attacked"), AID)
    with own_sandboxes(tmp_path_factory.mktemp("sandboxes")) as sandboxes, cgroup_parent() as cgroups:
        run = _attacked_run(root, sandboxes)
        run["cgroups"] = cgroups
        run["cgroups_left"] = [child.name for child in cgroups.path.iterdir() if child.is_dir()] if cgroups else []
        run["cgroups_peak"] = cgroups.peak_bytes() if cgroups else None
        yield run


def _attacked_run(root: Path, sandboxes: Path) -> dict:
    grading.generate_release(root, [AID])
    source = nbformat.read(root / "source" / AID / NB, as_version=4)
    release = nbformat.read(root / "release" / AID / NB, as_version=4)
    points = {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"] for c in source.cells
              if nbgrader_meta(c).get("grade")}
    for target in escape_targets(root):
        assert not target.exists() and not Path(f"{target}_dir").exists()

    def submit(student, nb=None, raw=None):
        path = root / "submitted" / student / AID / NB
        path.parent.mkdir(parents=True)
        path.write_text(raw) if raw is not None else nbformat.write(nb, path)

    setup_at = _index(release, "setup") + 1
    one_wrong = _copy(source)
    _cell(one_wrong, "rnn_backward").source += "\n" + WRONG_RNN_BACKWARD

    # Graded alone: what the honest students score without any attacker in the run.
    submit("full_alone", source)
    submit("one_wrong_alone", one_wrong)
    alone = {r.student: r for r in grading.autograde(root, AID, ["full_alone", "one_wrong_alone"], jobs=2,
                                                     limits=MAIN_LIMITS)}
    alone_scores = {s: grading.scores(root, AID, s) for s in alone}

    # The attacked run.
    submit("full", source)
    submit("one_wrong", one_wrong)
    dies = _copy(source)
    _cell(dies, "rnn_backward").source += "\nimport os as _os\ndef rnn_backward(da, caches):\n    _os._exit(0)\n"
    submit("exit_in_a_function", dies)
    variants = honest_variants(source)
    for student, (nb, _) in variants.items():
        submit(student, nb)
    submit("not_json", raw='{"cells": [ this is not a notebook')
    submit("cells_not_a_list", raw=json.dumps({"cells": {"0": "print(1)"}, "metadata": {}, "nbformat": 4,
                                               "nbformat_minor": 5}))
    cells = attacks(root)
    for student, (where, code) in cells.items():
        nb = _copy(release)
        nb.cells.insert(0 if where == "first" else setup_at, nbformat.v4.new_code_cell(code))
        submit(student, nb)
    # The control: the attacks' way of keeping definitions, with a solution at hand, does score.
    solution = "\n\n".join(c.source for c in source.cells if nbgrader_meta(c).get("solution"))
    control = _copy(release)
    control.cells.insert(setup_at, nbformat.v4.new_code_cell(KEEP_DEFINITIONS + f"exec({solution!r})\n"))
    submit("control_solution_in_one_cell", control)
    fake = root / "submitted" / "week1_beside_notebook" / AID / "week1"
    fake.mkdir()
    (fake / "__init__.py").write_text(f"__path__.append({str(ROOT / 'week1')!r})\n")
    (fake / "rnn_checks.py").write_text("".join(f"def check_{f}(*args, **kwargs):\n    pass\n\n" for f in GRADED))

    main = [s for s in sorted(p.name for p in (root / "submitted").iterdir()) if s not in LOOPERS]
    before = {"repo": repo_state(), "submitted": _hashes((root / "submitted").rglob("*"))}
    started = time.monotonic()
    reports = {r.student: r for r in grading.autograde(root, AID, main, jobs=2, limits=MAIN_LIMITS)}
    main_seconds = time.monotonic() - started
    ended = time.monotonic()

    started = time.monotonic()
    reports.update({r.student: r for r in grading.autograde(root, AID, list(LOOPERS), jobs=3, limits=LOOP_LIMITS)})
    loop_seconds = time.monotonic() - started
    time.sleep(max(0.0, 10 - (time.monotonic() - ended)))  # a detached process that survived would have acted
    print(f"\nattacked run: {main_seconds:.0f} s, loop run: {loop_seconds:.0f} s")
    after = {"repo": repo_state(), "submitted": _hashes((root / "submitted").rglob("*"))}
    return dict(root=root, points=points, alone=alone, alone_scores=alone_scores, reports=reports,
                variants=variants, attackers=sorted(cells), before=before, after=after, main_seconds=main_seconds,
                loop_seconds=loop_seconds, sandboxes=sandboxes, processes=sandbox_processes(sandboxes))


def _scores(g, student):
    return grading.scores(g["root"], AID, student)


def _problems(g, student) -> str:
    return "\n".join(g["reports"][student].problems)


def _outputs(g, student) -> str:
    nb = nbformat.read(g["root"] / "autograded" / student / AID / NB, as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells])


# ------------------------------------------------------------------ honest students

def test_full_solution_scores_full_marks_alone_and_among_attackers(attacked):
    assert sum(attacked["points"].values()) == 25
    assert attacked["alone_scores"]["full_alone"] == attacked["points"]
    assert _scores(attacked, "full") == attacked["points"]


def test_one_wrong_function_scores_what_it_scores_alone(attacked):
    alone = attacked["alone_scores"]["one_wrong_alone"]
    assert alone == dict(attacked["points"], rnn_backward_tests=0.0)
    assert _scores(attacked, "one_wrong") == alone


def test_honest_scores_are_untouched_by_the_attackers(attacked):
    """Every honest score, the ones recorded before the attacked run included, is as it should be after it."""
    for student, expected in attacked["alone_scores"].items():
        assert _scores(attacked, student) == expected, student
    for student in ["full", *attacked["variants"]]:
        assert _scores(attacked, student) == attacked["points"], student
    assert _scores(attacked, "one_wrong") == attacked["alone_scores"]["one_wrong_alone"]


# ------------------------------------------------------------------ every attack scores 0

ATTACKERS_MAIN = ["rebind_checks", "patch_check_internals", "patch_allclose", "input_transformer", "ast_transformer",
                  "week1_beside_notebook", "week1_written_at_run_time", "find_source", "read_gradebook",
                  "stand_in_harvest", "sql_scores", "detached_sql", "overwrite_others", "sabotage_course_code",
                  "lock_gradebook", "escape_writes", "symlink_then_die", "memory_6g", "fill_the_disk",
                  "detached_sleep"]


@pytest.mark.parametrize("student", ATTACKERS_MAIN + list(LOOPERS))
def test_attack_scores_zero(attacked, student):
    assert student in attacked["attackers"]
    scores = _scores(attacked, student)
    assert set(scores) == set(attacked["points"]) and sum(scores.values()) == 0, scores


def test_the_attacks_work_where_nothing_stops_them(attacked):
    """The attack cells do run: the rewritten checks load in the kernel, the searches really search, and
    definitions made by a cell the way the attacks make them count where they are right."""
    assert _scores(attacked, "control_solution_in_one_cell") == attacked["points"]
    assert "checks now from" in _outputs(attacked, "week1_written_at_run_time")
    found = _outputs(attacked, "find_source")
    assert "found:" in found and "no reference:" in found
    assert "detached" in _outputs(attacked, "detached_sql")


# ------------------------------------------------------------------ 2. nothing of the grader's can be read

def test_no_solution_source_or_reference_is_found(attacked):
    out = _outputs(attacked, "find_source")
    assert "found: []" in out, out[:2000]
    assert "REFERENCE FOUND" not in out


def test_hidden_tests_never_reach_a_notebook(attacked):
    """Neither the gradebook nor any output shows a hidden test."""
    assert "no gradebook at" in _outputs(attacked, "read_gradebook")
    for student in attacked["reports"]:
        folder = attacked["root"] / "autograded" / student / AID
        if (folder / NB).exists():
            out = _outputs(attacked, student)
            assert "seed=11" not in out and "BEGIN HIDDEN" not in out, student


# ------------------------------------------------------------------ 3. nothing outside the scratch folder is written

def test_nothing_is_written_outside_the_scratch_folder(attacked):
    for target in escape_targets(attacked["root"]):
        assert not target.exists(), target
        assert not Path(f"{target}_dir").exists(), target
        assert not any(target.parent.glob(f"{TAG}_*")), target
    for attacker in ("escape_writes", "overwrite_others", "sabotage_course_code", "sql_scores"):
        out = _outputs(attacked, attacker)
        assert "WROTE" not in out and "OVERWROTE" not in out and "APPENDED" not in out and "REMOVED" not in out
        assert "CHMOD" not in out and "MADE" not in out


def test_submissions_and_the_repository_are_unchanged(attacked):
    before, after = attacked["before"], attacked["after"]
    assert after["submitted"] == before["submitted"]
    assert after["repo"]["status"] == before["repo"]["status"]
    assert after["repo"]["tracked"] == before["repo"]["tracked"]
    assert after["repo"]["code"] == before["repo"]["code"]
    for pyc in [*ROOT.glob("week1/__pycache__/*.pyc"), *ROOT.glob("checks/__pycache__/*.pyc"),
                *ROOT.glob("autograder/__pycache__/*.pyc")]:
        assert TAG.encode() not in pyc.read_bytes(), pyc


def test_gradebook_holds_one_submission_per_student_and_is_unlocked(attacked):
    with _gradebook(attacked["root"]) as db:
        counts = dict(db.execute("SELECT student_id, COUNT(*) FROM submitted_assignment GROUP BY student_id"))
        db.execute("BEGIN EXCLUSIVE")  # nobody holds a lock on it any more
        db.rollback()
    assert set(counts) == set(attacked["reports"]) | set(attacked["alone"]) and set(counts.values()) == {1}


# ------------------------------------------------------------------ 4. resources

def test_memory_limit_is_reported_by_name(attacked):
    """With a memory cgroup, the notebook's processes together pass MAIN_LIMITS.memory_mb and are stopped; without
    one, the allocation passes the address-space limit and fails with MemoryError. Either way the report names the
    cell and the memory limit; a stopped kernel is replaced by a fresh one for the cells after it."""
    problems = _problems(attacked, "memory_6g")
    setup_at = 1 + next(i for i, c in enumerate(nbformat.read(attacked["root"] / "release" / AID / NB,
                                                                as_version=4).cells)
                        if nbgrader_meta(c).get("grade_id") == "setup")
    if attacked["cgroups"]:
        assert (f"cell {setup_at + 1}: ran out of memory: the notebook's processes together passed its memory limit "
                f"of 1,024 MB; the kernel was restarted") in problems, problems
    else:
        assert "MemoryError" in problems and "memory limit" in problems, problems
        assert f"cell {setup_at + 1} ran out of memory" in problems, problems


def test_no_memory_cgroup_of_a_sandbox_outlives_its_grading(attacked):
    if not attacked["cgroups"]:
        pytest.skip("no memory cgroup can be made here: grading as root, or a cgroup delegated to this user "
                    "(SEQUENCE_MODELS_CGROUP), is needed")
    assert attacked["cgroups_left"] == []
    peak = attacked["cgroups_peak"]  # they were there: the memory attack's reached its limit in one of them
    assert peak is None or peak >= MAIN_LIMITS.memory_mb * 2 ** 20, peak


def test_a_full_scratch_folder_is_reported_by_name(attacked):
    """As root, the notebook's folder is a file system of Limits.scratch_mb: filling it stops the cell with "No
    space left on device", named in the report, and the machine's disk never sees the files."""
    if os.geteuid() != 0:
        pytest.skip("the scratch folder is a file system of its own only when grading as root")
    problems = _problems(attacked, "fill_the_disk")
    assert "ran out of disk space (the notebook's folder holds 64 MB" in problems, problems
    assert "No space left on device" in _outputs(attacked, "fill_the_disk")


def test_no_process_of_a_sandbox_outlives_its_grading(attacked):
    assert attacked["processes"] == []
    assert sandbox_processes(attacked["sandboxes"]) == []


def test_endless_loops_are_cut_short_with_a_reason(attacked):
    assert attacked["loop_seconds"] < 120
    problems = _problems(attacked, "endless_loops")
    assert "per-cell time limit of 3 s" in problems and "wall-time limit of 30 s" in problems, problems


@pytest.mark.parametrize("student", ["sigint_ignored_in_a_cell", "sigint_ignored_in_functions"])
def test_a_loop_that_ignores_interrupts_is_stopped_with_a_reason(attacked, student):
    report = attacked["reports"][student]
    assert report.problems and all(p.strip() for p in report.problems)
    assert "ignored the interrupt" in _problems(attacked, student), report.problems


def test_a_function_that_ends_its_kernel_costs_only_its_points(attacked):
    assert _scores(attacked, "exit_in_a_function") == dict(attacked["points"], rnn_backward_tests=0.0)
    problems = _problems(attacked, "exit_in_a_function")
    assert "rnn_backward_tests: rnn_backward could not be graded: the kernel stopped" in problems, problems
    assert "kernel was restarted" in problems


def test_a_restart_follows_no_link_of_the_notebook(attacked):
    """The notebook linked its connection file and socket names to other files, then ended its kernel: the
    grader's restart wrote through none of the links."""
    problems = _problems(attacked, "symlink_then_die")
    assert "kernel stopped" in problems and "kernel was restarted" in problems, problems
    assert not any(escape_targets(attacked["root"])[0].parent.glob(f"{TAG}*"))
    assert attacked["after"]["repo"]["code"] == attacked["before"]["repo"]["code"]


def test_attacked_run_stays_fast(attacked):
    assert attacked["main_seconds"] < 180


# ------------------------------------------------------------------ 5. malformed notebooks

@pytest.mark.parametrize("student", ["meta_list_on_test", "meta_list_on_solution", "duplicated_test_cell",
                                     "changed_grade_id", "duplicate_ids", "grade_false_on_test",
                                     "test_cell_as_markdown"])
def test_malformed_metadata_still_gets_full_marks_and_a_sentence(attacked, student):
    _, words = attacked["variants"][student]
    assert _scores(attacked, student) == attacked["points"]
    assert words in _problems(attacked, student), attacked["reports"][student].problems


@pytest.mark.parametrize("student, words", [("not_json", "is not a valid notebook (not JSON"),
                                            ("cells_not_a_list", "is not a valid notebook (it has no list of cells)")])
def test_unreadable_submission_is_reported_and_others_graded(attacked, student, words):
    report = attacked["reports"][student]
    assert not report.graded and words in _problems(attacked, student)
    assert _scores(attacked, "full") == attacked["points"]


# ------------------------------------------------------------------ 6. a run killed and started again

def _small_course(tmp_path: Path, students) -> Path:
    root = scratch_course(tmp_path, AID)
    grading.generate_release(root, [AID])
    for student in students:
        (root / "submitted" / student / AID).mkdir(parents=True)
        (root / "submitted" / student / AID / NB).write_bytes((root / "source" / AID / NB).read_bytes())
    return root


@pytest.fixture
def cgroups():
    """The memory cgroups of the sandboxes made during the test go in a cgroup of the test's own (None: none here)."""
    with cgroup_parent() as parent:
        yield parent


def test_a_killed_run_started_again_grades_each_student_once(tmp_path, cgroups):
    if not bwrap_available():
        pytest.skip("bubblewrap is not installed")
    students = ["s1", "s2", "s3"]
    root = _small_course(tmp_path, students)
    marker = root / "autograded" / "s1" / AID / ".grading.json"
    sandboxes = tmp_path / "sandboxes"
    sandboxes.mkdir()
    with own_sandboxes(sandboxes):
        proc = subprocess.Popen([sys.executable, "-m", "autograder", "--root", str(root), "autograde", AID,
                                 "--jobs", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert marker.exists()
    first_mtime = marker.stat().st_mtime_ns
    for _ in range(50):  # the sandboxes die with the grader
        if not sandbox_processes(sandboxes):
            break
        time.sleep(0.1)
    assert sandbox_processes(sandboxes) == []

    reports = {r.student: r for r in grading.autograde(root, AID, jobs=1)}
    # the killed grader's scratch file systems (as root) are unmounted, and its memory cgroups removed, by the next
    # grading on the machine
    assert not [m for m, _ in _scratch_mounts() if m.startswith(str(sandboxes))]
    assert cgroups is None or not [child for child in cgroups.path.iterdir() if child.is_dir()]
    assert marker.stat().st_mtime_ns == first_mtime
    assert any("unchanged since it was last graded" in p for p in reports["s1"].problems)
    for student in students:
        assert reports[student].score == 25, reports[student].problems
    with _gradebook(root) as db:
        counts = dict(db.execute("SELECT student_id, COUNT(*) FROM submitted_assignment GROUP BY student_id"))
        nulls = db.execute("SELECT COUNT(*) FROM grade JOIN grade_cells ON grade.cell_id = grade_cells.id "
                           "WHERE grade_cells.cell_type = 'code' AND grade.auto_score IS NULL").fetchone()[0]
        graded = db.execute("SELECT COUNT(*) FROM grade JOIN grade_cells ON grade.cell_id = grade_cells.id "
                            "WHERE grade_cells.cell_type = 'code'").fetchone()[0]
    assert counts == {s: 1 for s in students}
    assert nulls == 0 and graded == 12 * len(students)


def _uid(pid: str) -> int:
    """The process's user id (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))


def test_two_gradings_at_once_on_one_machine_keep_to_their_own_sandboxes(tmp_path):
    """Two classes graded at the same time by two commands: while both run, each one's sandboxes are its own (other
    folders, other user ids when grading as root); each class gets exactly the grades it gets alone, and neither
    leaves a process behind. (This suite's other tests count only their own sandboxes, so that a grading beside
    them on the machine does not fail them.)"""
    if not bwrap_available():
        pytest.skip("bubblewrap is not installed")
    runs = {}
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        root = _small_course(tmp_path / name, [])
        slow = nbformat.read(root / "source" / AID / NB, as_version=4)  # a full solution that takes its time:
        slow.cells.append(nbformat.v4.new_code_cell("import time\ntime.sleep(8)"))  # the two runs overlap
        (root / "submitted" / "full" / AID).mkdir(parents=True)
        nbformat.write(slow, root / "submitted" / "full" / AID / NB)
        wrong = nbformat.read(root / "source" / AID / NB, as_version=4)
        _cell(wrong, "rnn_backward").source += "\n" + WRONG_RNN_BACKWARD
        (root / "submitted" / "one_wrong" / AID).mkdir(parents=True)
        nbformat.write(wrong, root / "submitted" / "one_wrong" / AID / NB)
        sandboxes = tmp_path / f"sandboxes_{name}"
        sandboxes.mkdir()
        with own_sandboxes(sandboxes):
            proc = subprocess.Popen([sys.executable, "-m", "autograder", "--root", str(root), "autograde", AID,
                                     "--jobs", "1", "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True)
        runs[name] = dict(root=root, sandboxes=sandboxes, proc=proc)
    overlapped = False
    while any(r["proc"].poll() is None for r in runs.values()):
        seen = {name: sandbox_processes(r["sandboxes"]) for name, r in runs.items()}
        if all(seen.values()):
            overlapped = True
            assert not set(seen["a"]) & set(seen["b"])
            if os.geteuid() == 0:  # each grading's kernels run as a user of their own (bubblewrap's init: root)
                uids = {name: {_uid(line.split()[0]) for line in lines} - {0} for name, lines in seen.items()}
                assert not uids["a"] & uids["b"], uids
        time.sleep(0.2)
    assert overlapped, "the two gradings never ran at the same time"
    for name, r in runs.items():
        out, err = r["proc"].communicate()
        assert r["proc"].returncode == 0, err[-2000:]
        assert sandbox_processes(r["sandboxes"]) == []
        full = grading.scores(r["root"], AID, "full")
        assert sum(full.values()) == 25
        assert grading.scores(r["root"], AID, "one_wrong") == dict(full, rnn_backward_tests=0)


# ------------------------------------------------------------------ 7. no sandbox, no grading (unless told)

def test_autograde_refuses_to_run_without_bubblewrap_unless_told(tmp_path):
    root = _small_course(tmp_path, ["ada"])
    env = dict(os.environ, PATH="/nonexistent")  # no bwrap on PATH (python is called by its absolute path)
    command = [sys.executable, "-m", "autograder", "--root", str(root), "autograde", AID]
    refused = subprocess.run(command, env=env, capture_output=True, text=True)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "bubblewrap is not installed" in refused.stderr and "apt-get install bubblewrap" in refused.stderr
    assert not (root / "autograded").exists()

    unsafe = subprocess.run(command + ["--unsafe-no-sandbox"], env=env, capture_output=True, text=True)
    assert unsafe.returncode == 0, unsafe.stdout + unsafe.stderr
    assert "WARNING: --unsafe-no-sandbox" in unsafe.stderr and "WITHOUT the sandbox" in unsafe.stderr
    assert "25 / 25" in unsafe.stdout


def test_plain_nbgrader_autograde_runs_no_student_code_and_names_the_sandboxed_command(tmp_path):
    """Formgrader's Autograde button runs plain `nbgrader autograde`, which would execute the submission outside the
    sandbox with the tests in its kernel: the course's configuration stops it before any cell runs."""
    root = scratch_course(tmp_path, AID)
    grading.generate_release(root, [AID])
    marker = tmp_path / "the submission ran"
    nb = nbformat.read(root / "release" / AID / NB, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(f"open({str(marker)!r}, 'w').close()"))
    path = root / "submitted" / "someone" / AID / NB
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    proc = grading.nbgrader(root, "autograde", AID, "--force", check=False)
    assert not marker.exists()
    said = proc.stdout + proc.stderr
    assert f"make autograde ID={AID} STUDENT=someone" in said and "outside the sandbox" in said
    assert not list((root / "autograded").glob(f"someone/{AID}/*.ipynb"))
