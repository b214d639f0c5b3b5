#!/usr/bin/env bats
# What a process inside the container sees: namespaces, mounts, devices,
# process attributes, terminal, inherited file descriptors.

load lib/container

setup_file() { keel_setup_file; }
setup() { keel_setup; }
teardown() { keel_teardown; }

# The line of mountinfo text $output for mount point $1 (the topmost).
mountinfo_line() {
	echo "$output" | awk -v m="$1" '$5 == m' | tail -1
}

# Per-mount options (field 6) and super options (last field) of mount point $1.
mount_opts() {
	mountinfo_line "$1" | awk '{ n = split($0, a, " - "); split(a[n], s, " "); print $6 "," s[3] }'
}

mount_fstype() {
	mountinfo_line "$1" | awk '{ n = split($0, a, " - "); split(a[n], s, " "); print s[1] }'
}

# has_opt OPTS OPT: the comma-separated OPTS contain OPT.
has_opt() { [[ ,$1, == *",$2,"* ]]; }

# ---- namespaces --------------------------------------------------------------

@test "hostname is the container's own" {
	cfg '.hostname = "keel-box"'
	sh_in_container 'hostname'
	[ "$output" = keel-box ]
	[ "$(hostname)" != keel-box ]
}

@test "domainname is the container's own" {
	# runtime-spec 1.1 field; runc 1.1 predates it and ignores it.
	is_keel || skip "keel only: runc 1.1 ignores domainname (runtime-spec 1.1)"
	cfg '.domainname = "keel.test"'
	sh_in_container 'cat /proc/sys/kernel/domainname'
	[ "$output" = keel.test ]
	[ "$(cat /proc/sys/kernel/domainname)" != keel.test ]
}

@test "PID 1 is the container process and only its processes are visible" {
	sh_in_container 'echo $$; ls -d /proc/[0-9]* | wc -l'
	[ "${lines[0]}" = 1 ]
	# The shell and the ls/wc pipeline.
	[ "${lines[1]}" -le 3 ]
}

@test "namespaces differ from the host's" {
	sh_in_container 'for ns in ipc uts net mnt pid; do readlink /proc/self/ns/$ns; done'
	local ns i=0
	for ns in ipc uts net mnt pid; do
		[ -n "${lines[$i]}" ]
		[ "${lines[$i]}" != "$(readlink /proc/self/ns/$ns)" ] || fail "$ns namespace is the host's"
		i=$((i + 1))
	done
}

@test "without a namespace entry the host namespace is kept" {
	cfg '.linux.namespaces |= map(select(.type != "ipc"))'
	sh_in_container 'readlink /proc/self/ns/ipc'
	[ "$output" = "$(readlink /proc/self/ns/ipc)" ]
}

@test "the mount table is the container's own" {
	cfg '.process.capabilities.effective += ["CAP_SYS_ADMIN"] |
		.process.capabilities.permitted += ["CAP_SYS_ADMIN"] |
		.process.capabilities.bounding += ["CAP_SYS_ADMIN"]'
	sh_in_container "mkdir -p /mnt/inner && mount -t tmpfs keel-inner-$CID /mnt/inner && cat /proc/self/mountinfo"
	[ -n "$(mountinfo_line /)" ]
	[ "$(mount_fstype /mnt/inner)" = tmpfs ]
	# No host mount point shows through, and the inner mount stays inside.
	! echo "$output" | awk '{print $5}' | grep -qx -e /work -e /work/main
	! grep -q "keel-inner-$CID" /proc/self/mountinfo
}

@test "the network namespace has only lo" {
	sh_in_container 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	[ "$output" = lo ]
}

@test "user namespace: uid and gid mappings apply" {
	cfg '.linux.namespaces += [{type: "user"}] |
		.linux.uidMappings = [{containerID: 0, hostID: 200000, size: 65536}] |
		.linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
	local id pid
	# /tmp in the rootfs is world-writable, so the mapped root can report there.
	# /tmp/id is renamed into place once both files are written
	id=$(start_container sh -c 'cat /proc/self/uid_map /proc/self/gid_map > /tmp/maps
		id -u > /tmp/id.new && mv /tmp/id.new /tmp/id; exec sleep 1000')
	wait_for_file "$BUNDLE/rootfs/tmp/id"
	[ "$(tr -s ' ' <"$BUNDLE/rootfs/tmp/maps" | sed 's/^ //')" = "$(printf '0 200000 65536\n0 200000 65536')" ]
	[ "$(cat "$BUNDLE/rootfs/tmp/id")" = 0 ]
	# Seen from the host, the container's root is uid 200000.
	pid=$(state_of "$id" pid)
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = 200000 ]
	[ "$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")" = 200000 ]
	[ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ]
}

