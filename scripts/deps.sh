#!/usr/bin/env bash
# Installs the Debian packages Keel needs to build, test and benchmark.
# Quick when everything is present: it only calls apt-get for what is missing.
#   scripts/deps.sh          build + test + demo + bench packages
# Then scripts/check-deps.sh checks that every command, library and file the
# build and the tests use is there (scripts/check-deps.sh --fresh DIR runs
# all of this on a freshly debootstrapped Debian 12).

set -euo pipefail

build_pkgs=(gcc make meson ninja-build pkg-config libjansson-dev libseccomp-dev libcap-dev
	libfdt-dev libslirp-dev libglib2.0-dev libcmocka-dev clang libclang-rt-14-dev clang-format)
test_pkgs=(bats busybox-static gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu cpio
	e2fsprogs podman containerd runc crun uidmap iproute2 bsdutils procps util-linux
	opensbi qemu-system-misc qemu-system-x86 linux-source-6.1 bc flex bison libssl-dev
	dpkg-dev xz-utils socat python3 netcat-openbsd skopeo jq device-tree-compiler)
bench_pkgs=(hyperfine time linux-perf)

want=("${build_pkgs[@]}" "${test_pkgs[@]}")
want+=("${bench_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exec "$(dirname "$0")/check-deps.sh" >/dev/null
fi

echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages and not root; run: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
"$(dirname "$0")/check-deps.sh"
