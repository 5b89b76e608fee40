#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The receive path validates before it looks anything up: each malformed
# segment is dropped and counted under its own reason, in the namespace that
# received it and nowhere else. Deltas are exact: a stray segment or a
# double count fails the test.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd jq join
etp_load

ns_create A B
veth_pair "$A" 198.18.0.1 "$B" 198.18.0.2

inject() {
	ip netns exec "$A" etp_inject -s 198.18.0.1 -d 198.18.0.2 "$@"
}

# expect_drop DESC EXPECTED_DELTA_IN_B INJECT_ARGS...
expect_drop() {
	local desc=$1 want=$2 a0 b0 i0 a1 b1 i1 got

	shift 2
	a0=$(etp_stats_snapshot "$A")
	b0=$(etp_stats_snapshot "$B")
	i0=$(etpctl stats)
	inject "$@" || { check_fail "$desc: inject"; return; }
	sleep 0.2
	a1=$(etp_stats_snapshot "$A")
	b1=$(etp_stats_snapshot "$B")
	i1=$(etpctl stats)
	got=$(stats_delta "$b0" "$b1")
	if [[ $got != "$(sort <<<"$want")" ]]; then
		check_fail "$desc: receiver counted [$got], want [$want]"
	elif [[ -n $(stats_delta "$a0" "$a1") ]]; then
		check_fail "$desc: sender's netns counted $(stats_delta "$a0" "$a1")"
	elif [[ -n $(stats_delta "$i0" "$i1") ]]; then
		check_fail "$desc: init netns counted $(stats_delta "$i0" "$i1")"
	else
		check_ok "$desc"
	fi
}

expect_drop "bad checksum" $'in_segs 1\ndrop_bad_checksum 1' -c
expect_drop "too short (12 bytes)" $'in_segs 1\ndrop_short 1' -t 12
expect_drop "empty segment" $'in_segs 1\ndrop_short 1' -t 1
expect_drop "data offset below header" $'in_segs 1\ndrop_bad_offset 1' -o 4
expect_drop "data offset past the end" $'in_segs 1\ndrop_bad_offset 1' -o 15
expect_drop "unknown version" $'in_segs 1\ndrop_bad_version 1' -v 2
expect_drop "SYN+FIN" $'in_segs 1\ndrop_bad_flags 1' -f SYN,FIN
expect_drop "three bad checksums" $'in_segs 3\ndrop_bad_checksum 3' -c -n 3

exit $ret
