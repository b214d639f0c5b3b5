#!/usr/bin/env bats
# More container escapes, beyond keel_escapes.bats: keel's own fds in the
# --preserve-fds range, mounts into /proc (CVE-2019-16884, CVE-2019-19921,
# CVE-2023-27561, CVE-2023-28642), procfs writes of the runtime redirected
# by mounts (CVE-2025-52881's class). Each test checks what the escape
# would reach, on the host or in the container.

load lib/container

setup_file() { keel_setup_file; }

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
