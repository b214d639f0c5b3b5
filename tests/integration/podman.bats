#!/usr/bin/env bats
# podman 4.3 driving the runtime under test (--runtime, absolute path), with
# an isolated store and an image imported from a tarball the suite builds.

load lib/container
load lib/podman

@test "podman: the imported image is there" {
	run pm images --format '{{.Repository}}:{{.Tag}}'
	[ "$status" -eq 0 ]
	[[ $output == *"$IMAGE"* ]]
}

@test "podman run --rm: stdout and exit code 0" {
	run --separate-stderr pm run --rm "$IMAGE" echo hello from podman
	[ "$status" -eq 0 ]
	[ "$output" = "hello from podman" ]
}

@test "podman run --rm: the exit code passes through" {
	run --separate-stderr pm run --rm "$IMAGE" sh -c 'echo before; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = before ]
}

@test "podman run --rm: the container is removed afterwards" {
	run --separate-stderr pm run --rm --name "$NAME" "$IMAGE" true
	[ "$status" -eq 0 ]
	run pm ps -a --format '{{.Names}}'
	[[ $output != *"$NAME"* ]]
}

@test "podman run: a missing command fails with podman's exit code 127" {
	run -127 --separate-stderr pm run --rm "$IMAGE" /no/such/command
	[ "$status" -eq 127 ]
}

@test "podman run: containers.conf ulimits and the container's hostname" {
	run --separate-stderr pm run --rm --hostname keel-pod "$IMAGE" sh -c 'ulimit -n; hostname; echo $$'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1024 ]
	[ "${lines[1]}" = keel-pod ]
	[ "${lines[2]}" = 1 ]
}

@test "podman run -it: a terminal inside (/dev/pts/0)" {
	pm_command
	run on_pty "${PM[@]}" run -it --rm "$IMAGE" sh -c 'tty; test -t 0 && echo stdin-is-tty'
	[ "$status" -eq 0 ]
	local out
	out=$(pty_output "$output")
	echo "$out"
	echo "$out" | grep -qx /dev/pts/0
	echo "$out" | grep -qx stdin-is-tty
}

@test "podman run -d --name, podman ps lists it running" {
	run --separate-stderr pm run -d --name "$NAME" "$IMAGE" sleep 1000
	[ "$status" -eq 0 ]
	wait_for_podman_status "$NAME" running
	run --separate-stderr pm ps --format '{{.Names}} {{.Status}}'
	[ "$status" -eq 0 ]
	echo "$output" | grep -E "^$NAME Up"
	# The runtime under test holds the container in podman's state root.
	local pid
	pid=$(pm inspect --format '{{.State.Pid}}' "$NAME")
	[ "$pid" -gt 0 ]
	# running once the runtime's start returned, maybe before the execve
	wait_for_exec "$pid" '^sleep 1000 $'
}

@test "podman stop: SIGTERM reaches the container, which exits with its code" {
	pm run -d --name "$NAME" "$IMAGE" sh -c 'trap "exit 3" TERM; while :; do sleep 0.1; done' >/dev/null
	wait_for_podman_status "$NAME" running
	wait_for_trap "$(pm inspect --format '{{.State.Pid}}' "$NAME")" 15
	run --separate-stderr pm stop --time 30 "$NAME"
	[ "$status" -eq 0 ]
	[ "$(pm inspect --format '{{.State.Status}}' "$NAME")" = exited ]
	[ "$(pm inspect --format '{{.State.ExitCode}}' "$NAME")" = 3 ]
	run pm ps --format '{{.Names}}'
	[[ $output != *"$NAME"* ]]
}

@test "podman stop: an init that ignores SIGTERM is killed after the timeout" {
	pm run -d --name "$NAME" "$IMAGE" sleep 1000 >/dev/null
	wait_for_podman_status "$NAME" running
	run --separate-stderr pm stop --time 1 "$NAME"
	[ "$status" -eq 0 ]
	[ "$(pm inspect --format '{{.State.ExitCode}}' "$NAME")" = 137 ]
}

@test "podman start again after stop" {
	pm run -d --name "$NAME" "$IMAGE" sleep 1000 >/dev/null
	wait_for_podman_status "$NAME" running
	pm stop --time 0 "$NAME" >/dev/null
	pm start "$NAME" >/dev/null
	wait_for_podman_status "$NAME" running
}

@test "podman rm -f removes a running container and its processes" {
	pm run -d --name "$NAME" "$IMAGE" sleep 1000 >/dev/null
	wait_for_podman_status "$NAME" running
	local pid
	pid=$(pm inspect --format '{{.State.Pid}}' "$NAME")
	run --separate-stderr pm rm -f --time 1 "$NAME"
	[ "$status" -eq 0 ]
	run pm ps -a --format '{{.Names}}'
	[[ $output != *"$NAME"* ]]
	! { [ -d "/proc/$pid" ] && grep -q sleep "/proc/$pid/cmdline" 2>/dev/null; }
}

@test "podman exec runs in the running container" {
	pm run -d --name "$NAME" --hostname exec-pod "$IMAGE" sleep 1000 >/dev/null
	wait_for_podman_status "$NAME" running
	run --separate-stderr pm exec "$NAME" sh -c 'hostname; exit 6'
	[ "$status" -eq 6 ]
	[ "$output" = exec-pod ]
}

@test "podman logs shows what the container wrote" {
	pm run -d --name "$NAME" "$IMAGE" sh -c 'echo line-one; echo line-two' >/dev/null
	wait_for_podman_status "$NAME" exited
	run --separate-stderr pm logs "$NAME"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = line-one ]
	[ "${lines[1]}" = line-two ]
}
