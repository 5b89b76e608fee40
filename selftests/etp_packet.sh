#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Packet-exact tests, packetdrill's way: the peer is the test. Each case gets
# a fresh namespace with a tun device (198.18.1.1/24; the peer 198.18.1.2
# lives behind it), and etp_pkt plays a script against etp.ko: it injects
# crafted segments and checks every field of what comes back, or that
# nothing does. Around each script: the exact counter deltas, and the exact
# state transitions of the connection from `etpctl -j monitor`.
# Sequence numbers in scripts are relative (see etp_pkt.c): seq 0 is the
# sender's SYN. The expected replies are docs/protocol.md's, section given.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd jq join
etp_load
[[ -c /dev/net/tun ]] || modprobe tun 2>/dev/null
if ! [[ -c /dev/net/tun ]]; then
	echo "SKIP: no /dev/net/tun"
	exit $ksft_skip
fi

LOCAL=198.18.1.1
PEER=198.18.1.2
MPORT=8000	# the module's port
TPORT=40000	# the test's

# Run inside the scripts' `exec` steps (bash -c, in the tun's netns). They
# read etpctl's text output with bash alone: one process per call.

# pkt_conn: "ID STATE" of the connection with the peer's port, if any.
pkt_conn() {
	local id state local remote _

	while read -r id state local remote _; do
		if [[ $remote == "$PEER:$TPORT" ]]; then
			echo "$id $state"
			return
		fi
	done < <(etpctl show port $TPORT)
}

pkt_id() {
	local c

	c=$(pkt_conn)
	echo "${c%% *}"
}

