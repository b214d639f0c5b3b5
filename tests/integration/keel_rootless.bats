#!/usr/bin/env bats
# Rootless: an unprivileged user created for this suite runs the runtime
# with a user namespace mapping its own ids (and its subordinate ids from
# /etc/subuid through newuidmap/newgidmap); state under
# $XDG_RUNTIME_DIR/keel; no cgroups where none is delegated, but limits that
# cannot be honoured are an error; `spec --rootless` runs as it is.

load lib/container

setup_file() {
	keel_setup_file
	export RL_USER=keelrl$$
	useradd --create-home --shell /bin/sh "$RL_USER"
	RL_UID=$(id -u "$RL_USER")
	export RL_UID RL_GID=$(id -g "$RL_USER")
	export RL_XDG=/run/user/$RL_UID
	mkdir -p "$RL_XDG"
	chown "$RL_USER:" "$RL_XDG"
	chmod 700 "$RL_XDG"
}

teardown_file() {
	[ -n "${RL_USER:-}" ] || return 0
	pkill -KILL -u "$RL_USER" 2>/dev/null || true
	rm -rf "$RL_XDG"
	userdel -r "$RL_USER" 2>/dev/null || true
	# older shadow versions leave the subordinate ranges behind
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
}

setup() {
	keel_setup
	chown -R "$RL_USER:" "$BUNDLE"
	# the bundle's config is the one the user gets from spec --rootless
	rm "$BUNDLE/config.json"
	(cd "$BUNDLE" && as_user "$KEEL" spec --rootless)
	[ -s "$BUNDLE/config.json" ]
}

teardown() {
	local id
	for id in $(as_user "$KEEL" list -q 2>/dev/null); do
		as_user "$KEEL" delete --force "$id" >/dev/null 2>&1 || true
	done
	keel_teardown
}

# as_user CMD...: CMD as the test user, with its own runtime dir.
as_user() {
	setpriv --reuid "$RL_USER" --regid "$RL_USER" --init-groups \
		env HOME="/home/$RL_USER" XDG_RUNTIME_DIR="$RL_XDG" "$@"
}

# ucfg FILTER [jq args]: cfg, keeping the file the user's.
ucfg() {
	cfg "$@"
	chown "$RL_USER:" "$BUNDLE/config.json"
}

