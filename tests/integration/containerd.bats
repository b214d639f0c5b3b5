#!/usr/bin/env bats
# containerd 1.6 (ctr, containerd-shim-runc-v2) driving the runtime under
# test through --runc-binary. The suite starts its own containerd (own
# socket, root and state, no CRI) and imports a hand-built OCI archive.

load lib/container
load lib/containerd

@test "containerd: the shim and the imported image are there" {
	run c images ls -q
	[ "$status" -eq 0 ]
	[[ $output == *"$IMAGE"* ]]
}

@test "ctr run --rm: stdout and exit status 0" {
	run --separate-stderr c run --runc-binary "$KEEL" --rm "$IMAGE" "$NAME" echo hello from containerd
	[ "$status" -eq 0 ]
	[ "$output" = "hello from containerd" ]
}

@test "ctr run --rm: the exit status passes through" {
	run --separate-stderr c run --runc-binary "$KEEL" --rm "$IMAGE" "$NAME" sh -c 'echo out; exit 5'
	[ "$status" -eq 5 ]
	[ "$output" = out ]
	run c containers ls -q
	[[ $output != *"$NAME"* ]]
}

@test "ctr run --rm: the container is PID 1 in its own namespaces" {
	run --separate-stderr c run --runc-binary "$KEEL" --rm "$IMAGE" "$NAME" \
		sh -c 'echo $$; readlink /proc/self/ns/mnt'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" != "$(readlink /proc/self/ns/mnt)" ]
}

@test "ctr run -d, tasks ls, tasks kill, tasks delete" {
	run --separate-stderr c run -d --runc-binary "$KEEL" "$IMAGE" "$NAME" sleep 1000
	[ "$status" -eq 0 ]
	wait_for_task_status "$NAME" RUNNING
	local pid
	pid=$(c tasks ls | awk -v n="$NAME" '$1 == n {print $2}')
	# RUNNING once the runtime's start returned, maybe before the execve
	wait_for_exec "$pid" '^sleep 1000 $'
	c tasks kill -s SIGKILL "$NAME"
	wait_for_task_status "$NAME" STOPPED
	c tasks delete "$NAME" >/dev/null
	c containers delete "$NAME"
	run c containers ls -q
	[[ $output != *"$NAME"* ]]
	! { [ -d "/proc/$pid" ] && grep -q sleep "/proc/$pid/cmdline" 2>/dev/null; }
}

@test "ctr run -t: a terminal inside" {
	run on_pty ctr --address "$CTRD_SOCK" --namespace "$CTRD_NS" \
		run -t --runc-binary "$KEEL" --rm "$IMAGE" "$NAME" sh -c 'tty; exit 4'
	echo "output: $output"
	[ "$status" -eq 4 ]
	pty_output "$output" | grep -qx /dev/pts/0
}
