#!/usr/bin/env bats
# Container lifecycle through runc's command line: create, start, state,
# kill, delete, run, list, spec; global --root, --log, --log-format.

load lib/container

setup_file() { keel_setup_file; }
setup() { keel_setup; }
teardown() { keel_teardown; }

@test "--version prints the version and the spec version" {
	run --separate-stderr "$KEEL" --version
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *version* ]]
	[[ $output == *spec:* ]]
}

@test "--help lists the lifecycle commands" {
	run --separate-stderr "$KEEL" --help
	[ "$status" -eq 0 ]
	local cmd
	for cmd in create start state kill delete run list spec; do
		[[ $output == *"$cmd"* ]] || fail "--help does not mention $cmd"
	done
}

@test "spec writes a config.json and refuses to overwrite it" {
	mkdir "$TEST_TMP/spec"
	run --separate-stderr "$KEEL" spec --bundle "$TEST_TMP/spec"
	[ "$status" -eq 0 ]
	jq -e '.ociVersion != null and (.process.args | length) > 0 and .root.path == "rootfs"
		and (.linux.namespaces | map(.type) | index("mount") != null)' "$TEST_TMP/spec/config.json"
	run --separate-stderr "$KEEL" spec --bundle "$TEST_TMP/spec"
	[ "$status" -ne 0 ]
}

@test "create, start, kill, delete pass through created, running, stopped" {
	local id
	id=$(new_id)
	set_args sleep 1000
	rt create --bundle "$BUNDLE" "$id" >/dev/null

	run --separate-stderr rt state "$id"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg id "$id" --arg b "$BUNDLE" \
		'.id == $id and .status == "created" and .bundle == $b and .pid > 0
		 and (.ociVersion | type) == "string"'
	local pid
	pid=$(echo "$output" | jq .pid)
	# The init exists, waiting to exec the user process.
	[ -d "/proc/$pid" ]
	! grep -q sleep "/proc/$pid/cmdline"

	rt start "$id"
	run --separate-stderr rt state "$id"
	echo "$output" | jq -e --argjson pid "$pid" '.status == "running" and .pid == $pid'
	# The init becomes the user process (start may return just before its
	# execve).
	wait_for_exec "$pid" ^sleep

	rt kill "$id" KILL
	wait_for_status "$id" stopped
	[ ! -d "/proc/$pid" ] || ! grep -q sleep "/proc/$pid/cmdline"

	rt delete "$id"
	run --separate-stderr rt state "$id"
	[ "$status" -ne 0 ]
	[ ! -e "$RT_ROOT/$id" ]
}

@test "createRuntime hook sees status creating on stdin" {
	local id
	id=$(new_id)
	set_args true
	cfg '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "cat > " + $f]}]' \
		--arg f "$TEST_TMP/hook-state"
	rt run --bundle "$BUNDLE" "$id" </dev/null
	jq -e --arg id "$id" '.status == "creating" and .id == $id and .pid > 0' "$TEST_TMP/hook-state"
}

@test "hooks run in order: prestart, createRuntime, poststart, poststop" {
	local id log=$TEST_TMP/hooks.log
	id=$(new_id)
	set_args sleep 1000
	# Each hook appends its name and the status it was given on stdin.
	printf '%s\n' '#!/bin/sh' "echo \"\$1:\$(jq -r .status)\" >> $log" >"$TEST_TMP/hook.sh"
	chmod +x "$TEST_TMP/hook.sh"
	cfg 'def h(n): [{path: $hook, args: ["hook.sh", n]}];
		.hooks = {createRuntime: h("createRuntime"), prestart: h("prestart"),
			poststart: h("poststart"), poststop: h("poststop")}' --arg hook "$TEST_TMP/hook.sh"
	rt create --bundle "$BUNDLE" "$id" >/dev/null
	rt start "$id"
	wait_for_status "$id" running
	rt kill "$id" KILL
	wait_for_status "$id" stopped
	rt delete "$id"
	cat "$log"
	# runtime-spec lifecycle: prestart (step 5) before createRuntime (step 6).
	[ "$(cut -d: -f1 "$log" | tr '\n' ' ')" = "prestart createRuntime poststart poststop " ]
	grep -qx 'createRuntime:creating' "$log"
	grep -qx 'poststop:stopped' "$log"
}

