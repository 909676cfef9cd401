# dpcheck: test, build, lint and deploy. `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO ?= go
# Keep in step with Architectures in template.yaml (amd64 = x86_64).
LAMBDA_GOARCH ?= amd64
BIN_DIR ?= bin
# Static (CGO off, no RPC shim) and reproducible, so an unchanged source gives
# an unchanged zip and AutoPublishAlias does not publish a new version.
LAMBDA_BUILD_FLAGS := -tags lambda.norpc -trimpath -buildvcs=false -ldflags='-s -w -buildid='

STACK ?= dpcheck
REGION ?= $(or $(AWS_REGION),$(AWS_DEFAULT_REGION))
REGION_FLAG := $(if $(REGION),--region $(REGION))

.PHONY: help test browser browser-test fuzz build build-MathFunction bench bench-js e2e e2e-local interop interop-deps deploy delete lint clean

help: ## list the targets
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-20s %s\n", $$1, $$2}'

# Ginkgo colours its output only on a terminal and outside CI (CI set), so
# piped output and CI logs carry no escape codes.
test: ## the gate: vet, unit tests (-race), Ginkgo specs without e2e, properties, fixtures
	$(GO) vet ./...
	$(GO) test -race $$($(GO) list ./... | grep -Ev '/specs(/|$$)')
	$(GO) test -run Serial ./harness ./durable
	@if [ -d specs ]; then \
		flags='-r --race --randomize-all --fail-on-pending --label-filter=!e2e --skip-package=props'; \
		if [ ! -t 1 ] || [ -n "$${CI:-}" ]; then flags="$$flags --no-color"; fi; \
		echo "$(GO) tool ginkgo $$flags ./specs"; \
		$(GO) tool ginkgo $$flags ./specs; \
		flags=$$(echo "$$flags" | sed 's/ --race//'); \
		echo "$(GO) tool ginkgo $$flags ./specs (without -race: in-process branches then run one after another, see harness/serial_branches.go)"; \
		$(GO) tool ginkgo $$flags ./specs; \
	else echo 'make test: no specs/ yet, Ginkgo specs skipped'; fi
	@if [ -d specs/props ]; then \
		echo '$(GO) test -race ./specs/props'; \
		$(GO) test -race ./specs/props; \
	else echo 'make test: no specs/props/ yet, properties skipped'; fi
	@if [ -d fixtures ] && [ -f harness/cmd/dpcheck/conform.go ]; then \
		echo '$(GO) run ./harness/cmd/dpcheck conform fixtures/'; \
		$(GO) run ./harness/cmd/dpcheck conform fixtures/; \
	else echo 'make test: no fixtures/ or conform verb yet, fixtures skipped'; fi

# The browser test needs Debian's chromium; make browser installs it when
# CHROMIUM is missing (apt-get, as root or through sudo).
CHROMIUM ?= /usr/bin/chromium
browser: ## Debian's chromium for the browser test, installed with apt-get when CHROMIUM (default /usr/bin/chromium) is missing
	@if [ -x '$(CHROMIUM)' ]; then echo 'make browser: $(CHROMIUM) is installed'; else \
		sudo=; if [ "$$(id -u)" != 0 ]; then sudo=sudo; fi; \
		echo "make browser: installing chromium with apt-get"; \
		$$sudo apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends chromium; fi

# The screenshot goes to $(SCREENSHOT): ARTIFACTS_DIR/timeline.png when CI
# sets ARTIFACTS_DIR, else artifacts/timeline.png. SCREENSHOT=docs/timeline.png
# refreshes the README's picture.
SCREENSHOT ?= $(if $(ARTIFACTS_DIR),$(ARTIFACTS_DIR),$(CURDIR)/artifacts)/timeline.png
browser-test: browser ## the calculator's timeline in headless Chromium (chromedp): DOM checks and a screenshot (artifacts/timeline.png; SCREENSHOT=FILE)
	DPCHECK_CHROMIUM='$(CHROMIUM)' DPCHECK_SCREENSHOT='$(abspath $(SCREENSHOT))' \
		$(GO) test -tags browser -run Browser -count=1 -v ./harness/timeline

