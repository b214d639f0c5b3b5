#!/usr/bin/env bats
# Known container escapes, one regression test (or a few) each:
#   CVE-2019-5736   overwriting the runtime binary through /proc/<pid>/exe
#   CVE-2024-21626  leaked file descriptors, cwd through /proc/self/fd/N
#   symlinks planted in the rootfs at mount destinations, maskedPaths,
#   readonlyPaths and /dev entries (CVE-2025-31133 class)
#   what the default profile of `keel spec` forbids
# An escape would touch the host: each test checks the host files,
# directories and mounts it aims at.

load lib/container

setup_file() {
	keel_setup_file
	build_exe_writer
}

# exe-writer PID DIR: the CVE-2019-5736 exploit's steps, static so that it
# runs in the busybox rootfs: an O_PATH fd on /proc/PID/exe, DIR/opened
# once it has it, then, after PID is gone, a write through the fd. The
# write puts back the byte that is there, so that a vulnerable binary is
# reported ("wrote") but not damaged. Prints "wrote" or "refused: ...".
build_exe_writer() {
	export EXE_WRITER=$BATS_FILE_TMPDIR/exe-writer
	cat >"$BATS_FILE_TMPDIR/exe-writer.c" <<'C'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	char path[64], done[4200];
	if (argc != 3)
		return 2;
	snprintf(path, sizeof path, "/proc/%s/exe", argv[1]);
	int fd = open(path, O_PATH);
	if (fd < 0) {
		printf("refused: open O_PATH: %s\n", strerror(errno));
		return 0;
	}
	snprintf(done, sizeof done, "%s/opened", argv[2]);
	close(open(done, O_CREAT | O_WRONLY, 0644));
	snprintf(path, sizeof path, "/proc/%s", argv[1]);
	while (access(path, F_OK) == 0)
		usleep(20000);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	int w = open(path, O_RDWR);
	char c;
	if (w < 0 || pread(w, &c, 1, 0) != 1 || pwrite(w, &c, 1, 0) != 1) {
		printf("refused: %s\n", strerror(errno));
		return 0;
	}
	printf("wrote\n");
	return 0;
}
C
	cc -static -O2 -o "$EXE_WRITER" "$BATS_FILE_TMPDIR/exe-writer.c"
}

setup() {
	keel_setup
	# a host directory and file an escape would reach
	HOSTDIR=$TEST_TMP/host
	mkdir "$HOSTDIR"
	echo "host original" >"$HOSTDIR/file"
	chmod 640 "$HOSTDIR/file"
	touch -d '2001-02-03 04:05:06' "$HOSTDIR/file" "$HOSTDIR"
	HOST_BEFORE=$(host_state)
}

teardown() { keel_teardown; }

# What an escape would change: names, modes, sizes, mtimes and contents
# under $HOSTDIR, and the host's mounts on or below it.
host_state() {
	find "$HOSTDIR" -printf '%p %M %s %T@\n' | sort
	sha256sum "$HOSTDIR/file"
	mounts_under "$HOSTDIR"
}

assert_host_untouched() {
	local now
	now=$(host_state)
	[ "$now" = "$HOST_BEFORE" ] || fail "host changed:
before: $HOST_BEFORE
after:  $now"
}

# The pid of container $1's init on the host.
init_pid() { state_of "$1" pid; }

# ---- CVE-2019-5736: the runtime binary -----------------------------------------

# The binary the runtime runs from, and its hash.
runtime_file() { readlink -f "$KEEL"; }

# as_container CMD...: CMD as host root with only the capabilities the
# template bundle gives its containers (an attacker in a container that
# shares the host's PID namespace).
as_container() {
	local caps
	caps=$(jq -r '.process.capabilities.bounding | map("+" + (ascii_downcase | ltrimstr("cap_"))) | join(",")' \
		"$TEMPLATE_BUNDLE/config.json")
	setpriv --bounding-set "-all,$caps" --inh-caps -all -- "$@"
}

# exe_open_refused PID: a process with the container's capabilities cannot
# even take an O_PATH fd on /proc/PID/exe (PID is not dumpable).
exe_open_refused() {
	run as_container timeout 10 "$EXE_WRITER" "$1" "$TEST_TMP"
	[[ $output == "refused: open O_PATH"* ]] || fail "exe of $1 ($(readlink "/proc/$1/exe")): $output"
}

@test "CVE-2019-5736: a created init in its own PID namespace is not dumpable" {
	local id
	id=$(new_id)
	rt create --bundle "$BUNDLE" "$id" </dev/null >/dev/null
	exe_open_refused "$(init_pid "$id")"
}