@test "time namespace: offsets apply to monotonic and boottime clocks" {
	if ! is_keel && ! rt features 2>/dev/null | jq -e '.linux.namespaces | index("time")' >/dev/null; then
		skip "$KEEL does not support the time namespace"
	fi
	cfg '.linux.namespaces += [{type: "time"}] |
		.linux.timeOffsets = {monotonic: {secs: 31536000, nanosecs: 0},
			boottime: {secs: 63072000, nanosecs: 0}}'
	sh_in_container 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'
	echo "$output" | grep -Eq '^monotonic +31536000 +0$'
	echo "$output" | grep -Eq '^boottime +63072000 +0$'
	[ "${lines[2]}" -ge 63072000 ]
}

@test "joining an existing namespace by path" {
	local a pid
	cfg '.hostname = "first-box"'
	a=$(start_container)
	pid=$(state_of "$a" pid)
	cfg 'del(.hostname) | .linux.namespaces |= map(
		if .type == "uts" or .type == "network" then .path = "/proc/" + $p + "/ns/" + (if .type == "uts" then "uts" else "net" end)
		else . end)' --arg p "$pid"
	sh_in_container 'hostname; readlink /proc/self/ns/uts; readlink /proc/self/ns/net; readlink /proc/self/ns/ipc'
	[ "${lines[0]}" = first-box ]
	[ "${lines[1]}" = "$(readlink "/proc/$pid/ns/uts")" ]
	[ "${lines[2]}" = "$(readlink "/proc/$pid/ns/net")" ]
	[ "${lines[3]}" != "$(readlink "/proc/$pid/ns/ipc")" ]
}

# ---- root and mounts ---------------------------------------------------------

@test "readonly root: / is read-only, tmpfs mounts stay writable" {
	cfg '.root.readonly = true'
	in_container sh -c 'touch /newfile && echo wrote-root; touch /dev/shm/x && echo wrote-shm; cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ $output != *wrote-root* ]]
	[[ $output == *wrote-shm* ]]
	[ ! -e "$BUNDLE/rootfs/newfile" ]
	has_opt "$(mount_opts /)" ro
}

@test "mounts: bind shares files both ways, ro bind refuses writes" {
	mkdir -p "$TEST_TMP/share" "$TEST_TMP/ro"
	echo from-host >"$TEST_TMP/share/in"
	echo read-only >"$TEST_TMP/ro/file"
	cfg '.mounts += [
		{destination: "/share", type: "bind", source: $s, options: ["bind"]},
		{destination: "/ro", type: "bind", source: $r, options: ["bind", "ro"]}]' \
		--arg s "$TEST_TMP/share" --arg r "$TEST_TMP/ro"
	in_container sh -c 'cat /share/in; echo from-box > /share/out; cat /ro/file; touch /ro/new && echo wrote-ro; cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-host ]
	[ "${lines[1]}" = read-only ]
	[ "$(cat "$TEST_TMP/share/out")" = from-box ]
	[[ $output != *wrote-ro* ]]
	[ ! -e "$TEST_TMP/ro/new" ]
	has_opt "$(mount_opts /ro)" ro
}

@test "mounts: rbind carries submounts, bind does not" {
	mkdir -p "$TEST_TMP/tree/sub" "$TEST_TMP/plain-src"
	mount -t tmpfs "keel-sub-$CID" "$TEST_TMP/tree/sub"
	echo in-submount >"$TEST_TMP/tree/sub/f"
	cfg '.mounts += [
		{destination: "/r", type: "bind", source: $t, options: ["rbind"]},
		{destination: "/b", type: "bind", source: $t, options: ["bind"]}]' \
		--arg t "$TEST_TMP/tree"
	in_container sh -c 'cat /r/sub/f; cat /b/sub/f || echo missing'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = in-submount ]
	[ "${lines[1]}" = missing ]
}

@test "mounts: nosuid, nodev, noexec show in mountinfo and apply" {
	mkdir -p "$TEST_TMP/flags"
	cp /bin/busybox "$TEST_TMP/flags/bb"
	cfg '.mounts += [{destination: "/flags", type: "bind", source: $f,
		options: ["bind", "nosuid", "nodev", "noexec"]}]' --arg f "$TEST_TMP/flags"
	in_container sh -c '/flags/bb true && echo executed; cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ $output != *executed* ]]
	local o
	o=$(mount_opts /flags)
	has_opt "$o" nosuid && has_opt "$o" nodev && has_opt "$o" noexec
}

