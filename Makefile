# Two commands do all the set-up:  `make lab` (run the course)  and  `make test` (run the tests).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Learners work in copies of the student notebooks, in a folder git ignores and no instructor command reads.
WORK   := work

.PHONY: help lab workspace validate mutants test setup release check-release fixtures check-fixtures autograde regrade feedback report export \
        student-export benchmark clean

help:
	@echo "Learners:"
	@echo "  make lab                set up .venv, copy the student notebooks to $(WORK)/ (first time) and open JupyterLab"
	@echo "  make validate NB=$(WORK)/<id>/<name>.ipynb   run a notebook with its checks, as the autograder will"
	@echo "  make setup              only set up .venv (make help: this list)"
	@echo "Contributors:"
	@echo "  make test               set up .venv and run the whole test suite (about 65 minutes on 2 cores)"
	@echo "  make benchmark          each solution notebook's wall time and peak memory on 2 cores"
	@echo "  make mutants ID=<id>|all [FUNCTION=name]   how many wrong versions of each graded function the checks catch"
	@echo "Instructors (ID is an assignment id such as w1a1_rnn_step_by_step):"
	@echo "  make release            regenerate release/ from source/     (make check-release: is it stale?)"
	@echo "  make fixtures           regenerate the public checks' stored values (make check-fixtures: stale?)"
	@echo "  make student-export DIR=../sequence-models-student   write, or update, the student distribution"
	@echo "  make autograde ID=<id>|all [STUDENT=s] [JOBS=n] [SCHEDULER=addr] [FORCE=1] [CANARY=0] [REPORT=file.csv]"
	@echo "  make regrade ID=<id> STUDENT=s FUNCTION=name REASON=\"...\"   grade s again for a regrade request (recorded)"
	@echo "  make feedback ID=<id>   HTML feedback per student under feedback/"
	@echo "  make report ID=<id>|all [THRESHOLD=0.8]   the class report (scores, mistakes, health, similarity) in reports/"
	@echo "  make export [FORMAT=csv|canvas|moodle] [TO=file]   grades for the LMS's import (roster.csv maps the ids)"
	@echo "  make clean              remove .venv and the class's grading state (not $(WORK)/)"

setup: $(STAMP)

# Re-install only when the dependency pins change.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[grade,test]"
	touch $@

# Jupyter refuses to run as root unless told; containers often run as root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: setup workspace
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab $(ALLOW_ROOT) --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/$(WORK)

# Copy each assignment's student folder into $(WORK)/ once: a copy that exists is the learner's and is never replaced
# (a new assignment appears there the next time).
workspace:
	@mkdir -p $(WORK)
	@for folder in release/*/; do \
	  id=$$(basename "$$folder"); \
	  if [ ! -e "$(WORK)/$$id" ]; then cp -R "$$folder" "$(WORK)/$$id" && echo "new in $(WORK)/: $$id"; fi; \
	done

validate: setup
	@test -n "$(NB)" || (echo "usage: make validate NB=$(WORK)/<id>/<name>.ipynb"; exit 2)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/nbgrader validate "$(NB)"

test: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest

release: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m autograder release

check-release: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m autograder check-release

fixtures: setup
	$(BIN)/python -m autograder fixtures

check-fixtures: setup
	$(BIN)/python -m autograder check-fixtures

# Instructor commands; ID is an assignment id, e.g. make autograde ID=w1a1_rnn_step_by_step (ID=all: every one)
autograde: setup
	@test -n "$(ID)" || (echo "usage: make autograde ID=<assignment id>|all [STUDENT=<id>] [JOBS=<n>] [SCHEDULER=<address>] [FORCE=1] [CANARY=0] [REPORT=<file.csv>]"; exit 2)
	$(BIN)/python -m autograder autograde $(if $(filter all,$(ID)),--all,$(ID)) $(if $(STUDENT),--student $(STUDENT)) \
	  $(if $(JOBS),--jobs $(JOBS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(FORCE),--force) \
	  $(if $(filter 0,$(CANARY)),--no-canary) $(if $(REPORT),--report $(REPORT))

regrade: setup
	@test -n "$(ID)" -a -n "$(STUDENT)" -a -n "$(FUNCTION)" -a -n "$(REASON)" || (echo 'usage: make regrade ID=<assignment id> STUDENT=<id> FUNCTION=<graded function> REASON="<the student'"'"'s reason>"'; exit 2)
	$(BIN)/python -m autograder regrade $(ID) --student "$(STUDENT)" --function "$(FUNCTION)" --reason "$(REASON)"

feedback: setup
	@test -n "$(ID)" || (echo "usage: make feedback ID=<assignment id>"; exit 2)
	$(BIN)/python -m autograder feedback $(ID)

report: setup
	@test -n "$(ID)" || (echo "usage: make report ID=<assignment id>|all [THRESHOLD=<0 to 1>]"; exit 2)
	$(BIN)/python -m autograder report $(if $(filter all,$(ID)),--all,$(ID)) $(if $(THRESHOLD),--threshold $(THRESHOLD))

export: setup
	$(BIN)/python -m autograder export --format $(or $(FORMAT),csv) $(if $(TO),--to $(TO))

student-export: setup
	@test -n "$(DIR)" || (echo "usage: make student-export DIR=<new folder>"; exit 2)
	$(BIN)/python -m autograder student-export $(DIR)

mutants: setup
	@test -n "$(ID)" || (echo "usage: make mutants ID=<assignment id>|all [FUNCTION=<graded function>]"; exit 2)
	$(BIN)/python -m autograder mutants $(if $(filter all,$(ID)),$$(ls source),$(ID)) \
	  $(if $(FUNCTION),--function $(FUNCTION))

benchmark: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python benchmarks/run_notebooks.py

clean:
	rm -rf $(VENV) gradebook.db submitted autograded feedback
