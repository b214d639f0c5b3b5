#!/usr/bin/env bats
# `exec` into a live container: its namespaces, cgroups and process
# attributes, runc's flags, exit status. Validate with KEEL_BIN=/usr/sbin/runc.

load lib/container

setup_file() { keel_setup_file; }
setup() { keel_setup; }
teardown() {
	[ -n "${RECEIVER:-}" ] && kill "$RECEIVER" 2>/dev/null
	keel_teardown
}

# A running container with a hostname and a tmpfs only its mount namespace
# has, holding a marker the init wrote.
start_marked() {
	cfg '.hostname = "exec-host" | .mounts += [{"destination": "/mnt/private", "type": "tmpfs", "source": "tmpfs"}]'
	local id
	id=$(start_container sh -c 'echo init-was-here >/mnt/private/marker; exec sleep 1000') || return 1
	# the marker is written once the init runs sleep
	wait_for_exec "$(state_of "$id" pid)" "^sleep 1000" >&2 || return 1
	echo "$id"
}

@test "exec sees the container's PID namespace, hostname and mounts" {
	id=$(start_marked)
	run rt exec "$id" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; hostname; cat /mnt/private/marker; echo $$'
	[ "$status" -eq 0 ] || fail "$output"
	[[ ${lines[0]} == "sleep 1000"* ]] || fail "pid 1: ${lines[0]}"
	[ "${lines[1]}" = exec-host ]
	[ "${lines[2]}" = init-was-here ]
	[ "${lines[3]}" -gt 1 ] && [ "${lines[3]}" -lt 100 ] || fail "pid ${lines[3]} is not in the container's namespace"
	# the same namespaces as the init, by inode
	local pid ns
	pid=$(state_of "$id" pid)
	for ns in pid mnt uts ipc net; do
		run rt exec "$id" readlink "/proc/self/ns/$ns"
		[ "$output" = "$(readlink "/proc/$pid/ns/$ns")" ] || fail "$ns: $output"
	done
}

@test "exit status passes through" {
	id=$(start_container)
	run rt exec "$id" sh -c 'exit 42'
	[ "$status" -eq 42 ]
	run rt exec "$id" true
	[ "$status" -eq 0 ]
	run rt exec "$id" sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
}

@test "exec joins the container's cgroups" {
	cfg '.linux.resources.memory = {"limit": 67108864}'
	id=$(start_container)
	pid=$(state_of "$id" pid)
	run rt exec "$id" cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "/proc/$pid/cgroup")" ] || fail "exec: $output; init: $(cat "/proc/$pid/cgroup")"
}

@test "--env, --cwd and --user" {
	cfg '.process.env += ["FROM_CONFIG=1", "OVERRIDE=old"]'
	id=$(start_container)
	run rt exec --env OVERRIDE=new --env ADDED=yes --cwd /tmp --user 1000:1001 "$id" sh -c 'echo $FROM_CONFIG $OVERRIDE $ADDED; pwd; id -u; id -g'
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = "1 new yes" ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 1001 ]
}

@test "--process FILE" {
	id=$(start_container)
	cat >"$TEST_TMP/process.json" <<'JSON'
{"args": ["sh", "-c", "echo from-file $GREETING; pwd; exit 3"], "cwd": "/etc", "env": ["GREETING=hello", "PATH=/bin:/usr/bin"], "user": {"uid": 0, "gid": 0}}
JSON
	run rt exec --process "$TEST_TMP/process.json" "$id"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = "from-file hello" ]
	[ "${lines[1]}" = /etc ]
}

