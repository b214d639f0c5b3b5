#!/usr/bin/env bats
# linux.resources and the commands that act on a live container's cgroups
# (pause, resume, update, ps, events), on this machine's hybrid layout (v1
# controllers). Every value is read back from the host's cgroup files.
# Validate against runc with KEEL_BIN=/usr/sbin/runc.

load lib/container

setup_file() { keel_setup_file; }
setup() { keel_setup; }
teardown() { keel_teardown; }

# cg_dir CONTROLLER PID: the host directory of PID's cgroup in the v1
# hierarchy that holds CONTROLLER.
cg_dir() {
	local c=$1 pid=$2 mnt path
	mnt=$(awk -v c="$c" '/ - cgroup / { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit } }' /proc/self/mountinfo)
	path=$(awk -F: -v c="$c" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $3 }' "/proc/$pid/cgroup")
	[ -n "$mnt" ] && [ -n "$path" ] || fail "no $c cgroup for pid $pid"
	echo "$mnt$path"
}

init_pid() { state_of "$1" pid; }

# Conditions for poll.
first_line_written() { grep -q . "$1" 2>/dev/null && [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ]; }
memory_above() { [ "$(cat "$1/memory.usage_in_bytes")" -gt "$2" ]; }
cgroup_empty() { [ ! -s "$1/cgroup.procs" ]; }
not_alive() { ! kill -0 "$1" 2>/dev/null; }
stats_memory_grew() {
	[ "$(($(rt events --stats "$1" | jq .data.memory.usage.usage) - $2))" -gt "$3" ]
}

# A busybox that allocates and touches SIZE: dd with one block that big.
HOG='dd if=/dev/zero of=/dev/null bs=64M count=1'

@test "memory limit, reservation and swap reach memory.*limit_in_bytes" {
	cfg '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432, "swap": 134217728}'
	id=$(start_container)
	d=$(cg_dir memory "$(init_pid "$id")")
	[ "$(cat "$d/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "$d/memory.soft_limit_in_bytes")" = 33554432 ]
	[ "$(cat "$d/memory.memsw.limit_in_bytes")" = 134217728 ]
}

@test "a memory hog above its limit is OOM-killed (137)" {
	cfg '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	in_container sh -c "$HOG"
	[ "$status" -eq 137 ] || fail "status $status: $output $stderr"
	# and within the limit the same program is fine
	cfg '.linux.resources.memory = {"limit": 134217728, "swap": 134217728}'
	in_container sh -c "$HOG"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
}

@test "events reports the OOM kill" {
	cfg '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	id=$(start_container sh -c "while [ ! -e /go ]; do sleep 0.05; done; $HOG; sleep 1000")
	rt events --interval 1s "$id" >"$TEST_TMP/events" 2>"$TEST_TMP/events.err" &
	local events=$!
	# the first stats line means the OOM watch is armed
	poll first_line_written "$TEST_TMP/events" || fail "no events: $(cat "$TEST_TMP/events.err")"
	head -1 "$TEST_TMP/events" | jq -e --arg id "$id" '.type == "stats" and .id == $id'
	touch "$BUNDLE/rootfs/go"
	poll grep -q '"oom"' "$TEST_TMP/events" || true
	kill "$events" 2>/dev/null || true
	wait "$events" 2>/dev/null || true
	grep '"type":"oom"' "$TEST_TMP/events" | head -1 | jq -e --arg id "$id" '.id == $id' ||
		fail "no oom event: $(cat "$TEST_TMP/events" "$TEST_TMP/events.err")"
}

@test "a fork loop stops at pids.limit" {
	cfg '.linux.resources.pids = {"limit": 10}'
	id=$(start_container)
	d=$(cg_dir pids "$(init_pid "$id")")
	[ "$(cat "$d/pids.max")" = 10 ]
	# the shell gives up at the first refused fork; its children stay
	run rt exec "$id" sh -c 'i=0; while [ $i -lt 40 ]; do sleep 1000 >/dev/null 2>&1 & i=$((i+1)); done'
	[ "$status" -ne 0 ]
	[[ $output == *"fork"* ]] || fail "$output"
	# forks were refused, and nothing got past the limit
	[ "$(awk '{ print $2 }' "$d/pids.events")" -gt 0 ]
	local n
	n=$(wc -l <"$d/cgroup.procs")
	[ "$n" -le 10 ] && [ "$n" -ge 5 ] || fail "$n processes"
}

