#!/usr/bin/env bash
# Builds Keel's own riscv64 Linux guest from Debian packages alone:
#
#   Image           Linux from linux-source-6.1, tinyconfig + scripts/guest/kernel.config
#   busybox         static, from Debian's busybox source package, Debian's own
#                   "static" configuration + scripts/guest/busybox.config
#   initramfs.cpio  busybox + scripts/guest/init (newc, made with the kernel's
#                   gen_init_cpio, so no root and no mknod are needed)
#   disk.ext4       a small ext4 image made with mke2fs -d (no loop mounts)
#
# Everything is cached under ${KEEL_CACHE:-$HOME/.cache/keel}/guest, each
# artifact keyed by a hash of its inputs: a second run takes seconds, and a
# change to one input rebuilds only what depends on it.
#
# Prints one line per artifact on stdout, KEY=PATH, so callers can
#   eval "$(scripts/build-guest.sh)"
# Progress and build logs go to stderr and to $cache/logs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
guest_dir=$root/scripts/guest
cache=${KEEL_CACHE:-$HOME/.cache/keel}/guest
cross=${CROSS_COMPILE:-riscv64-linux-gnu-}
jobs=${KEEL_GUEST_JOBS:-$(nproc)}
linux_tarball=/usr/src/linux-source-6.1.tar.xz

log() { printf 'build-guest: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# Runs a long build step at the lowest priority (the machine is shared) with
# its output in a log file; on failure shows the end of the log.
run_logged() {
	local name=$1
	shift
	local logfile=$cache/logs/$name.log
	if ! nice -n 19 "$@" >"$logfile" 2>&1; then
		tail -40 "$logfile" >&2
		die "$name failed (full log: $logfile)"
	fi
}

hash_of() { sha256sum | cut -c1-16; }
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo none; }

check_tools() {
	local tool
	for tool in "${cross}gcc" "${cross}readelf" cc make bc flex bison mke2fs cpio xz sha256sum flock dpkg-source; do
		command -v "$tool" >/dev/null || die "missing $tool (run scripts/deps.sh)"
	done
	[ -r "$linux_tarball" ] || die "missing $linux_tarball (apt-get install linux-source-6.1)"
}

# --- Linux ---------------------------------------------------------------

linux_source_dir() {
	local dir
	dir=$cache/src/linux-$(pkg_version linux-source-6.1)
	if [ ! -f "$dir/.extracted" ]; then
		log "extracting $linux_tarball"
		rm -rf "$dir" && mkdir -p "$dir"
		tar -xJf "$linux_tarball" -C "$dir" --strip-components=1
		touch "$dir/.extracted"
	fi
	echo "$dir"
}

# One build tree is reused across configurations so that a change to the
# fragment recompiles only what it affects.
build_kernel() {
	local out=$1 src obj
	src=$(linux_source_dir)
	obj=$cache/linux-build
	mkdir -p "$obj"
	local kmake=(make -C "$src" O="$obj" ARCH=riscv CROSS_COMPILE="$cross" -j"$jobs")
	log "configuring Linux (tinyconfig + scripts/guest/kernel.config)"
	run_logged kernel-config "${kmake[@]}" tinyconfig
	run_logged kernel-merge env -C "$obj" ARCH=riscv CROSS_COMPILE="$cross" \
		"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$guest_dir/kernel.config"
	run_logged kernel-olddefconfig "${kmake[@]}" olddefconfig
	check_kernel_config "$obj/.config"
	log "building Linux Image (nice 19, -j$jobs; 10-20 minutes the first time)"
	run_logged kernel-build "${kmake[@]}" Image
	mkdir -p "$out"
	cp "$obj/.config" "$out/kernel.config"
	install_atomically "$obj/arch/riscv/boot/Image" "$out/Image"
}

# Copies a file so that the destination never exists half-written (an
# interrupted build must not leave something the cache takes as done).
install_atomically() {
	cp "$1" "$2.tmp"
	mv "$2.tmp" "$2"
}

# merge_config.sh only warns when Kconfig drops an option (a missing
# dependency): fail instead, so the guest never silently lacks a driver.
check_kernel_config() {
	local config=$1 line missing=0
	while IFS= read -r line; do
		case $line in CONFIG_*=n) continue ;; CONFIG_*) ;; *) continue ;; esac
		if ! grep -qxF "$line" "$config"; then
			log "kernel option not set as asked: $line"
			missing=1
		fi
	done <"$guest_dir/kernel.config"
	[ $missing -eq 0 ] || die "scripts/guest/kernel.config asks for options Kconfig refused"
}

