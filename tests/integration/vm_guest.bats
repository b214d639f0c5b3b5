#!/usr/bin/env bats
# keel-vm runs the project's own guest (scripts/build-guest.sh: Linux from
# linux-source-6.1, static busybox from Debian's source, an ext4 disk), with
# a busybox shell driven over the serial console through a pipe:
#   - shell on the console, power-off with status 0
#   - virtio-blk: mount the ext4 disk, write a file, reboot (in place),
#     read it back (and the host sees it too); a read-only disk
#   - virtio-net with slirp: DHCP lease, ping the gateway, connect to a
#     host server through 10.0.2.2, and a hostfwd into a guest listener
#   - virtio-rng: bytes from /dev/hwrng
#   - boot through Debian's OpenSBI (--bios fw_dynamic.bin)
# The guest talks only to slirp's gateway (10.0.2.2) and the host's
# 127.0.0.1, with numeric addresses: no DNS lookups.
#
# Under ASan (KEEL_ASAN=1) only two boots run: the console shell (host input
# path) and one scripted boot that touches blk, net and rng.

bats_require_minimum_version 1.5.0

OPENSBI=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin

load lib/vm

setup_file() { vm_guest_setup_file; }
setup() { vm_guest_setup; }
teardown() { vm_guest_teardown; }

# --- tests ---------------------------------------------------------------------

@test "guest: busybox shell on the console, power-off exits 0" {
	vm_boot_to_shell
	vm_run 'echo "arch=$(uname -m)"'
	console_text | grep -qx "arch=riscv64"
	vm_run 'echo "init=$(cat /proc/1/comm) cpus=$(grep -c ^processor /proc/cpuinfo)"'
	console_text | grep -qx "init=init cpus=1"
	# A failing command reports its status through the shell.
	local rc=0
	vm_run "false" >/dev/null || rc=$?
	[ "$rc" -eq 1 ]
	# Plain poweroff: busybox signals PID 1 (our /init), which powers off.
	vm_power_off poweroff
}

@test "guest: write a file on the virtio-blk ext4 disk, reboot, read it back" {
	[ -z "${KEEL_ASAN:-}" ] || skip "boot tests run in the release pass; see the all-devices test"
	local disk=$BATS_TEST_TMPDIR/disk.ext4 token
	cp "$KEEL_GUEST_DISK" "$disk"
	token=persist-$RANDOM$RANDOM

	vm_boot_to_shell --disk "$disk"
	vm_run "mount -t ext4 /dev/vda /mnt"
	vm_run 'echo "hello=$(cat /mnt/keel/hello.txt)"'
	console_text | grep -qx "hello=keel-disk-ok"
	vm_run "echo $token > /mnt/keel/note.txt && umount /mnt"

	# The machine restarts in place: same keel-vm process, same disk.
	vm_send "reboot"
	vm_wait_count "KEEL-GUEST-SHELL" 2
	vm_run "mount -t ext4 /dev/vda /mnt"
	vm_run 'echo "note=$(cat /mnt/keel/note.txt)"'
	console_text | grep -qx "note=$token"
	vm_run "umount /mnt"
	vm_power_off

	# The host sees the file too, and the filesystem is clean.
	[ "$(debugfs -R "cat /keel/note.txt" "$disk" 2>/dev/null)" = "$token" ]
	e2fsck -fn "$disk" >/dev/null
}

@test "guest: read-only disk (--disk FILE,ro) refuses writes" {
	[ -z "${KEEL_ASAN:-}" ] || skip "boot tests run in the release pass; see the all-devices test"
	local disk=$BATS_TEST_TMPDIR/disk.ext4 before rc=0
	cp "$KEEL_GUEST_DISK" "$disk"
	before=$(sha256sum <"$disk")
	vm_boot_to_shell --disk "$disk,ro"
	vm_run 'echo "ro=$(cat /sys/block/vda/ro)"'
	console_text | grep -qx "ro=1"
	vm_run "mount -t ext4 -o ro /dev/vda /mnt"
	vm_run 'echo "hello=$(cat /mnt/keel/hello.txt)"'
	console_text | grep -qx "hello=keel-disk-ok"
	vm_run "dd if=/dev/zero of=/dev/vda bs=512 count=1 conv=fsync 2>/dev/null" >/dev/null || rc=$?
	[ "$rc" -ne 0 ]
	vm_run "umount /mnt"
	vm_power_off
	[ "$(sha256sum <"$disk")" = "$before" ]
}

