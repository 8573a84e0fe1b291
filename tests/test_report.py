"""The instructor's class report (python -m autograder report): a small class graded for real, and synthetic ones."""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import grading, remote, report
from autograder.cli import main as cli
from course import ROOT, nbgrader_meta, scratch_course

AID = "w1a1_rnn_step_by_step"
SCREENSHOT = ROOT / "benchmarks" / "results" / "report_screenshot.png"
# The bias left out of the RNN cell: a mistake the public check knows and names.
NO_BIAS = """
def rnn_cell_forward(xt, a_prev, parameters):
    a_next = np.tanh(parameters["Waa"] @ a_prev + parameters["Wax"] @ xt)  # the bias ba is missing
    yt_pred = softmax(parameters["Wya"] @ a_next + parameters["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)
"""


def _benchmark(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


def _cell(nb, grade_id):
    return next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """w1a1 graded for real: the solution, the untouched release, two with the bias missing (the same mistake), one
    that is not a notebook; then its report."""
    root = scratch_course(tmp_path_factory.mktemp("report"), AID)
    grading.generate_release(root, [AID])
    (src_path,) = (root / "source" / AID).glob("*.ipynb")
    source = nbformat.read(src_path, as_version=4)
    release = nbformat.read(root / "release" / AID / src_path.name, as_version=4)

    def submit(student, nb=None, raw=None):
        path = root / "submitted" / student / AID / src_path.name
        path.parent.mkdir(parents=True)
        path.write_text(raw) if raw is not None else nbformat.write(nb, path)

    submit("full_marks", source)
    submit("untouched_release", release)
    for student in ("no_bias_a", "no_bias_b"):
        wrong = nbformat.from_dict(json.loads(json.dumps(source)))
        _cell(wrong, "rnn_cell_forward").source += "\n" + NO_BIAS
        submit(student, wrong)
    submit("not_json", raw='{"cells": [ this is not a notebook')
    cli(["--root", str(root), "autograde", AID, "--jobs", "1", "--no-progress"])
    assert cli(["--root", str(root), "report", AID, "--threshold", "0.8"]) == 0
    page = (root / "reports" / f"{AID}.html").read_text(encoding="utf-8")
    return {"root": root, "page": page, "data": report.read_class(root, AID)}


def test_failed_test_cells_record_a_mistake_id_that_does_not_show(graded):
    nb = nbformat.read(graded["root"] / "autograded" / "no_bias_a" / AID / "rnn_step_by_step.ipynb", as_version=4)
    cell = _cell(nb, "rnn_cell_forward_tests")
    mistake = remote.recorded_mistake(cell.outputs)
    assert mistake == "week1.rnn_checks.check_rnn_cell_forward:" + mistake.split(":", 1)[1] and "bias" in mistake
    shown = [o for o in cell.outputs if o.get("metadata", {}).get(remote.MISTAKE_KEY)]
    assert shown and all(o["data"] == {"text/plain": ""} for o in shown)  # nothing a student would see
    assert remote.recorded_mistake(_cell(nb, "rnn_forward_tests").outputs) is None  # a passing cell records none
    nbformat.validate(nb)


def test_grading_record_holds_the_seconds_of_each_notebook(graded):
    record = json.loads((graded["root"] / "autograded" / "full_marks" / AID / ".grading.json").read_text())
    assert record["seconds"]["rnn_step_by_step.ipynb"] > 0


def test_scores_section(graded):
    data, page = graded["data"], graded["page"]
    totals = report.totals(data)
    assert totals["full_marks"] == sum(m for _, m in data.cells.values()) and totals["untouched_release"] == 0
    rows = report.per_function(data)
    assert rows == sorted(rows, key=lambda r: -r["lost"])
    cell_forward = next(r for r in rows if r["function"] == "rnn_cell_forward")
    assert cell_forward["zero"] == pytest.approx(4 / 5)  # untouched, two without the bias, the unreadable one
    assert '<section id="scores">' in page and 'id="histogram"' in page and 'id="shares"' in page
    assert "mean <b>" in page and "median <b>" in page


def test_mistakes_are_counted_by_id_across_submissions(graded):
    data, page = graded["data"], graded["page"]
    found = data.mistakes["rnn_cell_forward_tests"]
    bias = [m for m in found if "bias" in m]
    assert len(bias) == 1 and found[bias[0]] == 2  # the two submissions with the same mistake: one id, counted twice
    assert found["unfinished"] == 1  # the untouched release
    assert bias[0] in page and "likely cause: the bias ba is missing" in page


def test_health_section_names_the_unreadable_notebook_and_the_slowest(graded):
    health = report.health(graded["data"])
    assert [s for s, _ in health["kinds"]["notebook unreadable or missing"]] == ["not_json"]
    assert {s for s, _ in health["slowest"]} >= {"full_marks", "no_bias_a"}
    assert '<section id="health">' in graded["page"] and "Slowest submissions" in graded["page"]


def test_similarity_section_flags_copies_and_says_it_is_no_verdict(graded):
    page = graded["page"]
    assert '<section id="similarity">' in page and "Evidence to review, not a verdict" in page
    # The solution's copy and the reference edition are flagged, with the copied parts marked side by side.
    assert "full_marks — reference edition" in page and "no_bias_a — no_bias_b" in page
    assert "untouched_release —" not in page and "— untouched_release" not in page  # nothing of its own to compare
    assert "<mark>" in page and "<div class=pair>" in page


def test_the_page_needs_no_network(graded):
    page = graded["page"]
    assert "<script" not in page and not re.search(r"(src|href)=[\"']?(https?:)?//", page)


def test_threshold_and_out_are_honoured(graded, tmp_path):
    assert cli(["--root", str(graded["root"]), "report", AID, "--threshold", "1.0", "--out", str(tmp_path)]) == 0
    page = (tmp_path / f"{AID}.html").read_text(encoding="utf-8")
    assert "threshold 1.00" in page
    with pytest.raises(SystemExit):
        cli(["--root", str(graded["root"]), "report", AID, "--threshold", "2"])


def test_synthetic_class_report_counts_ids_not_sentences(tmp_path):
    """Sentences that differ by their values are one mistake; every student is in the histogram."""
    bench = _benchmark("report_500")
    root = bench.build_class(tmp_path / "course", students=12, seed=3, profile={"wrong": 0.6, "problems": 0.3})
    data = report.read_class(root, AID)
    assert len(data.students) == 12
    shapes = data.mistakes["rnn_cell_forward_tests"]
    sentences = data.sentences[("rnn_cell_forward_tests", next(iter(shapes)))]
    assert sum(shapes.values()) >= len(shapes)
    for (gid, mistake), seen in data.sentences.items():
        assert sum(seen.values()) == data.mistakes[gid][mistake]
    assert sentences
    health = report.health(data)
    assert sum(len(v) for v in health["kinds"].values()) > 0 and len(health["slowest"]) == 10


def _browser():
    """A headless Chromium driven by Selenium, or the reason there is none."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return None, "Selenium is not installed (make setup installs it with the test extra)"
    binary = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)),
                  None)
    driver = shutil.which("chromedriver")
    if not binary or not driver:
        return None, ("no Chromium or chromedriver on PATH (apt-get install chromium chromium-driver, as .ci/run "
                      "does)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1300,2400"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(driver), options=options), None


def test_report_opens_in_a_real_browser_with_every_section_and_plot(graded):
    browser, why = _browser()
    if browser is None:
        pytest.skip(why)
    from selenium.webdriver.common.by import By
    try:
        browser.get((graded["root"] / "reports" / f"{AID}.html").as_uri())
        for section in ("scores", "mistakes", "health", "similarity"):
            element = browser.find_element(By.ID, section)
            assert element.is_displayed() and element.size["height"] > 40, section
        for plot in ("histogram", "shares"):
            svg = browser.find_element(By.ID, plot)
            assert svg.size["width"] > 300 and svg.size["height"] > 50, plot
            assert svg.find_elements(By.TAG_NAME, "rect"), plot
        assert browser.find_elements(By.TAG_NAME, "mark")  # the copied parts, highlighted
        assert browser.execute_script("return document.title").startswith("Class report")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        browser.set_window_size(1300, max(1200, min(browser.execute_script("return document.body.scrollHeight"),
                                                    6000)))
        assert browser.save_screenshot(str(SCREENSHOT)) and SCREENSHOT.stat().st_size > 10_000
    finally:
        browser.quit()
