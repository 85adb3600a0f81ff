# cardops — two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app wsgi

.PHONY: run test install install-dev venv translations i18n migrate seed lint browser-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The lock files pin every package (regenerate with `make lock`); a stamp file skips reinstalling.
$(VENV)/.installed-main: requirements/main.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/main.lock
	touch $@

$(VENV)/.installed-dev: requirements/dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.lock
	touch $@ $(VENV)/.installed-main

install: $(VENV)/.installed-main translations
install-dev: $(VENV)/.installed-dev translations

translations: | $(BIN)/python
	@$(BIN)/pybabel compile -q -d cardops/translations 2>/dev/null || $(BIN)/pybabel compile -d cardops/translations

# Chinese msgids from cardops/**.py and templates/**.html → messages.pot → every catalogue (en). Translate the new
# empty entries in cardops/translations/*/LC_MESSAGES/messages.po, then `make translations` (tests check coverage).
I18N_DIR := cardops/translations
i18n: | $(BIN)/python
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-wrap --sort-by-file \
		--project=cardops --copyright-holder=cardops -o $(I18N_DIR)/messages.pot .
	@test -f $(I18N_DIR)/en/LC_MESSAGES/messages.po || \
		$(BIN)/pybabel init -i $(I18N_DIR)/messages.pot -d $(I18N_DIR) -l en --no-wrap
	$(BIN)/pybabel update -i $(I18N_DIR)/messages.pot -d $(I18N_DIR) --no-wrap --no-fuzzy-matching --ignore-obsolete
	@grep -c '^msgstr ""$$' $(I18N_DIR)/en/LC_MESSAGES/messages.po | xargs -I{} echo "en: {} empty msgstr lines (the header is one)"

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed --demo

# Web server and scheduler side by side on the embedded SQLite (or DATABASE_URL); Ctrl-C stops both.
run: seed
	@echo "cardops on http://127.0.0.1:$(PORT)  (scheduler runs beside it; Ctrl-C stops both)"
	@trap 'kill 0' INT TERM EXIT; \
	$(FLASK) scheduler & \
	$(FLASK) run --host 127.0.0.1 --port $(PORT) & \
	wait

# Debian's chromium and its driver, and a CJK font so screenshots show Chinese (never a downloaded browser): the
# browser tests are part of the suite and fail, not skip, without them.
browser-deps:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || { \
	  echo "installing chromium from Debian"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends \
	    chromium chromium-driver fonts-wqy-microhei; }

test: install-dev browser-deps
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check cardops tests bench config.py wsgi.py

lock: | $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	cd requirements && ../$(BIN)/pip-compile -q --strip-extras --output-file=main.lock ../pyproject.toml
	cd requirements && ../$(BIN)/pip-compile -q --strip-extras --extra dev --output-file=dev.lock ../pyproject.toml

# Benchmark (bench/README.md): generates the databases, serves cardops with gunicorn in production configuration,
# drives it with wrk (installed from Debian when missing), writes bench/results/. More options through BENCH_ARGS,
# e.g. BENCH_ARGS="--reuse --duration 10 --app-root ../cardops-before" (python -m bench.run -h).
BENCH_DB       ?= postgresql+psycopg://postgres@127.0.0.1:5432/cardops_bench
BENCH_REQUESTS ?= 1000000
BENCH_ARGS     ?=

bench: install
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "installing wrk from Debian"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y wrk || { $$SUDO apt-get update && $$SUDO apt-get install -y wrk; }; }
	$(BIN)/python -m bench.run --db "$(BENCH_DB)" --requests $(BENCH_REQUESTS) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
