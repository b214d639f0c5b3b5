#!/usr/bin/env bash
# Runs a test script inside a throwaway x86_64 Linux host booted under
# qemu-system-x86_64 (TCG): a real cgroup v2-only host (cpuset, cpu, io,
# memory, hugetlb, pids, rdma, misc), which this machine cannot give us.
#
#   scripts/x86-host.sh SCRIPT [FILE...]
#
# The guest kernel is Debian's linux-image-amd64 (downloaded once with
# apt-get download and cached under ${KEEL_CACHE:-~/.cache/keel}/x86-host).
# The initramfs holds busybox-static, bash, jq, every FILE given (with the
# shared libraries ldd lists for it) under the same absolute path, and
# SCRIPT as /test.sh. The script runs as root with cgroup2 mounted at
# /sys/fs/cgroup; its output is printed here and its exit status becomes
# ours (the guest reports it on the serial line).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 SCRIPT [FILE...]" >&2; exit 2; }
script=$1
shift
cache=${KEEL_CACHE:-$HOME/.cache/keel}/x86-host
mkdir -p "$cache"

# The versioned kernel package that linux-image-amd64 points at.
kernel_package() {
	apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}'
}

fetch_kernel() {
	[ -f "$cache/vmlinuz" ] && return
	local pkg tmp
	pkg=$(kernel_package)
	# A machine whose apt lists were never fetched (or were cleaned) knows
	# no packages yet: fetch them once, as root.
	if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
		apt-get update -qq >&2 || true
		pkg=$(kernel_package)
	fi
	[ -n "$pkg" ] || { echo "x86-host: apt knows no linux-image-amd64 (run apt-get update)" >&2; exit 1; }
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download "$pkg" >"$tmp/apt.log" 2>&1) ||
		{ echo "x86-host: cannot download $pkg: $(tail -1 "$tmp/apt.log")" >&2; rm -rf "$tmp"; exit 1; }
	dpkg-deb -x "$tmp"/*.deb "$tmp/x"
	cp "$tmp"/x/boot/vmlinuz-* "$cache/vmlinuz.tmp"
	mv "$cache/vmlinuz.tmp" "$cache/vmlinuz"
	rm -rf "$tmp"
}

# Copies a binary and the libraries it links into the tree at $1.
add_binary() {
	local tree=$1 bin=$2 lib
	mkdir -p "$tree$(dirname "$bin")"
	cp -L "$bin" "$tree$bin"
	for lib in $(ldd "$bin" 2>/dev/null | grep -oE '/[^ ]+' || true); do
		[ -e "$tree$lib" ] && continue
		mkdir -p "$tree$(dirname "$lib")"
		cp -L "$lib" "$tree$lib"
	done
}

build_initramfs() {
	local tree=$1 f
	shift
	mkdir -p "$tree"/{bin,sbin,proc,sys,dev,tmp,run,etc,root,usr/bin}
	cp /bin/busybox "$tree/bin/busybox"
	for f in $(/bin/busybox --list); do
		[ -e "$tree/bin/$f" ] || ln -s busybox "$tree/bin/$f"
	done
	add_binary "$tree" /bin/bash
	command -v jq >/dev/null && add_binary "$tree" "$(command -v jq)"
	for f in "$@"; do
		f=$(readlink -f "$f")
		if [ -d "$f" ]; then
			mkdir -p "$tree$f" && cp -a "$f/." "$tree$f/"
		else
			add_binary "$tree" "$f"
		fi
	done
	cp "$script" "$tree/test.sh"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$tree/etc/passwd"
	echo 'root:x:0:' >"$tree/etc/group"
	cat >"$tree/init" <<'INIT'
#!/bin/sh
# pivot_root(2) cannot move the initramfs: runtimes under test need a real
# root, so copy ourselves into a tmpfs and switch to it first.
if [ ! -e /.on-tmpfs ]; then
	mkdir /newroot && mount -t tmpfs -o size=90% tmpfs /newroot
	cp -a $(ls -A / | grep -v -e '^newroot$' -e '^proc$' -e '^sys$' -e '^dev$' | sed 's|^|/|') /newroot/
	mkdir -p /newroot/proc /newroot/sys /newroot/dev && touch /newroot/.on-tmpfs
	exec switch_root /newroot /init
fi
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run  # /tmp stays: FILEs may live there
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# hand every controller down, as a systemd host does
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
	echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
done
ip link set lo up
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
cd /tmp
echo KEEL-X86-HOST-BEGIN
/bin/sh /test.sh
echo "KEEL-X86-HOST-EXIT $?"
sync
poweroff -f
INIT
	chmod +x "$tree/init"
	(cd "$tree" && find . | cpio -o -H newc --quiet | gzip -1) >"$tree.cpio.gz"
}

fetch_kernel
work=$(mktemp -d /tmp/keel-x86-host.XXXXXX)
trap '[ -n "${KEEL_X86_HOST_KEEP:-}" ] || rm -rf "$work"' EXIT
build_initramfs "$work/root" "$@"
out=$work/console.log
timeout "${KEEL_X86_HOST_TIMEOUT:-900}" qemu-system-x86_64 -machine q35 -cpu max -smp 2 -m 2G \
	-nographic -no-reboot -monitor none -serial stdio -nic none \
	-kernel "$cache/vmlinuz" -initrd "$work/root.cpio.gz" \
	-append "console=ttyS0 quiet panic=-1 rdinit=/init" </dev/null | tr -d '\r' | tee "$out" |
	sed -n '/KEEL-X86-HOST-BEGIN/,$p' | grep -v -e 'KEEL-X86-HOST-' -e '^\[ *[0-9.]*\]' || true
code=$(sed -n 's/^KEEL-X86-HOST-EXIT \([0-9]*\).*/\1/p' "$out" | tail -1)
[ -n "$code" ] || { echo "x86-host: the guest did not finish (see its console above)" >&2; exit 1; }
exit "$code"
