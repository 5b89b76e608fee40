#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What every lab (docs/labs/) starts from, run as root inside the test VM
# (`make vm`): etp.ko loaded, two namespaces A (198.18.0.1) and B
# (198.18.0.2) joined by veth, and short timers so a lab takes seconds:
# msl_ms 1000 (TIME_WAIT lasts 2 s), and an RTO of 1 s however fast the
# round trip (rto_min_ms), so retransmissions are easy to watch.
set -u

LAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export PATH=$LAB_TOP/build/bin:$LAB_TOP/tools/python:$PATH
A_IP=198.18.0.1
B_IP=198.18.0.2

lab_setup() {
	local ko=$LAB_TOP/build/kmod/$(uname -r)/etp.ko ns

	[[ -d /sys/module/etp ]] || insmod "$ko" || exit 1
	ip netns del A 2>/dev/null
	ip netns del B 2>/dev/null
	ip netns add A && ip netns add B || exit 1
	ip link add veth0 netns A type veth peer name veth0 netns B
	ip -n A addr add $A_IP/24 dev veth0
	ip -n B addr add $B_IP/24 dev veth0
	for ns in A B; do
		ip -n $ns link set lo up
		ip -n $ns link set veth0 up
		etpctl -n $ns param set msl_ms 1000 rto_initial_ms 1000 \
			rto_min_ms 1000 >/dev/null
	done
}

lab_cleanup() {
	[[ -n ${LAB_TRACE:-} ]] && kill "$LAB_TRACE" 2>/dev/null
	ip netns del A 2>/dev/null
	ip netns del B 2>/dev/null
}

# lab_trace FILE [FILTER...]: `etpctl -n A trace peer B` into FILE, in the
# background, until lab_trace_end; returns once it listens.
lab_trace() {
	local file=$1 i

	shift
	etpctl -n A trace peer B "$@" >"$file" 2>"$file.err" &
	LAB_TRACE=$!
	for i in $(seq 50); do
		grep -q listening "$file.err" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "lab: trace did not start: $(cat "$file.err")" >&2
	return 1
}

lab_trace_end() {
	sleep "${1:-1}"
	kill -INT "$LAB_TRACE" 2>/dev/null
	wait "$LAB_TRACE" 2>/dev/null
	LAB_TRACE=
}

# The id of B's end of A:SPORT -> B:PORT.
lab_b_id() {
	etpctl -n B -j show port "$2" |
		jq -r --arg r "$A_IP:$1" '.[] | select(.remote == $r) | .id'
}

# say TEXT: what comes next, as the lab sheet says it.
say() { printf '\n## %s\n' "$*"; }
