# containerd harness shared by containerd.bats and containerd_cgroups.bats:
# the suite's own containerd (own socket, root and state, no CRI), a
# hand-built OCI archive imported as IMAGE, the c wrapper for ctr and
# per-test setup/teardown. Load after lib/container:
#   load lib/container
#   load lib/containerd

IMAGE=localhost/keel-busybox:latest

setup_file() {
	keel_setup_file
	local bin
	for bin in containerd ctr containerd-shim-runc-v2; do
		command -v "$bin" >/dev/null || fail "$bin is not installed (scripts/deps.sh: containerd)"
	done
	# Short path: unix socket paths are limited to 108 bytes.
	CTRD_TMP=$(mktemp -d /tmp/keel-ctrd.XXXXXX)
	export CTRD_TMP CTRD_SOCK=$CTRD_TMP/containerd.sock CTRD_NS=keel-it-$$
	cat >"$CTRD_TMP/config.toml" <<-EOC
		version = 2
		root = "$CTRD_TMP/root"
		state = "$CTRD_TMP/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
			"io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
			"io.containerd.snapshotter.v1.aufs"]
		[grpc]
		  address = "$CTRD_SOCK"
		[ttrpc]
		  address = "$CTRD_SOCK.ttrpc"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CTRD_TMP/opt"
	EOC
	containerd --config "$CTRD_TMP/config.toml" >"$CTRD_TMP/containerd.log" 2>&1 &
	echo $! >"$CTRD_TMP/containerd.pid"
	poll containerd_up || fail "containerd did not come up: $(tail -5 "$CTRD_TMP/containerd.log")"
	kill -0 "$(cat "$CTRD_TMP/containerd.pid")" 2>/dev/null ||
		fail "containerd exited: $(tail -5 "$CTRD_TMP/containerd.log")"
	"$HELPERS/make-oci-archive.sh" "$TEMPLATE_BUNDLE/rootfs" "$CTRD_TMP/image.tar" "$IMAGE"
	c images import "$CTRD_TMP/image.tar" >/dev/null
}

# containerd answers, or has exited (which the caller then reports).
containerd_up() {
	c version >/dev/null 2>&1 || ! kill -0 "$(cat "$CTRD_TMP/containerd.pid")" 2>/dev/null
}

teardown_file() {
	[ -n "${CTRD_TMP:-}" ] || return 0
	local t
	for t in $(c tasks ls -q 2>/dev/null); do
		c tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true
		c tasks delete --force "$t" >/dev/null 2>&1 || true
	done
	for t in $(c containers ls -q 2>/dev/null); do
		c containers delete "$t" >/dev/null 2>&1 || true
	done
	if [ -f "$CTRD_TMP/containerd.pid" ]; then
		local pid
		pid=$(cat "$CTRD_TMP/containerd.pid")
		kill -TERM "$pid" 2>/dev/null || true
		for t in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	# Shims of this suite's namespace outlive containerd by design.
	local shim
	for shim in $(pgrep -f "containerd-shim-runc-v2 -namespace $CTRD_NS "); do
		kill -KILL "$shim" 2>/dev/null || true
	done
	kill_procs_under "$CTRD_TMP"
	umount_under "$CTRD_TMP"
	# The shim keeps the runtime's --root under /run/containerd/runc/<namespace>.
	rm -rf "/run/containerd/runc/$CTRD_NS"
	# The containers' cgroups are /<namespace>/<id> in every hierarchy; the
	# runtime removes <id>, the namespace's directory is ours to remove.
	local d
	for d in /sys/fs/cgroup/*/"$CTRD_NS" /sys/fs/cgroup/"$CTRD_NS"; do
		[ -d "$d" ] || continue
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null ||
			echo "teardown: cgroup $d left: $(find "$d" -name cgroup.procs -exec cat {} +)" >&2
	done
	rm -rf "$CTRD_TMP"
}

setup() {
	keel_setup
	NAME=$CID
}

teardown() {
	c tasks kill -s SIGKILL "$NAME" >/dev/null 2>&1 || true
	c tasks delete --force "$NAME" >/dev/null 2>&1 || true
	c containers delete "$NAME" >/dev/null 2>&1 || true
	keel_teardown
}

# ctr against the suite's containerd and namespace, bounded like every
# runtime call.
c() {
	bounded ctr --address "$CTRD_SOCK" --namespace "$CTRD_NS" "$@"
}

task_pid() { c tasks ls 2>/dev/null | awk -v n="$1" '$1 == n {print $2}'; }
task_status() { c tasks ls 2>/dev/null | awk -v n="$1" '$1 == n {print $3}'; }
task_status_is() { [ "$(task_status "$1")" = "$2" ]; }

# Waits (bounded: poll) until the task NAME has STATUS in `ctr tasks ls`.
wait_for_task_status() {
	poll task_status_is "$1" "$2" || fail "task $1: status '$(task_status "$1")', waited for '$2'"
}
