# Two commands on a fresh machine:
#   make run    set up, build the model cache and index if missing, serve on 127.0.0.1:8000
#   (make run-library: the same over data/corpus and data/library, index in var/index-library)
#   make test   set up, then lint, type-check, run every test and the evaluation gate
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run run-library test install lint typecheck pytest eval-gate browser-deps bench clean

run: install
	$(BIN)/reportqa serve

test: install browser-deps lint typecheck pytest eval-gate

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, pinned: the CPU build lies on this machine's disk (an unpinned torch is CUDA)
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

browser-deps:
	@{ command -v chromium >/dev/null && fc-list | grep -qi "noto.*cjk"; } || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq chromium chromium-driver fonts-noto-cjk; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/python -m pytest -q

# the library and the bundled report served together: every report's own questions
LIBRARY := REPORTQA_CORPUS_DIR=data/corpus:data/library REPORTQA_INDEX_DIR=var/index-library

eval-gate: install
	$(BIN)/reportqa eval --data eval/data/test.jsonl --mode all --out var/eval/test \
	  --baseline eval/baseline.json
	$(BIN)/reportqa eval --data eval/data/dev.jsonl --mode hybrid --out var/eval/dev \
	  --baseline eval/baseline_dev.json
	$(BIN)/reportqa eval --data eval/data/pairs.jsonl --mode hybrid --out var/eval/pairs \
	  --baseline eval/baseline_pairs.json
	$(BIN)/reportqa eval --data eval/data/dev-zg2.jsonl --mode hybrid --out var/eval/dev-zg2 \
	  --baseline eval/baseline_dev_zg2.json
	$(LIBRARY) $(BIN)/reportqa eval --data eval/data/library/test.jsonl --mode all \
	  --out var/eval/library-test --baseline eval/baseline_library_test.json
	$(LIBRARY) $(BIN)/reportqa eval --data eval/data/library/dev.jsonl --mode hybrid \
	  --out var/eval/library-dev --baseline eval/baseline_library_dev.json
	$(LIBRARY) $(BIN)/reportqa eval --data eval/data/library/dev2.jsonl --mode hybrid \
	  --out var/eval/library-dev2 --baseline eval/baseline_library_dev2.json
	$(LIBRARY) $(BIN)/reportqa eval --data eval/data/library/dev-en.jsonl --mode hybrid \
	  --out var/eval/library-dev-en --baseline eval/baseline_library_dev_en.json
	$(LIBRARY) $(BIN)/reportqa eval --data eval/data/library/cross.jsonl --mode hybrid \
	  --out var/eval/library-cross --baseline eval/baseline_library_cross.json
	$(LIBRARY) $(BIN)/reportqa eval --data eval/data/test.jsonl --mode hybrid --alone \
	  --doc-id zigong-2021 --out var/eval/test-with-library --baseline eval/baseline.json

# the bundled report and the eight 2026 provincial reports, with an index of their own
run-library: install
	$(LIBRARY) $(BIN)/reportqa serve

bench: install
	$(BIN)/reportqa bench

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
