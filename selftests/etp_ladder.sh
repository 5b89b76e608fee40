#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `etpctl trace`, the segment ladder from the "segments" multicast group,
# for a scripted exchange between two namespaces (open, close from A, close
# from B, TIME_WAIT's end), in each of its forms: JSON lines (every event,
# each side's in order, relative sequence numbers), the text ladder (whole,
# times aside), the SVG picture (well formed, every arrow and label) and
# the pcap (read back by tshark through etp's dissector).
source "$(dirname "$0")/lib.sh"

require_root
require_cmd etpctl jq tshark python3
etp_load

A_IP=198.18.0.1
B_IP=198.18.0.2
LUA=$ETP_TOP/tools/wireshark/etp.lua

ns_create A B
veth_pair "$A" $A_IP "$B" $B_IP
# A long RTO: no retransmission may slip into the ladder on a slow VM.
for ns in "$A" "$B"; do
	nsx "$ns" etpctl param set msl_ms 300 rto_initial_ms 10000 \
		rto_min_ms 10000 >/dev/null
done
nsx "$B" etpctl listen 7000

# exchange SPORT: the script, with pauses longer than a burst's quiet time
# (300 ms) between its steps, so the text ladder's bursts are always the
# same four.
exchange() {
	local id bid

	id=$(nsx "$A" etpctl connect $B_IP 7000 sport "$1" wait)
	sleep 1
	nsx "$A" etpctl close "$id"
	wait_state "$A" "$id" FIN_WAIT_2 5
	sleep 1
	bid=$(nsx "$B" etpctl -j show port 7000 |
		jq -r --arg r "$A_IP:$1" '.[] | select(.remote == $r) | .id')
	nsx "$B" etpctl close "$bid"
	wait_gone "$A" "$id" 5
	sleep 1
}

# trace FILE ARGS...: `etpctl $OPTS trace ARGS` on A, into FILE, while the
# exchange runs; ends it with SIGINT.
trace() {
	local file=$1 pid

	shift
	# Not through nsx: $! must be etpctl itself (ip netns exec execs it),
	# not a subshell, which would ignore SIGINT as a background job.
	# shellcheck disable=SC2086  # OPTS: zero or more words
	ip netns exec "$A" etpctl ${OPTS:-} trace "$@" \
		>"$file" 2>"$file.err" &
	pid=$!
	wait_until 5 grep -q listening "$file.err" ||
		check_fail "trace $*: not listening: $(cat "$file.err")"
	exchange "$SPORT"
	kill -INT $pid
	wait $pid
	check_eq "trace $*: exit status" $? 0
	SPORT=$((SPORT + 1))
}
SPORT=42000

# --- JSON: every event of both sides ----------------------------------------------
OPTS=-j trace "$ETP_TMP/t.json" peer "$B" port 42000
per_side() {
	jq -r --arg s "$1" 'select(.side == $s) |
		if .timer then "timer \(.timer) \(.state)"
		else "\(.dir) \(.flags) \(.rel_seq) \(.rel_ack) \(.state)" end' \
		"$ETP_TMP/t.json" | paste -sd,
}
check_eq "JSON: A's events" "$(per_side local)" \
"out SYN 0 null SYN_SENT,in SYN|ACK 0 1 ESTABLISHED,out ACK 1 1 ESTABLISHED,\
out FIN|ACK 1 1 FIN_WAIT_1,in ACK 1 2 FIN_WAIT_2,in FIN|ACK 1 2 TIME_WAIT,\
out ACK 2 2 TIME_WAIT,timer time_wait CLOSED"
check_eq "JSON: B's events" "$(per_side peer)" \
"in SYN 0 null SYN_RCVD,out SYN|ACK 0 1 SYN_RCVD,in ACK 1 1 ESTABLISHED,\
in FIN|ACK 1 1 CLOSE_WAIT,out ACK 1 2 CLOSE_WAIT,out FIN|ACK 1 2 LAST_ACK,\
in ACK 2 2 CLOSED"
check_eq "JSON: times go forward on each side" \
	"$(jq -s '[group_by(.side)[] | [.[].t] | . == sort] | all' "$ETP_TMP/t.json")" \
	true
check_eq "JSON: ids, addresses and ports" \
	"$(jq -r '"\(.side) \(.local) \(.remote)"' "$ETP_TMP/t.json" | sort -u | paste -sd,)" \
	"local $A_IP:42000 $B_IP:7000,peer $B_IP:7000 $A_IP:42000"

