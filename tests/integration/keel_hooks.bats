#!/usr/bin/env bats
# Lifecycle hooks as the runtime-spec defines them: prestart,
# createRuntime, createContainer, startContainer, poststart, poststop with
# path, args, env and timeout; the container state on stdin; the namespace
# each runs in; what a failing hook does to the container.

load lib/container

setup_file() { keel_setup_file; }
setup() {
	keel_setup
	OUT=$TEST_TMP/out
	mkdir "$OUT"
}
teardown() {
	pkill -KILL -xf "sleep $SLOW" 2>/dev/null || true
	keel_teardown
}

# A duration no other process on the host sleeps for, not even the same
# suite run at the same time by someone else (its pkill would kill ours).
SLOW=31.4159$$

# hook STAGE SCRIPT [timeout]: appends a /bin/sh hook running SCRIPT.
hook() {
	local t=${3:-null}
	cfg '.hooks[$s] += [{path: "/bin/sh", args: ["sh", "-c", $c]} +
		(if $t == "null" then {} else {timeout: ($t | tonumber)} end)]' \
		--arg s "$1" --arg c "$2" --arg t "$t"
}

# The hook's state file $OUT/STAGE.json must describe container ID with
# status STATUS.
check_state() {
	local f=$OUT/$1.json id=$2 want=$3
	[ -s "$f" ] || fail "$1 hook got no state (no $f)"
	[ "$(jq -r .id "$f")" = "$id" ] || fail "$1: id $(jq -r .id "$f")"
	[ "$(jq -r .status "$f")" = "$want" ] || fail "$1: status $(jq -r .status "$f"), want $want"
	[ "$(jq -r .bundle "$f")" = "$(realpath "$BUNDLE")" ] || fail "$1: bundle $(jq -r .bundle "$f")"
	[ -n "$(jq -r .ociVersion "$f")" ]
}

# nothing_left ID: no state dir, cgroup or process of the test.
nothing_left() {
	[ ! -e "$RT_ROOT/$1" ] || fail "state dir $RT_ROOT/$1 left behind"
	[ -z "$(cgroups_named "$1")" ] || fail "cgroups left: $(cgroups_named "$1")"
	[ -z "$(procs_under "$TEST_TMP")" ] || fail "processes left: $(procs_under "$TEST_TMP")"
	[ -z "$(rt list -q)" ] || fail "still listed: $(rt list -q)"
}

# ---- the state on stdin --------------------------------------------------------

@test "runtime-namespace hooks get the state on stdin: prestart, createRuntime, poststart, poststop" {
	local s
	for s in prestart createRuntime poststart poststop; do
		hook "$s" "/bin/cat >$OUT/$s.json"
	done
	local id pid
	id=$(start_container sleep 1000)
	pid=$(state_of "$id" pid)
	check_state prestart "$id" creating
	check_state createRuntime "$id" creating
	# runc 1.1 reports "created" here, before its own state says running
	if is_keel; then check_state poststart "$id" running; else check_state poststart "$id" created; fi
	[ "$(jq .pid "$OUT/prestart.json")" = "$pid" ]
	[ "$(jq .pid "$OUT/createRuntime.json")" = "$pid" ]
	[ "$(jq .pid "$OUT/poststart.json")" = "$pid" ]
	[ ! -e "$OUT/poststop.json" ]
	rt kill "$id" KILL
	wait_for_status "$id" stopped
	rt delete "$id"
	check_state poststop "$id" stopped
}

@test "createContainer runs in the container's mount namespace with the state on stdin" {
	hook createContainer "/bin/cat >$OUT/createContainer.json; /bin/readlink /proc/self/ns/mnt >$OUT/cc.mnt"
	local id pid
	id=$(start_container sleep 1000)
	pid=$(state_of "$id" pid)
	check_state createContainer "$id" creating
	if is_keel; then
		[ "$(jq .pid "$OUT/createContainer.json")" = "$pid" ]
	fi
	[ "$(cat "$OUT/cc.mnt")" = "$(readlink "/proc/$pid/ns/mnt")" ]
	[ "$(cat "$OUT/cc.mnt")" != "$(readlink /proc/self/ns/mnt)" ]
}

@test "startContainer runs in the container: a path that exists only in the rootfs works" {
	cat >"$BUNDLE/rootfs/start-hook" <<'SH'
#!/bin/sh
/bin/cat >/start.json
/bin/readlink /proc/self/ns/mnt >/start.mnt
SH
	chmod 755 "$BUNDLE/rootfs/start-hook"
	[ ! -e /start-hook ]
	cfg '.hooks.startContainer = [{path: "/start-hook"}]'
	local id pid
	id=$(start_container sleep 1000)
	pid=$(state_of "$id" pid)
	cp "$BUNDLE/rootfs/start.json" "$OUT/startContainer.json"
	check_state startContainer "$id" created
	if is_keel; then
		[ "$(jq .pid "$OUT/startContainer.json")" = "$pid" ]
	fi
	[ "$(cat "$BUNDLE/rootfs/start.mnt")" = "$(readlink "/proc/$pid/ns/mnt")" ]
}

@test "prestart and createRuntime run in the runtime's namespaces, from host paths" {
	cat >"$TEST_TMP/host-hook" <<SH
#!/bin/sh
/bin/readlink /proc/self/ns/mnt /proc/self/ns/pid >$OUT/\$1.ns
SH
	chmod 755 "$TEST_TMP/host-hook"
	cfg '.hooks.prestart = [{path: $p, args: ["host-hook", "prestart"]}] |
		.hooks.createRuntime = [{path: $p, args: ["host-hook", "createRuntime"]}]' \
		--arg p "$TEST_TMP/host-hook"
	start_container sleep 1000 >/dev/null
	local mine
	mine=$(readlink /proc/self/ns/mnt /proc/self/ns/pid)
	[ "$(cat "$OUT/prestart.ns")" = "$mine" ]
	[ "$(cat "$OUT/createRuntime.ns")" = "$mine" ]
}