pkt_state() {
	local c

	c=$(pkt_conn)
	[[ ${c#* } == "$1" ]] && return 0
	echo "state '${c#* }', want $1" >&2
	return 1
}

pkt_gone() {
	[[ -z $(pkt_conn) ]] && return 0
	echo "connection still there:" >&2
	etpctl show >&2
	return 1
}
export -f pkt_conn pkt_id pkt_state pkt_gone
export PEER TPORT

# tun_ns: fresh netns T with a long RTO, so that nothing is retransmitted
# unless a case asks for it. etp_pkt -a creates tun0 there and configures
# it: brought up with its reader attached, the tun transmits at once (a
# persistent tun brought up first waits for linkwatch, up to a second).
tun_ns() {
	ns_create T || return 1
	ip netns exec "$T" etpctl param set rto_initial_ms 10000 rto_min_ms 10000 ||
		return 1
	MT=$ETP_TMP/mon.$T
	mon_start "$T" "$MT"
}

# pkt_case DESC WANT_COUNTERS WANT_TRANSITIONS < SCRIPT: play SCRIPT against
# a fresh namespace; then the counters must have moved by exactly
# WANT_COUNTERS and the connection $LOCAL:$MPORT <-> $PEER:$TPORT must have
# made exactly WANT_TRANSITIONS ("" if it must never have existed).
pkt_case() {
	local desc=$1 want=$2 trans=$3 script before out rc id

	script=$(cat)
	if ! tun_ns; then
		check_fail "$desc: set-up"
		return
	fi
	before=$(etp_stats_snapshot "$T")
	out=$(ip netns exec "$T" etp_pkt -a -i tun0 -f - <<<"$script" 2>&1)
	rc=$?
	if ((rc == 0)); then
		check_ok "$desc: script"
	else
		check_fail "$desc: script"
		sed 's/^/    /' <<<"$out"
	fi
	check_delta "$desc: counters" "$T" "$before" "$want"
	mon_sync "$T" "$MT"
	id=$(mon_id "$MT" "$LOCAL:$MPORT" "$PEER:$TPORT")
	check_eq "$desc: events" "$([[ -n $id ]] && mon_trans "$MT" "$id")" "$trans"
	ns_del "$T"
}

# The passive open every ESTABLISHED case starts from (4.3, 4.5 step 5).
OPEN='
exec etpctl listen 8000
inject SYN seq 0 mss 1400
expect SYN|ACK seq 0 ack 1 win 65535 mss 1460
inject ACK seq 1 ack 1
expect-none 200
exec pkt_state ESTABLISHED'
OPEN_COUNT=$'passive_opens 1\nestablished 1'
OPEN_TRANS="LISTEN->SYN_RCVD SYN_RCVD->ESTABLISHED"

# --- opening ---------------------------------------------------------------------

pkt_case "active open" \
	$'active_opens 1\nestablished 1\nin_segs 1\nout_segs 2' \
	"CLOSED->SYN_SENT SYN_SENT->ESTABLISHED" <<'EOF'
exec etpctl connect 198.18.1.2 40000 sport 8000 >/dev/null
expect SYN seq 0 ack 0 win 65535 mss 1460 wscale 3
exec pkt_state SYN_SENT
inject SYN|ACK seq 0 ack 1 mss 1400
expect ACK seq 1 ack 1 win 65535
expect-none 300
exec pkt_state ESTABLISHED
EOF

pkt_case "passive open" \
	$'in_segs 2\nout_segs 1\n'"$OPEN_COUNT" "$OPEN_TRANS" <<<"$OPEN"

# 4.4 step 3: SYN_SENT + SYN without ACK -> SYN_RCVD, SYN|ACK with our ISS.
pkt_case "simultaneous open, completed by an ACK" \
	$'active_opens 1\nestablished 1\nin_segs 2\nout_segs 2' \
	"CLOSED->SYN_SENT SYN_SENT->SYN_RCVD SYN_RCVD->ESTABLISHED" <<'EOF'
exec etpctl connect 198.18.1.2 40000 sport 8000 >/dev/null
expect SYN seq 0 ack 0 mss 1460 wscale 3
inject SYN seq 0 mss 1400
expect SYN|ACK seq 0 ack 1 win 65535 mss 1460
exec pkt_state SYN_RCVD
inject ACK seq 1 ack 1
expect-none 300
exec pkt_state ESTABLISHED
EOF

# 4.5 step 0: the peer's SYN|ACK (seq = IRS) completes it, nothing sent.
pkt_case "simultaneous open, completed by the peer's SYN|ACK" \
	$'active_opens 1\nestablished 1\nin_segs 2\nout_segs 2' \
	"CLOSED->SYN_SENT SYN_SENT->SYN_RCVD SYN_RCVD->ESTABLISHED" <<'EOF'
exec etpctl connect 198.18.1.2 40000 sport 8000 >/dev/null
expect SYN seq 0 ack 0 mss 1460 wscale 3
inject SYN seq 0 mss 1400
expect SYN|ACK seq 0 ack 1 mss 1460
inject SYN|ACK seq 0 ack 1 mss 1400
expect-none 300
exec pkt_state ESTABLISHED
EOF

# 4.5 step 0: a retransmitted SYN in SYN_RCVD gets the SYN|ACK at once.
pkt_case "SYN retransmitted in SYN_RCVD: SYN|ACK again" \
	$'established 1\nin_segs 3\nout_segs 2\npassive_opens 1\nretransmits 1' \
	"$OPEN_TRANS" <<'EOF'
exec etpctl listen 8000
inject SYN seq 0 mss 1400
expect SYN|ACK seq 0 ack 1 mss 1460
inject SYN seq 0 mss 1400
expect SYN|ACK seq 0 ack 1 mss 1460
inject ACK seq 1 ack 1
expect-none 300
exec pkt_state ESTABLISHED
EOF

# 4.5 step 2: a passive child reset at RCV.NXT goes back to its listener,
# announced as SYN_RCVD -> CLOSED (docs/netlink.md); the listener stays.
pkt_case "RST at RCV.NXT in SYN_RCVD: the child is freed, the listener stays" \
	$'attempt_fails 1\nin_segs 2\nout_segs 1\npassive_opens 1\nresets_in 1' \
	"LISTEN->SYN_RCVD SYN_RCVD->CLOSED" <<'EOF'
exec etpctl listen 8000
inject SYN seq 0 mss 1400
expect SYN|ACK seq 0 ack 1 mss 1460
inject RST seq 1
expect-none 300
exec pkt_gone
exec [[ $(etpctl -j show state LISTEN | jq length) == 1 ]]
EOF

# 4.5 step 4: an in-window SYN with another ISN: the peer restarted.
pkt_case "new SYN in SYN_RCVD: the child is freed silently" \
	$'attempt_fails 1\ndrop_syn_synced 1\nin_segs 2\nout_segs 1\npassive_opens 1' \
	"LISTEN->SYN_RCVD SYN_RCVD->CLOSED" <<'EOF'
exec etpctl listen 8000
inject SYN seq 0 mss 1400
expect SYN|ACK seq 0 ack 1 mss 1460
inject SYN seq 100 mss 1400
expect-none 300
exec pkt_gone
EOF

# docs/netlink.md UNLISTEN: handshakes in progress are reset (4.6 abort in
# SYN_RCVD: <SEQ=SND.NXT><CTL=RST>).
pkt_case "UNLISTEN resets a handshake in progress" \
	$'attempt_fails 1\nin_segs 1\nout_segs 2\npassive_opens 1\nresets_out 1' \
	"LISTEN->SYN_RCVD SYN_RCVD->CLOSED" <<'EOF'
exec etpctl listen 8000
inject SYN seq 0 mss 1400
expect SYN|ACK seq 0 ack 1 mss 1460
exec etpctl unlisten 8000
expect RST seq 1 ack =0
expect-none 300
exec pkt_gone
EOF

# docs/netlink.md: a SYN beyond the backlog is dropped, listen_overflow.
pkt_case "SYN beyond the backlog: dropped, listen_overflow" \
	$'in_segs 2\nlisten_overflow 1\nout_segs 1\npassive_opens 1' \
	"LISTEN->SYN_RCVD" <<'EOF'
exec etpctl listen 8000 backlog 1
inject SYN seq 0 mss 1400
expect SYN|ACK seq 0 ack 1 mss 1460
inject SYN seq 0 mss 1400 sport 40001
expect-none 500
exec [[ $(etpctl -j show state LISTEN | jq '.[0].queue') == 1 ]]
EOF

# 5: FIN_WAIT_2 limit: <SEQ=SND.NXT><CTL=RST>, CLOSED, timed out.
pkt_case "FIN_WAIT_2 limit: RST, then gone, counted as a timeout" \
	$'established 1\nin_segs 3\nout_segs 3\npassive_opens 1\nresets_out 1\ntimeouts 1' \
	"$OPEN_TRANS ESTABLISHED->FIN_WAIT_1 FIN_WAIT_1->FIN_WAIT_2 FIN_WAIT_2->CLOSED" <<EOF
exec etpctl param set fin_wait2_ms 2000
$OPEN
exec etpctl close \$(pkt_id)
expect FIN|ACK seq 1 ack 1
inject ACK seq 1 ack 2
expect-none 500
expect RST seq 2 ack =0 within 10000
expect-none 300
exec pkt_gone
EOF

# 5: SYN retransmissions (rto 200, then 400) and giving up at 1400 ms
# without a RST: the peer was never heard from. (When exactly: etp_conn.sh
# checks that with the events' timestamps.)
pkt_case "SYN retransmitted syn_retries times, then given up silently" \
	$'active_opens 1\nattempt_fails 1\nout_segs 3\nretransmits 2\ntimeouts 1' \
	"CLOSED->SYN_SENT SYN_SENT->CLOSED" <<'EOF'
exec etpctl param set rto_initial_ms 200 syn_retries 2
exec etpctl connect 198.18.1.2 40000 sport 8000 >/dev/null
expect SYN seq 0 ack 0 mss 1460 wscale 3
expect SYN seq 0 ack 0 mss 1460 wscale 3 within 3000
expect SYN seq 0 ack 0 mss 1460 wscale 3 within 3000
exec for i in $(seq 100); do pkt_gone 2>/dev/null && exit 0; sleep 0.1; done; exit 1
expect-none 500
EOF

# --- RST and SYN validation (RFC 5961, RFC 1337) -------------------------------------

# 4.5 step 2: SEG.SEQ = RCV.NXT resets; the ACK field of a RST is ignored.
pkt_case "RST exactly at RCV.NXT resets" \
	$'estab_resets 1\nin_segs 3\nout_segs 1\nresets_in 1\n'"$OPEN_COUNT" \
	"$OPEN_TRANS ESTABLISHED->CLOSED" <<EOF
$OPEN
inject RST seq 1
expect-none 300
exec pkt_gone
EOF

pkt_case "RST|ACK at RCV.NXT with any ack resets" \
	$'estab_resets 1\nin_segs 3\nout_segs 1\nresets_in 1\n'"$OPEN_COUNT" \
	"$OPEN_TRANS ESTABLISHED->CLOSED" <<EOF
$OPEN
inject RST|ACK seq 1 ack 12345
expect-none 300
exec pkt_gone
EOF

# 4.5 step 2: in the window but not exact: challenge ACK
# <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, state unchanged.
pkt_case "RST in the window, not at RCV.NXT: challenge ACK" \
	$'challenge_acks 1\ndrop_rst_invalid 1\nin_segs 3\nout_segs 2\n'"$OPEN_COUNT" \
	"$OPEN_TRANS" <<EOF
$OPEN
inject RST seq 1001
expect ACK seq 1 ack 1 win 65535
expect-none 300
exec pkt_state ESTABLISHED
EOF

# 4.5 step 1: not acceptable at all: dropped silently.
pkt_case "RST outside the window (after, before): dropped, nothing sent" \
	$'drop_rst_invalid 2\nin_segs 4\nout_segs 1\n'"$OPEN_COUNT" \
	"$OPEN_TRANS" <<EOF
$OPEN
inject RST seq 70000
expect-none 300
inject RST seq 0
expect-none 300
exec pkt_state ESTABLISHED
EOF

# 4.5 steps 1 and 4: any SYN in a synchronized state, in the window or the
# old one again: challenge ACK, state unchanged. One answer to unacceptable
# segments per invalid_ratelimit_ms (2 s here, so a slow VM cannot blur
# it): the second SYN is not answered (replies_ratelimited); 2 s after the
# first answer, the third is.
pkt_case "SYN in ESTABLISHED: challenge ACK, one per invalid_ratelimit_ms" \
	$'challenge_acks 2\ndrop_syn_synced 3\nin_segs 5\nout_segs 3\nreplies_ratelimited 1\n'"$OPEN_COUNT" \
	"$OPEN_TRANS" <<EOF
exec etpctl param set invalid_ratelimit_ms 2000
$OPEN
inject SYN seq 500 mss 1400
expect ACK seq 1 ack 1 win 65535
inject SYN seq 0 mss 1400
expect-none 2100
inject SYN seq 0 mss 1400
expect ACK seq 1 ack 1 win 65535
expect-none 300
exec pkt_state ESTABLISHED
EOF

# Section 0 of the verification issue, packet by packet: ten octets at the
# peer's SND.NXT are taken and ACKed; a pure ACK that is then old (the real
# sender's, which knows nothing of the ten) is answered once, and the same
# ACK again soon after is not: the ACK storm of two desynchronised ends is
# bounded by invalid_ratelimit_ms (500 ms by default; 2 s here so that a
# slow VM cannot blur it; etp_storm.sh runs the real storm at the default).
pkt_case "forged data then old ACKs: one answer per interval, no storm" \
	$'bytes_in 10\ndelayed_acks 1\nin_segs 6\nout_segs 3\nreplies_ratelimited 2\ndrop_out_of_window 3\n'"$OPEN_COUNT" \
	"$OPEN_TRANS" <<EOF
exec etpctl param set invalid_ratelimit_ms 2000
$OPEN
inject ACK seq 1 ack 1 payload 10
expect ACK seq 1 ack 11 win 65525
inject ACK seq 1 ack 1
expect ACK seq 1 ack 11
inject ACK seq 1 ack 1
inject ACK seq 1 ack 1
expect-none 300
exec pkt_state ESTABLISHED
EOF

# 4.5 step 2 (RFC 1337), step 1 (the FIN again), step 4 (no reuse).
pkt_case "TIME_WAIT: RST ignored, FIN re-ACKed, SYN challenged" \
	$'challenge_acks 1\ndrop_rst_time_wait 1\ndrop_syn_synced 1\nin_segs 7\nout_segs 5\n'"$OPEN_COUNT" \
	"$OPEN_TRANS ESTABLISHED->FIN_WAIT_1 FIN_WAIT_1->FIN_WAIT_2 FIN_WAIT_2->TIME_WAIT" <<EOF
$OPEN
exec etpctl close \$(pkt_id)
expect FIN|ACK seq 1 ack 1 win 65535
inject ACK seq 1 ack 2
expect-none 200
exec pkt_state FIN_WAIT_2
inject FIN|ACK seq 1 ack 2
expect ACK seq 2 ack 2
exec pkt_state TIME_WAIT
inject RST seq 2
expect-none 300
exec pkt_state TIME_WAIT
inject FIN|ACK seq 1 ack 2
expect ACK seq 2 ack 2
inject SYN seq 10 mss 1400
expect ACK seq 2 ack 2
expect-none 300
exec pkt_state TIME_WAIT
EOF

# --- no connection, listeners (4.3) -------------------------------------------------

pkt_case "SYN to a port with no listener: RST|ACK seq 0 ack SEG.SEQ+1" \
	$'drop_no_connection 1\nin_segs 1\nout_segs 1\nresets_out 1' "" <<'EOF'
inject SYN seq 0 mss 1400 dport 8000
expect RST|ACK seq =0 ack 1 win 0
expect-none 300
EOF

pkt_case "SYN with 10 octets to no listener: ack covers SEG.LEN" \
	$'drop_no_connection 1\nin_segs 1\nout_segs 1\nresets_out 1' "" <<'EOF'
inject SYN seq 0 payload 10
expect RST|ACK seq =0 ack 11 win 0
expect-none 300
EOF

pkt_case "ACK to no connection: RST seq SEG.ACK" \
	$'drop_no_connection 1\nin_segs 1\nout_segs 1\nresets_out 1' "" <<'EOF'
inject ACK seq 5 ack =123456
expect RST seq =123456 ack =0 win 0
expect-none 300
EOF

pkt_case "RST, RST|ACK to a closed port: nothing sent" \
	$'drop_no_connection 2\nin_segs 2' "" <<'EOF'
inject RST seq 0
expect-none 500
inject RST|ACK seq 0 ack =77
expect-none 300
EOF

pkt_case "ACK to a listener: RST seq SEG.ACK" \
	$'drop_bad_ack 1\nin_segs 1\nout_segs 1\nresets_out 1' "" <<'EOF'
exec etpctl listen 8000
inject ACK seq 1 ack =5555
expect RST seq =5555 ack =0 win 0
expect-none 300
exec pkt_gone
EOF

# --- data (docs/protocol.md section 8) -------------------------------------------

# RFC 5681 4.2 (RFC 1122 4.2.3.2): one segment waits for the delayed-ACK
# timer, the second full-sized one is ACKed at once. The timer is set to
# its longest, 500 ms (40 by default), in these cases, so that "at once"
# and "delayed" stay far apart even when the VM stalls for tens of ms.
DELACK='exec etpctl param set delack_ms 500'
pkt_case "data in order: delayed ACK, then an ACK every second full segment" \
	$'bytes_in 3020\ndelayed_acks 1\nin_segs 5\nout_segs 3\n'"$OPEN_COUNT" \
	"$OPEN_TRANS" <<EOF
$DELACK
$OPEN
inject ACK seq 1 ack 1 payload 100
expect-none 250
expect ACK seq 1 ack 101 within 2000
inject ACK seq 101 ack 1 payload 1460
inject ACK seq 1561 ack 1 payload 1460
expect ACK seq 1 ack 3021 within 250
expect-none 700
EOF

# RFC 5681 4.2: out-of-order data is ACKed at once (a duplicate ACK), and
# so is the segment that fills the gap; RFC 9293 3.10.7.4: a duplicate is
# ACKed at once and delivered once.
pkt_case "out of order: duplicate ACK at once, gap filled, duplicate dropped" \
	$'bytes_in 200\nooo_queued 1\nin_segs 6\nout_segs 5\ndrop_out_of_window 1\n'"$OPEN_COUNT" \
	"$OPEN_TRANS ESTABLISHED->CLOSE_WAIT" <<EOF
$DELACK
$OPEN
inject ACK seq 101 ack 1 payload 100
expect ACK seq 1 ack 1 within 250
inject ACK seq 1 ack 1 payload 100
expect ACK seq 1 ack 201 within 250
inject ACK seq 1 ack 1 payload 100
expect ACK seq 1 ack 201 within 250
inject FIN|ACK seq 201 ack 1
expect ACK seq 1 ack 202 within 1000
exec [[ \$(etpctl recv \$(pkt_id) | wc -c) == 200 ]]
EOF

# The module's data: segments of the peer's MSS (1400), the last one
# pushed; Nagle (RFC 1122 4.2.3.4) holds the short tail while full ones
# are unacknowledged; RFC 6298 5.4: the oldest unacknowledged segment is
# retransmitted when the RTO (rto_min_ms, measured RTT aside) expires.
pkt_case "sending: MSS segments, Nagle, retransmission on timeout" \
	$'bytes_out 3200\ndata_segs_out 4\nin_segs 4\nout_segs 5\nretransmits 1\nrto_expired 1\n'"$OPEN_COUNT" \
	"$OPEN_TRANS" <<EOF
exec etpctl param set rto_min_ms 1000
$OPEN
exec head -c 3000 /dev/zero | etpctl send \$(pkt_id)
expect ACK seq 1 ack 1 payload 1400
expect ACK seq 1401 ack 1 payload 1400
expect-none 100
inject ACK seq 1 ack 2801
expect ACK|PSH seq 2801 ack 1 payload 200 within 400
expect ACK|PSH seq 2801 ack 1 payload 200 within 5000
inject ACK seq 1 ack 3001
expect-none 500
EOF

# csum_offload leaves the sum to the device (CHECKSUM_PARTIAL); a tun
# without offloads cannot, so dev_queue_xmit() sums in software, and the
# segments read here (etp_pkt checks every checksum) are whole.
pkt_case "sending with csum_offload: a tun gets whole checksums" \
	$'bytes_out 1000\ndata_segs_out 1\nin_segs 3\nout_segs 2\n'"$OPEN_COUNT" \
	"$OPEN_TRANS" <<EOF
exec etpctl param set csum_offload 1
$OPEN
exec head -c 1000 /dev/zero | etpctl send \$(pkt_id)
expect ACK|PSH seq 1 ack 1 payload 1000
inject ACK seq 1 ack 1001
expect-none 200
EOF

# --- ICMP (RFC 5927 checks; RFC 1122 4.2.3.9; RFC 1191) ------------------------------

# The peer has no etp: a connect fails at once with ENOPROTOOPT (as TCP's
# would: icmp_err_convert() in net/ipv4/icmp.c).
pkt_case "ICMP protocol unreachable fails a connect at once" \
	$'active_opens 1\nattempt_fails 1\nicmp_in 1\nout_segs 1' \
	"CLOSED->SYN_SENT SYN_SENT->CLOSED" <<'EOF'
exec (etpctl connect 198.18.1.2 40000 sport 8000 wait >/dev/null 2>/tmp/etp-icmp.err; echo $? >/tmp/etp-icmp.rc) &
expect SYN seq 0 ack 0 mss 1460 wscale 3
icmp unreach-proto
exec for i in $(seq 100); do [[ -s /tmp/etp-icmp.rc ]] && break; sleep 0.1; done; cat /tmp/etp-icmp.err; [[ $(cat /tmp/etp-icmp.rc) == 2 ]] && grep -q "Protocol not available" /tmp/etp-icmp.err
exec pkt_gone
EOF
rm -f /tmp/etp-icmp.err /tmp/etp-icmp.rc

pkt_case "ICMP quoting a sequence number never sent: ignored" \
	$'active_opens 1\nicmp_in 1\nicmp_ignored 1\nout_segs 1' \
	"CLOSED->SYN_SENT" <<'EOF'
exec etpctl connect 198.18.1.2 40000 sport 8000 >/dev/null
expect SYN seq 0 ack 0 mss 1460 wscale 3
icmp unreach-proto seq 1000
expect-none 300
exec pkt_state SYN_SENT
EOF

# Fragmentation needed with next-hop MTU 1000: segments of 1000 - 40
# octets from then on, and what was sent larger is sent again at once, in
# segments of the new size (a retransmission: Nagle does not hold its
# short tail). The RTO is held at 1 s or more so that "at once" cannot be
# mistaken for a retransmission on timeout.
pkt_case "ICMP fragmentation needed lowers the segment size" \
	$'bytes_out 2800\ndata_segs_out 3\nicmp_in 1\nin_segs 3\nout_segs 4\npmtu_updates 1\nretransmits 2\n'"$OPEN_COUNT" \
	"$OPEN_TRANS" <<EOF
exec etpctl param set rto_min_ms 1000
$OPEN
exec head -c 1400 /dev/zero | etpctl send \$(pkt_id)
expect ACK|PSH seq 1 ack 1 payload 1400
icmp frag-needed 1000
expect ACK seq 1 ack 1 payload 960 within 400
expect ACK|PSH seq 961 ack 1 payload 440 within 400
inject ACK seq 1 ack 1401
expect-none 300
EOF

# --- malformed segments: dropped before any lookup, never answered (2.3) ------------

# malformed DESC COUNTER INJECT_ARGS: a SYN to a listener, broken one way.
malformed() {
	pkt_case "malformed: $1: nothing sent" $'in_segs 1\n'"$2 1" "" <<EOF
exec etpctl listen 8000
inject SYN seq 0 mss 1400 $3
expect-none 500
exec pkt_gone
EOF
}

malformed "12 octets" drop_short "len 12"
malformed "19 octets" drop_short "len 19"
malformed "bad checksum" drop_bad_checksum "bad-csum"
malformed "data offset 4" drop_bad_offset "hdr-off 4"
malformed "data offset past the end" drop_bad_offset "hdr-off 15"
malformed "version 2" drop_bad_version "version 2"
malformed "version 0" drop_bad_version "version 0"

# Flag combinations need their own FLAGS word.
badflags() {
	pkt_case "malformed: $1: nothing sent" $'drop_bad_flags 1\nin_segs 1' "" <<EOF
exec etpctl listen 8000
inject $1 seq 0
expect-none 500
exec pkt_gone
EOF
}

badflags "SYN|FIN"
badflags "SYN|RST"
badflags "RST|FIN"
badflags "0x42"

exit $ret
