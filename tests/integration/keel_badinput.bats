#!/usr/bin/env bats
# Bad input: every command fails with one line on stderr and leaves nothing
# behind (state directory, cgroup, mount, process).

load lib/container

setup_file() { keel_setup_file; }
setup() {
	keel_setup
	ID=$(new_id)
}
teardown() { keel_teardown; }

# What a failing command must not change: the state root, the host's mount
# points, cgroups named after the container, processes in the bundle or
# naming the container.
host_traces() {
	echo "# state"
	ls -A "$RT_ROOT"
	echo "# mounts"
	host_mount_points
	echo "# cgroups"
	cgroups_named "$ID"
	echo "# processes"
	{ procs_under "$TEST_TMP"; pgrep -f -- "$ID"; } | sort -u
}

snapshot() { host_traces >"$TEST_TMP/before"; }

# Mount points of the host table, less those of other test runs going on
# at the same time (their temp dirs: /tmp/keel-it.*, /tmp/keel-ctrd.*,
# /tmp/keel-bench.*, bats' /tmp/bats-run-*), which are not this command's doing.
host_mount_points() {
	awk -v own="$TEST_TMP" '{ m = $5 }
		(m ~ "^/tmp/(keel-it|keel-ctrd|keel-bench|bats-run-)") && index(m "/", own "/") != 1 { next }
		{ print m }' /proc/self/mountinfo | sort
}

# rt_fails ARGS...: runs the runtime, which must fail with one line on
# stderr and leave the host as snapshot found it. With keel, the line must
# be "keel: <command> $ID: ..." (the container named).
rt_fails() {
	snapshot
	run --separate-stderr rt "$@" </dev/null
	echo "status: $status"
	echo "stderr: $stderr"
	[ "$status" -ne 0 ] || fail "expected a failure"
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "expected one line on stderr, got ${#stderr_lines[@]}"
	if is_keel; then
		[[ $stderr == "keel: $1 $ID: "* ]] || fail "stderr does not start with 'keel: $1 $ID: '"
	fi
	assert_nothing_left
}

assert_nothing_left() {
	host_traces | diff "$TEST_TMP/before" - || fail "the failed command left traces (diff above)"
}

# ---- config.json ---------------------------------------------------------------

@test "malformed JSON: create fails and says where" {
	printf '{\n  "ociVersion": "1.1.0",\n  "process": {,\n' >"$BUNDLE/config.json"
	rt_fails create --bundle "$BUNDLE" "$ID"
	if is_keel; then
		[[ $stderr == *config.json* ]]
		[[ $stderr == *"line 3"* ]]
		[[ $stderr == *column* ]]
	fi
}

@test "malformed JSON: run fails the same way" {
	echo '{"ociVersion": "1.1.0",, }' >"$BUNDLE/config.json"
	rt_fails run --bundle "$BUNDLE" "$ID"
	is_keel || return 0
	[[ $stderr == *"line 1"* ]]
}

@test "an empty config.json is refused" {
	: >"$BUNDLE/config.json"
	rt_fails create --bundle "$BUNDLE" "$ID"
}

@test "a missing config.json is refused" {
	rm "$BUNDLE/config.json"
	rt_fails create --bundle "$BUNDLE" "$ID"
	is_keel || return 0
	[[ $stderr == *config.json* ]]
}

@test "wrong type: the JSON path is named" {
	cfg '.process.args = "sh"'
	rt_fails create --bundle "$BUNDLE" "$ID"
	[[ $stderr == *process.args* ]]
	is_keel || return 0
	[[ $stderr == *array* ]]
	[[ $stderr == *line* ]]
}

@test "wrong type deep inside linux: the JSON path is named" {
	cfg '.linux.resources.memory = {limit: "lots"}'
	rt_fails create --bundle "$BUNDLE" "$ID"
	is_keel || return 0
	[[ $stderr == *linux.resources.memory.limit* ]]
}

@test "missing process.args is refused at create" {
	cfg 'del(.process.args)'
	rt_fails create --bundle "$BUNDLE" "$ID"
	[[ $stderr == *args* ]]
}

@test "empty process.args is refused at create" {
	cfg '.process.args = []'
	rt_fails create --bundle "$BUNDLE" "$ID"
}

@test "unknown namespace type is refused" {
	cfg '.linux.namespaces += [{type: "bogus"}]'
	rt_fails create --bundle "$BUNDLE" "$ID"
	[[ $stderr == *bogus* ]]
}

@test "a namespace path that does not exist is refused" {
	cfg '.linux.namespaces |= map(if .type == "network" then .path = "/nonexistent/ns/net" else . end)'
	rt_fails create --bundle "$BUNDLE" "$ID"
}