@test "mounts: tmpfs size and mode options" {
	cfg '.mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs",
		options: ["size=1m", "mode=700"]}]'
	sh_in_container 'cat /proc/self/mountinfo; stat -c %a /scratch'
	[ "$(mount_fstype /scratch)" = tmpfs ]
	has_opt "$(mount_opts /scratch)" size=1024k
	[ "${lines[-1]}" = 700 ]
}

@test "mounts: proc, sysfs, devpts, mqueue, shm and cgroup have their types" {
	sh_in_container 'cat /proc/self/mountinfo; ls /sys/fs/cgroup'
	[ "$(mount_fstype /proc)" = proc ]
	[ "$(mount_fstype /sys)" = sysfs ]
	[ "$(mount_fstype /dev)" = tmpfs ]
	[ "$(mount_fstype /dev/pts)" = devpts ]
	[ "$(mount_fstype /dev/mqueue)" = mqueue ]
	[ "$(mount_fstype /dev/shm)" = tmpfs ]
	has_opt "$(mount_opts /sys)" ro
	# Hybrid host: cgroup v1 hierarchies appear under /sys/fs/cgroup.
	echo "$output" | awk '$5 ~ "^/sys/fs/cgroup/" && / - cgroup /' | grep -q memory
	echo "$output" | grep -qx memory
}

@test "maskedPaths hide files and directories, readonlyPaths are read-only" {
	cfg '.linux.maskedPaths += ["/etc/passwd"] | .linux.readonlyPaths += ["/home"]'
	[ "$(head -c 1 /proc/timer_list | wc -c)" = 1 ]
	in_container sh -c 'wc -c < /proc/timer_list; wc -c < /etc/passwd; ls -A /sys/firmware | wc -l
		touch /home/x && echo wrote-home; cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = 0 ]
	[[ $output != *wrote-home* ]]
	has_opt "$(mount_opts /proc/sys)" ro
	has_opt "$(mount_opts /home)" ro
	# The host's file is untouched.
	grep -q '^root:' "$BUNDLE/rootfs/etc/passwd"
}

@test "a mount destination through a symlink to /etc stays inside the rootfs" {
	ln -s /etc "$BUNDLE/rootfs/evil"
	local name=keel-escape-$CID
	cfg '.mounts += [{destination: ("/evil/" + $n), type: "tmpfs", source: "tmpfs", options: ["size=1m"]}]' \
		--arg n "$name"
	in_container sh -c "touch /evil/$name/written; cat /proc/self/mountinfo"
	# Refusing is fine; mounting onto the host's /etc is not.
	[ ! -e "/etc/$name" ]
	! grep -q "$name" /proc/self/mountinfo
	if [ "$status" -eq 0 ]; then
		[ -d "$BUNDLE/rootfs/etc/$name" ]
		[ -n "$(mountinfo_line "/etc/$name")" ]
	fi
}

@test "a mount destination through a ../../.. symlink stays inside the rootfs" {
	mkdir -p "$TEST_TMP/outside"
	# Enough .. to climb from the rootfs to / on the host, then down again.
	ln -s "../../../../../../../../../../..$TEST_TMP/outside" "$BUNDLE/rootfs/up"
	cfg '.mounts += [{destination: "/up/target", type: "bind", source: $s, options: ["bind"]}]' \
		--arg s "$TEST_TMP/share-src"
	mkdir -p "$TEST_TMP/share-src"
	echo secret >"$TEST_TMP/share-src/file"
	in_container sh -c 'cat /up/target/file'
	[ -z "$(ls -A "$TEST_TMP/outside")" ]
	! grep -q "$TEST_TMP/outside" /proc/self/mountinfo
	if [ "$status" -eq 0 ]; then
		[ "$output" = secret ]
		[ -d "$BUNDLE/rootfs$TEST_TMP/outside/target" ]
	fi
}

# ---- devices -------------------------------------------------------------------

@test "default devices exist with the right numbers, /dev/fd and stdio links" {
	sh_in_container 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done
		for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done'
	local want=(
		"/dev/null character special file 1:3"
		"/dev/zero character special file 1:5"
		"/dev/full character special file 1:7"
		"/dev/random character special file 1:8"
		"/dev/urandom character special file 1:9"
		"/dev/tty character special file 5:0"
		"fd -> /proc/self/fd"
		"stdin -> /proc/self/fd/0"
		"stdout -> /proc/self/fd/1"
		"stderr -> /proc/self/fd/2"
		"ptmx -> pts/ptmx")
	local i
	for i in "${!want[@]}"; do
		[ "${lines[$i]}" = "${want[$i]}" ] || fail "got '${lines[$i]}', want '${want[$i]}'"
	done
}

