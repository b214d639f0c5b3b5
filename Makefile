# Thin wrapper over meson/ninja. The real build is meson.build.
#   make demo    install missing packages, build, show a container and a VM
#   make test    every suite this machine can run; ends "N passed, N failed"
#   make bench   keel vs runc vs crun, keel-vm vs QEMU, side by side
#   make fuzz    the libFuzzer targets, long runs
.PHONY: all deps build build-asan build-fuzz guest demo test bench fuzz format format-check clean

all: build

deps:
	@scripts/deps.sh

build/build.ninja:
	meson setup build --buildtype=release

build-asan/build.ninja:
	meson setup build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

build-fuzz/build.ninja:
	CC=clang meson setup build-fuzz --buildtype=debug -Dfuzzers=true -Dunit_tests=false \
		-Db_sanitize=address,undefined -Db_lundef=false

build: deps build/build.ninja
	ninja -C build

build-asan: deps build-asan/build.ninja
	ninja -C build-asan

build-fuzz: deps build-fuzz/build.ninja
	ninja -C build-fuzz

# The project's own riscv64 guest (kernel, busybox, initramfs, disk), built
# from Debian packages; cached under ~/.cache/keel, seconds once cached.
guest: deps
	scripts/build-guest.sh >/dev/null

demo: build guest
	scripts/demo.sh

test: build build-asan build-fuzz guest
	scripts/run-tests.sh

bench: build
	bench/run.sh

fuzz: build-fuzz
	KEEL_TEST_STAGES=fuzz KEEL_FUZZ_SECONDS=$${KEEL_FUZZ_SECONDS:-1800} scripts/run-tests.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-fuzz
