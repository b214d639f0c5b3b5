# podman harness shared by podman.bats and podman_cgroups.bats: an isolated
# store and containers.conf, the busybox image imported from a tarball, the
# pm wrapper and per-test setup/teardown. Load after lib/container:
#   load lib/container
#   load lib/podman

IMAGE=localhost/keel-busybox:latest

setup_file() {
	keel_setup_file
	command -v podman >/dev/null || fail "podman is not installed (scripts/deps.sh)"
	export PODMAN_TMP=$BATS_FILE_TMPDIR/podman
	mkdir -p "$PODMAN_TMP"
	# No registry and no network: a store of our own, host network-less
	# containers, limits within this host's hard limits, no systemd.
	cat >"$PODMAN_TMP/containers.conf" <<-EOC
		[containers]
		default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
		netns = "none"

		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$PODMAN_TMP/events.log"
	EOC
	tar -C "$TEMPLATE_BUNDLE/rootfs" -cf "$PODMAN_TMP/rootfs.tar" .
	pm import "$PODMAN_TMP/rootfs.tar" "$IMAGE" >/dev/null
}

teardown_file() {
	[ -n "${PODMAN_TMP:-}" ] || return 0
	local ids id
	ids=$(pm ps -a -q --no-trunc 2>/dev/null)
	pm rm --all --force --time 0 >/dev/null 2>&1 || true
	# podman calls the runtime without --root, so its containers live in
	# the runtime's default root (/run/keel for keel): delete any of this
	# suite's that podman did not (a container stuck in "created" after a
	# failure), and the cgroups podman made for them (libpod-<id>)
	ids+=" $("$KEEL" list --format json 2>/dev/null |
		jq -r --arg d "$PODMAN_TMP/" '.[]? | select(.bundle | startswith($d)) | .id')"
	for id in $ids; do
		"$KEEL" delete --force "$id" >/dev/null 2>&1 || true
	done
	kill_procs_under "$PODMAN_TMP"
	for id in $ids; do
		remove_cgroups_named "$id"
	done
	# and podman's parent of them, when no other container is left in it
	local d
	# (and the one podman puts conmon in, on v1 hierarchies)
	for d in /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/libpod_parent; do
		[ -d "$d" ] || continue
		[ ! -d "$d/conmon" ] || rmdir "$d/conmon" 2>/dev/null || true
		rmdir "$d" 2>/dev/null || true
	done
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

# podman with the suite's store, bounded like every runtime call.
pm() {
	pm_command
	bounded "${PM[@]}" "$@"
}

podman_status_is() { [ "$(pm inspect --format '{{.State.Status}}' "$1" 2>/dev/null)" = "$2" ]; }

# Waits (bounded: poll) until `podman inspect` reports STATUS for NAME.
wait_for_podman_status() {
	poll podman_status_is "$1" "$2" ||
		fail "podman container $1: status '$(pm inspect --format '{{.State.Status}}' "$1" 2>/dev/null)', waited for '$2'"
}
