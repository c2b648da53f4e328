# SealedJournal: the two commands a newcomer needs are `make demo` and `make test`.
# Both install libsodium-dev (and pkg-config) through apt-get when pkg-config cannot find it.

SWIFT ?= swift
# CI sets STRICT=1: any compiler warning in our own code fails the build.
STRICT ?= 0

.PHONY: all deps deps-test build demo test docs fuzz sanitizers bench vectors clean
FUZZ_SECONDS ?= 10

all: build

deps:
	@bash scripts/ensure-deps.sh

# Tests also exercise the stock `age` binary for export interop.
deps-test:
	@bash scripts/ensure-deps.sh --with-age

build: deps
	$(SWIFT) build

## demo: build the CLI and run the main job on a throw-away journal
demo: deps
	@$(SWIFT) build --product sealed-journal
	@bash scripts/demo.sh "$$($(SWIFT) build --show-bin-path)/sealed-journal"

## test: build everything (warnings are errors under STRICT=1) and run the full suite; the HTML
## report's browser test leaves the demo page, its PNG and PDFs in .build/test-output/
test: deps-test
	@bash scripts/build-checked.sh $(STRICT)
	$(SWIFT) test

## docs: every public declaration has a /// comment, then the DocC catalog of SealedJournal and
## SealedJournalHTML with swift-docc-plugin, DocC warnings (a broken symbol link...) as errors;
## the static sites land in .build/docs/<target>
docs: deps
	@bash scripts/build-docs.sh .build/docs

## fuzz: libFuzzer + AddressSanitizer on every parser of untrusted bytes (about a minute)
fuzz: deps
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

## sanitizers: the whole test suite under AddressSanitizer, then the suites that run code on more
## than one thread (TSAN_SUITES; TSAN_SUITES=all for every suite) under ThreadSanitizer. Both take
## every 7th case of the exhaustive byte-flip, truncation and crash loops (SANITIZER_SAMPLE=1 for
## all of them); `make test` runs those loops in full (Tests/SealedJournalTests/Support/Exhaustive.swift)
TSAN_SUITES ?= ConcurrencyTests|ErrorContractTests|RoundTripTests|WitnessTests|JournalTamperTests/deferredCheckpoint|ParallelPathTests|StreamingImportTests|ImportAmendmentTests|AgeInteropTests|ReadmeExampleTests|ArticleExampleTests
SANITIZER_SAMPLE ?= 7
sanitizers: deps-test
	SEALED_JOURNAL_TEST_SAMPLE=$(SANITIZER_SAMPLE) LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan-suppressions.txt $(SWIFT) test --sanitize=address --scratch-path .build-asan
	SEALED_JOURNAL_TEST_SAMPLE=$(SANITIZER_SAMPLE) $(SWIFT) test --sanitize=thread --scratch-path .build-tsan $(if $(filter all,$(TSAN_SUITES)),,--filter '$(TSAN_SUITES)')

## bench: release-mode benchmark (figures quoted in issue notes come from here)
bench: deps
	$(SWIFT) run -c release sealed-journal-bench

## vectors: regenerate the format vectors, then check every vector with independent Python
## implementations (pip install cryptography pycryptodome argon2-cffi)
vectors: deps
	REGENERATE_FORMAT_VECTORS=1 REGENERATE_COSIGNATURE_VECTORS=1 $(SWIFT) test --filter "FormatVectorTests|CosignatureFormatTests"
	python3 scripts/check-crypto-vectors.py
	python3 scripts/check-cosignature-vectors.py
	python3 scripts/read-journal.py --check-vectors

clean:
	rm -rf .build .build-asan .build-tsan .build-fuzz Fuzz/work
