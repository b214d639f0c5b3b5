# Shared helpers of the keel-vm suites (vm_*.bats). Load with `load lib/vm`.
#   - assert_one_error_line: keel-vm's one-line errors (all suites)
#   - booting the project's own guest (scripts/build-guest.sh) and driving
#     its busybox shell over the console through a fifo (vm_guest.bats,
#     vm_console.bats): the suite's setup_file, setup and teardown call
#     vm_guest_setup_file, vm_guest_setup and vm_guest_teardown.

bats_require_minimum_version 1.5.0

# Generous: only there so that a hung guest fails instead of blocking CI.
WAIT_SECONDS=${KEEL_GUEST_WAIT:-300}

# After `run`: the error went to stderr as one line starting "keel-vm: "
# and holding $1 (if given), with a failure status that is not 124 (a
# timeout(1) that fired).
assert_one_error_line() {
	local pattern=${1:-}
	[ "$status" -ne 0 ] && [ "$status" -ne 124 ] || {
		echo "expected failure, got status $status: $output"
		return 1
	}
	[ "${#lines[@]}" -eq 1 ] || {
		echo "expected one line, got: $output"
		return 1
	}
	[[ "$output" == "keel-vm: "* ]] || {
		echo "no keel-vm: prefix: $output"
		return 1
	}
	[[ "$output" == *"$pattern"* ]] || {
		echo "'$output' lacks '$pattern'"
		return 1
	}
}

vm_guest_setup_file() {
	local root
	root=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	export KEEL_VM=${KEEL_BUILD:-$root/build}/keel-vm
	# Cached: seconds once built (the first build takes 15-25 minutes).
	local artifacts
	artifacts=$("$root/scripts/build-guest.sh")
	eval "$artifacts"
	export KEEL_GUEST_KERNEL KEEL_GUEST_INITRAMFS KEEL_GUEST_DISK
}

vm_guest_setup() {
	[ -x "$KEEL_VM" ] || {
		echo "no keel-vm binary at $KEEL_VM" >&2
		return 1
	}
	VM_PID="" VM_IN="" VM_SEQ=0 VM_COUNT=0
	HOST_PIDS=()
}

vm_guest_teardown() {
	vm_kill
	local pid
	for pid in "${HOST_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$BATS_TEST_TMPDIR"/vm* "$BATS_TEST_TMPDIR"/disk.ext4
}

# --- driving the guest over its console --------------------------------------

# Boots the guest with --append "$1" and the remaining keel-vm arguments;
# its console input is a fifo kept open on $VM_IN, its output $VM_DIR/console.
vm_start() {
	local append=$1
	shift
	VM_COUNT=$((VM_COUNT + 1))
	VM_DIR=$BATS_TEST_TMPDIR/vm$VM_COUNT
	mkdir -p "$VM_DIR"
	mkfifo "$VM_DIR/input"
	# fd 3 is bats' own output: a background child must not hold it.
	"$KEEL_VM" --kernel "$KEEL_GUEST_KERNEL" --initrd "$KEEL_GUEST_INITRAMFS" \
		--append "$append" "$@" <"$VM_DIR/input" >"$VM_DIR/console" 2>&1 3>&- &
	VM_PID=$!
	exec {VM_IN}>"$VM_DIR/input"
}

vm_console_tail() {
	echo "--- guest console (last 40 lines) ---"
	tail -n 40 "$VM_DIR/console" | tr -d '\r'
	echo "---"
}

# Waits until the console shows a line matching the extended regex $1.
vm_wait() {
	local pattern=$1 deadline=$((SECONDS + WAIT_SECONDS))
	while ! grep -aqE "$pattern" "$VM_DIR/console"; do
		if ! kill -0 "$VM_PID" 2>/dev/null; then
			echo "keel-vm exited while waiting for /$pattern/"
			vm_console_tail
			return 1
		fi
		if [ $SECONDS -ge $deadline ]; then
			echo "no /$pattern/ on the console after ${WAIT_SECONDS}s"
			vm_console_tail
			return 1
		fi
		sleep 0.2
	done
}

