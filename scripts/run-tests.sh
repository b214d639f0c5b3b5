#!/usr/bin/env bash
# Runs every suite this machine can run and ends with one line
# "N passed, N failed[, N skipped]".
#
# Stages (each prints TAP as it goes):
#   unit         cmocka suites of build/ (release) and build-asan/ (ASan+UBSan)
#   integration  bats suites in tests/integration against build/ and build-asan/
#   fuzz         each libFuzzer target for a bounded time (when built)
# Select stages with KEEL_TEST_STAGES="unit integration" and bats files with
# KEEL_TEST_FILTER=<regex on file name>.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

stages=${KEEL_TEST_STAGES:-unit integration fuzz}
filter=${KEEL_TEST_FILTER:-.}
passed=0 failed=0 skipped=0
failures=()

# Reads TAP on stdin, echoes it with a label, and tallies.
tally() {
	local label=$1 line ok=0 bad=0
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		"ok "*"# skip"* | "ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
		"ok "*) passed=$((passed + 1)); ok=$((ok + 1)) ;;
		"not ok "*) failed=$((failed + 1)); bad=$((bad + 1)); failures+=("$label: ${line#not ok }") ;;
		esac
	done
	LAST_OK=$ok LAST_BAD=$bad
}

# Runs a TAP producer; a crash or non-zero exit with no failing test line
# still counts as one failure, so a suite cannot fail silently.
run_tap() {
	local label=$1
	shift
	local out rc
	out=$(mktemp)
	"$@" >"$out" 2>&1
	rc=$?
	tally "$label" <"$out"
	rm -f "$out"
	if [ $rc -ne 0 ] && [ "$LAST_BAD" -eq 0 ]; then
		echo "not ok - $label exited with status $rc"
		failed=$((failed + 1))
		failures+=("$label: exited with status $rc")
	fi
}

run_unit() {
	local dir=$1 exe
	for exe in "$dir"/tests/unit/test-*; do
		[ -x "$exe" ] && [ -f "$exe" ] || continue
		echo "# unit $(basename "$exe") ($(basename "$dir"))"
		run_tap "$(basename "$dir")/$(basename "$exe")" env CMOCKA_MESSAGE_OUTPUT=TAP "$exe"
	done
}

run_integration() {
	local dir=$1 f
	for f in tests/integration/*.bats; do
		[ -f "$f" ] || continue
		[[ $(basename "$f") =~ $filter ]] || continue
		echo "# integration $(basename "$f") ($(basename "$dir"))"
		run_tap "$(basename "$dir")/$(basename "$f")" env KEEL_BUILD="$root/$dir" \
			timeout 1200 bats --tap "$f"
	done
}

run_fuzz() {
	local exe
	for exe in build-fuzz/tests/fuzz/fuzz-*; do
		[ -x "$exe" ] && [ -f "$exe" ] || continue
		local name corpus
		name=$(basename "$exe")
		corpus=tests/fuzz/corpus/${name#fuzz-}
		echo "# fuzz $name"
		local work
		work=$(mktemp -d)
		if "$exe" -max_total_time="${KEEL_FUZZ_SECONDS:-60}" -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$work/" "$work" "$corpus" >"$work/log" 2>&1; then
			echo "ok - $name ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/log" |
				tail -1 | awk '{print $2}') runs; $(grep -oE 'cov: [0-9]+' "$work/log" | tail -1))"
			passed=$((passed + 1))
		else
			tail -30 "$work/log"
			echo "not ok - $name found a crash"
			failed=$((failed + 1))
			failures+=("fuzz: $name")
		fi
		rm -rf "$work"
	done
}

for stage in $stages; do
	case $stage in
	unit) run_unit build; run_unit build-asan ;;
	integration) run_integration build; KEEL_ASAN=1 run_integration build-asan ;;
	fuzz) run_fuzz ;;
	esac
done

if [ ${#failures[@]} -gt 0 ]; then
	echo "# failures:"
	printf '#   %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
