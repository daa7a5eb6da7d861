# The two commands of the README: `make test` (every test) and `make demo` (a three-host
# cluster in network namespaces, as root). Each installs the Debian packages it needs itself.

SWIFT ?= swift
FUZZ_SECONDS ?= 60

.PHONY: all deps build release dist test demo fuzz bench format clean

all: build

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The binary to deploy (Deploy/install.sh): release, with the Swift runtime linked in, so a
# host needs no Swift, and the agent's memory holds only the runtime pages it touches.
dist: deps
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-dist --product agent

# Unit tests, then integration tests (real agents on loopback, a test-owned journald: root),
# then system tests (hosts from network namespaces, real traffic: root), in a debug build;
# the simulations of 1,000 nodes in a release build, where they run about ten times faster.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --disable-xctest --skip-build --skip SimulationTests --skip IntegrationTests --skip SystemTests
	$(SWIFT) test --disable-xctest --skip-build --filter IntegrationTests
	$(SWIFT) test --disable-xctest --skip-build --filter SystemTests
	$(SWIFT) build -c release --build-tests -Xswiftc -enable-testing
	$(SWIFT) test -c release -Xswiftc -enable-testing --disable-xctest --skip-build --filter SimulationTests

# scripts/demo starts three agents in network namespaces (scripts/netns-lab), applies a
# NodePort Service and three Pods, curls the ClusterIP and every NodePort, and tears it all
# down; `KEEP=1 make demo` keeps the cluster up until Ctrl-C. Needs root.
demo: deps release
	@scripts/demo

fuzz: deps
	bash Fuzz/run.sh $(FUZZ_SECONDS)

bench: deps
	cd Benchmarks && $(SWIFT) package --scratch-path ../.build-bench benchmark

format:
	swift-format format --in-place --recursive Package.swift Sources Tests

clean:
	rm -rf .build .build-bench .build-fuzz .build-dist
