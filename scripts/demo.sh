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
# The project's own guest (built from Debian packages, cached under ~/.cache/keel).
eval "$("$root/scripts/build-guest.sh")"
cp "$KEEL_GUEST_DISK" "$work/disk.ext4"
vm=("$build/keel-vm" --kernel "$KEEL_GUEST_KERNEL" --initrd "$KEEL_GUEST_INITRAMFS"
	--disk "$work/disk.ext4" --net user --append "console=ttyS0 quiet")
if [ -t 0 ] && [ -t 1 ]; then
	echo "(an interactive busybox shell: 'poweroff' or Ctrl-a x to leave)"
	"${vm[@]}"
else
	echo "(no terminal: a scripted session on the guest's console)"
	{
		sleep 1
		printf '%s\n' 'uname -a' 'grep -m3 -e isa -e mmu /proc/cpuinfo' \
			'cat /proc/meminfo | head -2' 'ls /dev/vd* /dev/hwrng' 'ip -o -4 addr' 'poweroff'
	} | "${vm[@]}"
fi
