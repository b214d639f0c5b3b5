#!/usr/bin/env bash
# make bench: every comparison, side by side in one run.
#   bench/containers.sh   keel vs runc vs crun (container start)
#   bench/exec.sh         keel vs runc vs crun (exec latency, smallest memory limit)
#   bench/vm.sh           keel-vm vs qemu-system-riscv64 (boot, guest CPU work)
#   bench/seccomp.sh      keel and runc with and without podman's seccomp profile
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export KEEL_BUILD=${KEEL_BUILD:-$here/../build}
"$here/../scripts/deps.sh"
status=0
for b in containers exec vm seccomp; do
	[ -x "$here/$b.sh" ] || continue
	echo "== $b =="
	"$here/$b.sh" || status=$?
	echo
done
exit $status