@test "CVE-2019-5736: an entrypoint that execs the runtime in a fresh PID namespace is not dumpable" {
	mkfifo "$BUNDLE/rootfs/fifo"
	copy_runtime_libs "$BUNDLE/rootfs"
	local id pid
	id=$(start_container /proc/self/exe --log /fifo features)
	pid=$(init_pid "$id")
	wait_for_exec "$pid" ' --log /fifo features $'
	exe_open_refused "$pid"
	bounded cat "$BUNDLE/rootfs/fifo" >/dev/null || true
}

@test "CVE-2019-5736: without a PID namespace of its own the init runs from a sealed copy" {
	cfg '.linux.namespaces |= map(select(.type != "pid"))'
	local id pid sum exe
	sum=$(sha256sum <"$(runtime_file)")
	id=$(new_id)
	rt create --bundle "$BUNDLE" "$id" </dev/null >/dev/null
	pid=$(init_pid "$id")
	# the init is still runtime code, waiting for start
	exe=$(readlink "/proc/$pid/exe")
	[ "$exe" != "$(runtime_file)" ] || fail "init runs from the host binary $exe"
	# even host root (CAP_DAC_OVERRIDE, CAP_SYS_PTRACE) cannot open it for
	# writing: not while it runs (ETXTBSY), and, the exploit's way, not
	# through an O_PATH fd kept until the process is gone
	run sh -c "exec 3>>/proc/$pid/exe"
	[ "$status" -ne 0 ]
	"$EXE_WRITER" "$pid" "$TEST_TMP" >"$TEST_TMP/result" &
	wait_for_file "$TEST_TMP/opened"
	rt delete --force "$id"
	wait
	[[ $(cat "$TEST_TMP/result") == refused:* ]] || fail "$(cat "$TEST_TMP/result")"
	[ "$(sha256sum <"$(runtime_file)")" = "$sum" ]
}

@test "CVE-2019-5736: CAP_SYS_PTRACE in the bounding set makes the init run from a sealed copy" {
	cfg '.process.capabilities.bounding += ["CAP_SYS_PTRACE"]'
	local id exe
	id=$(new_id)
	rt create --bundle "$BUNDLE" "$id" </dev/null >/dev/null
	exe=$(readlink "/proc/$(init_pid "$id")/exe")
	[ "$exe" != "$(runtime_file)" ] || fail "init runs from the host binary $exe"
}

# attacker_ready DIR: the exe-writer in DIR has its fd, or has its answer.
attacker_ready() { [ -e "$1/opened" ] || [ -e "$1/result" ]; }

# copy_runtime_libs ROOTFS: the shared objects the runtime binary needs.
copy_runtime_libs() {
	local lib
	for lib in $(ldd "$(runtime_file)" | grep -o '/[^ ]*'); do
		mkdir -p "$1$(dirname "$lib")"
		cp -L "$lib" "$1$lib"
	done
}