@test "a CPU spinner under a 20 ms / 100 ms quota never gets more than its quota" {
	cfg '.linux.resources.cpu = {"quota": 20000, "period": 100000}'
	id=$(start_container sh -c 'while :; do :; done')
	d=$(cg_dir cpuacct "$(init_pid "$id")")
	[ "$(cat "$(cg_dir cpu "$(init_pid "$id")")/cpu.cfs_quota_us")" = 20000 ]
	# However busy the machine, the kernel gives the cgroup at most 20 ms
	# of CPU per 100 ms period: over a window of wall time W the spinner
	# uses at most W/5 plus the quota of the period cut at each end. How
	# much less it gets depends on the machine's load, so only the bound is
	# checked, once it has run for 100 ms of CPU (5 quotas: unthrottled,
	# it would have taken 100 ms of wall time, and broken the bound).
	local t0 u0 t1 u1
	t0=$(date +%s%N)
	u0=$(cat "$d/cpuacct.usage")
	poll used_cpu_since "$d" "$u0" 100000000 || fail "the spinner did not run"
	u1=$(cat "$d/cpuacct.usage")
	t1=$(date +%s%N)
	echo "cpu: $(((u1 - u0) / 1000000)) ms in $(((t1 - t0) / 1000000)) ms"
	[ $((u1 - u0)) -le $(((t1 - t0) / 5 + 2 * 20000000)) ] ||
		fail "the spinner used more than its quota"
}

# used_cpu_since DIR USAGE NS: the cgroup's cpuacct.usage grew by NS.
used_cpu_since() { [ $(($(cat "$1/cpuacct.usage") - $2)) -ge "$3" ]; }

@test "cpu shares and cpuset reach cpu.shares and cpuset.cpus" {
	cfg '.linux.resources.cpu = {"shares": 512, "cpus": "0", "mems": "0"}'
	id=$(start_container)
	pid=$(init_pid "$id")
	[ "$(cat "$(cg_dir cpu "$pid")/cpu.shares")" = 512 ]
	[ "$(cat "$(cg_dir cpuset "$pid")/cpuset.cpus")" = 0 ]
	grep -q '^Cpus_allowed_list:[[:space:]]*0$' "/proc/$pid/status"
}