# --- the text ladder, whole, times aside ------------------------------------------
trace "$ETP_TMP/t.txt" peer "$B" port 42001
got=$(cut -c9- "$ETP_TMP/t.txt" | sed 's/ *$//')
want=$(cat <<'EOF'
        198.18.0.1:42001                                             198.18.0.2:7000
        CLOSED  |                                                           | LISTEN
      SYN_SENT  |--SYN 0----------------------.                             |
                |                             '---------------------------->| SYN_RCVD
                |                             .-----------SYN|ACK 0 ack 1---|
   ESTABLISHED  |<----------------------------'                             |
                |--ACK 1 ack 1----------------.                             |
                |                             '---------------------------->| ESTABLISHED
                |                                                           |

        198.18.0.1:42001                                             198.18.0.2:7000
   ESTABLISHED  |                                                           | ESTABLISHED
    FIN_WAIT_1  |--FIN|ACK 1 ack 1------------.                             |
                |                             '---------------------------->| CLOSE_WAIT
                |                             .---------------ACK 1 ack 2---|
    FIN_WAIT_2  |<----------------------------'                             |
                |                                                           |

        198.18.0.1:42001                                             198.18.0.2:7000
    FIN_WAIT_2  |                                                           | CLOSE_WAIT
                |                             .-----------FIN|ACK 1 ack 2---| LAST_ACK
     TIME_WAIT  |<----------------------------'                             |
                |--ACK 2 ack 2----------------.                             |
                |                             '---------------------------->| CLOSED
                |                                                           |

        198.18.0.1:42001                                             198.18.0.2:7000
     TIME_WAIT  |                                                           |
        CLOSED  | *time_wait*                                               |
                |                                                           |
EOF
)
check_eq "text ladder" "$got" "$want"
check "text ladder: every event row has its time" \
	[ "$(grep -cE '^ +[0-9]+\.[0-9]{3} ' "$ETP_TMP/t.txt")" -eq 15 ]

# --- SVG and pcap of one run -------------------------------------------------------
trace "$ETP_TMP/t.out" peer "$B" port 42002 --svg "$ETP_TMP/t.svg" --pcap "$ETP_TMP/t.pcap"
svg=$(python3 - "$ETP_TMP/t.svg" <<'EOF'
import re
import sys
import xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
labels = [t for t in texts if t and re.match(r"[A-Z|]+ [=0-9]", t)]
print(len(root.findall(".//s:line", ns)) + len(root.findall(".//s:path", ns)) > 0,
      ",".join(labels))
EOF
)
check_eq "SVG: parses, has lines, the seven labels in order" "$svg" \
"True SYN 0,SYN|ACK 0 ack 1,ACK 1 ack 1,FIN|ACK 1 ack 1,ACK 1 ack 2,FIN|ACK 1 ack 2,ACK 2 ack 2"
pcap=$(tshark -X "lua_script:$LUA" -r "$ETP_TMP/t.pcap" -T fields \
	-E separator=' ' -e ip.src -e etp.flags.str -e etp.seq -e etp.ack \
	2>"$ETP_TMP/tshark.err" | sed "s/$A_IP/A/; s/$B_IP/B/" | paste -sd,)
check_eq "pcap: tshark reads A's side of it" "$pcap" \
"A SYN 0 0,B SYN|ACK 0 1,A ACK 1 1,A FIN|ACK 1 1,B ACK 1 2,B FIN|ACK 1 2,A ACK 2 2"
check_eq "pcap: tshark said nothing on stderr (but that root runs it)" \
	"$(grep -v 'Running as user "root"' "$ETP_TMP/tshark.err")" ""

# --- one side only: the other column is the peer -------------------------------------
trace "$ETP_TMP/one.txt" port 42003
check_eq "one side: the right column is the peer" \
	"$(sed -n 1p "$ETP_TMP/one.txt" | awk '{ print $1, $2, $3 }')" \
	"198.18.0.1:42003 peer 198.18.0.2"
check "one side: A's SYN, and the SYN|ACK from the peer" \
	grep -qE 'SYN_SENT  \|--SYN 0-+\.' "$ETP_TMP/one.txt"
check "one side: the SYN|ACK arrives from the peer's side" \
	grep -qE 'SYN\|ACK 0 ack 1---\|' "$ETP_TMP/one.txt"
check_eq "one side: A's states as they change" \
	"$(grep -oE '^ +[0-9.]+ +[A-Z_0-9]+  \|' "$ETP_TMP/one.txt" |
		awk '{ print $2 }' | paste -sd,)" \
	"SYN_SENT,ESTABLISHED,FIN_WAIT_1,FIN_WAIT_2,TIME_WAIT,CLOSED"

exit $ret
