# Shared helpers for the container-runtime suites: keel_*.bats, podman.bats,
# containerd.bats. Load with `load lib/container`.
#
# The runtime under test is $KEEL_BIN when set (e.g. KEEL_BIN=/usr/sbin/runc to
# validate a suite against runc), else $KEEL_BUILD/keel, else <repo>/build/keel.
# Checks of keel's own message format run only when KEEL_BIN is unset
# (see is_keel).
#
# Every test gets its own temp dir ($TEST_TMP), state root ($RT_ROOT), bundle
# ($BUNDLE, a copy of a per-suite busybox bundle) and container id prefix
# ($CID). keel_teardown removes containers, stray processes, mounts and
# cgroups that belong to the test, whatever the runtime left behind.

bats_require_minimum_version 1.5.0

# Bundles, hooks and files the tests make must be readable by the
# container's non-root and mapped users, whatever umask the caller has
# (under 077 the template's rootfs was unreachable for them).
umask 022

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
MAKE_BUNDLE=$REPO_ROOT/scripts/make-bundle.sh
HELPERS=$BATS_TEST_DIRNAME/helpers

if [ -n "${KEEL_BIN:-}" ]; then
	KEEL=$KEEL_BIN
else
	KEEL=${KEEL_BUILD:-$REPO_ROOT/build}/keel