@test "CVE-2019-5736: an entrypoint that execs /proc/self/exe gives the container no writable runtime" {
	local a b apid bpid nspid sum
	sum=$(sha256sum <"$(runtime_file)")
	mkdir -p "$BUNDLE/rootfs/shared"
	# container A: the attacker, with the default capabilities (root,
	# CAP_DAC_OVERRIDE); it tries the exe of the target pid it is given
	cp "$EXE_WRITER" "$BUNDLE/rootfs/exe-writer"
	a=$(start_container sh -c '
		while [ ! -e /shared/target ]; do sleep 0.05; done
		t=$(cat /shared/target)
		readlink /proc/$t/exe >/shared/link 2>&1
		/exe-writer $t /shared >/shared/result.tmp 2>&1
		mv /shared/result.tmp /shared/result
		sleep 1000')
	apid=$(init_pid "$a")
	# container B joins A's PID namespace; its entrypoint is the runtime
	# itself, reached through the init's /proc/self/exe, kept alive by a fifo
	mkfifo "$BUNDLE/rootfs/fifo"
	# the runtime's loader and libraries, so that it runs inside (images
	# with glibc have most of them)
	copy_runtime_libs "$BUNDLE/rootfs"
	cfg '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' \
		--arg p "/proc/$apid/ns/pid"
	b=$(start_container /proc/self/exe --log /fifo features)
	bpid=$(init_pid "$b")
	# B's pid 1 is now the runtime's code, blocked opening the fifo
	wait_for_exec "$bpid" ' --log /fifo features $'
	nspid=$(awk '/^NSpid:/ { print $NF }' "/proc/$bpid/status")
	# a process that joined B's namespaces with host root's capabilities
	run nsenter -t "$bpid" -m -p sh -c "exec 3>>/proc/$nspid/exe"
	[ "$status" -ne 0 ]
	# the runtime's exe as the host sees it is not the host binary
	[ "$(readlink "/proc/$bpid/exe")" != "$(runtime_file)" ]
	echo "$nspid" >"$BUNDLE/rootfs/shared/target"
	# the attacker is refused at once (B's runtime is not dumpable), or
	# holds an O_PATH fd
	poll attacker_ready "$BUNDLE/rootfs/shared" || fail "the attacker did not start"
	# let B's runtime code finish; then the attacker writes
	bounded cat "$BUNDLE/rootfs/fifo" >/dev/null || true
	wait_for_file "$BUNDLE/rootfs/shared/result"
	[[ $(cat "$BUNDLE/rootfs/shared/result") == refused:* ]] ||
		fail "the container wrote the runtime $(cat "$BUNDLE/rootfs/shared/link"): $(cat "$BUNDLE/rootfs/shared/result")"
	[ "$(sha256sum <"$(runtime_file)")" = "$sum" ]
}

# ---- CVE-2024-21626: leaked fds and cwd ------------------------------------

@test "CVE-2024-21626: the container sees only fds 0, 1 and 2 of the caller" {
	local id pid
	id=$(new_id)
	set_args sleep 1000
	# fds the calling shell has open on host directories and files
	rt create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 7<"$HOSTDIR" 8<"$HOSTDIR/file" 9</
	rt start "$id"
	pid=$(init_pid "$id")
	# the fds of the user process, not of the runtime's init before execve
	wait_for_exec "$pid" '^sleep 1000 $'
	[ "$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')" = "0 1 2 " ] ||
		fail "fds of the container: $(ls -l "/proc/$pid/fd")"
}

@test "CVE-2024-21626: a shell in the container finds no host directory among its fds" {
	sh_in_container 'for f in /proc/self/fd/*; do readlink "$f"; done; true' 7<"$HOSTDIR" 9</
	[[ $output != *"$HOSTDIR"* ]]
	! echo "$output" | grep -qx /
}

@test "CVE-2024-21626: cwd /proc/self/fd/7 is refused or stays in the container" {
	cfg '.process.cwd = "/proc/self/fd/7"'
	in_container sh -c 'pwd; ls; cat file; echo pwned >file' 7<"$HOSTDIR"
	[[ $output != *"host original"* ]] || fail "container read the host file: $output"
	assert_host_untouched
}

@test "CVE-2024-21626: a cwd reached through .. or a symlink stays in the rootfs" {
	ln -s "$HOSTDIR" "$BUNDLE/rootfs/escape"
	for cwd in "/../../../../../../..$HOSTDIR" /escape "/escape/../../../..$HOSTDIR"; do
		cfg '.process.cwd = $c' --arg c "$cwd"
		in_container sh -c 'ls -a; cat file; echo pwned >file'
		[[ $output != *"host original"* ]] || fail "cwd $cwd reached the host: $output"
	done
	assert_host_untouched
}

# ---- symlinks planted in the rootfs ------------------------------------------

# plant NAME: rootfs symlinks to $HOSTDIR, absolute and relative.
plant() {
	ln -s "$HOSTDIR" "$BUNDLE/rootfs/abs-$1"
	ln -s "../../../../../../../../..$HOSTDIR" "$BUNDLE/rootfs/rel-$1"
}

@test "symlinks: mount destinations through planted links make nothing on the host" {
	plant m
	mkdir "$TEST_TMP/src" && echo src >"$TEST_TMP/src/srcfile"
	cfg '.mounts += [
		{destination: "/abs-m/newdir", type: "tmpfs", source: "tmpfs"},
		{destination: "/rel-m/newdir2", type: "tmpfs", source: "tmpfs"},
		{destination: "/abs-m", type: "bind", source: $s, options: ["rbind"]},
		{destination: "/rel-m/file", type: "bind", source: "/etc/hostname", options: ["bind", "ro"]},
		{destination: "/abs-m/newfile", type: "bind", source: "/etc/hostname", options: ["bind"]}]' \
		--arg s "$TEST_TMP/src"
	in_container sh -c 'echo pwned >/abs-m/srcfile; echo pwned >/rel-m/file; true'
	assert_host_untouched
	[ "$(cat /etc/hostname)" = "$(hostname)" ] || [ -s /etc/hostname ]
	[ -z "$(awk '$5 == "/etc" || $5 == "/etc/hostname"' /proc/self/mountinfo)" ]
}

@test "symlinks: a planted /dev without a /dev mount: devices are made inside, host file intact" {
	cfg '.mounts |= map(select(.destination != "/dev" and (.destination | startswith("/dev/") | not)))'
	rm -rf "$BUNDLE/rootfs/dev"
	mkdir "$BUNDLE/rootfs/dev"
	ln -s "$HOSTDIR/file" "$BUNDLE/rootfs/dev/null"
	ln -s "../../../../../../../..$HOSTDIR/file" "$BUNDLE/rootfs/dev/zero"
	ln -s "$HOSTDIR" "$BUNDLE/rootfs/dev/pts"
	in_container sh -c 'ls -l /dev/null /dev/zero; echo pwned >/dev/null; echo pwned >/dev/zero'
	assert_host_untouched
}