@test "blockIO weight and throttles reach blkio.*" {
	# the device of the root filesystem, throttled
	local dev
	dev=$(awk '$5 == "/" { print $3; exit }' /proc/self/mountinfo)
	local major=${dev%:*} minor=${dev#*:}
	[ -e "/sys/dev/block/$dev" ] || skip "root filesystem is not on a block device ($dev)"
	cfg '.linux.resources.blockIO = {"throttleReadBpsDevice": [{"major": $ma, "minor": $mi, "rate": 1048576}]}' \
		--argjson ma "$major" --argjson mi "$minor"
	id=$(start_container)
	grep -qx "$dev 1048576" "$(cg_dir blkio "$(init_pid "$id")")/blkio.throttle.read_bps_device"
}

@test "a device not in the allow list cannot be opened, even after mknod" {
	cfg '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
	# /dev/loop0 (b 7:0): opening it needs no capability, only the rule
	in_container sh -c 'mknod /tmp/loop b 7 0 && echo made; true </tmp/loop && echo opened; echo x >/dev/null && echo null-ok'
	echo "$output $stderr"
	[[ $output == *made* ]]
	[[ $output != *opened* ]]
	[[ $output == *null-ok* ]]
	# allowed explicitly, it opens
	cfg '.linux.resources.devices += [{"allow": true, "type": "b", "major": 7, "minor": 0, "access": "rw"}]'
	in_container sh -c 'rm -f /tmp/loop; mknod /tmp/loop b 7 0 && true </tmp/loop && echo opened'
	[[ $output == *opened* ]] || fail "$output $stderr"
}

@test "a paused container makes no progress, state says paused, resume continues" {
	id=$(start_container sh -c 'i=0; while :; do i=$((i+1)); echo $i >/counter; sleep 0.02; done')
	wait_for_file "$BUNDLE/rootfs/counter"
	rt pause "$id"
	[ "$(state_of "$id" status)" = paused ]
	rt list | grep -q "$id.*paused"
	local a b
	a=$(cat "$BUNDLE/rootfs/counter")
	sleep 0.5
	b=$(cat "$BUNDLE/rootfs/counter")
	[ "$a" = "$b" ] || fail "counter moved while paused: $a -> $b"
	# a paused container cannot be deleted without --force
	run rt delete "$id"
	[ "$status" -ne 0 ]
	rt resume "$id"
	[ "$(state_of "$id" status)" = running ]
	poll content_differs "$BUNDLE/rootfs/counter" "$b" || fail "counter did not move after resume"
	run rt resume "$id"
	[ "$status" -ne 0 ]
}

@test "delete --force kills a paused container and removes every cgroup" {
	id=$(start_container sh -c 'sleep 1000 & sleep 1000')
	rt pause "$id"
	rt delete --force "$id"
	run cgroups_named "$id"
	[ -z "$output" ] || fail "left behind: $output"
}

@test "update changes live limits (flags and --resources on stdin)" {
	id=$(start_container)
	pid=$(init_pid "$id")
	rt update --memory 64m --cpu-quota 30000 --cpu-period 100000 --pids-limit 20 --cpu-share 256 "$id"
	[ "$(cat "$(cg_dir memory "$pid")/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "$(cg_dir cpu "$pid")/cpu.cfs_quota_us")" = 30000 ]
	[ "$(cat "$(cg_dir cpu "$pid")/cpu.shares")" = 256 ]
	[ "$(cat "$(cg_dir pids "$pid")/pids.max")" = 20 ]
	echo '{"memory": {"limit": 33554432}, "pids": {"limit": 7}}' | rt update --resources - "$id"
	[ "$(cat "$(cg_dir memory "$pid")/memory.limit_in_bytes")" = 33554432 ]
	[ "$(cat "$(cg_dir pids "$pid")/pids.max")" = 7 ]
}

@test "update --resources: malformed, non-object or trailing JSON is one line and changes nothing" {
	id=$(start_container)
	pid=$(init_pid "$id")
	local before bad
	before=$(cat "$(cg_dir pids "$pid")/pids.max")
	for bad in '{"pids": {"limit": 7}' '[1]' '{"pids": {"limit": 7}}, "x": {}' \
		'{}}, "process": {"args": ["x"]}, "y": {'; do
		run --separate-stderr rt update --resources - "$id" <<<"$bad"
		[ "$status" -ne 0 ] || fail "accepted: $bad"
		if is_keel; then
			[ "${#stderr_lines[@]}" -eq 1 ] || fail "$bad: $stderr"
			[[ $stderr == *--resources* ]] || fail "$bad: $stderr"
		fi
		[ "$(cat "$(cg_dir pids "$pid")/pids.max")" = "$before" ]
	done
	[ "$(state_of "$id" status)" = running ]
}

@test "update below current usage fails naming the field and the file; the container runs on" {
	id=$(start_container sh -c 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=16 2>/dev/null; sleep 1000')
	pid=$(init_pid "$id")
	local d
	d=$(cg_dir memory "$pid")
	# the 16 MiB are in /dev/shm once dd is done
	poll memory_above "$d" 16000000 || fail "usage: $(cat "$d/memory.usage_in_bytes")"
	run --separate-stderr rt update --memory 4m "$id"
	[ "$status" -ne 0 ]
	if is_keel; then
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "stderr: $stderr"
		[[ $stderr == *linux.resources.memory.limit*memory.limit_in_bytes* ]] || fail "$stderr"
	fi
	[ "$(state_of "$id" status)" = running ]
}

@test "cpus outside the host's set: create fails naming the field, nothing is left" {
	cfg '.linux.resources.cpu = {"cpus": "63"}'
	set_args true
	local id
	id=$(new_id)
	run --separate-stderr rt create --bundle "$BUNDLE" "$id"
	[ "$status" -ne 0 ]
	if is_keel; then
		assert_one_line_error cpuset.cpus
		[[ $stderr == *linux.resources.cpu.cpus* ]]
	fi
	run cgroups_named "$id"
	[ -z "$output" ] || fail "left behind: $output"
	run rt state "$id"
	[ "$status" -ne 0 ]
}

@test "an unknown device type is refused at create" {
	cfg '.linux.resources.devices = [{"allow": true, "type": "x", "access": "rwm"}]'
	set_args true
	local id
	id=$(new_id)
	run --separate-stderr rt create --bundle "$BUNDLE" "$id"
	[ "$status" -ne 0 ]
	if is_keel; then [[ $stderr == *linux.resources.devices* ]] || fail "$stderr"; fi
	run cgroups_named "$id"
	[ -z "$output" ]
}

@test "ps lists the container's processes" {
	id=$(start_container sh -c 'sleep 1000 & sleep 1001')
	local d
	d=$(cg_dir pids "$(init_pid "$id")")
	wait_for_content "$d/pids.current" 2
	# both have exec'd sleep (not the shell's fork any more)
	local p
	for p in $(cat "$d/cgroup.procs"); do wait_for_exec "$p" '^sleep 100[01] $'; done
	run rt ps --format json "$id"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -c 'sort')" = "$(sort -n "$d/cgroup.procs" | jq -cs .)" ]
	run rt ps "$id"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *PID* ]]
	[[ $output == *"sleep 1000"* ]] && [[ $output == *"sleep 1001"* ]]
	[ "${#lines[@]}" -eq 3 ]
	run rt ps "$id" -o pid,comm
	[[ ${lines[0]} == *PID*COMMAND* ]] && [ "${#lines[@]}" -eq 3 ]
}