# Waits until the console shows $2 lines matching the extended regex $1.
vm_wait_count() {
	local pattern=$1 count=$2 deadline=$((SECONDS + WAIT_SECONDS))
	while [ "$(grep -acE "$pattern" "$VM_DIR/console")" -lt "$count" ]; do
		if ! kill -0 "$VM_PID" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
			echo "fewer than $count /$pattern/ lines on the console"
			vm_console_tail
			return 1
		fi
		sleep 0.2
	done
}

vm_send() { printf '%s\n' "$1" >&"$VM_IN"; }

# Runs a shell command line in the guest and waits for it to finish; returns
# its exit status. The end marker is built by the guest ($((...))), so the
# echo of the typed line can never match it.
vm_run() {
	VM_SEQ=$((VM_SEQ + 1))
	vm_send "$1; echo \"KEEL-END-$VM_SEQ-\$?-\$((6*7))\""
	vm_wait "KEEL-END-$VM_SEQ-[0-9]+-42" || return 1
	local status
	status=$(grep -aoE "KEEL-END-$VM_SEQ-[0-9]+-42" "$VM_DIR/console" | head -1 | cut -d- -f4)
	[ "$status" -eq 0 ] || {
		echo "guest command failed with status $status: $1"
		vm_console_tail
	}
	return "$status"
}

# Waits for keel-vm to exit; sets VM_STATUS.
vm_wait_exit() {
	local deadline=$((SECONDS + WAIT_SECONDS))
	while kill -0 "$VM_PID" 2>/dev/null; do
		if [ $SECONDS -ge $deadline ]; then
			echo "keel-vm still running after ${WAIT_SECONDS}s"
			vm_console_tail
			return 1
		fi
		sleep 0.2
	done
	VM_STATUS=0
	wait "$VM_PID" || VM_STATUS=$?
	VM_PID=
	exec {VM_IN}>&-
	VM_IN=
}

vm_kill() {
	if [ -n "${VM_PID:-}" ]; then
		kill "$VM_PID" 2>/dev/null || true
		wait "$VM_PID" 2>/dev/null || true
		VM_PID=
	fi
	if [ -n "${VM_IN:-}" ]; then
		exec {VM_IN}>&-
		VM_IN=
	fi
}

# Boots to the interactive shell.
vm_boot_to_shell() {
	vm_start "console=ttyS0 quiet" "$@"
	vm_wait "KEEL-GUEST-SHELL"
	vm_run "true"
}

# Powers the guest off ("poweroff -f" unless told otherwise).
vm_power_off() {
	vm_send "${1:-poweroff -f}"
	vm_wait_exit
	[ "$VM_STATUS" -eq 0 ] || {
		echo "keel-vm exited with status $VM_STATUS after the guest powered off"
		vm_console_tail
		return 1
	}
}

# The console with carriage returns removed.
console_text() { tr -d '\r' <"$VM_DIR/console"; }

# free_port [N]: N (default 1) distinct TCP ports free on 127.0.0.1 now,
# one a line. Chosen below the kernel's ephemeral range: a port from bind(0)
# is one the kernel also hands to outgoing connections (slirp's own, for
# one), so it could be taken again before our server or hostfwd binds it.
free_port() {
	python3 -c 'import random, socket, sys
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
socks = []
while len(socks) < int(sys.argv[1]):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", random.randrange(10000, max(low, 10001))))
    except OSError:
        s.close()
        continue
    socks.append(s)
print("\n".join(str(s.getsockname()[1]) for s in socks))' "${1:-1}"
}

# wait_for_listener PORT: until something listens on TCP PORT (a server
# started in the background), bounded by WAIT_SECONDS.
wait_for_listener() {
	local deadline=$((SECONDS + WAIT_SECONDS))
	until [ -n "$(ss -Htln "sport = :$1")" ]; do
		if [ $SECONDS -ge $deadline ]; then
			echo "nothing listens on port $1 after ${WAIT_SECONDS}s"
			return 1
		fi
		sleep 0.1
	done
}