@test "pause and resume: status paused, then running again" {
	local id
	id=$(start_container)
	rt pause "$id"
	[ "$(state_of "$id" status)" = paused ]
	rt resume "$id"
	[ "$(state_of "$id" status)" = running ]
	rt kill "$id" KILL
	wait_for_status "$id" stopped
}

@test "features: JSON with the spec versions and namespaces" {
	run --separate-stderr "$KEEL" features
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '(.ociVersionMin | type) == "string" and (.ociVersionMax | type) == "string"
		and (.linux.namespaces | index("pid") != null and index("mount") != null)
		and (.hooks | index("poststop") != null)'
}

@test "exec: runs in a running container, output and exit code pass through" {
	local id
	cfg '.hostname = "exec-box"'
	id=$(start_container)
	run --separate-stderr rt exec "$id" sh -c 'hostname; echo $KEEL_X; exit 4'
	[ "$status" -eq 4 ]
	[ "${lines[0]}" = exec-box ]
	run --separate-stderr rt exec --env KEEL_X=set "$id" sh -c 'echo $KEEL_X; readlink /proc/1/ns/pid; readlink /proc/self/ns/pid'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = set ]
	# Same pid namespace as the init.
	[ "${lines[1]}" = "${lines[2]}" ]
}

@test "exec into a stopped container fails" {
	local id
	id=$(start_container)
	rt kill "$id" KILL
	wait_for_status "$id" stopped
	run --separate-stderr rt exec "$id" true
	[ "$status" -ne 0 ]
}

@test "start of a stopped container fails, delete without --force of a running one fails" {
	local id
	id=$(start_container)
	run --separate-stderr rt delete "$id"
	[ "$status" -ne 0 ]
	[ "$(state_of "$id" status)" = running ]
	rt kill "$id" KILL
	wait_for_status "$id" stopped
	run --separate-stderr rt start "$id"
	[ "$status" -ne 0 ]
}

@test "run: stdout and the exit code pass through" {
	in_container sh -c 'echo hello from inside; exit 42'
	[ "$status" -eq 42 ]
	[ "$output" = "hello from inside" ]
	in_container true
	[ "$status" -eq 0 ]
}

@test "run: the container is gone after a foreground run" {
	in_container true
	[ "$status" -eq 0 ]
	run --separate-stderr rt state "$CID-1"
	[ "$status" -ne 0 ]
}

@test "run: an init killed by a signal gives 128+N" {
	# Without a pid namespace the shell is not PID 1, so it can signal itself.
	cfg '.linux.namespaces |= map(select(.type != "pid"))'
	in_container sh -c 'kill -TERM $$; sleep 5'
	[ "$status" -eq 143 ]
}

@test "run: SIGKILL from kill gives 137 to the foreground run" {
	local id
	id=$(new_id)
	set_args sleep 1000
	rt run --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 &
	local runner=$!
	wait_for_status "$id" running
	rt kill "$id" KILL
	local rc=0
	wait "$runner" || rc=$?
	[ "$rc" -eq 137 ]
}

@test "run --detach --pid-file: returns, pid file holds the init pid" {
	local id
	id=$(new_id)
	set_args sleep 1000
	rt run --detach --pid-file "$TEST_TMP/pid" --bundle "$BUNDLE" "$id" </dev/null >/dev/null
	[ "$(state_of "$id" status)" = running ]
	[ "$(cat "$TEST_TMP/pid")" = "$(state_of "$id" pid)" ]
	wait_for_exec "$(cat "$TEST_TMP/pid")" ^sleep
}

@test "list: table, --format json and -q" {
	local a b
	a=$(start_container)
	set_args sleep 1000
	b=$(new_id)
	rt create --bundle "$BUNDLE" "$b" >/dev/null

	run --separate-stderr rt list
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == ID*PID*STATUS*BUNDLE*CREATED* ]]
	echo "$output" | grep -E "^$a +[0-9]+ +running +$BUNDLE "
	echo "$output" | grep -E "^$b +[0-9]+ +created +$BUNDLE "

	run --separate-stderr rt list --format json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg a "$a" --arg b "$b" '
		length == 2 and
		(map(select(.id == $a))[0].status == "running") and
		(map(select(.id == $b))[0].status == "created") and
		all(.[]; .pid > 0)'

	run --separate-stderr rt list -q
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort)" = "$(printf '%s\n' "$a" "$b" | sort)" ]
}

