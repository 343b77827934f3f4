# The two commands a newcomer needs:
#   make run    set up, load demo data and serve the portal on http://127.0.0.1:8000
#   make test   set up and run the whole test suite (ruff included)

VENV := .venv
PYTHON := $(VENV)/bin/python

# In CI the suite runs against the real services on this machine.
ifeq ($(CI),true)
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
export REDIS_URL ?= redis://127.0.0.1:6379/0
endif

.PHONY: run test setup messages topology

# The demo is drawn once (a second run adds nothing) and its passwords are kept in
# var/demo-passwords.txt; `manage.py load_demo --new-passwords` makes new ones, and deleting var/
# starts again from nothing.
run: setup
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py load_demo
	$(PYTHON) manage.py runserver 127.0.0.1:8000

test: setup
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -n 2

# Two web nodes behind haproxy, two workers, two beats, Redis and moto S3 on loopback, under a
# launch morning's load with a node stopped, a worker killed and Redis restarted (5 to 7
# minutes; deploy/README.md). `$(PYTHON) -m bench.topology --short` is what the suite runs.
topology: setup
	$(PYTHON) -m bench.topology

setup: $(VENV)/.installed
	$(PYTHON) manage.py compilemessages --ignore '.venv/*' -v 0

# Adds new interface strings to the German and French catalogues (locale/), to be translated
# there; tests/portal/test_catalogues.py fails while any is untranslated or fuzzy.
MESSAGES_IGNORE := -i '.venv/*' -i 'var/*' -i 'staticfiles/*' -i 'tests/*' -i 'bench/*' -i 'deploy/*'
messages:
	$(PYTHON) manage.py makemessages -l de -l fr --no-location --no-obsolete $(MESSAGES_IGNORE)
	$(PYTHON) manage.py makemessages -d djangojs -l de -l fr --no-location --no-obsolete \
		$(MESSAGES_IGNORE) -i 'static/vendor/*'

# Re-installs only when requirements.txt changes.
$(VENV)/.installed: requirements.txt
	@# System packages: cairo draws SVG logos; Debian's Chromium runs the browser tests.
	@# Installed when missing and we may (root, as in CI); otherwise those tests skip.
	@python3 -c "import ctypes.util, sys; sys.exit(not ctypes.util.find_library('cairo'))" \
		|| [ "$$(id -u)" != 0 ] || (apt-get update -qq && apt-get install -y -qq libcairo2)
	@test -x /usr/bin/chromium || [ "$$(id -u)" != 0 ] \
		|| (apt-get update -qq && apt-get install -y -qq chromium)
	@# gettext's msgfmt compiles the catalogues (locale/); the catalogue test runs xgettext.
	@command -v msgfmt >/dev/null || [ "$$(id -u)" != 0 ] \
		|| (apt-get update -qq && apt-get install -y -qq gettext)
	@# rsync copies the stored files in the backup and restore test, as docs/operations.md does.
	@command -v rsync >/dev/null || [ "$$(id -u)" != 0 ] \
		|| (apt-get update -qq && apt-get install -y -qq rsync)
	@# haproxy fronts the two web nodes of the topology harness (bench/topology.py).
	@command -v haproxy >/dev/null || [ "$$(id -u)" != 0 ] \
		|| (apt-get update -qq && apt-get install -y -qq haproxy)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@
