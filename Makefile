# Two entry points for newcomers: `make video` and `make test`. Both run `setup` first,
# which is idempotent: it installs only what is missing.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := libcairo2-dev libpango1.0-dev pkg-config ffmpeg fonts-dejavu-core \
	texlive-latex-base texlive-latex-extra texlive-fonts-recommended dvisvgm \
	festival festvox-us-slt-hts flite sox \
	chromium chromium-driver
QUALITY ?= h
# Open the video when there is a screen to show it on.
PREVIEW := $(if $(DISPLAY),-p,)

.PHONY: setup system-packages video test fuzz lint stills bench bench-trace bench-voice clean

# reveal.js for offline HTML slide decks (bp slides), from npm, in a git-ignored folder.
REVEALJS_VERSION := 6.0.1
REVEALJS := .cache/npm/node_modules/reveal.js

setup: system-packages $(VENV)/.installed $(REVEALJS)/.v$(REVEALJS_VERSION)

system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages: $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

$(REVEALJS)/.v$(REVEALJS_VERSION):
	@command -v npm >/dev/null || { echo "npm is needed to fetch reveal.js (apt-get install npm)"; exit 1; }
	npm install --prefix .cache/npm --no-save --no-package-lock --no-audit --no-fund \
		--loglevel=error reveal.js@$(REVEALJS_VERSION)
	@touch $@

video: setup
	$(VENV)/bin/manim $(PREVIEW) -q$(QUALITY) scenes/b3.py
	@echo "Narrated video: media/videos/b3/ (the .mp4, with its .srt, .vtt, .chapters.txt and .thumbnail.png beside it)"

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q

# Hypothesis fuzzing of lesson files with many more documents than `make test` runs, each run
# with fresh random seeds: FUZZ_EXAMPLES=20000 make fuzz for a night.
FUZZ_EXAMPLES ?= 2000
fuzz: setup
	BP_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV)/bin/pytest -q -p no:cacheprovider \
		tests/bpcore/test_fuzz_lessons.py -k documents

stills: setup
	$(VENV)/bin/bp stills assets/lessons/b3.yaml -o stills/b3

bench: setup
	$(PY) bench/render.py --quality h

# Time and peak memory of `bp trace` at 10^3 .. 10^6 steps (about 20 minutes on 2 busy cores).
bench-trace: setup
	$(PY) bench/trace.py

clean:
	rm -rf media renders stills slides scripts pages .cache/slides .pytest_cache

# Each installed voice on b3's script: Whisper tiny.en's word error rate, DNSMOS P.808, speed.
bench-voice: setup
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) bench/voice.py