fi
case $KEEL in /*) ;; *) KEEL=$PWD/$KEEL ;; esac

# True when testing keel itself (not a reference runtime through KEEL_BIN).
is_keel() { [ -z "${KEEL_BIN:-}" ]; }

# ---- per-suite and per-test setup ------------------------------------------

# Builds the suite's template bundle once (call from setup_file).
keel_setup_file() {
	[ -x "$KEEL" ] || {
		echo "runtime under test not found: $KEEL (build it, or set KEEL_BIN)" >&2
		return 1
	}
	export TEMPLATE_BUNDLE=$BATS_FILE_TMPDIR/template
	"$MAKE_BUNDLE" "$TEMPLATE_BUNDLE" sh >/dev/null
}

keel_setup() {
	[ -x "$KEEL" ] || fail "runtime under test not found: $KEEL"
	[ -n "${TEMPLATE_BUNDLE:-}" ] || fail "suite did not call keel_setup_file"
	TEST_TMP=$(mktemp -d /tmp/keel-it.XXXXXX)
	# Traversable by the mapped ids of user-namespace tests.
	chmod 755 "$TEST_TMP"
	RT_ROOT=$TEST_TMP/state
	BUNDLE=$TEST_TMP/bundle
	CID=kt$$-${BATS_TEST_NUMBER}
	mkdir -p "$RT_ROOT"
	cp -a "$TEMPLATE_BUNDLE" "$BUNDLE"
	: >"$TEST_TMP/ids"
}

keel_teardown() {
	[ -n "${TEST_TMP:-}" ] && [ -d "$TEST_TMP" ] || return 0
	local id
	# Containers the test made, plus any the runtime still lists.
	for id in $(sort -u "$TEST_TMP/ids" 2>/dev/null) $(rt list -q 2>/dev/null); do
		rt delete --force "$id" >/dev/null 2>&1 || true
	done
	kill_procs_under "$TEST_TMP"
	umount_under "$TEST_TMP"
	remove_cgroups_named "$CID"
	rm -rf "$TEST_TMP"
}

fail() {
	echo "$*" >&2
	return 1
}

# ---- running the runtime ---------------------------------------------------

# Bound on one client command (runtime, podman, ctr), so that a hung
# command fails its test instead of the whole run. Not a performance check.
CMD_TIMEOUT=${KEEL_CMD_TIMEOUT:-60}

# bounded CMD...: runs CMD under the bound (exit 124 when it hangs).
# timeout(1) reaches only its own process group, and a container's init is
# a session of its own: the init of a hung `create` would live on, holding
# the test's output pipe, and `run` or $(...) would wait for it forever. So
# when the bound fires, the test's container processes are killed too.
bounded() {
	local rc=0
	timeout --kill-after=10 "$CMD_TIMEOUT" "$@" || rc=$?
	if [ "$rc" -eq 124 ] && [ -n "${TEST_TMP:-}" ]; then
		echo "bounded: $1 hung for ${CMD_TIMEOUT}s" >&2
		kill_procs_under "$TEST_TMP"
	fi
	return "$rc"
}

# on_pty CMD...: runs CMD, bounded, on a new pseudo-terminal of its own
# (CI has none) whose input stays open and quiet; prints what it wrote.
on_pty() {
	bounded python3 "$HELPERS/pty-run.py" "$@"
}

# Prints pty output without the carriage returns, NUL bytes and their "^@"
# echo that a terminal may add.
pty_output() {
	printf '%s\n' "$1" | tr -d '\r\000' | sed 's/\^@//g'
}

# The runtime under test with this test's state root.
rt() {
	bounded "$KEEL" --root "$RT_ROOT" "$@"
}

# A fresh container id, remembered for teardown. Numbered from the ids file
# so that it also works inside $(...).
new_id() {
	local id
	id=$CID-$(($(wc -l <"$TEST_TMP/ids") + 1))
	echo "$id" >>"$TEST_TMP/ids"
	echo "$id"
}

# Remembers an id made without new_id.
track_id() { echo "$1" >>"$TEST_TMP/ids"; }

# cfg FILTER [jq args...]: edits $BUNDLE/config.json in place with jq.
cfg() {
	local filter=$1
	shift
	jq "$@" "$filter" "$BUNDLE/config.json" >"$BUNDLE/config.json.new" &&
		mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# set_args CMD ARGS...: sets process.args.
set_args() {
	local json
	json=$(for a in "$@"; do printf '%s' "$a" | jq -Rs .; done | jq -cs .)
	cfg '.process.args = $a' --argjson a "$json"
}

# in_container CMD ARGS...: `run`s the command in a new container in the
# foreground (bats `run`: $status, $output; stderr kept apart in $stderr).
in_container() {
	set_args "$@"
	local id
	id=$(new_id)
	run --separate-stderr rt run --bundle "$BUNDLE" "$id" </dev/null
}

# sh_in_container 'SCRIPT': in_container sh -c SCRIPT, and the script must
# succeed; prints what it wrote when it did not.
sh_in_container() {
	in_container sh -c "$1"
	if [ "$status" -ne 0 ]; then
		echo "container exited $status; stdout: $output; stderr: $stderr" >&2
		return 1
	fi
}

# start_container [CMD ARGS...]: creates and starts a container running CMD
# (default: sleep 1000) detached; prints its id.
start_container() {
	if [ $# -gt 0 ]; then set_args "$@"; else set_args sleep 1000; fi
	local id
	id=$(new_id)
	rt create --bundle "$BUNDLE" "$id" </dev/null >/dev/null || return 1
	rt start "$id" || return 1
	echo "$id"
}

# state_of ID FIELD: one field of `state ID`.
state_of() {
	rt state "$1" | jq -r ".$2"
}

# Bound on a wait for a condition, in seconds: only there so that a
# condition that never comes fails its test instead of hanging the run. A
# slow or busy machine only makes a wait longer. Not a performance check.
WAIT_TIMEOUT=${KEEL_WAIT_TIMEOUT:-60}

# poll CMD...: runs CMD every 0.1 s until it succeeds; fails when it still
# does not after WAIT_TIMEOUT seconds.
poll() {
	local deadline=$((SECONDS + WAIT_TIMEOUT))
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

status_is() { [ "$(state_of "$1" status 2>/dev/null)" = "$2" ]; }

# wait_for_status ID STATUS: until `state` reports STATUS.
wait_for_status() {
	poll status_is "$1" "$2" ||
		fail "container $1: status '$(state_of "$1" status 2>/dev/null)', waited for '$2'"
}

# wait_for_file PATH: until PATH exists. A file that a shell writes by
# redirection exists before it holds anything: wait for its content (or
# have the writer rename it into place).
wait_for_file() {
	poll test -e "$1" || fail "$1 did not appear"
}

content_is() { [ "$(cat "$1" 2>/dev/null)" = "$2" ]; }
content_differs() { ! content_is "$@"; }

# wait_for_content PATH TEXT: until PATH holds TEXT.
wait_for_content() {
	poll content_is "$1" "$2" || fail "$1 holds '$(cat "$1" 2>/dev/null)', waited for '$2'"
}

cmdline_has() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q -- "$2"; }

# wait_for_exec PID REGEX: until PID's command line (NULs as spaces)
# matches REGEX; anchor it (^sleep), as the command line before the execve
# (keel's, or a shell's) may hold the same words. `start`
# (like runc's) returns once the init is released, which may be before it
# has called execve; so do `run --detach`, `exec --detach`, podman and ctr.
wait_for_exec() {
	poll cmdline_has "$1" "$2" ||
		fail "process $1 did not exec '$2': $(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)"
}

handles_signal() {
	local mask
	mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null)
	[ -n "$mask" ] && [ $(((0x$mask >> ($2 - 1)) & 1)) -eq 1 ]
}

# wait_for_trap PID SIGNUM: until PID, a shell, has run its `trap` for
# SIGNUM. A container's init (PID 1 of its namespace) ignores a signal it
# has no handler for, so one sent before the trap is in place is lost.
wait_for_trap() {
	wait_for_exec "$1" '^sh ' || return 1
	poll handles_signal "$1" "$2" || fail "process $1 has no handler for signal $2"
}

# ---- what a command leaves behind ------------------------------------------

# not_running PID REGEX: PID is gone, or is no longer a live process whose
# command line matches REGEX (a zombie's is empty; the pid may be reused).
not_running() { ! cmdline_has "$1" "$2"; }

# gone_or_zombie PID: PID has exited (reaped or not).
gone_or_zombie() {
	[ ! -d "/proc/$1" ] || [ "$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)" = Z ]
}

# Pids of processes that live in a rootfs under DIR: their root directory
# is DIR or a directory named rootfs below it (same device and inode, which
# still holds after pivot_root into another mount namespace, where
# /proc/PID/root reads as "/"), or their root or cwd path lies under DIR
# (before the pivot).
procs_under() {
	local dir=$1 ids
	ids=$({ stat -c '%d:%i' "$dir"; find "$dir" -maxdepth 4 -type d -name rootfs \
		-exec stat -c '%d:%i' {} +; } 2>/dev/null | tr '\n' ' ')
	{
		stat -L -c '%d:%i %n' /proc/[0-9]*/root 2>/dev/null |
			awk -v ids=" $ids" 'index(ids, " " $1 " ") { split($2, p, "/"); print p[3] }'
		find /proc/[0-9]*/root /proc/[0-9]*/cwd -maxdepth 0 -printf '%l %p\n' 2>/dev/null |
			awk -v d="$dir/" 'index($1 "/", d) == 1 { split($2, p, "/"); print p[3] }'
	} | sort -u
}