@test "keel: relative mount destination is refused" {
	# runc 1.1 accepts it with a deprecation warning; keel refuses it.
	is_keel || skip "keel only: runc 1.1 accepts relative mount destinations (with a warning)"
	cfg '.mounts += [{destination: "relative/dir", type: "tmpfs", source: "tmpfs"}]'
	rt_fails create --bundle "$BUNDLE" "$ID"
	[[ $stderr == *mounts*destination* ]]
}

@test "missing rootfs is refused" {
	cfg '.root.path = "no-such-rootfs"'
	rt_fails create --bundle "$BUNDLE" "$ID"
	[[ $stderr == *no-such-rootfs* ]]
}

@test "a bind mount of a missing source fails cleanly" {
	cfg '.mounts += [{destination: "/data", type: "bind", source: $s, options: ["bind"]}]' \
		--arg s "$TEST_TMP/no-such-source"
	rt_fails create --bundle "$BUNDLE" "$ID"
}

@test "an args[0] that does not exist fails at create or start, cleanly" {
	set_args /no/such/binary
	snapshot
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" </dev/null
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "stderr: $stderr"
	[[ $stderr == */no/such/binary* ]]
	assert_nothing_left
}

@test "a failing createRuntime hook fails create and leaves nothing" {
	set_args sleep 1000
	cfg '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "exit 3"]}]'
	rt_fails create --bundle "$BUNDLE" "$ID"
}

@test "a hook whose path does not exist fails create and leaves nothing" {
	set_args sleep 1000
	cfg '.hooks.prestart = [{path: "/no/such/hook"}]'
	rt_fails create --bundle "$BUNDLE" "$ID"
}

# ---- container ids ---------------------------------------------------------------

@test "nonexistent id: start fails" {
	rt_fails start "$ID"
}

@test "nonexistent id: state fails" {
	rt_fails state "$ID"
}

@test "nonexistent id: kill fails" {
	rt_fails kill "$ID" KILL
}

@test "nonexistent id: delete fails" {
	rt_fails delete "$ID"
}

@test "nonexistent id: delete --force succeeds quietly" {
	# runc's documented behaviour: --force ignores a missing container.
	snapshot
	run --separate-stderr rt delete --force "$ID"
	[ "$status" -eq 0 ]
	assert_nothing_left
}

@test "duplicate id on create fails and leaves the first container alone" {
	set_args sleep 1000
	rt create --bundle "$BUNDLE" "$ID" >/dev/null
	local pid
	pid=$(state_of "$ID" pid)
	rt_fails create --bundle "$BUNDLE" "$ID"
	[ "$(state_of "$ID" status)" = created ]
	[ "$(state_of "$ID" pid)" = "$pid" ]
	rt delete --force "$ID"
}

@test "duplicate id on run fails and leaves the first container alone" {
	set_args sleep 1000
	rt run --detach --bundle "$BUNDLE" "$ID" >/dev/null
	local pid
	pid=$(state_of "$ID" pid)
	rt_fails run --bundle "$BUNDLE" "$ID"
	[ "$(state_of "$ID" status)" = running ]
	[ "$(state_of "$ID" pid)" = "$pid" ]
}

@test "invalid id characters are refused: ../ escapes" {
	ID=../kt-escape-$$
	rt_fails create --bundle "$BUNDLE" "$ID"
	[ ! -e "$TEST_TMP/kt-escape-$$" ]
}

@test "invalid id characters are refused: slash" {
	ID=kt/slash
	rt_fails create --bundle "$BUNDLE" "$ID"
	[ ! -e "$RT_ROOT/kt" ]
}

@test "invalid id characters are refused: space" {
	ID="kt bad-$$"
	rt_fails create --bundle "$BUNDLE" "$ID"
}

@test "an empty id is refused" {
	snapshot
	run --separate-stderr rt create --bundle "$BUNDLE" "" </dev/null
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	ID=keel-empty-id-never-used
	assert_nothing_left
}

# ---- command line ---------------------------------------------------------------

@test "an unknown command fails with one line" {
	run --separate-stderr "$KEEL" --root "$RT_ROOT" frobnicate
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -ge 1 ]
	[[ $stderr == *frobnicate* ]]
}

@test "create without an id fails" {
	run --separate-stderr rt create --bundle "$BUNDLE"
	[ "$status" -ne 0 ]
	[ -z "$(ls -A "$RT_ROOT")" ]
}

@test "a bundle directory that does not exist is refused" {
	rt_fails create --bundle "$TEST_TMP/no-such-bundle" "$ID"
}
