#!/usr/bin/env bash
# Builds the bare-metal ISA tests into tests/guest/out/<test>.elf with the
# riscv64 cross compiler. Incremental (make); a no-op when up to date.
#   tests/guest/build.sh [make arguments, e.g. out/rv64i.elf or clean]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cross=${CROSS_COMPILE:-riscv64-linux-gnu-}
if ! command -v "${cross}gcc" >/dev/null; then
	echo "build.sh: ${cross}gcc not found (apt-get install gcc-riscv64-linux-gnu)" >&2
	exit 1
fi
exec make -C "$here" --no-print-directory -j"$(nproc)" CROSS_COMPILE="$cross" "$@"
