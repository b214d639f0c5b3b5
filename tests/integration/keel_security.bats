#!/usr/bin/env bats
# Privileges of the container process: each capability set exactly as
# config.json asks (root and a non-root user with ambient capabilities),
# noNewPrivileges, and the LSM fields (process.apparmorProfile,
# process.selinuxLabel, linux.mountLabel) on a host without AppArmor and
# SELinux: a clear error and nothing left behind.

load lib/container

setup_file() { keel_setup_file; }
setup() { keel_setup; }
teardown() { keel_teardown; }

# cap_mask NAME...: the /proc/<pid>/status hex mask of the named capabilities.
cap_mask() {
	local mask=0 name n
	for name in "$@"; do
		n=$(awk -v c="$name" '$1 == "#define" && $2 == c { print $3 }' \
			/usr/include/linux/capability.h)
		[ -n "$n" ] || fail "unknown capability $name"
		mask=$((mask | (1 << n)))
	done
	printf '%016x\n' "$mask"
}

# json_list NAME...: a JSON array of the names.
json_list() {
	printf '%s\n' "$@" | jq -Rsc 'split("\n") | map(select(. != ""))'
}

# Runs the container and leaves the five sets in CAP_Bnd, CAP_Eff ...
read_cap_sets() {
	sh_in_container 'grep -E "^Cap(Bnd|Eff|Prm|Inh|Amb):" /proc/self/status'
	local line key
	for key in Bnd Eff Prm Inh Amb; do
		line=$(echo "$output" | awk -v k="Cap$key:" '$1 == k { print $2 }')
		[ -n "$line" ] || fail "Cap$key missing from: $output"
		printf -v "CAP_$key" '%s' "$line"
	done
}

# nothing_left ID: no state dir, no cgroup, no process of this test.
nothing_left() {
	[ ! -e "$RT_ROOT/$1" ] || fail "state dir $RT_ROOT/$1 left behind"
	[ -z "$(cgroups_named "$1")" ] || fail "cgroups left: $(cgroups_named "$1")"
	[ -z "$(procs_under "$TEST_TMP")" ] || fail "processes left: $(procs_under "$TEST_TMP")"
}

# ---- capabilities ------------------------------------------------------------

@test "capabilities: root gets each of the five sets exactly as asked" {
	local b=(CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_SETPCAP)
	cfg '.process.capabilities = {bounding: $b, effective: $b, permitted: $b,
		inheritable: ["CAP_KILL"], ambient: ["CAP_KILL"]}' \
		--argjson b "$(json_list "${b[@]}")"
	read_cap_sets
	[ "$CAP_Bnd" = "$(cap_mask "${b[@]}")" ]
	[ "$CAP_Eff" = "$(cap_mask "${b[@]}")" ]
	[ "$CAP_Prm" = "$(cap_mask "${b[@]}")" ]
	[ "$CAP_Inh" = "$(cap_mask CAP_KILL)" ]
	[ "$CAP_Amb" = "$(cap_mask CAP_KILL)" ]
}

@test "capabilities: a non-root user keeps its ambient capabilities and nothing more" {
	cfg '.process.user = {uid: 1000, gid: 1000} |
		.process.capabilities = {
			bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
			effective: ["CAP_NET_BIND_SERVICE"], permitted: ["CAP_NET_BIND_SERVICE"],
			inheritable: ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
			ambient: ["CAP_NET_BIND_SERVICE"]}'
	read_cap_sets
	[ "$CAP_Bnd" = "$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_NET_RAW)" ]
	[ "$CAP_Eff" = "$(cap_mask CAP_NET_BIND_SERVICE)" ]
	[ "$CAP_Prm" = "$(cap_mask CAP_NET_BIND_SERVICE)" ]
	[ "$CAP_Inh" = "$(cap_mask CAP_NET_BIND_SERVICE CAP_KILL)" ]
	[ "$CAP_Amb" = "$(cap_mask CAP_NET_BIND_SERVICE)" ]
	# and the user really is 1000 while it holds it
	sh_in_container 'id -u'
	[ "$output" = 1000 ]
}