build: ## static linux bootstrap for provided.al2023 in bin/
	mkdir -p $(BIN_DIR)
	CGO_ENABLED=0 GOOS=linux GOARCH=$(LAMBDA_GOARCH) $(GO) build $(LAMBDA_BUILD_FLAGS) -o $(BIN_DIR)/bootstrap ./function/cmd/bootstrap

build-MathFunction: build ## what `sam build` calls (BuildMethod: makefile); needs ARTIFACTS_DIR
	@if [ -z '$(ARTIFACTS_DIR)' ]; then echo 'make build-MathFunction: ARTIFACTS_DIR is not set (sam build sets it)' >&2; exit 2; fi
	mkdir -p '$(ARTIFACTS_DIR)'
	cp $(BIN_DIR)/bootstrap '$(ARTIFACTS_DIR)/bootstrap'

FUZZTIME ?= 30s
fuzz: ## every Go fuzz target for FUZZTIME each (default 30s); failing inputs land in testdata/fuzz, which make test replays
	GO='$(GO)' FUZZTIME='$(FUZZTIME)' ./scripts/fuzz.sh

bench: ## the benchmarks: one BENCH <name> <value> <unit> line per figure, medians of three runs
	$(GO) run ./bench/cmd/benchreport -go '$(GO)' -count 3

bench-js: ## the official JavaScript LocalDurableTestRunner on the JavaScript calculator: the baseline calculator-inprocess is compared with (needs Node 20 and npm)
	cd bench/js && npm ci --no-audit --no-fund && npm run --silent bench

# The e2e scripts run Ginkgo too: the same colour rule, through Ginkgo's
# own environment variable.
GINKGO_COLOUR_RULE := if [ ! -t 1 ] || [ -n "$${CI:-}" ]; then export GINKGO_NO_COLOR=TRUE; fi;

e2e: ## deploy to AWS (STACK=dpcheck-e2e), run the e2e specs and fixtures, delete the stack unless KEEP=1
	@$(GINKGO_COLOUR_RULE) ./scripts/e2e.sh

e2e-local: ## the same e2e specs and fixtures against dpcheck serve running the real bootstrap; no AWS needed
	@$(GINKGO_COLOUR_RULE) ./scripts/e2e-local.sh

interop-deps: ## npm ci of interop/js (the official JavaScript SDK, pinned by package-lock.json); needs Node 20 and npm
	cd interop/js && npm ci --no-audit --no-fund

interop: interop-deps ## the official JS SDK under dpcheck serve: every official requirement (known SDK limits listed), e2e specs, fault sweeps
	./scripts/interop.sh

deploy: ## sam build + sam deploy of template.yaml (STACK=dpcheck, REGION=...)
	@command -v sam >/dev/null || { echo 'make deploy: the AWS SAM CLI (sam) is not installed' >&2; exit 2; }
	@echo 'make deploy: stack $(STACK)$(if $(REGION), in $(REGION)): MathFunction (provided.al2023, $(LAMBDA_GOARCH)), alias live, DurableConfig, an IAM role (CAPABILITY_IAM)'
	sam build --template-file template.yaml
	sam deploy --stack-name $(STACK) $(REGION_FLAG) --resolve-s3 --capabilities CAPABILITY_IAM \
		--no-confirm-changeset --no-fail-on-empty-changeset

delete: ## sam delete of the stack (STACK=dpcheck)
	@command -v sam >/dev/null || { echo 'make delete: the AWS SAM CLI (sam) is not installed' >&2; exit 2; }
	sam delete --stack-name $(STACK) $(REGION_FLAG) --no-prompts

lint: ## gofmt, go vet, staticcheck, actionlint
	@unformatted=$$(gofmt -l $$($(GO) list -f '{{.Dir}}' ./...)); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) tool actionlint

clean: ## remove build output
	rm -rf $(BIN_DIR) .aws-sam
