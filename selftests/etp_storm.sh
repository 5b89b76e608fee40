#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Section 0 of the verification issue: one forged, in-window 10-byte
# segment injected into an ESTABLISHED connection between two namespaces,
# at the real sender's SND.NXT. The receiver takes it and ACKs octets the
# sender never sent; the sender answers that ACK (RFC 5961 5.2), the
# receiver finds the answer old and answers it, and so on. With the
# per-connection limit on answers to unacceptable segments
# (invalid_ratelimit_ms, default 500) the exchange costs a few segments a
# second; without it (0) it is the storm, measured here too so that the
# test shows what the limit prevents.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd jq
etp_load

A_IP=198.18.0.1
B_IP=198.18.0.2

ns_create A B
veth_pair "$A" $A_IP "$B" $B_IP

# child_up PORT: B's end of A:PORT+1000 -> B:PORT is ESTABLISHED (sets CB).
child_up() {
	CB=$(conn_find "$B" "$B_IP:$1" "$A_IP:$(($1 + 1000))")
	[[ -n $CB ]] && state_is "$B" "$CB" ESTABLISHED
}

# pair PORT: a connection A:PORT+1000 -> B:PORT. Sets CA, CB (the ids).
pair() {
	nsx "$B" etpctl listen "$1" || return 1
	CA=$(nsx "$A" etpctl connect $B_IP "$1" sport $(($1 + 1000)) wait) ||
		return 1
	wait_until 10 child_up "$1"
}

# forge PORT: ten forged octets "from A" at A's SND.NXT into B.
forge() {
	local port=$1 seq

	seq=$(conn_json "$A" "$CA")
	nsx "$A" etp_inject -s $A_IP -d $B_IP -S $((port + 1000)) -D "$port" \
		-q "$(jq .seq.snd_nxt <<<"$seq")" -a "$(jq .seq.rcv_nxt <<<"$seq")" \
		-f ACK -l 10
}

# segs NS: segments NS has sent so far.
segs() { etp_stat "$1" out_segs; }

# --- with the default limit: a handful of segments, then quiet ------------------
pair 7000 || check_fail "set-up: connection"
a0=$(segs "$A") b0=$(segs "$B")
forge 7000 || check_fail "set-up: forged segment"
sleep 3
a1=$(segs "$A") b1=$(segs "$B")
n=$((a1 - a0 + b1 - b0))
log "limited: $n segments in 3 s from the forged one on (A $((a1 - a0)), B $((b1 - b0)))"
# At most one answer per 500 ms on each side: 2 x 6 in 3 s, plus slack.
check "at least the forged exchange, at most 16 segments in 3 s: $n" \
	[ "$n" -ge 3 -a "$n" -le 16 ]
held=$(($(etp_stat "$A" replies_ratelimited) + $(etp_stat "$B" replies_ratelimited)))
check "answers were held back (replies_ratelimited): $held" [ "$held" -gt 0 ]
check_eq "A still ESTABLISHED" "$(conn_state "$A" "$CA")" ESTABLISHED
check_eq "B still ESTABLISHED" "$(conn_state "$B" "$CB")" ESTABLISHED
nsx "$A" etpctl abort "$CA"
nsx "$B" etpctl abort "$CB" 2>/dev/null

# --- without it: the storm, stopped by an abort ---------------------------------
nsx "$A" etpctl param set invalid_ratelimit_ms 0
nsx "$B" etpctl param set invalid_ratelimit_ms 0
pair 7001 || check_fail "set-up: second connection"
forge 7001 || check_fail "set-up: forged segment"
a0=$(segs "$A") b0=$(segs "$B")
sleep 1
a1=$(segs "$A") b1=$(segs "$B")
n=$((a1 - a0 + b1 - b0))
log "unlimited: $n segments in 1 s"
check "without the limit it is a storm (over 1000 segments a second): $n" \
	[ "$n" -gt 1000 ]
nsx "$A" etpctl abort "$CA"
nsx "$B" etpctl abort "$CB" 2>/dev/null
sleep 0.5
a0=$(segs "$A") b0=$(segs "$B")
sleep 1
check_eq "an abort ends it" "$(($(segs "$A") - a0 + $(segs "$B") - b0))" 0

exit $ret
