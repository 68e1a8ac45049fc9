# Leadline: `make run` starts it with demo data, `make test` runs every test.
# Both install missing packages first and are safe to run again.

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
PORT ?= 8080
# The embedded PostgreSQL runs as the `postgres` user when we are root; it must be able to
# reach the data directory, so fall back to /var/lib/leadline when the checkout is closed to it.
DATA_DIR ?= $(shell if [ "$$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$(CURDIR)" 2>/dev/null; then echo /var/lib/leadline; else echo "$(CURDIR)/var"; fi)

.PHONY: all deps build run test bench asan format clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)
	@if [ -f web/package.json ]; then npm --prefix web run build; fi

run: build
	$(BUILD_DIR)/leadline serve --seed-demo --port $(PORT) --data-dir "$(DATA_DIR)"

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

bench: build
	LEADLINE_DEPS=bench scripts/install-deps.sh
	bench/run.sh $(BUILD_DIR)/leadline

# AddressSanitizer + UndefinedBehaviorSanitizer build and test run.
asan: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLEADLINE_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)
	ctest --test-dir build-asan --output-on-failure -j $(JOBS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD_DIR) build-asan
