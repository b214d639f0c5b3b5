#!/usr/bin/env bats
# More container escapes, beyond keel_escapes.bats: keel's own fds in the
# --preserve-fds range, mounts into /proc (CVE-2019-16884, CVE-2019-19921,
# CVE-2023-27561, CVE-2023-28642), procfs writes of the runtime redirected
# by mounts (CVE-2025-52881's class). Each test checks what the escape
# would reach, on the host or in the container.

load lib/container

setup_file() {
	keel_setup_file
	build_keyring_probe
}

# keyring-probe add CMD...: CMD in a new session keyring holding a "user"
# key keel-host-secret (the caller's keys); keyring-probe find: "found"
# when the session keyring of the process holds it, else "none: ...".
build_keyring_probe() {
	export KEYRING_PROBE=$BATS_FILE_TMPDIR/keyring-probe
	cat >"$BATS_FILE_TMPDIR/keyring-probe.c" <<'C'
#define _GNU_SOURCE
#include <errno.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "add") == 0) {
		if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 ||
		    syscall(SYS_add_key, "user", "keel-host-secret", "s3cret", 6,
			    KEY_SPEC_SESSION_KEYRING) < 0) {
			perror("keyring");
			return 2;
		}
		execvp(argv[2], argv + 2);
		perror("exec");
		return 2;
	}
	long k = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user",
			 "keel-host-secret", 0);
	if (k >= 0)
		printf("found\n");
	else
		printf("none: %s\n", strerror(errno));
	return 0;
}
C
	cc -static -O2 -o "$KEYRING_PROBE" "$BATS_FILE_TMPDIR/keyring-probe.c"
}

setup() {
	keel_setup
	HOSTDIR=$TEST_TMP/host
	mkdir "$HOSTDIR"
	echo "host original" >"$HOSTDIR/file"
}

teardown() { keel_teardown; }

# closed_fds CMD...: CMD with every fd above 2 closed, then fd 3 on
# $HOSTDIR/file: the caller passes one fd, fds 4 and up are holes.
closed_fds() {
	bash -c 'for f in /proc/$$/fd/*; do n=${f##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2>/dev/null
		exec 3<"$0"; exec "$@"' "$HOSTDIR/file" "$@"
}

# The fds above 2 the container's process has, one "N TARGET" a line.
FD_LIST='for f in /proc/self/fd/*; do n=${f##*/}; [ "$n" -gt 2 ] && l=$(readlink "$f") && echo "$n $l"; done; true'

# ---- keel's fds in the holes of --preserve-fds -------------------------------

@test "preserve-fds: the init's own fds in holes of the range stay out of the container" {
	set_args sh -c "$FD_LIST"
	local id
	id=$(new_id)
	run --separate-stderr closed_fds "$KEEL" --root "$RT_ROOT" run --preserve-fds 20 \
		--bundle "$BUNDLE" "$id" </dev/null
	[ "$status" -eq 0 ] || fail "run: $status $stderr"
	# fd 3, the caller's, and nothing of keel's (sync socket, host procfs,
	# state directory) in fds 4..22
	[ "$output" = "3 $HOSTDIR/file" ] || fail "fds in the container: $output"
}

@test "preserve-fds: exec gives the process only the caller's fds, not keel's" {
	local id
	id=$(start_container sleep 1000)
	run --separate-stderr closed_fds "$KEEL" --root "$RT_ROOT" exec --preserve-fds 20 \
		"$id" sh -c "$FD_LIST" </dev/null
	[ "$status" -eq 0 ] || fail "exec: $status $stderr"
	[ "$output" = "3 $HOSTDIR/file" ] || fail "fds in the exec'd process: $output"
}

# ---- mounts into /proc ---------------------------------------------------------

# A volume whose files stand in for the procfs files keel writes to.
fake_proc_volume() {
	mkdir -p "$TEST_TMP/vol/self/attr" "$TEST_TMP/vol/sys/kernel"
	echo untouched >"$TEST_TMP/vol/self/oom_score_adj"
	echo untouched >"$TEST_TMP/vol/self/attr/exec"
}

@test "CVE-2019-19921: a volume led into /proc by an image's symlink is refused" {
	fake_proc_volume
	ln -s /proc "$BUNDLE/rootfs/evil"
	cfg '.process.oomScoreAdj = 123 |
		.mounts += [{destination: "/evil", type: "bind", source: $v, options: ["rbind"]}]' \
		--arg v "$TEST_TMP/vol"
	in_container sh -c 'cat /proc/self/oom_score_adj'
	[ "$(cat "$TEST_TMP/vol/self/oom_score_adj")" = untouched ] ||
		fail "keel wrote oomScoreAdj into the volume: $(cat "$TEST_TMP/vol/self/oom_score_adj")"
	[ "$status" -ne 0 ] || fail "ran with /proc replaced by a volume: $output"
	assert_one_line_error procfs
	[ -z "$(mounts_under "$BUNDLE")" ]
}