@test "events --stats: the numbers grow with the workload" {
	cfg '.linux.resources.memory = {"limit": 268435456} | .linux.resources.pids = {"limit": 100}'
	id=$(start_container)
	local s0 s1
	s0=$(rt events --stats "$id")
	echo "$s0" | jq -e --arg id "$id" '.type == "stats" and .id == $id and .data.pids.current == 1 and .data.pids.limit == 100 and .data.memory.usage.limit == 268435456'
	rt exec -d "$id" sh -c 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=32 2>/dev/null; sleep 1000'
	poll stats_memory_grew "$id" "$(echo "$s0" | jq .data.memory.usage.usage)" 30000000 ||
		fail "memory did not grow: $(rt events --stats "$id")"
	s1=$(rt events --stats "$id")
	echo "$s1" | jq -e '.data.pids.current >= 2 and .data.cpu.usage.total > 0'
	[ "$(echo "$s1" | jq '.data.memory.usage.usage - '"$(echo "$s0" | jq .data.memory.usage.usage)")" -gt 30000000 ]
}

@test "nothing is left in any cgroup hierarchy after delete" {
	cfg '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50}'
	id=$(start_container sh -c 'sleep 1000 & sleep 1000')
	[ -n "$(cgroups_named "$id")" ]
	rt kill "$id" KILL
	wait_for_status "$id" stopped
	rt delete "$id"
	run cgroups_named "$id"
	[ -z "$output" ] || fail "left behind: $output"
}

@test "kill --all KILL stops every process of the container" {
	id=$(start_container sh -c 'sleep 1000 & sleep 1000 & wait')
	rt kill --all "$id" KILL
	wait_for_status "$id" stopped
	local d
	d=$(cgroups_named "$id" | grep /pids/ | head -1)
	# the signal is sent to all; each process dies on its own time
	[ -z "$d" ] || poll cgroup_empty "$d" || fail "left: $(cat "$d/cgroup.procs")"
}

@test "linux.resources.unified needs cgroup v2: a clear error on this host" {
	is_keel || skip "runc's message differs"
	cfg '.linux.resources.unified = {"memory.high": "50000000"}'
	set_args true
	local id
	id=$(new_id)
	run --separate-stderr rt run --bundle "$BUNDLE" "$id"
	assert_one_line_error 'linux.resources.unified'
	run cgroups_named "$id"
	[ -z "$output" ]
}

@test "hybrid host: hugepageLimits go to the cgroup2 hierarchy that holds hugetlb" {
	is_keel || skip "runc 1.1 looks for hugetlb in v1 hierarchies only"
	grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null ||
		skip "no hugetlb in /sys/fs/cgroup/unified on this host"
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
	cfg '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	id=$(start_container)
	[ "$(cat "/sys/fs/cgroup/unified/$id/hugetlb.2MB.max")" = 4194304 ]
	# a size the host does not have: one line naming the field and the file
	cfg '.linux.resources.hugepageLimits = [{"pageSize": "3MB", "limit": 4194304}]'
	set_args true
	local id2
	id2=$(new_id)
	run --separate-stderr rt run --bundle "$BUNDLE" "$id2"
	assert_one_line_error 'linux.resources.hugepageLimits[0].pageSize'
	[[ $stderr == *hugetlb.3MB.max* ]]
	run cgroups_named "$id2"
	[ -z "$output" ]
}

@test "events ends when the container goes, without a false oom" {
	cfg '.linux.resources.memory = {"limit": 67108864}'
	id=$(start_container)
	rt events --interval 1s "$id" >"$TEST_TMP/events" 2>&1 &
	local events=$!
	poll first_line_written "$TEST_TMP/events" || fail "no events"
	rt delete --force "$id"
	poll not_alive "$events" || true
	if kill -0 "$events" 2>/dev/null; then
		kill "$events"
		fail "events still running after delete"
	fi
	! grep -q '"oom"' "$TEST_TMP/events" || fail "$(cat "$TEST_TMP/events")"
}

@test "cgroups made below the container's are removed by delete" {
	id=$(start_container)
	pid=$(init_pid "$id")
	local d
	d=$(cg_dir pids "$pid")
	mkdir -p "$d/inner/deeper"
	echo "$pid" >"$d/inner/deeper/cgroup.procs"
	rt delete --force "$id"
	run cgroups_named "$id"
	[ -z "$output" ] || fail "left behind: $output"
}
