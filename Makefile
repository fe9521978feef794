# Two commands do all set-up on a fresh machine:
#   make run    creates .venv, installs vnextract, extracts corpus/ into outputs/
#   make test   creates .venv, installs vnextract with its test extras, runs the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test schema clean browser

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

clean:
	rm -rf $(VENV) build src/*.egg-info
