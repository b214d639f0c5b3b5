#!/usr/bin/env bats
# keel-vm's virtio-blk against a hostile bare-metal driver
# (vm_virtio_hostile.c): proper requests work, every forbidden queue layout
# leaves the device in DEVICE_NEEDS_RESET and keel-vm alive, and no byte is
# written outside guest RAM (the KEEL_ASAN=1 run checks the host side).
# Also: --disk and --net mistakes give one clear line.

bats_require_minimum_version 1.5.0

load lib/vm # free_port

# Builds a bare-metal guest from here with the ISA tests' library.
build_guest() {
	local src=$1 out=$2 cross=${CROSS_COMPILE:-riscv64-linux-gnu-}
	local common
	common=$(cd "$BATS_TEST_DIRNAME/../guest/common" && pwd)
	"${cross}gcc" -march=rv64gc -mabi=lp64d -mcmodel=medany -O2 -std=gnu11 -ffreestanding \
		-fno-builtin -fno-pie -fno-stack-protector -fno-common -fno-asynchronous-unwind-tables \
		-nostdlib -nostartfiles -static -no-pie -T "$common/link.ld" -Wl,--build-id=none \
		-Wl,--no-warn-rwx-segments -I"$common" -o "$out" "$BATS_TEST_DIRNAME/$src" \
		"$common"/*.c "$common"/*.S \
		"$("${cross}gcc" -march=rv64gc -mabi=lp64d -print-libgcc-file-name)"
}

setup_file() {
	export KEEL_VM=${KEEL_BUILD:?KEEL_BUILD must name a build directory}/keel-vm
	command -v "${CROSS_COMPILE:-riscv64-linux-gnu-}gcc" >/dev/null || return 0
	export GUEST_ELF=$BATS_FILE_TMPDIR/virtio_hostile.elf
	export NET_GUEST_ELF=$BATS_FILE_TMPDIR/virtio_net.elf
	build_guest vm_virtio_hostile.c "$GUEST_ELF"
	build_guest vm_virtio_net_guest.c "$NET_GUEST_ELF"
}

setup() {
	[ -x "$KEEL_VM" ] || skip "no keel-vm in $KEEL_BUILD"
	DISK=$BATS_TEST_TMPDIR/disk.img
	# option errors come before the kernel is run, but it must be a real one
	KERNEL=${GUEST_ELF:-}
	[ -f "$KERNEL" ] || skip "no riscv64 cross compiler"
	# 1 MiB; sector 0 starts "KEELDISK" and ends with '!'; sector 1 is zero.
	truncate -s 1M "$DISK"
	printf 'KEELDISK' | dd of="$DISK" conv=notrunc status=none
	printf '!' | dd of="$DISK" bs=1 seek=511 conv=notrunc status=none
}

teardown() {
	if [ -n "${HOLDER_PID:-}" ]; then
		kill "$HOLDER_PID" 2>/dev/null || true
		wait "$HOLDER_PID" 2>/dev/null || true
	fi
	if [ -n "${VM_PID:-}" ]; then
		kill "$VM_PID" 2>/dev/null || true
		wait "$VM_PID" 2>/dev/null || true
	fi
	rm -f "$BATS_TEST_TMPDIR/disk.img"
}


# Waits (bounded) until file contains text or the VM died.
wait_for() {
	local file=$1 text=$2 i
	for ((i = 0; i < 600; i++)); do
		grep -q "$text" "$file" && return 0
		# it may have printed the text just before exiting
		kill -0 "$VM_PID" 2>/dev/null || { grep -q "$text" "$file"; return; }
		sleep 0.5
	done
	return 1
}

run_guest() {
	[ -n "${GUEST_ELF:-}" ] && [ -f "$GUEST_ELF" ] || skip "no riscv64 cross compiler"
	# the console is stdout; keel-vm's warnings about the guest go to stderr
	run --separate-stderr timeout 300 "$KEEL_VM" -m 64M --kernel "$GUEST_ELF" --disk "$@" </dev/null
	echo "$output"
	echo "$stderr"
}

@test "hostile virtio-blk driver: refused queues need reset, keel-vm survives" {
	run_guest "$DISK"
	[ "$status" -eq 0 ]
	[[ $output == *"PASS virtio_hostile"* ]]
	[[ $output != *FAIL* ]]
	# every hostile case was reached, and each was reported on the host
	[ "$(grep -c '^# hostile:' <<<"$output")" -eq 13 ]
	[ "$(grep -c 'device needs reset' <<<"$stderr")" -eq 13 ]
	# the proper write landed in sector 1, and nowhere else
	[ "$(dd if="$DISK" bs=1 skip=512 count=10 status=none)" = HOSTILE-OK ]
	[ "$(dd if="$DISK" bs=1 count=8 status=none)" = KEELDISK ]
	[ "$(dd if="$DISK" bs=512 skip=2 status=none | tr -d '\0' | wc -c)" -eq 0 ]
}

@test "read-only disk: the guest's write fails with IOERR and the image is unchanged" {
	local before
	before=$(sha256sum <"$DISK")
	run_guest "$DISK,ro"
	[ "$status" -eq 0 ]
	[[ $output == *"PASS virtio_hostile"* ]]
	[ "$(sha256sum <"$DISK")" = "$before" ]
}

@test "--disk with a missing file: one line naming the file" {
	run --separate-stderr "$KEEL_VM" --kernel "$KERNEL" --disk "$BATS_TEST_TMPDIR/nope.img"
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *"$BATS_TEST_TMPDIR/nope.img"* ]]
	[[ $stderr == *"No such file"* ]]
}

@test "--disk with an unknown option: one line naming it" {
	run --separate-stderr "$KEEL_VM" --kernel "$KERNEL" --disk "$DISK,bogus"
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *bogus* ]]
}

@test "bad --net specs: one line each" {
	local spec
	for spec in bridge "user,hostfwd=tcp:127.0.0.1:99999-:22" "user,hostfwd=sctp::1-:2" \
		tap "user,mac=01:00:00:00:00:01"; do
		run --separate-stderr "$KEEL_VM" --kernel "$KERNEL" --net "$spec"
		echo "$spec -> $status: $stderr"
		[ "$status" -ne 0 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ $stderr == *"--net"* ]]
	done
}

@test "user networking: ARP to the gateway; tcp and udp host forwards reach the guest" {
	local port uport out=$BATS_TEST_TMPDIR/console
	port=$(free_port)
	uport=$(free_port)
	"$KEEL_VM" -m 64M --kernel "$NET_GUEST_ELF" \
		--net "user,hostfwd=tcp:127.0.0.1:$port-:2222,hostfwd=udp:127.0.0.1:$uport-:2223" \
		</dev/null >"$out" 2>&1 &
	VM_PID=$!
	wait_for "$out" KEEL-NET-READY || { cat "$out"; false; }
	# slirp accepts on the host side and sends the guest a SYN for port 2222
	exec 5<>"/dev/tcp/127.0.0.1/$port" # (bats owns fd 3)
	echo datagram >"/dev/udp/127.0.0.1/$uport"
	wait_for "$out" KEEL-NET-SYN || { cat "$out"; false; }
	wait_for "$out" KEEL-NET-UDP || { cat "$out"; false; }
	exec 5>&-
	local status=0
	wait "$VM_PID" || status=$?
	VM_PID=
	cat "$out"
	[ "$status" -eq 0 ]
	grep -q "PASS virtio_net" "$out"
}

@test "user networking: a host port already taken gives one line" {
	local port
	# the holder listens on a port of its choosing until killed; the file
	# naming that port appears once it listens
	python3 -c 'import os,socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen()
open(sys.argv[1] + ".tmp", "w").write("%d\n" % s.getsockname()[1]); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True: time.sleep(3600)' "$BATS_TEST_TMPDIR/holding" 3>&- &
	HOLDER_PID=$!
	local deadline=$((SECONDS + 300))
	until [ -e "$BATS_TEST_TMPDIR/holding" ]; do
		kill -0 "$HOLDER_PID" && [ $SECONDS -lt $deadline ] || { echo "the holder did not listen"; false; }
		sleep 0.1
	done
	port=$(cat "$BATS_TEST_TMPDIR/holding")
	run --separate-stderr timeout 300 "$KEEL_VM" --kernel "$KERNEL" --net "user,hostfwd=tcp:127.0.0.1:$port-:22"
	kill "$HOLDER_PID"
	wait "$HOLDER_PID" 2>/dev/null || true
	echo "$stderr"
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *"$port"* ]]
}