@test "CVE-2019-16884: a tmpfs or a bind mounted over files of /proc is refused" {
	local dest
	for dest in /proc/self/attr /proc/sys/kernel/core_pattern /proc/self/oom_score_adj /proc; do
		if [ "$dest" = /proc/self/attr ]; then
			cfg '.mounts += [{destination: $d, type: "tmpfs", source: "tmpfs"}]' --arg d "$dest"
		else
			cfg '.mounts += [{destination: $d, type: "bind", source: $f, options: ["bind"]}]' \
				--arg d "$dest" --arg f "$HOSTDIR/file"
		fi
		in_container sh -c 'cat /proc/sys/kernel/core_pattern'
		[ "$status" -ne 0 ] || fail "$dest: mounted over procfs: $output"
		assert_one_line_error procfs
		cfg 'del(.mounts[-1])'
	done
	[ "$(cat "$HOSTDIR/file")" = "host original" ]
}

@test "lxcfs-style binds over /proc/uptime and /proc/meminfo still work" {
	cfg '.mounts += [{destination: "/proc/uptime", type: "bind", source: $f, options: ["bind", "ro"]},
		{destination: "/proc/meminfo", type: "bind", source: $f, options: ["bind", "ro"]}]' \
		--arg f "$HOSTDIR/file"
	sh_in_container 'cat /proc/uptime /proc/meminfo'
	[ "$output" = "host original
host original" ]
}

@test "CVE-2023-28642: proc is not mounted where a /proc symlink of the image leads" {
	rmdir "$BUNDLE/rootfs/proc"
	mkdir "$BUNDLE/rootfs/elsewhere"
	ln -s /elsewhere "$BUNDLE/rootfs/proc"
	in_container sh -c 'ls /elsewhere | head -3'
	[ "$status" -ne 0 ] || fail "procfs mounted through the link: $output"
	assert_one_line_error symlink
	[ -z "$(ls -A "$BUNDLE/rootfs/elsewhere")" ]
}

@test "CVE-2023-28642: sysfs is not mounted where a /sys symlink of the image leads" {
	rmdir "$BUNDLE/rootfs/sys"
	mkdir "$BUNDLE/rootfs/elsewhere"
	ln -s elsewhere "$BUNDLE/rootfs/sys"
	in_container true
	[ "$status" -ne 0 ] || fail "sysfs mounted through the link"
	assert_one_line_error symlink
}

@test "root.readonly: a /proc of links from the config does not turn another mount read-only instead" {
	# the config binds a directory at /proc (and mounts no procfs): its
	# self/fd/N all lead to /dev, a mount point of the container
	mkdir -p "$TEST_TMP/fakeproc/self/fd"
	local n
	for n in $(seq 0 63); do ln -s /dev "$TEST_TMP/fakeproc/self/fd/$n"; done
	cfg '.root.readonly = true |
		.mounts |= map(select(.destination != "/proc")) |
		.linux.maskedPaths = [] | .linux.readonlyPaths = [] |
		.mounts += [{destination: "/proc", type: "bind", source: $p, options: ["rbind"]}]' \
		--arg p "$TEST_TMP/fakeproc"
	in_container sh -c 'touch /pwned 2>/dev/null && echo root-writable; touch /dev/ok && echo dev-writable'
	[ ! -e "$BUNDLE/rootfs/pwned" ] || fail "root.readonly left the root writable: $output $stderr"
	[[ $output == *dev-writable* ]] || fail "another mount went read-only: $output $stderr"
}

# ---- flags of bind mounts -------------------------------------------------------

@test "CVE-2021-30465 class: a ro volume's flags are not applied where the volume's own links lead" {
	# the volume (shared with some other container, which wrote it) holds
	# y -> /proc/sys; the image's /vol leads to /x/y/..: /x before the
	# mount, /proc (through the volume) when the name was resolved again
	mkdir -p "$TEST_TMP/vol" "$BUNDLE/rootfs/x/y"
	ln -s /proc/sys "$TEST_TMP/vol/y"
	ln -s /x/y/.. "$BUNDLE/rootfs/vol"
	cfg '.mounts += [{destination: "/vol", type: "bind", source: $v, options: ["rbind", "ro"]}]' \
		--arg v "$TEST_TMP/vol"
	in_container sh -c 'touch /x/pwned 2>/dev/null && echo volume-writable; grep " /x " /proc/self/mountinfo'
	[ ! -e "$TEST_TMP/vol/pwned" ] || fail "the ro volume was writable: $output $stderr"
	[ "$status" -eq 0 ] || fail "run: $status $stderr"
	[[ $output == *" /x ro,"* ]] || fail "flags of /x: $output"
}

@test "a bind of a host read-only bind mount stays read-only with other options" {
	mkdir "$TEST_TMP/ro"
	mount --bind "$TEST_TMP/ro" "$TEST_TMP/ro"
	mount -o remount,bind,ro "$TEST_TMP/ro"
	cfg '.mounts += [{destination: "/data", type: "bind", source: $s, options: ["rbind", "nosuid", "nodev"]}]' \
		--arg s "$TEST_TMP/ro"
	in_container sh -c 'touch /data/pwned && echo written; grep " /data " /proc/self/mountinfo'
	[ ! -e "$TEST_TMP/ro/pwned" ] || fail "wrote through the host's read-only mount: $output"
	[[ $output == *" /data "*"ro,"*nosuid*nodev* ]] || fail "flags of /data: $output $stderr"
}

