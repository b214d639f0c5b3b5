#!/usr/bin/env bats
# podman 4.3 on the runtime's cgroup commands: exec -it, pause/unpause, top,
# stats, update. The harness (store, containers.conf, pm) is lib/podman.bash.

load lib/container
load lib/podman

# A counter the container bumps, read through podman exec.
COUNTER='i=0; while :; do i=$((i+1)); echo $i >/tmp/counter; sleep 0.02; done'

top_shows() { pm top "$1" 2>/dev/null | grep -q "$2"; }

@test "podman exec -it: a terminal inside" {
	pm run -d --name "$NAME" "$IMAGE" sleep 1000 >/dev/null
	pm_command
	run on_pty "${PM[@]}" exec -it "$NAME" sh -c 'tty; test -t 0 && echo stdin-is-tty; exit 5'
	echo "$output"
	[ "$status" -eq 5 ]
	pty_output "$output" | grep -qx '/dev/pts/[0-9]*'
	pty_output "$output" | grep -qx stdin-is-tty
}

@test "podman pause and unpause" {
	pm run -d --name "$NAME" "$IMAGE" sh -c "$COUNTER" >/dev/null
	local pid a b
	pid=$(pm inspect --format '{{.State.Pid}}' "$NAME")
	poll test -s "/proc/$pid/root/tmp/counter" || fail "the counter did not start"
	pm pause "$NAME"
	wait_for_podman_status "$NAME" paused
	a=$(cat "/proc/$pid/root/tmp/counter")
	sleep 0.5
	b=$(cat "/proc/$pid/root/tmp/counter")
	[ "$a" = "$b" ] || fail "counter moved while paused: $a -> $b"
	pm unpause "$NAME"
	wait_for_podman_status "$NAME" running
	poll content_differs "/proc/$pid/root/tmp/counter" "$b" || fail "counter did not move after unpause"
}

@test "podman top lists the container's processes" {
	pm run -d --name "$NAME" "$IMAGE" sh -c 'sleep 1000 & sleep 1001' >/dev/null
	# the second sleep runs once the shell has forked it
	poll top_shows "$NAME" 'sleep 1000' || true
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
