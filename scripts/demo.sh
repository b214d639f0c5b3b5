#!/usr/bin/env bash
# make demo: a container from the embedded busybox rootfs showing its
# isolation, then a RISC-V Linux guest booting in keel-vm.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KEEL_BUILD:-$root/build}
keel=$build/keel
work=$(mktemp -d /tmp/keel-demo.XXXXXX)
state=$work/state
cleanup() {
	"$keel" --root "$state" delete --force keel-demo >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "== keel: a container from a busybox-static rootfs =="
"$root/scripts/make-bundle.sh" "$work/bundle" sh -c '
	echo "hostname:   $(hostname)"
	echo "my pid:     $$ (PID 1 is: $(cat /proc/1/comm))"
	echo "processes:"; ps -o pid,comm
	echo "mounts:";    cut -d" " -f2,3 /proc/mounts | sed "s/^/  /"
	echo "network:";   ip -o link | sed "s/^/  /"' >/dev/null
sed -i 's/"hostname": *"[^"]*"/"hostname": "keel-demo"/' "$work/bundle/config.json"
echo "host hostname: $(hostname)"
"$keel" --root "$state" run --bundle "$work/bundle" keel-demo
echo

echo "== keel-vm: RISC-V Linux booting to a shell =="
if [ -x "$build/keel-vm" ]; then
	guest=$("$root/scripts/build-guest.sh" --print-dir)
	if [ -t 0 ]; then
		echo "(interactive busybox shell; 'poweroff' or Ctrl-a x to leave)"
		exec "$build/keel-vm" --kernel "$guest/Image" --initrd "$guest/initramfs.cpio" \
			--disk "$guest/disk.ext4" --net user --append "console=ttyS0 quiet"
	fi
	echo "(no terminal: running a scripted session)"
	printf 'uname -a\ncat /proc/cpuinfo | head -5\nls /\npoweroff\n' |
		"$build/keel-vm" --kernel "$guest/Image" --initrd "$guest/initramfs.cpio" \
			--append "console=ttyS0 quiet"
fi