kill_procs_under() {
	local p
	for p in $(procs_under "$1"); do
		kill -KILL "$p" 2>/dev/null || true
	done
}

# Mount points under DIR in the host mount table, deepest first.
mounts_under() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

umount_under() {
	local m
	for m in $(mounts_under "$1"); do
		umount -l "$m" 2>/dev/null || true
	done
}

# Cgroup directories (any hierarchy, any depth) whose name contains NAME.
cgroups_named() {
	find /sys/fs/cgroup -mindepth 2 -type d -name "*$1*" 2>/dev/null | sort
}

# Removes them, deepest first; a cgroup whose killed processes are still
# exiting is busy for a while, so retry (bounded by WAIT_TIMEOUT).
cgroups_removed() {
	local d
	for d in $(cgroups_named "$1" | sort -r); do
		rmdir "$d" 2>/dev/null || true
	done
	[ -z "$(cgroups_named "$1")" ]
}

remove_cgroups_named() {
	poll cgroups_removed "$1" || echo "teardown: cgroups left: $(cgroups_named "$1")" >&2
}

# The stderr of the last `run --separate-stderr` is one line naming WORD.
assert_one_line_error() {
	local word=$1
	[ "$status" -ne 0 ] || fail "expected failure, got status 0"
	[ "${#stderr_lines[@]}" -eq 1 ] ||
		fail "expected one line on stderr, got ${#stderr_lines[@]}: $stderr"
	[[ $stderr == *"$word"* ]] || fail "stderr does not name '$word': $stderr"
}
