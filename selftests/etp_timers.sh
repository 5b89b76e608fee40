#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel side of the timer wheel: an idle module makes no wakeups, a
# batch of timers armed through the test hook (etp_testctl) all fire, none early and none
# later than the wheel's bound (plus VM scheduling slack), and netns
# deletion and rmmod with timers still pending are clean (the VM runner
# fails the run on any KASAN, DEBUG_OBJECTS or kmemleak report).
source "$(dirname "$0")/lib.sh"

require_root
require_cmd jq
etp_unload
etp_load

# Scheduling slack of a TCG guest on a loaded 2-core host, in ms.
SLACK_MS=${SLACK_MS:-250}

ns_create A
w0=$(etp_stat "$A" timer_wakeups)
i0=$(etpctl -j stats | jq .timer_wakeups)
sleep 10
check "idle netns: no wheel wakeups in 10 s" \
	[ "$(etp_stat "$A" timer_wakeups)" = "$w0" ]
check "idle init netns: no wheel wakeups in 10 s" \
	[ "$(etpctl -j stats | jq .timer_wakeups)" = "$i0" ]

# wait_fired NS COUNT: poll the test batch until every timer fired.
wait_fired() {
	local i

	for i in $(seq 1 100); do
		[[ $(ip netns exec "$1" etp_testctl timers | jq .fired) == "$2" ]] &&
			return 0
		sleep 0.2
	done
	return 1
}

ip netns exec "$A" etp_testctl timers 3000 2000 >/dev/null
check "3000 timers armed" [ "$(etp_stat "$A" timers_armed)" = 3000 ]
check "3000 timers fired within 20 s" wait_fired "$A" 3000
report=$(ip netns exec "$A" etp_testctl timers)
log "batch: $report"
check "none fired early" [ "$(jq .early <<<"$report")" = 0 ]
check "none later than bound + ${SLACK_MS} ms" \
	[ "$(jq .late_max_ms <<<"$report")" -le "$SLACK_MS" ]
check "timers_fired counter matches" \
	[ "$(etp_stat "$A" timers_fired)" = 3000 ]
w1=$(etp_stat "$A" timer_wakeups)
check "wakeups far fewer than timers (tickless batching): $w1" \
	[ "$w1" -gt 0 -a "$w1" -lt 3000 ]
sleep 3
check "no wakeups once the wheel is empty" \
	[ "$(etp_stat "$A" timer_wakeups)" = "$w1" ]

# Teardown with pending timers: netns deletion, then rmmod.
ns_create B C
ip netns exec "$B" etp_testctl timers 2000 600000 >/dev/null
ip netns exec "$C" etp_testctl timers 2000 600000 >/dev/null
check "netns deleted with 2000 pending timers" ip netns del "$B"
check "rmmod with 2000 pending timers in a live netns" rmmod etp
check "module gone" bash -c '! [ -d /sys/module/etp ]'

exit $ret
