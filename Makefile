# ThreeFactor — build, test, benchmark and replicate.
#   make replicate-map-prop   run a paper's full protocol, figures, verdicts
#   make test                 unit tests + every paper's quick profile, verified (what CI runs)
#   make bench                environment and learning steps per second (release build)

SWIFT      ?= swift
CLI        := .build/release/threefactor
JOBS       ?=
APT        := libhdf5-dev hdf5-tools libbox2d-dev pkg-config python3-venv
VENV       := .build-venv
PAPERS     := $(notdir $(wildcard papers/*))

.PHONY: deps build debug test unit-tests example-tests quick-replications citation bench clean

## deps: install the system libraries (apt-get, when root) or print the command to do so.
deps:
	@missing=""; \
	pkg-config --exists hdf5 || missing="$$missing libhdf5-dev pkg-config"; \
	command -v h5dump >/dev/null || missing="$$missing hdf5-tools"; \
	test -f /usr/include/box2d/box2d.h || missing="$$missing libbox2d-dev"; \
	python3 -c "import venv, ensurepip" 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing: $(APT)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT) >/dev/null; \
	  else \
	    echo "missing:$$missing"; \
	    echo "run: sudo apt-get update && sudo apt-get install -y $(APT)"; exit 1; \
	  fi; \
	fi

## build: the release binary (everything timed or long-running uses it).
build: deps
	$(SWIFT) build -c release --product threefactor

test: unit-tests example-tests quick-replications citation

## unit-tests: every test target; the command-line tests drive the release binary.
unit-tests: build
	THREEFACTOR_CLI=$(CURDIR)/$(CLI) $(SWIFT) test

quick-replications: build
	@for p in $(PAPERS); do \
	  echo "== quick replication: $$p"; \
	  $(CLI) replicate $$p --profile quick $(if $(JOBS),--jobs $(JOBS)) || exit $$?; \
	done

## citation: CITATION.cff must validate against the CFF 1.2.0 schema (cffconvert).
citation: deps
	@test -x $(VENV)/bin/cffconvert || { python3 -m venv $(VENV) && $(VENV)/bin/pip install -q cffconvert; }
	$(VENV)/bin/cffconvert --validate -i CITATION.cff

bench: build
	$(CLI) bench

replicate-%: build
	$(CLI) replicate $* --profile full $(if $(JOBS),--jobs $(JOBS))

clean:
	rm -rf .build runs $(VENV) Examples/CustomRule/.build Examples/CustomRule/runs

## example-tests: the outside-package example (Examples/CustomRule) builds against the
## toolkit by path and its rule's tests pass (debug build; about a minute from scratch).
example-tests: deps
	$(SWIFT) test --package-path Examples/CustomRule --scratch-path Examples/CustomRule/.build
