#!/usr/bin/env bash
# Checks that this machine has every command, library and file that the
# build, `make test`, `make demo` and bench/ use (what scripts/deps.sh is
# meant to install), and names what is missing.
#
#   scripts/check-deps.sh            check this machine; exit 1 if anything is missing
#   scripts/check-deps.sh --fresh DIR [--keep]
#       the fresh-machine check: debootstrap a minimal Debian 12 (plus what a
#       new CI machine has: gcc make clang-format git python3) into DIR, run
#       scripts/deps.sh in a chroot on a clone of this repository's HEAD, then
#       this check and the release, ASan and fuzz builds (as the Makefile
#       makes them) and the bare-metal ISA tests. DIR is removed afterwards
#       unless --keep. Needs root and the Debian mirror; 15-25 minutes.
#
# The lists below were drawn from Makefile, meson.build, scripts/, bench/,
# tests/integration (bats, lib, helpers), tests/unit (system() calls),
# tests/guest and tests/fuzz; keep them in step when a test starts using a
# new tool.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# Build: meson + ninja, gcc and clang (fuzzers), clang-format (CI's check).
build_cmds=(cc gcc clang make meson ninja pkg-config clang-format git)
# Tests and the guest builds.
test_cmds=(bats jq python3 timeout setpriv unshare nsenter script stty useradd userdel
	pkill pgrep ps ip mount umount chroot flock find stat mke2fs debugfs e2fsck dtc
	cpio gzip xz tar sha256sum ldd socat
	podman ctr containerd containerd-shim-runc-v2 runc crun newuidmap newgidmap
	qemu-system-riscv64 qemu-system-x86_64
	riscv64-linux-gnu-gcc riscv64-linux-gnu-as riscv64-linux-gnu-ld
	riscv64-linux-gnu-objcopy riscv64-linux-gnu-readelf
	bc flex bison dpkg-source dpkg-deb apt-get apt-cache)
bench_cmds=(hyperfine perf)
pc_modules=(jansson libseccomp libcap slirp glib-2.0 cmocka)
files=(/bin/busybox /usr/bin/time /usr/include/libfdt.h
	/usr/src/linux-source-6.1.tar.xz
	/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
	/usr/share/containers/seccomp.json)

check_here() {
	local missing=() c
	for c in "${build_cmds[@]}" "${test_cmds[@]}" "${bench_cmds[@]}"; do
		command -v "$c" >/dev/null || missing+=("command $c")
	done
	for c in "${pc_modules[@]}"; do
		pkg-config --exists "$c" 2>/dev/null || missing+=("pkg-config $c")
	done
	for c in "${files[@]}"; do
		[ -e "$c" ] || missing+=("file $c")
	done
	# libfdt ships no .pc in Debian 12: meson falls back to -lfdt.
	echo 'int main(void){return 0;}' | cc -x c - -lfdt -o /dev/null 2>/dev/null ||
		missing+=("library -lfdt")
	# libFuzzer and the sanitizers come from clang's runtime package.
	echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){return 0;}' |
		clang -x c - -fsanitize=fuzzer,address,undefined -o /dev/null 2>/dev/null ||
		missing+=("clang -fsanitize=fuzzer (libclang-rt-14-dev)")
	if [ -x /bin/busybox ] && ldd /bin/busybox >/dev/null 2>&1; then
		missing+=("a static /bin/busybox (busybox-static)")
	fi
	if [ ${#missing[@]} -gt 0 ]; then
		printf 'check-deps: missing %s\n' "${missing[@]}" >&2
		echo "check-deps: run scripts/deps.sh (as root)" >&2
		return 1
	fi
	echo "check-deps: all ${#build_cmds[@]}+${#test_cmds[@]}+${#bench_cmds[@]} commands," \
		"${#pc_modules[@]} pkg-config modules and ${#files[@]} files present"
}

# The first Debian mirror this machine's apt uses.
mirror() {
	local m
	m=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' |
		grep -v security | head -1)
	[ -n "$m" ] || m=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -1)
	echo "${m:-http://deb.debian.org/debian}"
}

fresh() {
	local dir=$1 keep=$2
	[ "$(id -u)" -eq 0 ] || { echo "check-deps: --fresh needs root" >&2; exit 1; }
	[ ! -e "$dir" ] || [ -z "$(ls -A "$dir")" ] || {
		echo "check-deps: $dir exists and is not empty" >&2
		exit 1
	}
	command -v debootstrap >/dev/null ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
	# Globals: the EXIT trap runs after this function has returned.
	fresh_dir=$dir fresh_keep=$keep
	cleanup() {
		local m
		for m in proc sys dev; do umount -R "$fresh_dir/$m" 2>/dev/null || true; done
		if [ -z "$fresh_keep" ]; then rm -rf --one-file-system "$fresh_dir"; fi
	}
	trap cleanup EXIT
	mkdir -p "$dir"
	local t0=$SECONDS
	echo "check-deps: debootstrap bookworm into $dir" >&2
	debootstrap --variant=minbase --include=gcc,make,clang-format,git,python3,ca-certificates \
		bookworm "$dir" "$(mirror)" >"$dir.debootstrap.log" 2>&1 ||
		{ tail -20 "$dir.debootstrap.log" >&2; exit 1; }
	rm -f "$dir.debootstrap.log"
	# The same apt sources as this machine (deb only, as on a new machine).
	if ls /etc/apt/sources.list.d/debian.sources >/dev/null 2>&1; then
		rm -f "$dir/etc/apt/sources.list"
		cp /etc/apt/sources.list.d/debian.sources "$dir/etc/apt/sources.list.d/"
	fi
	cp /etc/resolv.conf "$dir/etc/resolv.conf"
	mount -t proc proc "$dir/proc"
	mount --rbind /sys "$dir/sys" && mount --make-rslave "$dir/sys"
	mount --rbind /dev "$dir/dev" && mount --make-rslave "$dir/dev"
	git clone -q "$root" "$dir/root/keel"
	local t1=$SECONDS
	in_chroot() {
		chroot "$dir" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			bash -c "cd /root/keel && $1"
	}
	echo "check-deps: scripts/deps.sh in the chroot" >&2
	# deps.sh ends with this check (without --fresh) inside the chroot.
	in_chroot 'scripts/deps.sh'
	local t2=$SECONDS
	echo "check-deps: release, ASan and fuzz builds, ISA tests, format check" >&2
	in_chroot 'set -e
		meson setup build --buildtype=release >/dev/null && ninja -C build >/dev/null
		meson setup build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
		ninja -C build-asan >/dev/null
		CC=clang meson setup build-fuzz --buildtype=debug -Dfuzzers=true -Dunit_tests=false \
			-Db_sanitize=address,undefined -Db_lundef=false >/dev/null
		ninja -C build-fuzz >/dev/null
		tests/guest/build.sh >/dev/null
		make -s format-check'
	echo "check-deps: fresh machine OK (debootstrap $((t1 - t0)) s, deps.sh $((t2 - t1)) s," \
		"builds $((SECONDS - t2)) s)"
}

case ${1:-} in
"") check_here ;;
--fresh)
	[ $# -ge 2 ] || { echo "usage: $0 [--fresh DIR [--keep]]" >&2; exit 2; }
	fresh "$2" "$([ "${3:-}" = --keep ] && echo 1 || true)"
	;;
*) echo "usage: $0 [--fresh DIR [--keep]]" >&2; exit 2 ;;
esac
