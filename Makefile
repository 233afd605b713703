# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
# Local runs default to debug mode; production sets these in the environment (see README).
export DJANGO_DEBUG ?= true

.PHONY: run test test-js lint format bench install migrate clean

$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

# This checkout's local settings: a generated secret key for its commands (config/local_env.py).
var/local.env: | $(VENV)/.installed
	$(PY) -m config.local_env

install: $(VENV)/.installed var/local.env

migrate: install
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py setup_demo
	$(PY) -m uvicorn config.asgi:application --host $(HOST) --port $(PORT) --workers $(WORKERS) \
		--ws liveblog.wsprotocol:LeanWebSocketProtocol --ws-ping-interval 20 --ws-ping-timeout 20 \
		--ws-max-size 65536 --ws-per-message-deflate false --no-proxy-headers --no-server-header

test: install
	$(PY) -m pytest $(PYTEST_ARGS)
	@if command -v node >/dev/null; then $(MAKE) --no-print-directory test-js; \
	else echo "node is not installed: skipped the JavaScript unit tests (make test-js)"; fi

# The reader page's JavaScript modules, on Node's own test runner (no npm packages).
test-js:
	node --test --test-reporter=spec tests/js/*.test.js

# ruff, then mypy with the Django and DRF plugins (settings in pyproject.toml).
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: install
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