# ---- huge files of the image ----------------------------------------------------

@test "a sparse 1 TiB /etc/passwd does not hang create (HOME is /)" {
	rm -f "$BUNDLE/rootfs/etc/passwd"
	truncate -s 1T "$BUNDLE/rootfs/etc/passwd"
	cfg '.process.env |= map(select(startswith("HOME=") | not))'
	in_container sh -c 'echo "HOME=$HOME"'
	[ "$status" -eq 0 ] || fail "run: $status $stderr"
	[ "$output" = "HOME=/" ]
}

# ---- devices ----------------------------------------------------------------------

@test "a /dev bound from a host directory gets no device nodes, and its files stay" {
	mkdir "$TEST_TMP/hostdev"
	echo "host file" >"$TEST_TMP/hostdev/null"
	cfg '.mounts |= map(select(.destination != "/dev" and (.destination | startswith("/dev/") | not))) |
		.mounts += [{destination: "/dev", type: "bind", source: $d, options: ["rbind"]}] |
		.linux.devices = [{path: "/dev/keel-null", type: "c", major: 1, minor: 3, fileMode: 438, uid: 0, gid: 0}, {path: "/dev/null", type: "c", major: 1, minor: 3, fileMode: 438}]' \
		--arg d "$TEST_TMP/hostdev"
	in_container true
	[ ! -e "$TEST_TMP/hostdev/keel-null" ] || fail "a device node was made in the host directory: $(ls -l "$TEST_TMP/hostdev")"
	[ "$(cat "$TEST_TMP/hostdev/null")" = "host file" ] || fail "the host's /dev/null was replaced: $(ls -l "$TEST_TMP/hostdev")"
	[ -z "$(find "$TEST_TMP/hostdev" -type b -o -type c)" ]
}

# ---- exec's cwd (CVE-2024-21626 through exec) -----------------------------------------

@test "CVE-2024-21626: exec --cwd /proc/self/fd/7 does not reach a directory the caller has open" {
	local id
	id=$(start_container sleep 1000)
	run --separate-stderr rt exec --cwd /proc/self/fd/7 "$id" sh -c 'pwd; cat file; echo pwned >>file' 7<"$HOSTDIR"
	[[ $output != *"host original"* ]] || fail "exec read the host file: $output"
	[ "$(cat "$HOSTDIR/file")" = "host original" ] || fail "exec wrote the host file"
	[ "$status" -ne 0 ]
}

@test "CVE-2024-21626: an exec cwd the container made a link to /proc/self/fd/7 stays in the container" {
	local id
	id=$(start_container sleep 1000)
	rt exec "$id" ln -s /proc/self/fd/7 /work
	run --separate-stderr rt exec --cwd /work "$id" sh -c 'pwd; cat file; echo pwned >>file' 7<"$HOSTDIR"
	[[ $output != *"host original"* ]] || fail "exec read the host file: $output"
	[ "$(cat "$HOSTDIR/file")" = "host original" ] || fail "exec wrote the host file"
}

# ---- session keyrings --------------------------------------------------------------

@test "keyring: an exec'd process does not get its caller's session keyring and keys" {
	cp "$KEYRING_PROBE" "$BUNDLE/rootfs/keyring-probe"
	local id
	id=$(start_container sleep 1000)
	run --separate-stderr "$KEYRING_PROBE" add "$KEEL" --root "$RT_ROOT" exec "$id" /keyring-probe find
	[ "$status" -eq 0 ] || fail "exec: $status $stderr"
	[[ $output == none:* ]] || fail "the exec'd process reached the caller's key: $output"
	# and the init, for comparison (already so)
	set_args /keyring-probe find
	run --separate-stderr "$KEYRING_PROBE" add "$KEEL" --root "$RT_ROOT" run --bundle "$BUNDLE" "$(new_id)" </dev/null
	[[ $output == none:* ]] || fail "the init reached the caller's key: $output"
}

# ---- mount propagation ------------------------------------------------------------

@test "rootfsPropagation without r- does not send the container's mounts to the host" {
	mkdir -p "$TEST_TMP/shared"
	mount --bind "$TEST_TMP/shared" "$TEST_TMP/shared"
	mount --make-shared "$TEST_TMP/shared"
	local p id
	for p in private slave unbindable; do
		cfg '.linux.rootfsPropagation = $p |
			.mounts += [{destination: "/x", type: "bind", source: $s, options: ["rbind"]},
				{destination: "/x/sub", type: "tmpfs", source: "tmpfs"}]' \
			--arg p "$p" --arg s "$TEST_TMP/shared"
		id=$(start_container sleep 1000)
		[ "$(mounts_under "$TEST_TMP/shared")" = "$TEST_TMP/shared" ] ||
			fail "rootfsPropagation $p: on the host: $(mounts_under "$TEST_TMP/shared")"
		rt delete --force "$id"
		cfg 'del(.mounts[-1]) | del(.mounts[-1])'
	done
}
