#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the etp selftests (inside the test VM, as root) and print TAP, the way
# kselftest's runner does: one "ok"/"not ok" line per program, its output
# prefixed with "# ", exit code 4 meaning skip, and a per-test timeout taken
# from ./settings (or $ETP_TEST_TIMEOUT). Usage: run_tests.sh [TEST ...] (default: all TEST_PROGS).
set -u

here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 1

timeout=${ETP_TEST_TIMEOUT:-$(sed -n 's/^timeout=//p' settings)}
mapfile -t all < <(make -s --no-print-directory print-tests)
tests=("${@:-${all[@]}}")

echo "TAP version 13"
echo "1..${#tests[@]}"
pass=0 fail=0 skip=0 n=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	start=$(date +%s.%N)
	timeout --foreground -k 10 "$timeout" "./$t" 2>&1 | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")
	case $rc in
	0)	pass=$((pass + 1)); echo "ok $n selftests: etp: $t # ${secs}s" ;;
	4)	skip=$((skip + 1)); echo "ok $n selftests: etp: $t # SKIP" ;;
	124)	fail=$((fail + 1))
		echo "not ok $n selftests: etp: $t # TIMEOUT ${timeout}s" ;;
	*)	fail=$((fail + 1)); echo "not ok $n selftests: etp: $t # exit=$rc" ;;
	esac
done
echo "# vm selftests: $pass passed, $fail failed, $skip skipped"
[[ $fail -eq 0 ]]
