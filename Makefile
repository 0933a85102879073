# The two set-up commands of the README: `make run` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench docs

$(BIN)/oov-bot: pyproject.toml
	@python3 -c 'import ensurepip, venv' 2>/dev/null || { \
	  echo "python3 cannot create a venv: install python3-venv (sudo apt-get install python3-venv)" >&2; \
	  exit 1; }
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

run: $(BIN)/oov-bot
	$(BIN)/oov-bot run

lint: $(BIN)/oov-bot
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Lint, then the whole suite against SQLite and a real PostgreSQL server. The server is made ready
# here, before pytest, so installing it never runs into a test's timeout: scripts/ensure-postgres.sh
# installs and starts a local one unless OOV_TEST_DATABASE_URL names another. (A plain `pytest`
# still starts one itself, from testkit/database.py.) One pytest worker per core (pytest-xdist,
# at most 4): each has its own scratch databases and servers on free ports, so they share
# nothing; on 2 cores this halves the run (13.5 to 7.5 minutes).
test: lint
	@url="$${OOV_TEST_DATABASE_URL:-$$(scripts/ensure-postgres.sh)}" && \
	  OOV_TEST_DATABASE_URL="$$url" $(BIN)/pytest -n auto --maxprocesses 4

bench: $(BIN)/oov-bot
	$(BIN)/python bench/slash_latency.py

# The README's command table and manifest.yaml's slash commands, from the command specs.
docs: $(BIN)/oov-bot
	$(BIN)/python -m bot.docs
