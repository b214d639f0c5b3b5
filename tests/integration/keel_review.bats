#!/usr/bin/env bats
# keel against hostile input found in the security review: an image's
# /etc/passwd, ids and state files under --root.

load lib/container

setup_file() { keel_setup_file; }
setup() { keel_setup; }
teardown() { keel_teardown; }

# Without HOME in process.env the init looks the user up in the image's
# /etc/passwd: a link to /dev/zero there never ended (create spun for good),
# a FIFO blocked it. Now only a regular file is read.
@test "an /etc/passwd that is a device or a FIFO does not hang create" {
	rm -f "$BUNDLE/rootfs/etc/passwd"
	ln -s /dev/zero "$BUNDLE/rootfs/etc/passwd"
	sh_in_container 'echo "home=$HOME"'
	[ "$output" = "home=/" ]
	rm -f "$BUNDLE/rootfs/etc/passwd"
	mkfifo "$BUNDLE/rootfs/etc/passwd"
	sh_in_container 'echo "home=$HOME"'
	[ "$output" = "home=/" ]
}

@test "a regular /etc/passwd still gives HOME" {
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$BUNDLE/rootfs/etc/passwd"
	sh_in_container 'echo "home=$HOME"'
	[ "$output" = "home=/root" ]
}

# `delete --force ../x` removed <root>/../x and the files in it.
@test "delete --force with an id naming a directory outside the root fails and removes nothing" {
	mkdir "$TEST_TMP/victim"
	echo precious >"$TEST_TMP/victim/file"
	run --separate-stderr rt delete --force ../victim
	assert_one_line_error "invalid id format"
	[ "$(cat "$TEST_TMP/victim/file")" = precious ]
}

# A state file is read back as untrusted: one without the optional fields
# crashed list; one whose id is not its directory's named what delete removed.
@test "list and delete take state files as untrusted" {
	mkdir "$RT_ROOT/m1" "$RT_ROOT/m2"
	echo '{"ociVersion":"1.0.2","id":"m1","status":"stopped","pid":0}' >"$RT_ROOT/m1/state.json"
	echo '{"ociVersion":"1.0.2","id":"..","status":"stopped","pid":0}' >"$RT_ROOT/m2/state.json"
	echo keep >"$TEST_TMP/precious"
	run --separate-stderr rt list
	[ "$status" -eq 0 ]
	[[ $output == *m1*stopped* ]]
	[[ $output != *..* ]]
	run --separate-stderr rt delete m2
	assert_one_line_error "is not the container's"
	[ "$(cat "$TEST_TMP/precious")" = keep ]
	rm -rf "$RT_ROOT/m1" "$RT_ROOT/m2"
}

# The state the init's own hooks read went over the sync socket in one
# 16 KiB message: with large annotations (Kubernetes' last-applied
# configuration alone can pass that) createContainer and startContainer got
# it cut, as invalid JSON.
@test "createContainer and startContainer hooks get the whole state with 40 KiB of annotations" {
	local big
	big=$(head -c 40000 /dev/zero | tr '\0' a)
	cfg '.annotations.big = $b' --arg b "$big"
	mkdir "$TEST_TMP/out"
	cfg '.hooks.createContainer = [{path: "/bin/sh", args: ["sh", "-c", $c]}]' \
		--arg c "/bin/cat >$TEST_TMP/out/cc.json"
	printf '#!/bin/sh\n/bin/cat >/start.json\n' >"$BUNDLE/rootfs/start-hook"
	chmod 755 "$BUNDLE/rootfs/start-hook"
	cfg '.hooks.startContainer = [{path: "/start-hook"}]'
	local id
	id=$(start_container sleep 1000)
	[ "$(jq -r '.annotations.big | length' "$TEST_TMP/out/cc.json")" = 40000 ]
	[ "$(jq -r .status "$TEST_TMP/out/cc.json")" = creating ]
	[ "$(jq -r '.annotations.big | length' "$BUNDLE/rootfs/start.json")" = 40000 ]
	[ "$(jq -r .status "$BUNDLE/rootfs/start.json")" = created ]
	[ "$(jq -r .id "$BUNDLE/rootfs/start.json")" = "$id" ]
}
