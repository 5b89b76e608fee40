#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The etp demo, run inside the test VM by `make demo`: load etp.ko, ask it
# what it is, then open and close one connection between two network
# namespaces while `etpctl monitor` prints every state change, so the three
# segments of the handshake and the four of the close can be read off the
# state events. TIME_WAIT is shortened (msl_ms) so the demo can show it end.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export PATH=$top/build/bin:$PATH
ko=$top/build/kmod/$(uname -r)/etp.ko
msl_ms=1000

say() { printf '\n### %s\n' "$*"; }

# Both namespaces' monitors write to files; show_events prints what came
# in since the last call, in timestamp order (one CLOCK_MONOTONIC for all).
events=$(mktemp -d)
shown=0
show_events() {
	local all

	sleep 0.5
	all=$(cat "$events"/* | sort -t']' -k1,1 -s)
	tail -n +$((shown + 1)) <<<"$all"
	shown=$(wc -l <<<"$all")
}

cleanup() {
	local pid

	for pid in $(jobs -p); do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip netns del etp-a 2>/dev/null || true
	ip netns del etp-b 2>/dev/null || true
	rm -rf "$events"
}
trap cleanup EXIT

say "insmod etp.ko"
insmod "$ko"
grep -H . /sys/module/etp/parameters/proto
etpctl info

say "two namespaces joined by veth: etp-a 198.18.0.1 <-> etp-b 198.18.0.2"
ip netns add etp-a
ip netns add etp-b
ip link add veth-a netns etp-a type veth peer name veth-b netns etp-b
ip -n etp-a addr add 198.18.0.1/24 dev veth-a
ip -n etp-b addr add 198.18.0.2/24 dev veth-b
for ns in etp-a etp-b; do
	ip -n "$ns" link set lo up
	ip netns exec "$ns" etpctl param set msl_ms "$msl_ms"
done
ip -n etp-a link set veth-a up
ip -n etp-b link set veth-b up

ip netns exec etp-a etpctl monitor | sed -u 's/] /] etp-a  /' >"$events/a" &
ip netns exec etp-b etpctl monitor | sed -u 's/] /] etp-b  /' >"$events/b" &
sleep 1

# The segments themselves, from the etp:etp_segment_out tracepoint.
tr=/sys/kernel/tracing
[[ -d $tr/events ]] || mount -t tracefs nodev "$tr" 2>/dev/null || true
tracing=0
if [[ -d $tr/events/etp ]]; then
	echo 0 >"$tr/tracing_on"
	echo >"$tr/trace"
	echo 1 >"$tr/events/etp/etp_segment_out/enable"
	echo 1 >"$tr/tracing_on"
	tracing=1
fi

say "etp-b listens on port 7000; etp-a connects (SYN, SYN|ACK, ACK)"
ip netns exec etp-b etpctl listen 7000 >/dev/null
id=$(ip netns exec etp-a etpctl connect 198.18.0.2 7000 wait)
show_events

say "etpctl show: the connection on both sides"
ip netns exec etp-a etpctl show
ip netns exec etp-b etpctl show

say "etp-a closes (FIN, ACK): half-closed, etp-b may still send"
ip netns exec etp-a etpctl close "$id"
show_events
say "etp-b closes too (FIN, ACK)"
bid=$(ip netns exec etp-b etpctl -j show state close_wait |
	jq -r '.[0].id')
ip netns exec etp-b etpctl close "$bid"
show_events
ip netns exec etp-a etpctl show state time_wait
say "TIME_WAIT lasts 2 x msl_ms = $((2 * msl_ms)) ms, then the entry is gone"
sleep $((2 * msl_ms / 1000))
show_events

if ((tracing)); then
	say "the segment ladder (tracepoint etp:etp_segment_out)"
	echo 0 >"$tr/tracing_on"
	sed -n 's/.* \([0-9.]*\): etp_segment_out: /[\1] /p' "$tr/trace"
fi

say "counters in etp-a"
ip netns exec etp-a etpctl stats | grep -v ' 0$'

say "Lab 3 (docs/labs/3-time-wait.md): why TIME_WAIT lasts 2 x MSL, as etpctl trace draws it"
"$top/tools/labs/3-time-wait.sh"