@test "symlinks: maskedPaths and readonlyPaths through planted links leave the host alone" {
	plant p
	cfg '.linux.maskedPaths += ["/abs-p/file", "/rel-p/file", "/abs-p", "/rel-p/sub"] |
		.linux.readonlyPaths += ["/rel-p", "/abs-p/file"]'
	in_container sh -c 'cat /abs-p/file /rel-p/file; echo pwned >/abs-p/file'
	[[ $output != *"host original"* ]]
	assert_host_untouched
}

@test "symlinks (CVE-2025-31133): /dev/null replaced by a link does not unmask a masked path" {
	cfg '.mounts |= map(select(.destination != "/dev" and (.destination | startswith("/dev/") | not))) |
		.linux.maskedPaths += ["/secret"]'
	echo "container secret" >"$BUNDLE/rootfs/secret"
	rm -rf "$BUNDLE/rootfs/dev"
	mkdir "$BUNDLE/rootfs/dev"
	ln -s /secret "$BUNDLE/rootfs/dev/null"
	in_container sh -c 'cat /secret; echo pwned >/secret; cat /proc/kcore | head -c 16 | wc -c'
	[[ $output != *"container secret"* ]] || fail "masked path readable: $output"
	[ "$(cat "$BUNDLE/rootfs/secret")" = "container secret" ]
	assert_host_untouched
}

# ---- the default profile of `keel spec` --------------------------------------

# $BUNDLE/config.json from `spec` of the runtime under test.
use_default_spec() {
	rm "$BUNDLE/config.json"
	(cd "$BUNDLE" && "$KEEL" spec)
	cfg '.process.terminal = false'
}

@test "default profile: no CAP_SYS_ADMIN, and mount fails" {
	use_default_spec
	in_container sh -c 'grep ^CapEff: /proc/self/status; mkdir -p /tmp/m; mount -t tmpfs x /tmp/m && echo MOUNTED'
	[[ $output != *MOUNTED* ]]
	local eff
	eff=$(echo "$output" | awk '/^CapEff:/ { print $2 }')
	[ -n "$eff" ]
	[ $((0x$eff & 1 << 21)) -eq 0 ]
}

@test "default profile: module loading is not permitted" {
	use_default_spec
	printf 'not a module' >"$BUNDLE/rootfs/tmp/x.ko"
	in_container sh -c 'insmod /tmp/x.ko 2>&1; echo rc=$?; grep ^CapBnd: /proc/self/status'
	[[ $output != *"rc=0"* ]]
	# CAP_SYS_MODULE (16) is not even in the bounding set
	local bnd
	bnd=$(echo "$output" | awk '/^CapBnd:/ { print $2 }')
	[ -n "$bnd" ]
	[ $((0x$bnd & 1 << 16)) -eq 0 ]
	# refused for want of privilege, not for the bad module (where the
	# host kernel loads modules at all: this one may have no module support)
	if [ -e /proc/modules ]; then
		[[ $output == *"not permitted"* ]]
	fi
}

@test "default profile: /proc/sys is read-only and /proc/kcore gives nothing" {
	use_default_spec
	in_container sh -c 'echo 1 >/proc/sys/kernel/sysrq && echo WROTE; head -c 64 /proc/kcore | wc -c; grep " /proc/sys " /proc/self/mountinfo'
	[[ $output != *WROTE* ]]
	[ "${lines[0]}" = 0 ]
	[[ ${lines[1]} == *" ro,"* ]] || [[ ${lines[1]} == *" ro "* ]]
}

@test "default profile: a disk device cannot be made nor opened" {
	use_default_spec
	local dev major minor
	dev=$(for d in /sys/block/vd* /sys/block/sd* /sys/block/nvme*; do [ -e "$d/dev" ] && cat "$d/dev" && break; done)
	[ -n "$dev" ] || skip "no disk on this host"
	major=${dev%%:*} minor=${dev##*:}
	in_container sh -c "mknod /tmp/disk b $major $minor && echo MADE; head -c 512 /tmp/disk >/dev/null 2>&1 && echo READ; true"
	[[ $output != *READ* ]]
	[[ $output != *MADE* ]]
}

@test "default profile: masked and read-only paths of /proc and /sys" {
	use_default_spec
	in_container sh -c 'cat /proc/timer_list | wc -c; ls /sys/firmware | wc -l; echo x >/proc/sysrq-trigger && echo WROTE; true'
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[[ $output != *WROTE* ]]
}
