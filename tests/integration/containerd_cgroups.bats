#!/usr/bin/env bats
# containerd 1.6 (ctr, containerd-shim-runc-v2) on the runtime's cgroup
# commands: task exec, pause, resume, metrics. The harness (own containerd,
# imported image, c) is lib/containerd.bash.

load lib/container
load lib/containerd

@test "ctr task exec: a process in the running task, exit status through" {
	c run -d --runc-binary "$KEEL" "$IMAGE" "$NAME" sleep 1000 >/dev/null
	wait_for_task_status "$NAME" RUNNING
	# RUNNING once the runtime's start returned, maybe before the execve
	wait_for_exec "$(task_pid "$NAME")" '^sleep 1000 $'
	run c task exec --exec-id e1 "$NAME" sh -c 'cat /proc/1/cmdline | tr "\0" " "; exit 4'
	[ "$status" -eq 4 ] || fail "$status: $output"
	[[ $output == "sleep 1000"* ]] || fail "$output"
}

@test "ctr task pause and resume" {
	c run -d --runc-binary "$KEEL" "$IMAGE" "$NAME" sleep 1000 >/dev/null
	wait_for_task_status "$NAME" RUNNING
	c task pause "$NAME"
	wait_for_task_status "$NAME" PAUSED
	c task resume "$NAME"
	wait_for_task_status "$NAME" RUNNING
}

@test "ctr task metrics: the task's cgroup statistics" {
	c run -d --runc-binary "$KEEL" --memory-limit 67108864 "$IMAGE" "$NAME" sleep 1000 >/dev/null
	wait_for_task_status "$NAME" RUNNING
	run c task metrics --format json "$NAME"
	[ "$status" -eq 0 ] || fail "$output"
	echo "$output" | jq -e '.. | objects | select(has("limit")) | .limit == 67108864' | grep -q true ||
		fail "$output"
}