# --- busybox -------------------------------------------------------------

busybox_source_dir() {
	local version dir
	version=$(busybox_source_version)
	# No epoch colon in the path: make treats ':' specially.
	dir=$cache/src/busybox-${version#*:}
	if [ ! -f "$dir/.extracted" ]; then
		ensure_deb_src
		log "fetching Debian's busybox $version source (apt-get source)"
		local dl=$cache/src/busybox-dl
		rm -rf "$dl" "$dir" && mkdir -p "$dl"
		(cd "$dl" && apt-get source --download-only "busybox=$version" >&2) ||
			die "apt-get source busybox failed: is there a deb-src line for the Debian mirror in /etc/apt/sources.list.d/ (then apt-get update)?"
		dpkg-source --no-check -x "$dl"/busybox_*.dsc "$dir" >&2
		# dpkg-source leaves a copy of the upstream tarball beside $dir.
		rm -rf "$dl" "$cache"/src/busybox_*.orig.tar.*
		touch "$dir/.extracted"
	fi
	echo "$dir"
}

# apt-get source needs deb-src entries. Debian images often ship only
# "Types: deb" (or only "deb" lines): as root, add the same mirrors as
# deb-src in a file of our own (/etc/apt/sources.list.d/keel-deb-src.*)
# and refresh the lists.
ensure_deb_src() {
	apt-cache showsrc busybox 2>/dev/null | grep -q '^Version:' && return 0
	[ "$(id -u)" -eq 0 ] || die "no deb-src entries for busybox: add deb-src lines for the Debian mirror (as root) and apt-get update"
	local src=/etc/apt/sources.list.d/debian.sources list=/etc/apt/sources.list
	local out=/etc/apt/sources.list.d/keel-deb-src
	if [ -f "$src" ]; then
		log "adding deb-src entries to $out.sources"
		sed 's/^Types:.*/Types: deb-src/' "$src" >"$out.sources"
	elif grep -qE '^deb .*debian' "$list" 2>/dev/null; then
		log "adding deb-src entries to $out.list"
		sed -n '/debian/s/^deb /deb-src /p' "$list" >"$out.list"
	else
		die "no deb-src entries and neither $src nor deb lines in $list to derive them from"
	fi
	apt-get update -qq >&2 || die "apt-get update failed"
	apt-cache showsrc busybox 2>/dev/null | grep -q '^Version:' ||
		die "still no busybox source package after adding deb-src entries"
}

# The source version apt would fetch, or else the source version of the
# installed busybox-static, so that the cache key needs no deb-src entries.
busybox_source_version() {
	local v
	v=$(apt-cache showsrc busybox 2>/dev/null | awk '/^Version:/ {print $2; exit}')
	[ -n "$v" ] || v=$(dpkg-query -W -f='${source:Version}' busybox-static 2>/dev/null || true)
	[ -n "$v" ] || die "cannot tell which busybox source to use: add deb-src entries or install busybox-static"
	echo "$v"
}

build_busybox() {
	local out=$1 src obj
	src=$(busybox_source_dir)
	obj=$cache/busybox-build
	rm -rf "$obj" && mkdir -p "$obj"
	# Debian's busybox-static configuration, plus the project's overrides.
	cat "$src/debian/config/pkg/static" "$guest_dir/busybox.config" >"$obj/.config"
	local bmake=(make -C "$src" O="$obj" CROSS_COMPILE="$cross" -j"$jobs")
	log "building static busybox for riscv64 (nice 19)"
	run_logged busybox-config bash -c 'yes "" | "$@" oldconfig' _ "${bmake[@]}"
	run_logged busybox-build "${bmake[@]}" busybox busybox.links
	file_is_static_riscv "$obj/busybox" || die "busybox did not come out as a static riscv64 binary"
	mkdir -p "$out"
	# busybox.links: the install path of every applet, for the initramfs.
	cp "$obj/busybox.links" "$out/"
	install_atomically "$obj/busybox" "$out/busybox"
}

# A RISC-V executable with no program interpreter (static).
file_is_static_riscv() {
	"${cross}readelf" -h "$1" | grep -q 'Machine:.*RISC-V' &&
		! "${cross}readelf" -l "$1" | grep -q INTERP
}

# --- initramfs and disk ----------------------------------------------------

gen_init_cpio_tool() {
	local src tool=$cache/tools/gen_init_cpio
	if [ ! -x "$tool" ]; then
		src=$(linux_source_dir)
		mkdir -p "$cache/tools"
		cc -O2 -o "$tool" "$src/usr/gen_init_cpio.c"
	fi
	echo "$tool"
}

# The initramfs file list: every busybox applet as a symlink, the init
# scripts, and /dev/console so init has a console before devtmpfs is up.
initramfs_list() {
	local busybox=$1 applet
	cat <<-EOF
		dir /bin 0755 0 0
		dir /sbin 0755 0 0
		dir /usr 0755 0 0
		dir /usr/bin 0755 0 0
		dir /usr/sbin 0755 0 0
		dir /dev 0755 0 0
		dir /proc 0755 0 0
		dir /sys 0755 0 0
		dir /tmp 1777 0 0
		dir /mnt 0755 0 0
		dir /root 0700 0 0
		dir /etc 0755 0 0
		dir /etc/udhcpc 0755 0 0
		nod /dev/console 0600 0 0 c 5 1
		nod /dev/null 0666 0 0 c 1 3
		file /bin/busybox $busybox 0755 0 0
		file /init $guest_dir/init 0755 0 0
		file /etc/udhcpc/default.script $guest_dir/udhcpc.script 0755 0 0
	EOF
	sort -u "${busybox%/*}/busybox.links" | while read -r applet; do
		[ "$applet" = /bin/busybox ] || echo "slink $applet /bin/busybox 0777 0 0"
	done
}

build_initramfs() {
	local out=$1 busybox=$2 tool
	tool=$(gen_init_cpio_tool)
	mkdir -p "$out"
	initramfs_list "$busybox" >"$out/initramfs.list"
	"$tool" "$out/initramfs.list" >"$out/initramfs.cpio.tmp"
	mv "$out/initramfs.cpio.tmp" "$out/initramfs.cpio"
}

build_disk() {
	local out=$1 content
	content=$(mktemp -d)
	mkdir -p "$content/keel" "$out"
	echo "keel-disk-ok" >"$content/keel/hello.txt"
	rm -f "$out/disk.ext4.tmp"
	mke2fs -q -F -t ext4 -L keel-disk -d "$content" "$out/disk.ext4.tmp" 32M
	rm -rf "$content"
	mv "$out/disk.ext4.tmp" "$out/disk.ext4"
}

# --- cache keys --------------------------------------------------------------

toolchain_id() { "${cross}gcc" --version | head -1; }

kernel_key() {
	{
		pkg_version linux-source-6.1
		toolchain_id
		cat "$guest_dir/kernel.config"
	} | hash_of
}

busybox_key() {
	{
		busybox_source_version
		toolchain_id
		cat "$guest_dir/busybox.config"
	} | hash_of
}

initramfs_key() {
	{
		busybox_key
		pkg_version linux-source-6.1
		cat "$guest_dir/init" "$guest_dir/udhcpc.script"
		declare -f initramfs_list
	} | hash_of
}

disk_key() { { mke2fs -V 2>&1 | head -1; declare -f build_disk; } | hash_of; }

# Builds an artifact unless its keyed directory already holds it.
cached() {
	local what=$1 key=$2 file=$3
	local dir=$cache/$what-$key
	if [ ! -s "$dir/$file" ]; then
		# stdout carries only the artifact's path.
		"build_$what" "$dir" "${@:4}" >&2
	fi
	echo "$dir/$file"
}

main() {
	check_tools
	mkdir -p "$cache/logs"
	# Serialise concurrent runs (two test suites starting at once).
	exec 9>"$cache/.lock"
	flock 9

	local kernel busybox initramfs disk
	kernel=$(cached kernel "$(kernel_key)" Image)
	busybox=$(cached busybox "$(busybox_key)" busybox)
	initramfs=$(cached initramfs "$(initramfs_key)" initramfs.cpio "$busybox")
	disk=$(cached disk "$(disk_key)" disk.ext4)
	log "done"
	# Quoted for eval.
	printf 'KEEL_GUEST_KERNEL=%q\n' "$kernel"
	printf 'KEEL_GUEST_INITRAMFS=%q\n' "$initramfs"
	printf 'KEEL_GUEST_DISK=%q\n' "$disk"
	printf 'KEEL_GUEST_BUSYBOX=%q\n' "$busybox"
}

main "$@"