@test "the container's capabilities, rlimits and noNewPrivileges apply; --cap adds" {
	cfg '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 512, "soft": 256}] | .process.noNewPrivileges = true'
	id=$(start_container)
	pid=$(state_of "$id" pid)
	run rt exec "$id" sh -c 'grep -E "^(CapBnd|CapEff|NoNewPrivs)" /proc/self/status; ulimit -n; ulimit -Hn'
	[ "$status" -eq 0 ] || fail "$output"
	[[ $output == *"$(grep CapBnd "/proc/$pid/status")"* ]] || fail "$output"
	[[ $output == *"$(grep CapEff "/proc/$pid/status")"* ]] || fail "$output"
	[[ $output == *"NoNewPrivs:"*1* ]]
	[ "${lines[3]}" = 256 ] && [ "${lines[4]}" = 512 ]
	# CAP_SYS_ADMIN (21) is not in the config; --cap adds it
	run rt exec "$id" sh -c 'grep CapEff /proc/self/status'
	local without=${output##*:}
	run rt exec --cap CAP_SYS_ADMIN "$id" sh -c 'grep CapEff /proc/self/status'
	[ "$(((0x${output##*[[:space:]]} >> 21) & 1))" = 1 ]
	[ "$(((0x${without##*[[:space:]]} >> 21) & 1))" = 0 ]
}

@test "the container's seccomp profile applies to exec'd processes" {
	cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	id=$(start_container)
	run rt exec "$id" mkdir /tmp/blocked
	[ "$status" -ne 0 ]
	[[ $output == *"not permitted"* ]] || fail "$output"
}

@test "exec --tty with a console socket" {
	id=$(start_container)
	bounded python3 "$HELPERS/console-receiver.py" "$TEST_TMP/console.sock" "$TEST_TMP/console.out" &
	RECEIVER=$!
	wait_for_file "$TEST_TMP/console.sock"
	rt exec --tty --detach --console-socket "$TEST_TMP/console.sock" "$id" sh -c 'tty; [ -t 0 ] && echo stdin-is-tty; echo done'
	wait "$RECEIVER"
	RECEIVER=
	grep -q '^/dev/pts/' "$TEST_TMP/console.out" || fail "$(cat "$TEST_TMP/console.out")"
	grep -q stdin-is-tty "$TEST_TMP/console.out"
	grep -q done "$TEST_TMP/console.out"
}

@test "exec --tty in the foreground: keel makes the pty and relays it; the exit status passes through" {
	id=$(start_container)
	# on a terminal of the caller's, as from an interactive shell
	run on_pty "$KEEL" --root "$RT_ROOT" exec --tty "$id" sh -c 'tty; [ -t 0 ] && echo stdin-is-tty; exit 3'
	[ "$status" -eq 3 ] || fail "status $status: $output"
	pty_output "$output" | grep -qx '/dev/pts/[0-9]*'
	pty_output "$output" | grep -qx stdin-is-tty
	# with no terminal at all on keel's side (CI, a pipe)
	run --separate-stderr rt exec --tty "$id" sh -c 'tty; exit 4' </dev/null
	[ "$status" -eq 4 ] || fail "status $status: $output $stderr"
	pty_output "$output" | grep -qx '/dev/pts/[0-9]*'
	# detached without a console socket there is nobody to hand the pty to
	run --separate-stderr rt exec --tty --detach "$id" true
	[ "$status" -ne 0 ]
	if is_keel; then
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "$stderr"
		[[ $stderr == *"console socket"* ]] || fail "$stderr"
	fi
}

@test "exec --detach --pid-file: the process runs on after exec returns" {
	id=$(start_container)
	rt exec --detach --pid-file "$TEST_TMP/exec.pid" "$id" sleep 999
	local pid
	pid=$(cat "$TEST_TMP/exec.pid")
	# exec --detach may return before the process has called execve
	wait_for_exec "$pid" '^sleep 999'
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = 'sleep 999 ' ]
	run rt ps --format json "$id"
	echo "$output" | jq -e --argjson p "$pid" 'index($p) != null'
}

@test "exec into a stopped or paused container is refused" {
	id=$(start_container)
	rt pause "$id"
	run rt exec "$id" true
	[ "$status" -ne 0 ]
	rt resume "$id"
	rt kill "$id" KILL
	wait_for_status "$id" stopped
	run rt exec "$id" true
	[ "$status" -ne 0 ]
}

@test "a missing executable is one clear error" {
	id=$(start_container)
	run --separate-stderr rt exec "$id" /no/such/program
	[ "$status" -ne 0 ]
	[[ $stderr == *"/no/such/program"* ]] || fail "$stderr"
	if is_keel; then assert_one_line_error /no/such/program; fi
}
