# Hotline: `make run` sets up and serves the Maoming demo city; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOTLINE := $(BIN)/hotline
STAMP := $(VENV)/.installed
export HOTLINE_PORT ?= 8000
export HOTLINE_WORKERS ?= 2

.PHONY: help install run migrate demo test lint check test-sqlite test-postgres test-browser bench clean

help:
	@echo "make run    — 安装依赖、迁移数据库、载入茂名演示数据，并在 http://127.0.0.1:$(HOTLINE_PORT) 提供服务"
	@echo "make test   — ruff、Django 检查、SQLite 与 PostgreSQL 上的测试、浏览器测试"
	@echo "make bench  — 运行全部性能基准，结果写入 docs/PERFORMANCE.md"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall when the lock file or the project metadata changes.
$(STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(HOTLINE) migrate --no-input -v 1

demo: migrate
	$(HOTLINE) demo

run: demo
	@echo
	@echo "  演示账号（密码均为 hotline-demo）：admin 管理员 · supervisor 值班长 · agent 接线员 ·"
	@echo "  volunteer 志愿接线员 · gongguan 公馆镇经办人 · maonan_epi 茂南区疫情防控办 · health 市卫健局"
	@echo "  打开 http://127.0.0.1:$(HOTLINE_PORT)/    接口文档 http://127.0.0.1:$(HOTLINE_PORT)/api/v1/docs"
	@echo
	@# One clock worker beside the web server (overdue marks, escalations, the outbox); both
	@# stop together on Ctrl+C.
	@trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(HOTLINE) worker --interval 30 & worker=$$!; \
	  $(HOTLINE) serve --port $(HOTLINE_PORT) --workers $(HOTLINE_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	HOTLINE_DATA_DIR=$$(mktemp -d) $(HOTLINE) check --fail-level WARNING
	HOTLINE_DATA_DIR=$$(mktemp -d) $(HOTLINE) makemigrations --check --dry-run

# Each test database run gets a throwaway data directory, so a developer's var/ is untouched.
test-sqlite: install
	env -u DATABASE_URL HOTLINE_DATA_DIR=$$(mktemp -d) $(BIN)/pytest -m "not browser"

test-postgres: install
	@if [ -z "$$HOTLINE_TEST_DATABASE_URL" ]; then \
	  echo "HOTLINE_TEST_DATABASE_URL 未设置：跳过 PostgreSQL 测试。"; \
	else \
	  $(BIN)/python -m hotline.common.dbcheck "$$HOTLINE_TEST_DATABASE_URL" && \
	  DATABASE_URL="$$HOTLINE_TEST_DATABASE_URL" HOTLINE_DATA_DIR=$$(mktemp -d) $(BIN)/pytest -m "not browser"; \
	fi

test-browser: install
	@if [ -x /usr/bin/chromium ]; then \
	  env -u DATABASE_URL HOTLINE_DATA_DIR=$$(mktemp -d) $(BIN)/pytest -m browser tests/browser; \
	elif [ "$$HOTLINE_REQUIRE_BROWSER" = "1" ]; then \
	  echo "!!! /usr/bin/chromium 不存在，而 HOTLINE_REQUIRE_BROWSER=1：浏览器测试失败。"; exit 1; \
	else \
	  echo; echo "!!!!!! 跳过浏览器测试：/usr/bin/chromium 不存在（apt-get install chromium）。 !!!!!!"; echo; \
	fi

# The SQLite and PostgreSQL passes run side by side (each prints its output when it ends); the
# browser pass follows. The PostgreSQL pass leaves out the tests that never reach a database
# (root conftest.py): the SQLite pass runs those.
test: lint check
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres
	@$(MAKE) --no-print-directory test-browser

bench: install
	@for b in bench/bench_*.py; do \
	  m=$${b%.py}; m=$${m//\//.}; echo "== $$m"; $(BIN)/python -m $$m || exit 1; \
	done

clean:
	rm -rf $(VENV) var
