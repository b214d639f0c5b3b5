#!/usr/bin/env bats
# keel on a real cgroup v2-only host: this machine is hybrid, so the suite
# boots a throwaway x86_64 Linux under QEMU (scripts/x86-host.sh) with
# cgroup2 mounted at /sys/fs/cgroup, runs keel there once, and each test
# below checks one finding of that run.

load lib/x86host

setup_file() {
	x86host_begin sh -c 'cat /proc/self/cgroup'
	cat >>"$X86_SCRIPT" <<'INSIDE'
out=$($K --root /run/keel run --bundle $B c1 2>&1); rc=$?
echo "run: rc=$rc out=$out"
check run_exit '[ $rc -eq 0 ]'
check run_in_own_cgroup '[ -n "$out" ] && [ "$out" != "0::/" ]'

# created container: its init sits in a cgroup of its own, listed in cgroup.procs
$K --root /run/keel create --bundle $B c2 >/dev/null 2>&1
pid=$($K --root /run/keel state c2 | jq -r .pid)
cg=$(sed -n 's/^0:://p' /proc/$pid/cgroup)
echo "c2: pid=$pid cgroup=$cg"
check created_in_cgroup '[ -n "$cg" ] && [ "$cg" != / ] && grep -qx "$pid" "/sys/fs/cgroup$cg/cgroup.procs"'
check cgroup_has_controllers 'grep -q memory "/sys/fs/cgroup$cg/cgroup.controllers"'
$K --root /run/keel delete --force c2
check delete_removes_cgroup '[ ! -d "/sys/fs/cgroup$cg" ]'

# an absolute cgroupsPath is honoured
jq '.linux.cgroupsPath = "/keeltest/c3"' $B/config.json >/tmp/c3.json && mkdir -p /tmp/b3 &&
	cp /tmp/c3.json /tmp/b3/config.json && ln -s $B/rootfs /tmp/b3/rootfs
out=$($K --root /run/keel run --bundle /tmp/b3 c3 2>&1)
echo "c3: $out"
check absolute_cgroups_path 'echo "$out" | grep -qx "0::/keeltest/c3"'
$K --root /run/keel delete c3 2>/dev/null

# a failing create leaves no cgroup behind
jq '.process.args = 5' $B/config.json >/tmp/b3/config.json
$K --root /run/keel create --bundle /tmp/b3 c4 2>/dev/null
check bad_create_fails '[ $? -ne 0 ]'
$K --root /run/keel delete c1 2>/dev/null
rmdir /sys/fs/cgroup/keeltest 2>/dev/null
INSIDE
	x86host_run 600
}

@test "cgroup2 host: keel run exits 0" { expect_ok run_exit; }
@test "cgroup2 host: the container runs in its own cgroup" { expect_ok run_in_own_cgroup; }
@test "cgroup2 host: a created container's init is in its cgroup's cgroup.procs" { expect_ok created_in_cgroup; }
@test "cgroup2 host: the container cgroup has the host's controllers" { expect_ok cgroup_has_controllers; }
@test "cgroup2 host: delete --force removes the cgroup" { expect_ok delete_removes_cgroup; }
@test "cgroup2 host: an absolute cgroupsPath is used as is" { expect_ok absolute_cgroups_path; }
@test "cgroup2 host: a bad config fails create" { expect_ok bad_create_fails; }
@test "cgroup2 host: no cgroup is left behind" { expect_ok nothing_left; }