# The user's first subordinate uid (and gid) from /etc/subuid (/etc/subgid).
sub_start() { awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' "$1"; }

@test "rootless: the output of spec --rootless runs as it is" {
	run --separate-stderr as_user "$KEEL" run --bundle "$BUNDLE" "$(new_id)" <<<'id -u; cat /proc/self/uid_map; exit 3'
	[ "$status" -eq 3 ] || fail "status $status: $output $stderr"
	[[ $output == *$'\n0'* ]] || [[ $output == "0"* ]] || fail "not root inside: $output"
	echo "$output" | grep -Eq "^ *0 +$RL_UID +1" || fail "uid_map: $output"
}

@test "rootless: state lives under \$XDG_RUNTIME_DIR/keel without --root" {
	is_keel || skip "keel's state directory"
	ucfg '.process.terminal = false | .process.args = ["sleep", "1000"]'
	local id pid
	id=$(new_id)
	as_user "$KEEL" create --bundle "$BUNDLE" "$id" </dev/null
	[ -d "$RL_XDG/keel/$id" ]
	[ "$(stat -c %U "$RL_XDG/keel/$id")" = "$RL_USER" ]
	[ "$(as_user "$KEEL" list -q)" = "$id" ]
	as_user "$KEEL" start "$id"
	pid=$(as_user "$KEEL" state "$id" | jq .pid)
	# the container's root is the user on the host
	[ "$(stat -c %u "/proc/$pid")" = "$RL_UID" ]
	as_user "$KEEL" delete --force "$id"
	[ ! -e "$RL_XDG/keel/$id" ]
	[ ! -e "/run/keel/$id" ]
}

@test "rootless: no cgroup is made where none is delegated" {
	ucfg '.process.terminal = false | .process.args = ["sleep", "1000"]'
	local id pid
	id=$(new_id)
	as_user "$KEEL" run -d --bundle "$BUNDLE" "$id" </dev/null
	pid=$(as_user "$KEEL" state "$id" | jq .pid)
	[ -d "/proc/$pid" ]
	[ -z "$(cgroups_named "$id")" ] || fail "cgroups: $(cgroups_named "$id")"
}

@test "rootless: resource limits that cannot be honoured fail create, leaving nothing" {
	! as_user test -w /sys/fs/cgroup/memory || skip "memory cgroup writable by the user"
	ucfg '.process.terminal = false | .process.args = ["true"] |
		.linux.resources.memory.limit = 67108864'
	local id
	id=$(new_id)
	run --separate-stderr as_user "$KEEL" run --bundle "$BUNDLE" "$id" </dev/null
	assert_one_line_error cgroup
	if is_keel; then
		[[ $stderr == *linux.resources* ]] || fail "$stderr"
		[ ! -e "$RL_XDG/keel/$id" ]
	fi
	[ -z "$(as_user "$KEEL" list -q)" ]
	[ -z "$(procs_under "$TEST_TMP")" ]
}

@test "rootless: subordinate ids are mapped through newuidmap and newgidmap" {
	command -v newuidmap >/dev/null || skip "uidmap not installed"
	local sub subg
	sub=$(sub_start /etc/subuid) subg=$(sub_start /etc/subgid)
	[ -n "$sub" ] && [ -n "$subg" ] || skip "no subordinate ids for $RL_USER"
	ucfg '.process.terminal = false | .root.readonly = false |
		.process.capabilities |= map_values(. + ["CAP_CHOWN"]) |
		.process.args = ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; touch /tmp/f && chown 1000:1000 /tmp/f"] |
		.linux.uidMappings = [{containerID: 0, hostID: ($u | tonumber), size: 1},
			{containerID: 1, hostID: ($s | tonumber), size: 65536}] |
		.linux.gidMappings = [{containerID: 0, hostID: ($g | tonumber), size: 1},
			{containerID: 1, hostID: ($sg | tonumber), size: 65536}]' \
		--arg u "$RL_UID" --arg g "$RL_GID" --arg s "$sub" --arg sg "$subg"
	run --separate-stderr as_user "$KEEL" run --bundle "$BUNDLE" "$(new_id)" </dev/null
	[ "$status" -eq 0 ] || fail "$output $stderr"
	[ "${#lines[@]}" -eq 4 ]
	echo "${lines[1]}" | grep -Eq "^ *1 +$sub +65536"
	# uid 1000 inside is subuid start + 999 on the host
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/f")" = "$((sub + 999)):$((subg + 999))" ]
}

@test "rootless: ids the user was not granted are refused in one line, leaving nothing" {
	ucfg '.process.terminal = false | .process.args = ["true"] |
		.linux.uidMappings += [{containerID: 1, hostID: 4242, size: 10}]'
	local id
	id=$(new_id)
	run --separate-stderr as_user "$KEEL" run --bundle "$BUNDLE" "$id" </dev/null
	[ "$status" -ne 0 ]
	if is_keel; then
		assert_one_line_error linux.uidMappings
		[ ! -e "$RL_XDG/keel/$id" ]
	fi
	[ -z "$(procs_under "$TEST_TMP")" ]
}

@test "rootless: the container cannot change files the user does not own" {
	ucfg '.process.terminal = false |
		.mounts += [{destination: "/host-etc", type: "bind", source: "/etc", options: ["rbind"]}] |
		.process.args = ["sh", "-c", "echo pwned >>/host-etc/hostname; touch /host-etc/keel-pwned; true"]'
	local before
	before=$(sha256sum /etc/hostname)
	run --separate-stderr as_user "$KEEL" run --bundle "$BUNDLE" "$(new_id)" </dev/null
	[ "$(sha256sum /etc/hostname)" = "$before" ]
	[ ! -e /etc/keel-pwned ]
}
