# Every target sets up what it needs on a fresh Debian/Ubuntu machine with Python >= 3.10.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PACKAGES := arm4r_policy arm4r_bringup arm4r_training

# Tests never reach the model hub, and MuJoCo renders without a display.
export HF_HUB_OFFLINE := 1
export MUJOCO_GL ?= egl

.PHONY: venv rendering test lint bench demo lock clean

venv: rendering $(STAMP)

# MuJoCo renders offscreen through EGL: Mesa's software rasteriser on machines without a GPU.
EGL_PACKAGES := libegl1 libegl-mesa0 libgl1-mesa-dri
rendering:
	@ldconfig -p | grep -q libEGL_mesa || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $(EGL_PACKAGES); \
	  else \
	    echo "Offscreen rendering needs: sudo apt-get install $(EGL_PACKAGES)"; exit 1; \
	  fi; }

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt constraints.txt $(foreach p,$(PACKAGES),$(wildcard $(p)/setup.py $(p)/pyproject.toml)) | $(PY)
	$(PY) -m pip install --upgrade --quiet pip
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps $(foreach p,$(PACKAGES),-e ./$(p))
	touch $@

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(VENV)/bin/pytest

bench: venv
	$(PY) tests/bench/run.py

# The shipped simulation checkpoint picking cubes in all three colours (README: "The shipped
# checkpoint"); the full protocol is --episodes 25 --seeds 3.
DEMO_CHECKPOINT := checkpoints/kinova_sim_pick_cube
demo: venv
	$(VENV)/bin/arm4r eval --cell kinova --task pick_cube --checkpoint $(DEMO_CHECKPOINT) \
	  --episodes 10 --seeds 1 --out arm4r_eval/demo

# Re-resolve the lock after editing requirements.txt: a throw-away venv, then its freeze.
lock:
	rm -rf /tmp/arm4r-lock && $(PYTHON) -m venv /tmp/arm4r-lock
	/tmp/arm4r-lock/bin/pip install --quiet -r requirements.txt
	{ echo "# Full lock of the environment 'make venv' builds; torch is the CPU build (a plain 'torch' would pull CUDA)."; \
	  /tmp/arm4r-lock/bin/pip freeze | sed 's/+cpu//'; } > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
