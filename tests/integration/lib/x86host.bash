# Harness of the cgroup2_*.bats suites: this machine is hybrid, so they boot a
# throwaway x86_64 Linux under QEMU (scripts/x86-host.sh) with cgroup2 at
# /sys/fs/cgroup, run one shell script there, and each test checks one
# "CHECK name ok" line of its log. Load with `load lib/x86host`.
#
#   x86host_begin ARGS...   bundle with process.args ARGS; starts the script
#                           ($X86_SCRIPT) with K (keel), B (bundle), check()
#                           and the cgroup tree before any container
#   cat >>"$X86_SCRIPT" ... the suite's scenarios
#   x86host_run TIMEOUT     adds the nothing_left check, boots, logs to $CG2_LOG

bats_require_minimum_version 1.5.0

x86host_begin() {
	umask 022 # the bundle is read by the guest's containers, as in lib/container
	X86_REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	X86_KEEL=${KEEL_BUILD:-$X86_REPO/build}/keel
	X86_BUNDLE=$BATS_FILE_TMPDIR/bundle
	X86_SCRIPT=$BATS_FILE_TMPDIR/inside.sh
	export CG2_LOG=$BATS_FILE_TMPDIR/host.log
	"$X86_REPO/scripts/make-bundle.sh" "$X86_BUNDLE" "$@" >/dev/null
	cat >"$X86_SCRIPT" <<INSIDE
K=$X86_KEEL
B=$X86_BUNDLE
INSIDE
	cat >>"$X86_SCRIPT" <<'INSIDE'
check() { if eval "$2"; then echo "CHECK $1 ok"; else echo "CHECK $1 FAIL"; fi; }
before=$(find /sys/fs/cgroup -type d | sort)
INSIDE
}

x86host_run() {
	cat >>"$X86_SCRIPT" <<'INSIDE'
after=$(find /sys/fs/cgroup -type d | sort)
check nothing_left '[ "$before" = "$after" ]'
[ "$before" = "$after" ] || diff <(echo "$before") <(echo "$after")
INSIDE
	KEEL_X86_HOST_TIMEOUT=$1 "$X86_REPO/scripts/x86-host.sh" "$X86_SCRIPT" \
		"$X86_KEEL" "$X86_BUNDLE" >"$CG2_LOG" 2>&1 || true
}

# Passes when the run logged "CHECK NAME ok"; else shows the whole log.
expect_ok() {
	grep -q "^CHECK $1 ok" "$CG2_LOG" || {
		cat "$CG2_LOG" >&2
		return 1
	}
}
