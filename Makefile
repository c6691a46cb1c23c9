# Partita — one-command setup, demo and tests on a fresh Debian machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Exactly this torch by default: the CPU build (plain PyPI's torch==2.13.0 pulls gigabytes
# of CUDA). A local wheel (pip's find-links) or PyTorch's CPU index provides it. Override
# e.g. `make setup TORCH=torch==2.9.1+cpu`; a changed pin reinstalls.
TORCH ?= torch==2.13.0+cpu
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
APT_PACKAGES := xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-xinerama0 \
	libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-shape0 libxkbcommon-x11-0 \
	libegl1 libgl1 libfontconfig1 libdbus-1-3 libportaudio2 libasound2t64,libasound2 \
	fluid-soundfont-gm timgm6mb-soundfont
# A,B: whichever is installed, else the first with an install candidate (Debian 13 renamed
# libasound2 to libasound2t64; 12 has only the old name).

.PHONY: setup system-deps demo test lint bench clean studio FORCE

$(VENV)/.installed: pyproject.toml Makefile $(VENV)/.torch
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	@# A wheel pip already finds (find-links, a mirror) first: asking an unreachable
	@# PyTorch index costs minutes of retries per dependency.
	$(PIP) install -q "$(TORCH)" 2>/dev/null || \
	  $(PIP) install -q "$(TORCH)" --extra-index-url $(TORCH_INDEX)
	$(PIP) install -q --no-deps "tinysoundfont>=0.3"
	$(PIP) install -q -e ".[dev,train]"
	$(PIP) install -q -e plugins/partita-drumkit
	touch $@

# Holds the torch pin; rewritten (so the venv is updated) only when TORCH changes.
$(VENV)/.torch: FORCE
	@mkdir -p $(VENV)
	@[ "$$(cat $@ 2>/dev/null)" = "$(TORCH)" ] || echo "$(TORCH)" > $@

FORCE:

system-deps:
	@if command -v apt-get >/dev/null; then \
	  missing=$$(for alts in $(APT_PACKAGES); do \
	    found=; for p in $${alts//,/ }; do dpkg -s $$p >/dev/null 2>&1 && found=1; done; \
	    [ -n "$$found" ] && continue; \
	    for p in $${alts//,/ }; do \
	      apt-cache policy $$p 2>/dev/null | grep -q 'Candidate: [^(]' && { echo $$p; break; }; \
	    done; \
	  done); \
	  if [ -n "$$missing" ]; then \
	    echo "Installing Debian packages: $$missing"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	  fi; \
	else echo "apt-get not found: install $(APT_PACKAGES) by hand"; fi

setup: system-deps $(VENV)/.installed

demo: setup
	$(VENV)/bin/partita info assets/demo/demo.mid
	$(VENV)/bin/partita render assets/demo/demo.mid -o out/demo/mix.wav --stems out/demo/stems

test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check engine studio tests plugins benchmarks

bench: setup
	$(VENV)/bin/partita bench --quick

studio: setup
	$(VENV)/bin/partita studio assets/demo/demo.mid

clean:
	rm -rf $(VENV) out build *.egg-info
