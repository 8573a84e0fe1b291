"""Project-level promises: one set of pins, the README's commands are the ones CI runs, data documented."""
import re
import subprocess
import tomllib

from course import ROOT


def _pyproject_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["grade"]  # Binder's instructor environment
    pins = {}
    for dep in deps:
        spec, _, marker = dep.partition(";")
        name, version = spec.strip().split("==")
        if "sys_platform != 'linux'" in marker:
            continue  # Binder runs Linux, where tensorflow-cpu is the pin
        pins[name.lower()] = version
    return pins


def test_binder_environment_has_the_same_pins_as_pyproject():
    text = (ROOT / "environment.yml").read_text()
    assert "python=3.11" in text
    env_pins = {m.group(1).lower(): m.group(2) for m in re.finditer(r"^\s+- ([A-Za-z0-9_.\-\[\]]+)==(\S+)", text, re.M)}
    assert env_pins == _pyproject_pins()


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_grades_and_student_work_stay_out_of_version_control():
    for path in ["gradebook.db", "submitted/s/a/n.ipynb", "autograded/x", "feedback/x", ".venv/bin/python"]:
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0, path


def test_every_data_folder_has_a_readme():
    assert (ROOT / "data" / "README.md").exists()
    for folder in (ROOT / "data").iterdir():
        if folder.is_dir():
            assert (folder / "README.md").exists(), f"{folder.name}: add a README (origin, licence, size, rebuild command)"


def test_make_help_lists_every_target_the_readme_gives():
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    readme = (ROOT / "README.md").read_text()
    for target in sorted(set(re.findall(r"`make ([a-z-]+)", readme))):
        assert f"make {target}" in out, target


def test_a_learners_work_lives_where_no_instructor_check_reads(tmp_path):
    """`make lab` copies the student notebooks into work/ (git-ignored) once and never over the learner's copy; the
    learner's saved notebooks there leave release/ in sync with source/."""
    import shutil
    import sys
    aid = "w1a1_rnn_step_by_step"
    for name in ("Makefile", "nbgrader_config.py"):
        shutil.copy2(ROOT / name, tmp_path / name)
    for folder in ("source", "release"):
        shutil.copytree(ROOT / folder / aid, tmp_path / folder / aid)
    subprocess.run(["make", "-s", "workspace"], cwd=tmp_path, check=True, capture_output=True)
    (mine,) = (tmp_path / "work" / aid).glob("*.ipynb")
    assert mine.read_text() == next((ROOT / "release" / aid).glob("*.ipynb")).read_text()
    mine.write_text(mine.read_text().replace('"outputs": []', '"outputs": [{"name": "stdout", "output_type": '
                                             '"stream", "text": "my work"}]', 1))
    saved = mine.read_text()
    assert "my work" in saved
    subprocess.run(["make", "-s", "workspace"], cwd=tmp_path, check=True, capture_output=True)
    assert mine.read_text() == saved  # the learner's copy is never replaced
    proc = subprocess.run([sys.executable, "-m", "autograder", "--root", str(tmp_path), "check-release", aid],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert subprocess.run(["git", "check-ignore", "-q", f"work/{aid}/{mine.name}"], cwd=ROOT).returncode == 0
    lab = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "/lab/tree/work" in lab