# ---- path, args, env, order ------------------------------------------------

@test "a hook gets exactly its args and env" {
	cfg '.hooks.createRuntime = [{path: "/bin/sh",
		args: ["sh", "-c", "echo \"$0|$1|$FOO\" >\($o)/args; /usr/bin/env >\($o)/env", "a0", "a 1"],
		env: ["FOO=bar baz", "ONLY=1"]}]' --arg o "$OUT"
	start_container sleep 1000 >/dev/null
	[ "$(cat "$OUT/args")" = "a0|a 1|bar baz" ]
	# the shell adds PWD (and maybe SHLVL, _); nothing of keel's environment
	[ "$(grep -v -e '^PWD=' -e '^SHLVL=' -e '^_=' "$OUT/env" | sort)" = "$(printf 'FOO=bar baz\nONLY=1')" ]
}

@test "hooks of one stage run in order" {
	hook prestart "echo 1 >>$OUT/order"
	hook prestart "echo 2 >>$OUT/order"
	hook createRuntime "echo 3 >>$OUT/order"
	hook poststart "echo 4 >>$OUT/order"
	start_container sleep 1000 >/dev/null
	[ "$(cat "$OUT/order" | tr '\n' ' ')" = "1 2 3 4 " ]
}

# ---- timeout and failures ---------------------------------------------------

@test "a hook that outlives its timeout is killed and create fails, leaving nothing" {
	cfg '.hooks.createRuntime = [{path: "/bin/sleep", args: ["sleep", $d], timeout: 1}]' --arg d "$SLOW"
	set_args sleep 1000
	local id
	id=$(new_id)
	run --separate-stderr rt create --bundle "$BUNDLE" "$id" </dev/null
	assert_one_line_error hook
	if is_keel; then
		[[ $stderr == *createRuntime*"timed out"* ]]
	fi
	! pgrep -xf "sleep $SLOW" >/dev/null || fail "the hook still runs"
	nothing_left "$id"
}

# The state went to a hook's stdin with blocking writes before the hook's
# timeout started: a hook that never reads a state larger than a pipe holds
# (64 KiB) blocked create forever.
@test "a hook that never reads a 100 KiB state still times out; one that reads gets it whole" {
	local big
	big=$(head -c 100000 /dev/zero | tr '\0' a)
	cfg '.annotations.big = $b' --arg b "$big"
	cfg '.hooks.createRuntime = [{path: "/bin/sleep", args: ["sleep", $d], timeout: 1}]' --arg d "$SLOW"
	set_args sleep 1000
	local id
	id=$(new_id)
	run --separate-stderr rt create --bundle "$BUNDLE" "$id" </dev/null
	assert_one_line_error hook
	if is_keel; then
		[[ $stderr == *createRuntime*"timed out after 1 s"* ]] || fail "$stderr"
	fi
	nothing_left "$id"

	cfg '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", $c], timeout: 30}]' \
		--arg c "/bin/cat >$OUT/cr.json"
	id=$(start_container sleep 1000)
	[ "$(jq -r '.annotations.big | length' "$OUT/cr.json")" = 100000 ]
}

@test "a failing create-phase hook stops the container and leaves nothing" {
	local stage id
	for stage in prestart createRuntime createContainer; do
		cp "$TEMPLATE_BUNDLE/config.json" "$BUNDLE/config.json"
		set_args sleep 1000
		hook "$stage" "exit 3"
		id=$(new_id)
		run --separate-stderr rt create --bundle "$BUNDLE" "$id" </dev/null
		assert_one_line_error hook
		if is_keel; then
			[[ $stderr == *"$stage"*"exit status 3"* ]] || fail "$stage: $stderr"
		fi
		nothing_left "$id"
	done
}

@test "a failing startContainer hook fails start and the user process never runs" {
	hook startContainer "exit 3"
	set_args sh -c "echo ran >/ran; sleep 1000"
	local id
	id=$(new_id)
	rt create --bundle "$BUNDLE" "$id" </dev/null >/dev/null
	run rt start "$id"
	# runc 1.1 reports the error but exits 0
	if is_keel; then
		[ "$status" -ne 0 ]
	fi
	[ ! -e "$BUNDLE/rootfs/ran" ]
	[ -z "$(procs_under "$TEST_TMP")" ] || fail "processes left: $(procs_under "$TEST_TMP")"
}

@test "a failing poststart hook only warns; the next one still runs" {
	hook poststart "exit 3"
	hook poststart "echo second >$OUT/second"
	local id
	id=$(start_container sleep 1000)
	[ "$(state_of "$id" status)" = running ]
	[ "$(cat "$OUT/second")" = second ]
}

@test "a failing poststop hook only warns; the next one runs; delete removes everything" {
	hook poststop "exit 3"
	hook poststop "echo second >$OUT/second"
	local id
	id=$(start_container sleep 1000)
	rt kill "$id" KILL
	wait_for_status "$id" stopped
	run --separate-stderr rt delete "$id"
	[ "$status" -eq 0 ]
	if is_keel; then
		[[ $stderr == *poststop* ]] || fail "no warning: $stderr"
	fi
	[ "$(cat "$OUT/second")" = second ]
	nothing_left "$id"
}
