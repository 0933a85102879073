# The two set-up commands of the README: `make run` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench docs

$(BIN)/oov-bot: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

run: $(BIN)/oov-bot
	$(BIN)/oov-bot run

lint: $(BIN)/oov-bot
	$(BIN)/ruff check .

# Lint, then the whole suite against SQLite and a real PostgreSQL server (testkit/database.py
# starts one with scripts/ensure-postgres.sh, installing it if missing, unless
# OOV_TEST_DATABASE_URL names another).
test: lint
	$(BIN)/pytest

bench: $(BIN)/oov-bot
	$(BIN)/python bench/slash_latency.py

# The README's command table and manifest.yaml's slash commands, from the command specs.
docs: $(BIN)/oov-bot
	$(BIN)/python -m bot.docs
