#!/usr/bin/env bats
# linux.resources and the live-container commands on a real cgroup v2-only
# host: this machine is hybrid, so the suite boots a throwaway x86_64 Linux
# under QEMU (scripts/x86-host.sh) once, runs every scenario there, and each
# test below checks one finding of that run: memory.max, pids.max, cpu.max,
# the BPF device filter, cgroup.freeze pause/resume, cgroup.kill on
# delete --force, the OOM kill and its event from memory.events, update,
# exec, events --stats, unified keys, nothing left behind.

load lib/x86host

setup_file() {
	x86host_begin sh
	cat >>"$X86_SCRIPT" <<'INSIDE'
R="$K --root /run/keel"
# mk NAME JQ-FILTER ARGS...: a bundle sharing the rootfs, with the filter
# applied and process.args set
mk() {
	local d=/tmp/b-$1 f=$2
	shift 2
	mkdir -p $d && ln -sfn $B/rootfs $d/rootfs
	jq --argjson a "$(for x in "$@"; do printf '%s' "$x" | jq -Rs .; done | jq -cs .)" \
		"$f | .process.args = \$a" $B/config.json >$d/config.json
	echo $d
}
cg() { echo "/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/$1/cgroup)"; }
pid_of() { $R state $1 | jq -r .pid; }
# wait_for COND: until COND holds; the bound (120 s) only keeps a condition
# that never comes from hanging the run: emulated (TCG) on a busy machine,
# the guest can be slow, and a wait is only ever as long as it needs to be
wait_for() {
	local end=$(($(date +%s) + 120))
	while ! eval "$1"; do
		[ "$(date +%s)" -lt $end ] || { echo "wait_for: gave up on $1"; return 1; }
		sleep 0.05
	done
}

# ---- limits written at create, read back
b=$(mk limits '.linux.resources = {"memory": {"limit": 67108864, "reservation": 33554432, "swap": 67108864}, "pids": {"limit": 10}, "cpu": {"quota": 20000, "period": 100000, "shares": 1024}}' sleep 1000)
$R run -d --bundle $b c1; echo "c1: rc=$?"
d=$(cg $(pid_of c1)); echo "c1 cgroup: $d"
for f in memory.max memory.low memory.swap.max pids.max cpu.max cpu.weight; do echo "  $f: $(cat $d/$f)"; done
check memory_max '[ "$(cat $d/memory.max)" = 67108864 ]'
check memory_low '[ "$(cat $d/memory.low)" = 33554432 ]'
check memory_swap_max '[ "$(cat $d/memory.swap.max)" = 0 ]'
check pids_max '[ "$(cat $d/pids.max)" = 10 ]'
check cpu_max '[ "$(cat $d/cpu.max)" = "20000 100000" ]'
check cpu_weight '[ "$(cat $d/cpu.weight)" = 39 ]'

# ---- update, exec, events --stats, ps on the live container
$R update --memory 32m --pids-limit 5 --cpu-quota 50000 c1; echo "update: rc=$?"
check update_memory_max '[ "$(cat $d/memory.max)" = 33554432 ]'
check update_pids_max '[ "$(cat $d/pids.max)" = 5 ]'
check update_cpu_max '[ "$(cat $d/cpu.max)" = "50000 100000" ]'
out=$($R update --memory 4k c1 2>&1); rc=$?; echo "update 4k: rc=$rc $out"
check update_refused_names_file '[ $rc -ne 0 ] && echo "$out" | grep -q "linux.resources.memory.limit.*memory.max" && [ "$($R state c1 | jq -r .status)" = running ]'
ex=$($R exec c1 cat /proc/self/cgroup); echo "exec: $ex"
check exec_joins_cgroup '[ -n "$ex" ] && [ "$ex" = "$(cat /proc/$(pid_of c1)/cgroup)" ]'
$R exec c1 sh -c 'exit 42'; rc=$?
check exec_exit_status '[ $rc -eq 42 ]'
st=$($R events --stats c1); echo "stats: $st"
check stats '[ "$(echo "$st" | jq ".type == \"stats\" and .data.pids.current >= 1 and .data.memory.usage.limit == 33554432 and .data.cpu.usage.total > 0")" = true ]'
ps=$($R ps --format json c1)
check ps_json '[ "$ps" = "[$(pid_of c1)]" ]'
$R delete -f c1

# ---- pause/resume through cgroup.freeze
b=$(mk pause '.' sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/counter; sleep 0.02; done')
rm -f $B/rootfs/tmp/counter
$R run -d --bundle $b c2
wait_for '[ -s $B/rootfs/tmp/counter ]'
d=$(cg $(pid_of c2))
$R pause c2; echo "pause: rc=$?"
st=$($R state c2 | jq -r .status)
a=$(cat $B/rootfs/tmp/counter); sleep 0.5; a2=$(cat $B/rootfs/tmp/counter)
echo "paused: status=$st freeze=$(cat $d/cgroup.freeze) counter $a -> $a2"
check pause_state '[ "$st" = paused ] && grep -q "frozen 1" $d/cgroup.events'
check pause_no_progress '[ "$a" = "$a2" ]'
$R resume c2
wait_for '[ "$(cat $B/rootfs/tmp/counter)" != "$a2" ]'
check resume_progress '[ "$(cat $B/rootfs/tmp/counter)" != "$a2" ] && [ "$($R state c2 | jq -r .status)" = running ]'
# ---- delete --force of a paused container with children: cgroup.kill
$R exec -d c2 sh -c 'sleep 1000 & sleep 1000'
$R pause c2
procs=$(cat $d/cgroup.procs | tr '\n' ' '); echo "before kill: $procs"
$R delete --force c2; rc=$?
left=0; for p in $procs; do [ -d /proc/$p ] && [ "$(cut -d' ' -f3 /proc/$p/stat)" != Z ] && left=1; done
check delete_force_paused '[ $rc -eq 0 ] && [ ! -d $d ] && [ $left -eq 0 ]'

# ---- the BPF device filter
b=$(mk dev '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]' \
	sh -c 'rm -f /tmp/loop; mknod /tmp/loop b 7 0 && echo made; true </tmp/loop 2>/tmp/open.err; cat /tmp/open.err; echo x >/dev/null && echo null-ok')
out=$($R run --bundle $b c3 2>&1); echo "devices: $out"
check bpf_mknod_allowed 'echo "$out" | grep -q made'
check bpf_open_denied 'echo "$out" | grep -q "Operation not permitted"'
check bpf_default_allowed 'echo "$out" | grep -q null-ok'
b=$(mk dev2 '.linux.resources.devices += [{"allow": true, "type": "b", "major": 7, "minor": 0, "access": "rwm"}] | .process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]' \
	sh -c 'rm -f /tmp/loop; mknod /tmp/loop b 7 0; true </tmp/loop 2>/tmp/open.err; cat /tmp/open.err')
out=$($R run --bundle $b c4 2>&1); echo "devices allowed: $out"
check bpf_rule_allows '! echo "$out" | grep -q "Operation not permitted"'

# ---- OOM: the kill, and the event from memory.events
b=$(mk oom '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}' dd if=/dev/zero of=/dev/null bs=64M count=1)
$R run --bundle $b c5 >/dev/null 2>&1; rc=$?; echo "oom run: rc=$rc"
check oom_kill_137 '[ $rc -eq 137 ]'
rm -f $B/rootfs/go
b=$(mk oomev '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}' sh -c 'while [ ! -e /go ]; do sleep 0.05; done; dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 1000')
$R run -d --bundle $b c6
$R events --interval 1s c6 >/tmp/events 2>&1 &
ev=$!
wait_for '[ -s /tmp/events ]'
touch $B/rootfs/go
wait_for 'grep -q "\"oom\"" /tmp/events'
kill $ev; echo "events: $(head -c 300 /tmp/events) ... $(grep oom /tmp/events)"
check oom_event 'grep -q "{\"type\":\"oom\",\"id\":\"c6\"}" /tmp/events'
$R delete -f c6

# ---- unified keys are written as given
b=$(mk unified '.linux.resources.unified = {"memory.high": "50000000", "pids.max": "7"}' cat /sys/fs/cgroup/memory.high /sys/fs/cgroup/pids.max)
jq '.linux.namespaces += [{"type": "cgroup"}]' $b/config.json >$b/c.json && mv $b/c.json $b/config.json
out=$($R run --bundle $b c7 2>&1); echo "unified: $out"
check unified_keys '[ "$(echo $out)" = "49999872 7" ] || [ "$(echo $out)" = "50000000 7" ]'

# ---- a kernel refusal at create: one line naming field and file, nothing left
b=$(mk badcpus '.linux.resources.cpu = {"cpus": "63"}' true)
out=$($R create --bundle $b c8 2>&1); rc=$?; echo "bad cpus: $out"
check bad_cpus_error '[ $rc -ne 0 ] && [ $(echo "$out" | wc -l) -eq 1 ] && echo "$out" | grep -q "linux.resources.cpu.cpus.*cpuset.cpus"'
check bad_cpus_no_state '! $R state c8 >/dev/null 2>&1'

# ---- v2 non-leaf: the init moved to a child cgroup that gets controllers
# delegated (no processes allowed in the container's cgroup then): exec
# goes to the init's cgroup, delete removes the child
b=$(mk nonleaf '.' sleep 1000)
$R run -d --bundle $b c9
p=$(pid_of c9); d=$(cg $p)
mkdir $d/leaf && echo $p >$d/leaf/cgroup.procs && echo +memory >$d/cgroup.subtree_control
echo "non-leaf: $(cat $d/cgroup.subtree_control) init in $(cg $p)"
ex=$($R exec c9 cat /proc/self/cgroup 2>&1); echo "exec: $ex"
check nonleaf_exec '[ "$ex" = "$(cat /proc/$p/cgroup)" ] && echo "$ex" | grep -q "/leaf$"'
$R delete -f c9; rc=$?
check nonleaf_delete '[ $rc -eq 0 ] && [ ! -d $d ]'

for c in c3 c4 c5 c7; do $R delete -f $c 2>/dev/null; done
INSIDE
	x86host_run 900
}

@test "cgroup v2: memory limit, reservation and swap reach memory.max, memory.low, memory.swap.max" {
	expect_ok memory_max
	expect_ok memory_low
	expect_ok memory_swap_max
}
@test "cgroup v2: pids.limit reaches pids.max" { expect_ok pids_max; }
@test "cgroup v2: quota/period reach cpu.max, shares become cpu.weight" {
	expect_ok cpu_max
	expect_ok cpu_weight
}
@test "cgroup v2: update changes memory.max, pids.max and cpu.max" {
	expect_ok update_memory_max
	expect_ok update_pids_max
	expect_ok update_cpu_max
}
@test "cgroup v2: an update below the usage is refused naming the field and memory.max; the container runs on" { expect_ok update_refused_names_file; }
@test "cgroup v2: exec joins the container's cgroup; its exit status passes through" {
	expect_ok exec_joins_cgroup
	expect_ok exec_exit_status
}
@test "cgroup v2: events --stats and ps --format json" {
	expect_ok stats
	expect_ok ps_json
}
@test "cgroup v2: pause freezes (cgroup.freeze, status paused), resume continues" {
	expect_ok pause_state
	expect_ok pause_no_progress
	expect_ok resume_progress
}
@test "cgroup v2: delete --force kills a paused container and its children (cgroup.kill)" { expect_ok delete_force_paused; }
@test "cgroup v2: the BPF device filter denies open of a device not allowed, after mknod" {
	expect_ok bpf_mknod_allowed
	expect_ok bpf_open_denied
	expect_ok bpf_default_allowed
	expect_ok bpf_rule_allows
}
@test "cgroup v2: a memory hog is OOM-killed (137)" { expect_ok oom_kill_137; }
@test "cgroup v2: events reports the OOM kill from memory.events" { expect_ok oom_event; }
@test "cgroup v2: linux.resources.unified keys are written" { expect_ok unified_keys; }
@test "cgroup v2: cpus outside the host's set fail create with one line, nothing kept" {
	expect_ok bad_cpus_error
	expect_ok bad_cpus_no_state
}
@test "cgroup v2: exec into a container whose cgroup is not a leaf goes to the init's cgroup; delete removes it all" {
	expect_ok nonleaf_exec
	expect_ok nonleaf_delete
}
@test "cgroup v2: no cgroup is left behind" { expect_ok nothing_left; }