@test "capabilities: a non-root user without ambient capabilities has none" {
	cfg '.process.user = {uid: 1000, gid: 1000} |
		.process.capabilities = {bounding: ["CAP_KILL"], effective: ["CAP_KILL"],
			permitted: ["CAP_KILL"]}'
	read_cap_sets
	[ "$CAP_Bnd" = "$(cap_mask CAP_KILL)" ]
	[ "$CAP_Eff" = 0000000000000000 ]
	[ "$CAP_Prm" = 0000000000000000 ]
	[ "$CAP_Inh" = 0000000000000000 ]
	[ "$CAP_Amb" = 0000000000000000 ]
}

@test "capabilities: no capabilities object leaves every set empty" {
	cfg 'del(.process.capabilities)'
	read_cap_sets
	for set in "$CAP_Bnd" "$CAP_Eff" "$CAP_Prm" "$CAP_Inh" "$CAP_Amb"; do
		[ "$set" = 0000000000000000 ]
	done
}

@test "capabilities: nothing beyond what was asked (no CAP_SYS_ADMIN: mount fails)" {
	read_cap_sets
	[ $((0x$CAP_Eff & 1 << 21)) -eq 0 ] || fail "CAP_SYS_ADMIN effective: $CAP_Eff"
	in_container sh -c 'mkdir -p /mnt/x && mount -t tmpfs none /mnt/x'
	[ "$status" -ne 0 ]
}

@test "capabilities: an unknown name is one error line naming the field" {
	cfg '.process.capabilities.bounding += ["CAP_NOT_A_CAP"]'
	in_container true
	assert_one_line_error CAP_NOT_A_CAP
	[[ $stderr == *process.capabilities.bounding* ]]
}

# ---- noNewPrivileges ---------------------------------------------------------

@test "noNewPrivileges true sets NoNewPrivs, false leaves it clear" {
	cfg '.process.noNewPrivileges = true'
	sh_in_container 'grep ^NoNewPrivs: /proc/self/status'
	[ "$(echo "$output" | awk '{print $2}')" = 1 ]
	cfg '.process.noNewPrivileges = false'
	sh_in_container 'grep ^NoNewPrivs: /proc/self/status'
	[ "$(echo "$output" | awk '{print $2}')" = 0 ]
}

@test "noNewPrivileges: a setuid-root binary does not raise a non-root user" {
	mkdir "$BUNDLE/rootfs/suid"
	cp "$BUNDLE/rootfs/bin/busybox" "$BUNDLE/rootfs/suid/busybox"
	chmod 4755 "$BUNDLE/rootfs/suid/busybox"
	cfg '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = true'
	sh_in_container '/suid/busybox id -u; /suid/busybox grep ^CapEff: /proc/self/status'
	[ "${lines[0]}" = 1000 ]
	[ "$(echo "${lines[1]}" | awk '{print $2}')" = 0000000000000000 ]
}

# ---- LSM ---------------------------------------------------------------------

@test "lsm: apparmorProfile on a host without AppArmor: one error line, nothing left" {
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] ||
		skip "AppArmor is enabled on this host"
	cfg '.process.apparmorProfile = "keel-test-profile"'
	in_container true
	assert_one_line_error process.apparmorProfile
	if is_keel; then
		[[ $stderr == *keel-test-profile*AppArmor\ is\ not\ enabled* ]]
	fi
	nothing_left "$CID-1"
}

@test "lsm: selinuxLabel on a host without SELinux: one error line, nothing left" {
	[ ! -e /sys/fs/selinux/enforce ] || skip "SELinux is enabled on this host"
	cfg '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"'
	id=$(new_id)
	run --separate-stderr rt create --bundle "$BUNDLE" "$id" </dev/null
	assert_one_line_error process.selinuxLabel
	nothing_left "$id"
	[ -z "$(rt list -q)" ]
}

@test "lsm: mountLabel is ignored where SELinux is off, as runc does" {
	[ ! -e /sys/fs/selinux/enforce ] || skip "SELinux is enabled on this host"
	cfg '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
	sh_in_container 'grep " /dev/shm " /proc/self/mountinfo'
	[[ $output != *context=* ]]
}

@test "features: apparmor and selinux are reported as supported" {
	is_keel || skip "keel's features document"
	run "$KEEL" features
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq .linux.apparmor.enabled)" = true ]
	[ "$(echo "$output" | jq .linux.selinux.enabled)" = true ]
}
