# Two commands: `make run` (set up, load the examples, serve http://127.0.0.1:5000)
# and `make test` (set up with the test extras, lint, run pytest).
VENV  := .venv
BIN   := $(VENV)/bin
STORE ?= data/store

.PHONY: setup run test lint clean

$(BIN)/.installed: pyproject.toml requirements-models.txt
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-models.txt
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/bilat --store $(STORE) load examples/
	$(BIN)/bilat --store $(STORE) serve

lint: setup
	$(BIN)/ruff check .

CORPUS ?= ../shared/corpus/dev

test: lint
	$(BIN)/pytest
	@if [ -d $(CORPUS) ]; then $(BIN)/bilat evaluate $(CORPUS); fi

clean:
	rm -rf $(VENV) data
