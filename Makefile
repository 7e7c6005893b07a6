# Threadline: `make demo` (everything on demo data, then serve) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := $(CURDIR)/.venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
# dagster-dbt runs the `dbt` executable: the venv comes first on PATH
export PATH := $(VENV)/bin:$(PATH)
export THREADLINE_HOME ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(THREADLINE_HOME)/dagster

SEED ?= 7
CONTACTS ?= 600
DAYS ?= 90
DASHBOARD_PORT ?= 8501
DAGSTER_PORT ?= 3000
EVENTS ?= 10000000
# campaign sender bench: two sizes, to show memory flat in the audience's size
RECIPIENTS ?= 1000000
RECIPIENTS_SMALL ?= 100000
RECEIVER_HOST ?= 127.0.0.1
RECEIVER_PORT ?= 8600

.PHONY: help setup chromium demo-data pipeline demo dashboard dagster receiver test bench bench-receiver bench-sender lint clean

help:
	@echo "make demo      build everything on demo data, serve the dashboard (:$(DASHBOARD_PORT)) and Dagster (:$(DAGSTER_PORT))"
	@echo "make test      run every test"
	@echo "make pipeline  like demo, but exit after materializing and print row counts"
	@echo "make erase CONTACT=<phone or e-mail>   erase one person from everything (GDPR art. 17, docs/privacy.md)"
	@echo "make export-contact CONTACT=<phone or e-mail> OUT=<file.json>   what is held about them (art. 15)"
	@echo "make bench     full build of EVENTS=$(EVENTS) landed records and an incremental build of 1% more, vs a bare read"
	@echo "make bench-sender  campaigns of RECIPIENTS_SMALL=$(RECIPIENTS_SMALL) and RECIPIENTS=$(RECIPIENTS) through the real run at 1,000 msgs/s: msgs/s, peak RSS"

$(VENV)/.installed: pyproject.toml
	@command -v uv >/dev/null 2>&1 || python3 -m pip install -q uv
	uv venv -q --allow-existing --python python3.11 $(VENV)
	uv pip install -q --python $(PY) -e '.[dev]'
	@touch $@

setup: $(VENV)/.installed

$(DAGSTER_HOME)/dagster.yaml: pipelines/dagster_home/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	cp $< $@

demo-data: setup
	$(PY) -m pipelines.demo --seed $(SEED) --contacts $(CONTACTS) --days $(DAYS)

pipeline: setup demo-data $(DAGSTER_HOME)/dagster.yaml
	$(PY) -m pipelines.cli pipeline

dashboard: setup
	$(PY) -m dashboards.serve --server.address 127.0.0.1 \
		--server.port $(DASHBOARD_PORT) --server.headless true --browser.gatherUsageStats false

# (`dagster dev` itself says it is superseded by `dg dev`, which needs a dg project;
#  that notice is about the command, not our definitions, so it is silenced)
dagster: setup $(DAGSTER_HOME)/dagster.yaml
	PYTHONWARNINGS='ignore:Function `dev_command` is superseded:FutureWarning' \
		$(VENV)/bin/dagster dev -m pipelines.definitions -h 127.0.0.1 -p $(DAGSTER_PORT)

demo: pipeline
	@echo "Dashboard: http://127.0.0.1:$(DASHBOARD_PORT)   Dagster: http://127.0.0.1:$(DAGSTER_PORT)   Webhook receiver: http://127.0.0.1:$(RECEIVER_PORT)   (Ctrl-C stops all)"
	@trap 'kill 0' INT TERM EXIT; \
		$(MAKE) --no-print-directory dashboard & \
		$(MAKE) --no-print-directory dagster & \
		$(MAKE) --no-print-directory receiver & \
		wait

# Meta / Chatwoot webhooks → landing/ (needs THREADLINE_META_APP_SECRET,
# THREADLINE_WEBHOOK_VERIFY_TOKEN, THREADLINE_CHATWOOT_WEBHOOK_TOKEN in the environment)
receiver: setup
	$(PY) -m pipelines.receiver --host $(RECEIVER_HOST) --port $(RECEIVER_PORT)

# the browser tests drive Debian's Chromium (never `playwright install`): installed here
# when missing and we are root, else a clear error naming the command
CHROMIUM ?= /usr/bin/chromium
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "make test needs Debian's Chromium at $(CHROMIUM): run 'sudo apt-get install -y chromium'" >&2; \
			exit 1; \
		fi; \
	fi

test: setup chromium
	$(PY) -m pytest

bench: setup
	$(PY) -m bench.pipeline --events $(EVENTS)
	$(PY) -m bench.receiver --seconds 10 --concurrency 64
	$(PY) -m bench.sender --recipients $(RECIPIENTS_SMALL) $(RECIPIENTS)

bench-receiver: setup
	$(PY) -m bench.receiver --seconds 10 --concurrency 64

bench-sender: setup
	$(PY) -m bench.sender --recipients $(RECIPIENTS_SMALL) $(RECIPIENTS)

# GDPR (docs/privacy.md): the phone or e-mail reaches Python through the environment,
# never a command line or a Dagster run config, and recipes are not echoed
.PHONY: erase export-contact
erase: setup $(DAGSTER_HOME)/dagster.yaml
	@test -n "$(CONTACT)" || { echo "usage: make erase CONTACT=<phone or e-mail>" >&2; exit 2; }
	@THREADLINE_ERASE_CONTACT='$(CONTACT)' $(PY) -m pipelines.privacy erase

export-contact: setup
	@test -n "$(CONTACT)" || { echo "usage: make export-contact CONTACT=<phone or e-mail> [OUT=file.json]" >&2; exit 2; }
	@THREADLINE_ERASE_CONTACT='$(CONTACT)' $(PY) -m pipelines.privacy export $(if $(OUT),--out '$(OUT)')

lint: setup
	$(VENV)/bin/ruff check pipelines senders dashboards tests bench

clean:
	rm -rf $(THREADLINE_HOME)/landing $(THREADLINE_HOME)/serving $(THREADLINE_HOME)/warehouse.duckdb* \
		$(THREADLINE_HOME)/state $(THREADLINE_HOME)/dagster $(THREADLINE_HOME)/logs models/target