@test "guest: slirp DHCP, ping the gateway, reach a host server and a hostfwd" {
	[ -z "${KEEL_ASAN:-}" ] || skip "boot tests run in the release pass; see the all-devices test"
	local host_port fwd_port token got i
	{ read -r host_port && read -r fwd_port; } < <(free_port 2)
	token=$RANDOM$RANDOM
	# The host server answers every connection with a greeting.
	socat TCP-LISTEN:"$host_port",bind=127.0.0.1,reuseaddr,fork \
		SYSTEM:"echo host-greeting-$token" 3>&- &
	HOST_PIDS+=($!)
	wait_for_listener "$host_port"

	vm_start "console=ttyS0 quiet" --net "user,hostfwd=tcp:127.0.0.1:$fwd_port-:8080"
	vm_wait "KEEL-GUEST-SHELL"
	console_text | grep -q "KEEL-GUEST-DHCP ip=10.0.2.15 router=10.0.2.2"
	vm_run 'ip -4 route | grep -q "default via 10.0.2.2"'
	vm_run "ping -c 1 -W 10 10.0.2.2 >/dev/null"

	vm_run "nc 10.0.2.2 $host_port </dev/null > /tmp/from-host"
	vm_run 'echo "got=$(cat /tmp/from-host)"'
	console_text | grep -qx "got=host-greeting-$token"

	# Guest listener behind the hostfwd; the host connects to 127.0.0.1.
	vm_send "(echo guest-greeting-$token | nc -l -p 8080 >/dev/null) &"
	vm_run "until netstat -ltn | grep -q ':8080 '; do sleep 0.1; done"
	got=
	for i in $(seq 1 30); do
		got=$(timeout 10 socat -u TCP:127.0.0.1:"$fwd_port" STDOUT 2>/dev/null | tr -d '\r') || true
		[ -z "$got" ] || break
		sleep 1
	done
	[ "$got" = "guest-greeting-$token" ]
	vm_power_off
}

@test "guest: virtio-rng feeds /dev/hwrng" {
	[ -z "${KEEL_ASAN:-}" ] || skip "boot tests run in the release pass; see the all-devices test"
	vm_boot_to_shell
	vm_run 'echo "rng=$(cat /sys/class/misc/hw_random/rng_current)"'
	console_text | grep -qE "^rng=virtio_rng"
	vm_run 'a=$(head -c 32 /dev/hwrng | od -An -tx1 | tr -d " \n"); b=$(head -c 32 /dev/hwrng | od -An -tx1 | tr -d " \n"); echo "hw=${#a}:${#b}:$([ "$a" != "$b" ] && echo differ)"'
	console_text | grep -qx "hw=64:64:differ"
	vm_power_off
}

# One non-interactive boot through every device, small enough for the ASan
# build: the script comes base64-encoded on the kernel command line.
@test "guest: all devices in one scripted boot (keel.run)" {
	local disk=$BATS_TEST_TMPDIR/disk.ext4 port token script
	cp "$KEEL_GUEST_DISK" "$disk"
	port=$(free_port)
	token=$RANDOM$RANDOM
	socat TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr,fork SYSTEM:"echo host-$token" 3>&- &
	HOST_PIDS+=($!)
	wait_for_listener "$port"
	script=$(
		cat <<-EOF
			set -e
			mount -t ext4 /dev/vda /mnt
			echo "disk=\$(cat /mnt/keel/hello.txt)"
			echo "$token" > /mnt/keel/run.txt
			umount /mnt
			echo "net=\$(nc 10.0.2.2 $port </dev/null)"
			echo "rng=\$(head -c 16 /dev/hwrng | od -An -tx1 | tr -d ' \n' | wc -c)"
			exit 7
		EOF
	)
	vm_start "console=ttyS0 quiet keel.run=$(printf '%s\n' "$script" | base64 -w0)" \
		--disk "$disk" --net user
	vm_wait_exit
	console_text | grep -a -E '^(disk|net|rng|KEEL-)' || true
	[ "$VM_STATUS" -eq 0 ]
	console_text | grep -qx "disk=keel-disk-ok"
	console_text | grep -qx "net=host-$token"
	console_text | grep -qx "rng=32"
	console_text | grep -qx "KEEL-RUN-EXIT=7"
	[ "$(debugfs -R "cat /keel/run.txt" "$disk" 2>/dev/null)" = "$token" ]
}

@test "guest: boots through Debian's OpenSBI (--bios fw_dynamic.bin)" {
	[ -z "${KEEL_ASAN:-}" ] || skip "boot tests run in the release pass; see the all-devices test"
	[ -f "$OPENSBI" ] || skip "opensbi not installed"
	local script='echo "sbi=$(dmesg | grep -o "SBI specification v[0-9.]*" | head -1)"'
	vm_start "console=ttyS0 keel.net=off keel.run=$(printf '%s\n' "$script" | base64 -w0)" \
		--bios "$OPENSBI"
	vm_wait_exit
	console_text | grep -a -E '^(OpenSBI|sbi=|KEEL-)' || true
	[ "$VM_STATUS" -eq 0 ]
	console_text | grep -q "^OpenSBI v"
	console_text | grep -qE "^sbi=SBI specification v[0-9]"
	console_text | grep -qx "KEEL-RUN-EXIT=0"
}
