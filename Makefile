# Two commands do all set-up on a fresh machine:
#   make run    creates .venv, installs vnextract, extracts corpus/ into outputs/
#   make test   creates .venv, installs vnextract with its test extras, runs the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test schema clean browser quality

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m extractor extract corpus --out outputs --clean

test: $(STAMP) browser
	$(PY) -m pytest

# the HTML view is tested in a real headless browser: Debian's chromium and chromedriver
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  ( [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null ) || \
	  echo "warning: chromium/chromedriver not installed; the browser test will be skipped (outside CI)"

schema: $(STAMP)
	$(PY) -m extractor schema --out schema/document.schema.json

# the quality tables of docs/quality.md (the seed and dev sets need ../shared)
quality: $(STAMP)
	@rm -rf .quality && mkdir -p .quality/seed .quality/dev
	@$(PY) -m extractor extract corpus --out .quality/team >/dev/null
	@echo "### Team corpus (tests/facts, corpus/)"; $(PY) -m extractor eval --dir --markdown tests/facts .quality/team corpus
	@if [ -d ../shared/facts ]; then \
	  cp ../shared/seed/000_a1dca3f31718ff10.txt .quality/seed/hcmc-industry-2021-01.txt; \
	  $(PY) -m extractor extract .quality/seed --out .quality/seed-out >/dev/null; \
	  echo; echo "### Seed (../shared/facts)"; $(PY) -m extractor eval --dir --markdown ../shared/facts .quality/seed-out .quality/seed; \
	  for f in ../shared/facts/real/*.facts.json; do d=$$(basename $$f .facts.json); \
	    cp ../shared/corpus/real/$$(echo $$d | sed 's#__#/#').txt .quality/dev/$$d.txt; done; \
	  $(PY) -m extractor extract .quality/dev --out .quality/dev-out >/dev/null; \
	  echo; echo "### Real dev sheets (../shared/facts/real)"; $(PY) -m extractor eval --dir --markdown ../shared/facts/real .quality/dev-out ../shared/corpus/real; \
	fi
	@rm -rf .quality

clean:
	rm -rf $(VENV) build src/*.egg-info
