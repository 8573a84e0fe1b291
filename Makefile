# Two commands do all the set-up:  `make lab` (run the course)  and  `make test` (run the tests).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test setup release check-release fixtures check-fixtures autograde feedback export student-export benchmark clean

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

lab: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab $(ALLOW_ROOT) --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/release

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
	@test -n "$(ID)" || (echo "usage: make autograde ID=<assignment id>|all [STUDENT=<id>] [JOBS=<n>] [SCHEDULER=<address>] [FORCE=1] [REPORT=<file.csv>]"; exit 2)
	$(BIN)/python -m autograder autograde $(if $(filter all,$(ID)),--all,$(ID)) $(if $(STUDENT),--student $(STUDENT)) \
	  $(if $(JOBS),--jobs $(JOBS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(FORCE),--force) \
	  $(if $(REPORT),--report $(REPORT))

feedback: setup
	@test -n "$(ID)" || (echo "usage: make feedback ID=<assignment id>"; exit 2)
	$(BIN)/python -m autograder feedback $(ID)

export: setup
	$(BIN)/python -m autograder export --to $(or $(TO),grades.csv)

student-export: setup
	@test -n "$(DIR)" || (echo "usage: make student-export DIR=<new folder>"; exit 2)
	$(BIN)/python -m autograder student-export $(DIR)

benchmark: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python benchmarks/run_notebooks.py

clean:
	rm -rf $(VENV) gradebook.db submitted autograded feedback