@test "list with no containers prints just the header" {
	run --separate-stderr rt list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	run --separate-stderr rt list --format json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e 'length == 0'
}

@test "kill: signal by name, by SIG name and by number reaches the init" {
	local id
	# The shell is PID 1, so only trapped signals reach it. Each signal is
	# acknowledged before the next is sent (pending signals coalesce).
	id=$(start_container sh -c 'n=0
		trap "n=\$((n+1)); echo \$n > /tmp/usr1" USR1
		while :; do sleep 0.05; done')
	wait_for_trap "$(state_of "$id" pid)" 10
	rt kill "$id" USR1
	wait_for_content "$BUNDLE/rootfs/tmp/usr1" 1
	rt kill "$id" SIGUSR1
	wait_for_content "$BUNDLE/rootfs/tmp/usr1" 2
	rt kill "$id" 10
	wait_for_content "$BUNDLE/rootfs/tmp/usr1" 3
	[ "$(state_of "$id" status)" = running ]
	rt kill "$id" 9
	wait_for_status "$id" stopped
}

@test "kill: default signal is SIGTERM" {
	local id
	id=$(start_container sh -c 'trap "echo term > /tmp/sig; exit 0" TERM
		while :; do sleep 0.05; done')
	wait_for_trap "$(state_of "$id" pid)" 15
	rt kill "$id"
	wait_for_status "$id" stopped
	[ "$(cat "$BUNDLE/rootfs/tmp/sig")" = term ]
}

@test "kill --all reaches every process of the container" {
	local id pid child
	id=$(start_container sh -c 'sleep 1000 & echo $! > /tmp/child; wait')
	wait_for_file "$BUNDLE/rootfs/tmp/child"
	pid=$(state_of "$id" pid)
	read -r child _ <"/proc/$pid/task/$pid/children" || true
	[ -n "$child" ]
	grep -q sleep "/proc/$child/cmdline"
	rt kill --all "$id" KILL
	wait_for_status "$id" stopped
	# SIGKILL is sent, not waited for: the child dies on its own time
	poll gone_or_zombie "$child" || fail "child $child: $(grep ^State: "/proc/$child/status")"
}


@test "kill of a stopped container fails" {
	local id
	id=$(start_container)
	rt kill "$id" KILL
	wait_for_status "$id" stopped
	run --separate-stderr rt kill "$id" KILL
	[ "$status" -ne 0 ]
}

@test "delete --force removes a running container and its processes" {
	local id pid
	id=$(start_container)
	pid=$(state_of "$id" pid)
	[ -n "$(procs_under "$TEST_TMP")" ]
	rt delete --force "$id"
	run --separate-stderr rt state "$id"
	[ "$status" -ne 0 ]
	[ ! -e "$RT_ROOT/$id" ]
	# The init is gone (or at most a zombie of an unrelated reaper).
	poll not_running "$pid" sleep || fail "init $pid still runs"
	[ -z "$(procs_under "$TEST_TMP")" ]
	[ -z "$(cgroups_named "$id")" ] || fail "cgroups left: $(cgroups_named "$id")"
}

@test "delete --force of a created container" {
	local id
	id=$(new_id)
	set_args sleep 1000
	rt create --bundle "$BUNDLE" "$id" >/dev/null
	[ "$(state_of "$id" status)" = created ]
	[ -n "$(procs_under "$TEST_TMP")" ]
	rt delete --force "$id"
	[ -z "$(rt list -q)" ]
	[ -z "$(procs_under "$TEST_TMP")" ]
}

@test "a container whose init died reads as stopped and deletes cleanly" {
	local id pid
	id=$(start_container)
	pid=$(state_of "$id" pid)
	# Killed behind the runtime's back.
	kill -KILL "$pid"
	wait_for_status "$id" stopped
	run --separate-stderr rt list --format json
	echo "$output" | jq -e --arg id "$id" 'map(select(.id == $id))[0].status == "stopped"'
	rt delete "$id"
	[ -z "$(rt list -q)" ]
	[ -z "$(cgroups_named "$id")" ]
}

@test "an init that exits by itself reads as stopped" {
	local id
	id=$(start_container true)
	wait_for_status "$id" stopped
	rt delete "$id"
}

@test "keel: concurrent creates of one id: exactly one wins" {
	# runc 1.1 does not lock create: a loser can remove the winner's state
	# directory ("exec fifo ... already exists"), so this checks keel only.
	is_keel || skip "keel only: runc 1.1 does not serialize create of one id"
	local id i ok=0
	id=$(new_id)
	set_args sleep 1000
	for i in 1 2 3 4; do
		(rt create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 && echo ok >"$TEST_TMP/create.$i") &
	done
	wait
	ok=$(ls "$TEST_TMP" | grep -c '^create\.' || true)
	[ "$ok" -eq 1 ]
	[ "$(state_of "$id" status)" = created ]
	[ "$(rt list -q)" = "$id" ]
}

@test "start of a process that exits at once succeeds, every time" {
	# start must not race with the user process exiting: it has started it.
	local round id
	set_args true
	for round in $(seq 10); do
		id=$(new_id)
		rt create --bundle "$BUNDLE" "$id" </dev/null >/dev/null
		run --separate-stderr rt start "$id"
		[ "$status" -eq 0 ] || fail "start #$round failed: $stderr"
		wait_for_status "$id" stopped
		rt delete "$id"
	done
}

@test "concurrent starts of one container: exactly one wins" {
	local id i ok
	id=$(new_id)
	set_args sleep 1000
	rt create --bundle "$BUNDLE" "$id" >/dev/null
	for i in 1 2 3; do
		(rt start "$id" >/dev/null 2>&1 && echo ok >"$TEST_TMP/start.$i") &
	done
	wait
	ok=$(ls "$TEST_TMP" | grep -c '^start\.' || true)
	[ "$ok" -eq 1 ]
	[ "$(state_of "$id" status)" = running ]
}

@test "concurrent state and delete --force never see a half-deleted container" {
	local id i
	id=$(start_container)
	(for i in $(seq 20); do
		s=$(rt state "$id" 2>/dev/null) || continue
		echo "$s" | jq -e '.status == "running" or .status == "stopped"' >/dev/null ||
			echo "$s" >>"$TEST_TMP/bad-state"
	done) &
	local reader=$!
	rt delete --force "$id"
	wait "$reader"
	[ ! -e "$TEST_TMP/bad-state" ]
	run --separate-stderr rt state "$id"
	[ "$status" -ne 0 ]
}

@test "--root keeps containers apart" {
	local other=$TEST_TMP/other-root id
	id=$(start_container)
	run --separate-stderr "$KEEL" --root "$other" list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run --separate-stderr "$KEEL" --root "$other" state "$id"
	[ "$status" -ne 0 ]
	[ -d "$RT_ROOT/$id" ]
	rt delete --force "$id"
	[ ! -e "$RT_ROOT/$id" ]
}

@test "--log --log-format json writes JSON lines with the error" {
	run --separate-stderr "$KEEL" --root "$RT_ROOT" --log "$TEST_TMP/log.json" --log-format json \
		state "$CID-nonexistent"
	[ "$status" -ne 0 ]
	[ -s "$TEST_TMP/log.json" ]
	# Every line is a JSON object; one of them is the error.
	jq -e -s 'all(.[]; type == "object" and has("level") and has("msg"))' "$TEST_TMP/log.json"
	jq -e -s 'any(.[]; .level == "error" and (.msg | length) > 0 and has("time"))' "$TEST_TMP/log.json"
}

@test "keel: errors are one line naming the command and container" {
	is_keel || skip "keel's message format (KEEL_BIN=$KEEL_BIN)"
	run --separate-stderr rt state "$CID-nonexistent"
	assert_one_line_error "$CID-nonexistent"
	[[ $stderr == "keel: state $CID-nonexistent: "* ]]
}

@test "keel: the JSON log carries the same message as stderr" {
	is_keel || skip "keel's message format (KEEL_BIN=$KEEL_BIN)"
	echo '{"ociVersion": 1' >"$BUNDLE/config.json"
	run --separate-stderr rt --log "$TEST_TMP/log.json" --log-format json create --bundle "$BUNDLE" "$CID-bad"
	assert_one_line_error "$CID-bad"
	jq -e -s --arg m "${stderr#keel: }" 'any(.[]; .level == "error" and .msg == $m)' "$TEST_TMP/log.json"
}
