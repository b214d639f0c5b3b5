#!/usr/bin/env bats
# podman 4.3 on the runtime's cgroup commands: exec -it, pause/unpause, top,
# stats, update. The harness (store, containers.conf, pm) is podman.bats's.

load lib/container

IMAGE=localhost/keel-busybox:latest

setup_file() {
	keel_setup_file
	command -v podman >/dev/null || fail "podman is not installed (scripts/deps.sh)"
	export PODMAN_TMP=$BATS_FILE_TMPDIR/podman
	mkdir -p "$PODMAN_TMP"
	# No registry and no network: a store of our own, host network-less
	# containers, limits within this host's hard limits, no systemd.
	cat >"$PODMAN_TMP/containers.conf" <<-EOF
		[containers]
		default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
		netns = "none"

		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$PODMAN_TMP/events.log"
	EOF
	tar -C "$TEMPLATE_BUNDLE/rootfs" -cf "$PODMAN_TMP/rootfs.tar" .
	pm import "$PODMAN_TMP/rootfs.tar" "$IMAGE" >/dev/null
}

teardown_file() {
	[ -n "${PODMAN_TMP:-}" ] || return 0
	pm rm --all --force --time 0 >/dev/null 2>&1 || true
	kill_procs_under "$PODMAN_TMP"
	umount_under "$PODMAN_TMP"
	rm -rf "$PODMAN_TMP"
}

setup() {
	keel_setup
	NAME=$CID
}

teardown() {
	pm rm --force --time 0 "$NAME" >/dev/null 2>&1 || true
	keel_teardown
}

# Sets PM to the podman command line with the suite's store, config and the
# runtime under test.
pm_command() {
	PM=(env CONTAINERS_CONF="$PODMAN_TMP/containers.conf" podman
		--root "$PODMAN_TMP/root" --runroot "$PODMAN_TMP/runroot" --tmpdir "$PODMAN_TMP/tmp"
		--storage-driver vfs --cgroup-manager cgroupfs --events-backend file
		--runtime "$KEEL")
}

pm() {
	pm_command
	"${PM[@]}" "$@"
}

# Polls (bounded, 20 s) until `podman inspect` reports STATUS for NAME.
wait_for_podman_status() {
	local i s
	for i in $(seq 200); do
		s=$(pm inspect --format '{{.State.Status}}' "$1" 2>/dev/null) || s=
		[ "$s" = "$2" ] && return 0
		sleep 0.1
	done
	fail "podman container $1: status '$s', waited for '$2'"
}

# A counter the container bumps, read through podman exec.
COUNTER='i=0; while :; do i=$((i+1)); echo $i >/tmp/counter; sleep 0.02; done'

@test "podman exec -it: a terminal inside" {
	pm run -d --name "$NAME" "$IMAGE" sleep 1000 >/dev/null
	pm_command
	# CI has no tty: script(1) provides a pty for podman's stdin and stdout
	run script -qec "$(printf '%q ' "${PM[@]}" exec -it "$NAME" sh -c 'tty; exit 5')" /dev/null </dev/null
	[[ $output == *"/dev/pts/"* ]] || fail "$output"
}

@test "podman pause and unpause" {
	pm run -d --name "$NAME" "$IMAGE" sh -c "$COUNTER" >/dev/null
	local i
	for i in $(seq 100); do pm exec "$NAME" test -s /tmp/counter && break; sleep 0.1; done
	pm pause "$NAME"
	wait_for_podman_status "$NAME" paused
	local dir pid a b
	pid=$(pm inspect --format '{{.State.Pid}}' "$NAME")
	a=$(cat "/proc/$pid/root/tmp/counter")
	sleep 0.5
	b=$(cat "/proc/$pid/root/tmp/counter")
	[ "$a" = "$b" ] || fail "counter moved while paused: $a -> $b"
	pm unpause "$NAME"
	wait_for_podman_status "$NAME" running
	for i in $(seq 100); do [ "$(cat "/proc/$pid/root/tmp/counter")" != "$b" ] && break; sleep 0.05; done
	[ "$(cat "/proc/$pid/root/tmp/counter")" != "$b" ]
}

@test "podman top lists the container's processes" {
	pm run -d --name "$NAME" "$IMAGE" sh -c 'sleep 1000 & sleep 1001' >/dev/null
	local i
	for i in $(seq 50); do pm top "$NAME" 2>/dev/null | grep -q 'sleep 1000' && break; sleep 0.1; done
	run pm top "$NAME"
	[ "$status" -eq 0 ]
	[[ $output == *"sleep 1000"* ]] && [[ $output == *"sleep 1001"* ]] || fail "$output"
}

@test "podman stats --no-stream: memory and pids of the container" {
	pm run -d --name "$NAME" --memory 64m --pids-limit 50 "$IMAGE" sleep 1000 >/dev/null
	run pm stats --no-stream --format json "$NAME"
	[ "$status" -eq 0 ] || fail "$output"
	echo "$output" | jq -e '.[0].pids == "1" or .[0].pids == 1'
	[[ $output == *"64MB"* ]] || [[ $output == *"67.11MB"* ]] || fail "no 64 MiB limit: $output"
}

@test "podman update --memory changes the live limit" {
	pm run -d --name "$NAME" --memory 64m "$IMAGE" sleep 1000 >/dev/null
	pm update --memory 32m "$NAME"
	local pid d
	pid=$(pm inspect --format '{{.State.Pid}}' "$NAME")
	d=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")
	[ "$(cat "$d/memory.limit_in_bytes")" = 33554432 ]
}
