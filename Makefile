# ThreeFactor — build, test, benchmark and replicate.
#   make replicate-map-prop   run a paper's full protocol, figures, verdicts
#   make test                 unit tests, every paper's quick and ci profiles, verified (what CI runs)
#   make bench                environment and learning steps per second (release build)
#   make docs                 API documentation (DocC) of ThreeFactor and Replication
#   make fuzz                 coverage-guided fuzzing of the file readers (libFuzzer)

SWIFT      ?= swift
CLI        := .build/release/threefactor
JOBS       ?=
APT        := libhdf5-dev hdf5-tools libbox2d-dev pkg-config python3-venv
VENV       := .build-venv
PAPERS     := $(notdir $(wildcard papers/*))
DOCS       := .build/docs
# The path the documentation site is served under (e.g. ThreeFactor for a project page at
# https://<host>/ThreeFactor/); empty: the site's own root.
DOCS_BASE  ?=
# make fuzz: seconds per fuzz target, the targets, where the fuzz build and its growing
# corpus live, and where crashing inputs are left.
FUZZ_SECONDS  ?= 60
FUZZ_TARGETS  ?= experiments reference actions runlog
FUZZ_BUILD    := .build/fuzz
FUZZ_FINDINGS ?= fuzz-findings
FUZZ_FLAGS    ?=

.PHONY: deps build debug test unit-tests example-tests quick-replications ci-replications quick-benchmark citation bench benchmark docs fuzz fuzz-ci clean

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

test: unit-tests example-tests quick-replications ci-replications quick-benchmark citation fuzz-ci

## unit-tests: every test target; the command-line tests drive the release binary.
unit-tests: build
	THREEFACTOR_CLI=$(CURDIR)/$(CLI) $(SWIFT) test

quick-replications: build
	@for p in $(PAPERS); do \
	  echo "== quick replication: $$p"; \
	  $(CLI) replicate $$p --profile quick $(if $(JOBS),--jobs $(JOBS)) || exit $$?; \
	done

## ci-replications: every paper's profile ci (the paper's full protocol of the experiments
## that fit in CI), verified; each verdict must be the one data/reference/<paper>.toml pins
## ([expected_verdicts.ci]) and the README's ci results section what the verifier writes.
ci-replications: build
	@for p in $(PAPERS); do \
	  grep -q '^\[profiles\.ci\]' papers/$$p/experiments.toml || continue; \
	  echo "== ci replication: $$p"; \
	  $(CLI) replicate $$p --profile ci --expect-verdicts --readme check $(if $(JOBS),--jobs $(JOBS)) || exit $$?; \
	done

## citation: CITATION.cff must validate against the CFF 1.2.0 schema (cffconvert).
citation: deps
	@test -x $(VENV)/bin/cffconvert || { python3 -m venv $(VENV) && $(VENV)/bin/pip install -q cffconvert; }
	$(VENV)/bin/cffconvert --validate -i CITATION.cff

bench: build
	$(CLI) bench
	@if command -v valgrind > /dev/null; then scripts/callgrind-step.sh cartpole-map-prop; \
	else echo "bench: valgrind not installed, no instruction count (apt-get install valgrind)"; fi

replicate-%: build
	$(CLI) replicate $* --profile full $(if $(JOBS),--jobs $(JOBS))

## benchmark: every rule on every task of data/benchmark/benchmark.toml, tuned with equal
## budgets (long: see data/benchmark/README.md); resumable. quick-benchmark: the CI profile.
benchmark: build
	$(CLI) benchmark --profile full $(if $(JOBS),--jobs $(JOBS))

quick-benchmark: build
	$(CLI) benchmark --profile quick $(if $(JOBS),--jobs $(JOBS))

## docs: the DocC documentation of ThreeFactor and Replication as one static site in
## $(DOCS) (swift-docc-plugin; a debug build extracts the symbols), then the check that every
## public declaration has a doc comment (scripts/doc-coverage.py lists those that have none).
docs: deps
	$(SWIFT) package --allow-writing-to-directory $(DOCS) generate-documentation \
	  --target ThreeFactor --target Replication --enable-experimental-combined-documentation \
	  --output-path $(DOCS) --transform-for-static-hosting $(if $(DOCS_BASE),--hosting-base-path $(DOCS_BASE)) \
	  --warnings-as-errors
	@python3 scripts/doc-coverage.py \
	  $$(ls -t .build/*/extracted-symbols/*/ThreeFactor/ThreeFactor.symbols.json | head -1) \
	  $$(ls -t .build/*/extracted-symbols/*/Replication/Replication.symbols.json | head -1)
	@echo "documentation: $(CURDIR)/$(DOCS)/index.html"
	@echo "DocC pages load their content over HTTP, not from file://; $(if $(DOCS_BASE),publish $(DOCS) at /$(DOCS_BASE)/,to read them:)"
	$(if $(DOCS_BASE),,@echo "  python3 -m http.server --directory $(DOCS) 8000   and open http://localhost:8000/documentation/")

## fuzz: coverage-guided fuzzing (libFuzzer + AddressSanitizer) of the readers of untrusted
## files: experiments files, reference files, `env replay` actions files and HDF5 run logs,
## FUZZ_SECONDS each, one after another. The targets are a separate package (Fuzz/, built
## in $(FUZZ_BUILD); `swift build` and `swift test` never see it), seeded from Fuzz/corpus.
## A crash, a trap, anything printed, or an error that is not one line naming the file
## fails the target: its input is left in $(FUZZ_FINDINGS)/<target>/ and make exits 1.
## CI runs `make fuzz-ci` (below). Replay a finding: $(FUZZ_BUILD)/release/
## Fuzz<Target> <file> (with SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:
## allocator_may_return_null=1; TOMLKit leaks a little per parse, so leak detection is off, and
## a damaged HDF5 length asks malloc for exabytes, which fails as in production, not as a crash).
fuzz: deps
	$(SWIFT) build --package-path Fuzz --scratch-path $(FUZZ_BUILD) -c release \
	  --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
	@failed=""; \
	for t in $(FUZZ_TARGETS); do \
	  case $$t in experiments) exe=FuzzExperiments;; reference) exe=FuzzReference;; \
	    actions) exe=FuzzActions;; runlog) exe=FuzzRunLog;; *) echo "unknown fuzz target $$t"; exit 2;; esac; \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_FINDINGS)/$$t; \
	  echo "== fuzz $$t: $(FUZZ_SECONDS) s"; \
	  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 TMPDIR=$(CURDIR)/$(FUZZ_FINDINGS)/$$t \
	  $(FUZZ_BUILD)/release/$$exe -max_total_time=$(FUZZ_SECONDS) -timeout=20 -detect_leaks=0 \
	    -dict=Fuzz/dict/$$t.dict -artifact_prefix=$(FUZZ_FINDINGS)/$$t/ -print_final_stats=1 $(FUZZ_FLAGS) \
	    $(FUZZ_BUILD)/corpus/$$t Fuzz/corpus/$$t > $(FUZZ_FINDINGS)/$$t.log 2>&1 \
	    || failed="$$failed $$t"; \
	  grep -hE '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|SUMMARY|.*Fatal error)' \
	    $(FUZZ_FINDINGS)/$$t.log $(FUZZ_FINDINGS)/$$t/fuzz-stderr-* 2>/dev/null; \
	done; \
	if [ -n "$$failed" ]; then \
	  echo "fuzz: a reader failed:$$failed; inputs and logs in $(FUZZ_FINDINGS)/"; ls $(FUZZ_FINDINGS)/*/; exit 1; \
	fi

## fuzz-ci: the bounded fuzzing CI runs: 25 s per target, every target, with libFuzzer's
## random seed fixed so that a CI run tries the same inputs each time (the longer runs of
## `make fuzz` draw a new seed each time and are where new findings come from).
fuzz-ci:
	$(MAKE) fuzz FUZZ_SECONDS=25 FUZZ_FLAGS=-seed=1

clean:
	rm -rf .build runs $(VENV) Examples/CustomRule/.build Examples/CustomRule/runs

## example-tests: the outside-package example (Examples/CustomRule) builds against the
## toolkit by path and its rule's tests pass (debug build; about a minute from scratch).
example-tests: deps
	$(SWIFT) test --package-path Examples/CustomRule --scratch-path Examples/CustomRule/.build