@test "default devices work: /dev/null swallows, /dev/zero reads zeros" {
	sh_in_container 'echo x > /dev/null && head -c 4 /dev/zero | od -An -tx1 | tr -d " "'
	[ "$output" = 00000000 ]
}

@test "linux.devices adds a device node with its mode and owner" {
	cfg '.linux.devices = [{path: "/dev/keelnull", type: "c", major: 1, minor: 3,
		fileMode: 432, uid: 1000, gid: 5}] |
		.linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 3, access: "rwm"}]'
	sh_in_container 'stat -c "%F %t:%T %a %u %g" /dev/keelnull; echo data > /dev/keelnull && echo written'
	[ "${lines[0]}" = "character special file 1:3 660 1000 5" ]
	[ "${lines[1]}" = written ]
}

@test "the devices cgroup denies a device not in the allow list" {
	cfg '.linux.devices = [{path: "/dev/keelmem", type: "c", major: 1, minor: 1, fileMode: 438}]'
	in_container sh -c 'test -c /dev/keelmem && echo node-exists; head -c 1 /dev/keelmem >/dev/null && echo read-mem'
	[ "${lines[0]}" = node-exists ]
	[[ $output != *read-mem* ]]
}

# ---- process attributes ----------------------------------------------------------

@test "process.user: uid, gid, additionalGids and umask" {
	cfg '.process.user = {uid: 1000, gid: 1000, additionalGids: [5, 65534], umask: 63}'
	sh_in_container 'grep -E "^(Uid|Gid|Groups):" /proc/self/status; umask; touch /tmp/u; stat -c %a /tmp/u'
	[ "$(echo "${lines[0]}" | tr -s '\t ' ' ')" = "Uid: 1000 1000 1000 1000" ]
	[ "$(echo "${lines[1]}" | tr -s '\t ' ' ')" = "Gid: 1000 1000 1000 1000" ]
	[ "$(echo "${lines[2]}" | tr -s '\t ' ' ' | sed 's/ $//')" = "Groups: 5 65534" ]
	[ "${lines[3]}" = 0077 ]
	[ "${lines[4]}" = 600 ]
}

@test "process.env and process.cwd" {
	cfg '.process.env += ["KEEL_A=one", "KEEL_B=two words"] | .process.cwd = "/tmp"'
	sh_in_container 'pwd; echo "$KEEL_A|$KEEL_B"'
	[ "${lines[0]}" = /tmp ]
	[ "${lines[1]}" = "one|two words" ]
}

@test "a relative process.cwd is refused" {
	cfg '.process.cwd = "tmp"'
	in_container pwd
	[ "$status" -ne 0 ]
	[ -z "$(procs_under "$TEST_TMP")" ]
}

@test "a cwd through a symlink pointing out of the rootfs stays inside it" {
	ln -s ../../../../../../../../../etc "$BUNDLE/rootfs/outcwd"
	cfg '.process.cwd = "/outcwd"'
	in_container sh -c 'pwd -P; ls'
	# Either refused, or the container's own /etc (which has no os-release).
	if [ "$status" -eq 0 ]; then
		[ "${lines[0]}" = /etc ]
		[[ $output == *passwd* ]]
		[[ $output != *os-release* ]]
	fi
}

@test "rlimits: RLIMIT_NOFILE and RLIMIT_NPROC" {
	cfg '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 1024, hard: 1024},
		{type: "RLIMIT_NPROC", soft: 500, hard: 600}]'
	sh_in_container 'ulimit -n; grep "Max processes" /proc/self/limits | awk "{print \$3, \$4}"'
	[ "${lines[0]}" = 1024 ]
	[ "${lines[1]}" = "500 600" ]
}

@test "noNewPrivileges sets NoNewPrivs" {
	cfg '.process.noNewPrivileges = true'
	sh_in_container 'grep NoNewPrivs /proc/self/status'
	[ "$(echo "$output" | tr -d ' \t')" = NoNewPrivs:1 ]
	cfg '.process.noNewPrivileges = false'
	sh_in_container 'grep NoNewPrivs /proc/self/status'
	[ "$(echo "$output" | tr -d ' \t')" = NoNewPrivs:0 ]
}

@test "oomScoreAdj is applied" {
	cfg '.process.oomScoreAdj = 123'
	sh_in_container 'cat /proc/self/oom_score_adj'
	[ "$output" = 123 ]
}

@test "sysctl is set in the container's namespace only" {
	local host
	host=$(cat /proc/sys/net/ipv4/ip_forward)
	cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789"}'
	sh_in_container 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax'
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 123456789 ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" ]
	[ "$(cat /proc/sys/kernel/shmmax)" != 123456789 ]
}

@test "capabilities: CapEff, CapPrm and CapBnd are exactly what was asked" {
	# CAP_KILL is 5, CAP_NET_RAW is 13.
	cfg '.process.capabilities = {bounding: ["CAP_KILL", "CAP_NET_RAW"],
		effective: ["CAP_KILL", "CAP_NET_RAW"], permitted: ["CAP_KILL", "CAP_NET_RAW"]}'
	sh_in_container 'grep -E "^Cap(Eff|Prm|Bnd|Inh|Amb):" /proc/self/status | tr -d "\t"'
	local want
	want=$(printf '%016x' $(((1 << 5) | (1 << 13))))
	echo "$output" | grep -qx "CapEff:$want"
	echo "$output" | grep -qx "CapPrm:$want"
	echo "$output" | grep -qx "CapBnd:$want"
	echo "$output" | grep -qx "CapAmb:0000000000000000"
}

@test "capabilities: an empty set leaves none" {
	cfg '.process.capabilities = {bounding: [], effective: [], permitted: []}'
	sh_in_container 'grep -E "^Cap(Eff|Bnd):" /proc/self/status | tr -d "\t"'
	[ "${lines[0]}" = CapEff:0000000000000000 ]
	[ "${lines[1]}" = CapBnd:0000000000000000 ]
}

# ---- terminal and file descriptors ---------------------------------------------

@test "terminal: true sends the pty master to --console-socket" {
	local id sock=$TEST_TMP/console.sock out=$TEST_TMP/console.out
	cfg '.process.terminal = true'
	set_args sh -c 'tty; echo cols=$(stty size)'
	bounded python3 "$HELPERS/console-receiver.py" "$sock" "$out" &
	local receiver=$!
	wait_for_file "$sock"
	id=$(new_id)
	rt create --console-socket "$sock" --bundle "$BUNDLE" "$id"
	rt start "$id"
	wait "$receiver"
	tr -d '\r' <"$out" | grep -qx /dev/pts/0
	wait_for_status "$id" stopped
}

@test "terminal: true without --console-socket is refused for create" {
	cfg '.process.terminal = true'
	set_args true
	run --separate-stderr rt create --bundle "$BUNDLE" "$(new_id)" </dev/null
	[ "$status" -ne 0 ]
	[ -z "$(procs_under "$TEST_TMP")" ]
}

@test "no host file descriptor leaks into the container" {
	# bats holds fd 3 and more; they must not show up inside.
	exec 7<"$BUNDLE/config.json"
	# No pipeline: the shell (PID 1) would hold pipe ends while it runs; a
	# second command keeps it from exec'ing ls (whose own fds would show).
	sh_in_container 'ls /proc/1/fd; exit 0'
	exec 7<&-
	echo "fds inside: ${lines[*]}"
	[ "${lines[*]}" = "0 1 2" ]
}

@test "--preserve-fds passes extra descriptors through" {
	echo three >"$TEST_TMP/f3"
	echo four >"$TEST_TMP/f4"
	set_args sh -c 'cat <&3; cat <&4; ls /proc/1/fd; exit 0'
	run --separate-stderr rt run --preserve-fds 2 --bundle "$BUNDLE" "$(new_id)" \
		</dev/null 3<"$TEST_TMP/f3" 4<"$TEST_TMP/f4" 5<"$TEST_TMP/f4"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = three ]
	[ "${lines[1]}" = four ]
	[ "${lines[*]:2}" = "0 1 2 3 4" ]
}

@test "LISTEN_FDS passes socket-activation descriptors and sets LISTEN_PID" {
	echo activated >"$TEST_TMP/f3"
	set_args sh -c 'echo "$LISTEN_FDS $LISTEN_PID"; cat <&3'
	# sd_listen_fds(3): LISTEN_PID names the runtime's own pid.
	run --separate-stderr sh -c 'export LISTEN_PID=$$ LISTEN_FDS=1; exec "$@"' sh \
		"$KEEL" --root "$RT_ROOT" run --bundle "$BUNDLE" "$(new_id)" </dev/null 3<"$TEST_TMP/f3"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1 1" ]
	[ "${lines[1]}" = activated ]
}
