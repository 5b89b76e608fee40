#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The scapy layer (tools/python/etp.py) against etp.ko and against the
# module's own encoder and decoder:
#  1. bytes: segments built by scapy equal what module/core/wire.c encodes
#     (etp_wirehex), and segments scapy builds with every kind of option, or
#     broken on purpose, decode (or are refused) by wire.c exactly as
#     docs/protocol.md section 2 says;
#  2. the old duplicate SYN of RFC 9293 figure 8, with the three lines of
#     docs/capture.md: scapy in namespace A, where no etp connection exists,
#     sends B's listener a SYN with an old sequence number; sr1() gets B's
#     SYN|ACK (ack = seq + 1, B's MSS and window, a valid checksum), A's etp
#     refuses it with a RST (seq = that ack), B drops the half-open
#     connection, and a real connection on the same ports then opens;
#  3. the same old SYN into that established connection draws a challenge
#     ACK (RFC 5961 4.2) carrying the connection's real numbers;
#  4. the dissector reads the capture of 2 and 3 as the lab should: the
#     refused handshake, "[ETP New ISN]" for the real SYN, "[ETP Unexpected
#     SYN]" for the old one inside the connection, and the challenge ACK in
#     the connection's relative numbers.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd jq etp_wirehex tcpdump tshark
PY=/usr/bin/python3
if ! $PY -c 'import scapy' 2>/dev/null; then
	echo "SKIP: python3-scapy not installed"
	exit $ksft_skip
fi
ETP_PY=$ETP_TOP/tools/python/etp.py
etp_load

A_IP=198.18.0.1
B_IP=198.18.0.2
PORT=7000
SPORT=40001
OLD=1000		# the old duplicate SYN's sequence number
B_MSS=1300 B_BUF=30000	# B's parameters, so its SYN|ACK is recognisable
A_BUF=20000		# A's receive buffer: its window

# field LINE KEY: KEY's value in a "key=value ..." line of etp.py.
field() {
	local kv

	for kv in $1; do
		[[ ${kv%%=*} == "$2" ]] && { echo "${kv#*=}"; return; }
	done
}

# fields LINE KEY...: "v1 v2 ..." for those keys.
fields() {
	local line=$1 out= k

	shift
	for k in "$@"; do out+="${out:+ }$(field "$line" "$k")"; done
	echo "$out"
}

# --- 1. scapy's bytes against module/core/wire.c --------------------------------

enc_cases=(
	"sport=40000 dport=7000 seq=1000 ack=0 flags=SYN window=65535 mss=1460"
	"sport=7000 dport=40000 seq=4294967295 ack=1001 flags=SYN|ACK window=30000 mss=1300"
	"sport=1 dport=65535 seq=2147483648 ack=4294967295 flags=ACK window=0"
	"sport=40000 dport=7000 seq=5 ack=6 flags=FIN|ACK window=512"
	"sport=40000 dport=7000 seq=5 ack=0 flags=RST window=0"
	"sport=40000 dport=7000 seq=5 ack=9 flags=RST|ACK window=0"
	"sport=40000 dport=7000 seq=5 ack=9 flags=PSH|ACK window=100"
)
# scapy-built segment | what wire.c's decoder must make of it
dec_cases=(
	"flags=SYN seq=1 nop=1 mss=1460 wscale=7|err=ok sport=40000 dport=7000 seq=1 ack=0 version=1 flags=SYN hdr_len=28 window=65535 mss=1460 payload_len=0 seg_len=1"
	"flags=SYN|ACK seq=7 ack=2 wscale=14 mss=536|err=ok sport=40000 dport=7000 seq=7 ack=2 version=1 flags=SYN|ACK hdr_len=28 window=65535 mss=536 payload_len=0 seg_len=1"
	"flags=PSH|ACK seq=1 ack=2 payload=5|err=ok sport=40000 dport=7000 seq=1 ack=2 version=1 flags=PSH|ACK hdr_len=20 window=65535 mss=0 payload_len=5 seg_len=5"
	"flags=FIN|ACK seq=9 ack=2 opt=42:78797a|err=ok sport=40000 dport=7000 seq=9 ack=2 version=1 flags=FIN|ACK hdr_len=28 window=65535 mss=0 payload_len=0 seg_len=1"
	"flags=SYN rawopt=00020405b4|err=ok sport=40000 dport=7000 seq=0 ack=0 version=1 flags=SYN hdr_len=28 window=65535 mss=0 payload_len=0 seg_len=1"
	"flags=SYN rawopt=0209|err=bad_option"
	"flags=SYN rawopt=02040000|err=bad_option"
	"flags=SYN rawopt=020505b400|err=bad_option"
	"flags=SYN rawopt=2a|err=bad_option"
	"flags=SYN version=2|err=bad_version"
	"flags=SYN|FIN|err=bad_flags"
	"flags=160|err=bad_flags"
	"flags=ACK dataofs=4|err=bad_offset"
	"flags=ACK dataofs=6|err=bad_offset"
)
batch=
for c in "${enc_cases[@]}"; do batch+="$c"$'\n'; done
for c in "${dec_cases[@]}"; do batch+="${c%%|err=*}"$'\n'; done
mapfile -t hexes < <($PY "$ETP_PY" hex - <<<"$batch")
check_eq "scapy built every case" "${#hexes[@]}" \
	$((${#enc_cases[@]} + ${#dec_cases[@]}))
i=0
for c in "${enc_cases[@]}"; do
	# shellcheck disable=SC2086 # the case is FIELD=VALUE words
	check_eq "encode [$c]: scapy == wire.c" "${hexes[$i]}" \
		"$(etp_wirehex encode $c)"
	i=$((i + 1))
done
for c in "${dec_cases[@]}"; do
	check_eq "decode [${c%%|err=*}] by wire.c" \
		"$(etp_wirehex decode "${hexes[$i]}")" "err=${c#*|err=}"
	i=$((i + 1))
done

# --- 2. an old duplicate SYN to a listener (RFC 9293 figure 8) ------------------

ns_create A B
veth_pair "$A" $A_IP "$B" $B_IP
for ns in "$A" "$B"; do
	# No retransmission may add segments to what is checked.
	ip netns exec "$ns" etpctl param set rto_initial_ms 10000 msl_ms 100
done
ip netns exec "$B" etpctl param set mss $B_MSS rcvbuf $B_BUF
ip netns exec "$A" etpctl param set rcvbuf $A_BUF mss 1460
CAP=$ETP_TMP/lab.pcap
ip netns exec "$B" tcpdump -n -U -i veth0 -w "$CAP" ip proto 253 \
	2>"$ETP_TMP/tcpdump.err" &
TCPDUMP=$!
ETP_BG+=("$TCPDUMP")
tcpdump_ready() { grep -q "listening on" "$ETP_TMP/tcpdump.err"; }
wait_until 20 tcpdump_ready || check_fail "tcpdump did not start"
MB=$ETP_TMP/mon.$B
mon_start "$B" "$MB" || check_fail "monitor in B"
ip netns exec "$B" etpctl listen $PORT
a0=$(etp_stats_snapshot "$A")
b0=$(etp_stats_snapshot "$B")

# The three lines of docs/capture.md (with a timeout, and the port fixed),
# around them a sniffer that shows what else crossed A's veth, and then
# answers()/hashret() on made-up segments, as sr1() uses them.
out=$(ip netns exec "$A" $PY - "$ETP_TOP/tools/python" <<EOF 2>&1
import sys, threading, time
sys.path.insert(0, sys.argv[1])
seen = []
from etp import *
conf.verb = 0
ready = threading.Event()
sn = AsyncSniffer(iface="veth0", store=True, started_callback=ready.set,
                  lfilter=lambda p: ETP in p)
sn.start(); ready.wait(10)

r = sr1(IP(dst="$B_IP")/ETP(sport=$SPORT, dport=$PORT, flags="SYN", seq=$OLD, options=[("MSS", 1460)]), timeout=10)
print("answer", describe(r) if r is not None else "none")

time.sleep(2)
sn.stop()
for p in sn.results:
    print("seen", describe(p))

def ans(a, b):
    a, b = IP(bytes(a)), IP(bytes(b))
    return int(a.hashret() == b.hashret() and bool(a.answers(b)))
q = IP(src="$A_IP", dst="$B_IP")/ETP(sport=1, dport=2, flags="SYN", seq=10)
d = IP(src="$A_IP", dst="$B_IP")/ETP(sport=1, dport=2, flags="PA", seq=10, ack=5)/b"abc"
def back(**k): return IP(src="$B_IP", dst="$A_IP")/ETP(sport=2, dport=1, **k)
print("answers",
      ans(back(flags="SA", seq=99, ack=11), q),		# 1: SYN|ACK to SYN
      ans(back(flags="SA", seq=99, ack=12), q),		# 0: wrong ack
      ans(back(flags="RA", seq=0, ack=11), q),		# 1: RST|ACK to SYN
      ans(back(flags="A", seq=5, ack=13), d),		# 1: ACK of the data
      ans(back(flags="A", seq=5, ack=10), d),		# 1: duplicate ACK
      ans(back(flags="R", seq=5), d),			# 1: RST at its ack
      ans(back(flags="R", seq=6), d),			# 0: RST elsewhere
      ans(back(flags="S", seq=99), q),			# 0: a SYN answers nothing
      ans(IP(src="$B_IP", dst="$A_IP")/ETP(sport=2, dport=9, flags="SA", ack=11), q), # 0: port
      ans(q, back(flags="SA", seq=99, ack=11)))		# 0: the other way round
EOF
)
answer=$(sed -n 's/^answer //p' <<<"$out")
if [[ -z $answer || $answer == none ]]; then
	check_fail "sr1() got no answer to the old SYN: $out"
fi
check_eq "sr1() answer: addresses, ports, flags" \
	"$(fields "$answer" src dst sport dport flags)" \
	"$B_IP $A_IP $PORT $SPORT SYN|ACK"
check_eq "sr1() answer: ack = the old seq + 1" "$(field "$answer" ack)" \
	$((OLD + 1))
check_eq "sr1() answer: version, header words, B's window and MSS" \
	"$(fields "$answer" version dataofs window mss wscale len)" \
	"1 6 $B_BUF $B_MSS - 0"
check_eq "sr1() answer: checksum valid" "$(field "$answer" chksum_ok)" 1
b_iss=$(field "$answer" seq)

seen=$(sed -n 's/^seen //p' <<<"$out" |
	while read -r l; do fields "$l" src flags seq ack window mss; done)
check_eq "on A's veth: the old SYN, B's SYN|ACK, A's etp refusing it" \
	"$seen" "$A_IP SYN $OLD 0 65535 1460
$B_IP SYN|ACK $b_iss $((OLD + 1)) $B_BUF $B_MSS
$A_IP RST $((OLD + 1)) 0 0 -"
check_eq "answers() and hashret() as sr1() uses them" \
	"$(sed -n 's/^answers //p' <<<"$out")" "1 0 1 1 1 1 0 0 0 0"

only_listener() {
	[[ $(conn_list "$B" | jq -r .state | paste -sd,) == LISTEN ]]
}
check "B dropped the half-open connection, the listener stays" \
	wait_until 10 only_listener
mon_sync "$B" "$MB"
check_delta "A: the SYN|ACK matched nothing, answered by RST" "$A" "$a0" \
	$'in_segs 1\nout_segs 1\ndrop_no_connection 1\nresets_out 1'
check_delta "B: the old SYN accepted, its RST undid it" "$B" "$b0" \
	$'in_segs 2\nout_segs 1\npassive_opens 1\nattempt_fails 1\nresets_in 1'
child=$(mon_id "$MB" "$B_IP:$PORT" "$A_IP:$SPORT")
check_trans "B's half-open connection" "$MB" "$child" \
	"LISTEN->SYN_RCVD SYN_RCVD->CLOSED"

# The refused old SYN leaves the port pair free for the real connection.
out=$(ip netns exec "$A" etpctl -j connect $B_IP $PORT sport $SPORT wait)
cid=$(jq -r .id <<<"$out" 2>/dev/null)
check_eq "then a real connection on the same ports" \
	"$(conn_state "$A" "$cid")" ESTABLISHED

# --- 3. an old duplicate SYN into the established connection -------------------

sid=
server_child() { sid=$(conn_find "$B" "$B_IP:$PORT" "$A_IP:$SPORT"); [[ -n $sid ]]; }
wait_until 20 server_child && wait_state "$B" "$sid" ESTABLISHED ||
	check_fail "B's side not ESTABLISHED"
b_seq=$(conn_json "$B" "$sid" | jq -c .seq)
b0=$(etp_stats_snapshot "$B")
out=$(ip netns exec "$A" $PY "$ETP_PY" syn $B_IP $PORT sport=$SPORT seq=$OLD \
	wait=2 2>&1)
check_eq "etp.py syn exits" $? 0
sent=$(sed -n 's/^sent //p' <<<"$out")
recv=$(sed -n 's/^recv //p' <<<"$out")
check_eq "etp.py syn sent the old SYN" "$(fields "$sent" sport dport flags seq mss chksum_ok)" \
	"$SPORT $PORT SYN $OLD 1460 1"
check_eq "B's challenge ACK: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, not an answer to the SYN" \
	"$(fields "$recv" flags seq ack window mss chksum_ok answers)" \
	"ACK $(jq .snd_nxt <<<"$b_seq") $(jq .rcv_nxt <<<"$b_seq") $B_BUF - 1 0"
check_eq "nothing else answered" "$(grep -c '^out ' <<<"$out")" 0
check_eq "B's connection survives" "$(conn_state "$B" "$sid")" ESTABLISHED
check_eq "A's connection survives" "$(conn_state "$A" "$cid")" ESTABLISHED
check_delta "B: the SYN counted, the challenge ACK sent" "$B" "$b0" \
	$'in_segs 1\nout_segs 1\ndrop_syn_synced 1\nchallenge_acks 1'

# --- 4. the capture of 2 and 3, through the dissector ----------------------------

a_iss=$(conn_json "$A" "$cid" | jq .seq.iss)
eight() { (($(tcpdump -r "$CAP" 2>/dev/null | wc -l) >= 8)); }
wait_until 10 eight
kill -INT $TCPDUMP
wait $TCPDUMP
arrow=$'\xe2\x86\x92'
got=$(tshark -X "lua_script:$ETP_TOP/tools/wireshark/etp.lua" -r "$CAP" \
	-T fields -e _ws.col.Info 2>"$ETP_TMP/tshark.err")
check_eq "the lab as the dissector draws it" "$got" \
"$SPORT $arrow $PORT [SYN] Seq=0 Win=65535 Len=0 MSS=1460
$PORT $arrow $SPORT [SYN, ACK] Seq=0 Ack=1 Win=$B_BUF Len=0 MSS=$B_MSS
$SPORT $arrow $PORT [RST] Seq=1 Win=0 Len=0
[ETP New ISN] $SPORT $arrow $PORT [SYN] Seq=0 Win=$A_BUF Len=0 MSS=1460 WS=1
$PORT $arrow $SPORT [SYN, ACK] Seq=0 Ack=1 Win=$B_BUF Len=0 MSS=$B_MSS WS=1
$SPORT $arrow $PORT [ACK] Seq=1 Ack=1 Win=$A_BUF Len=0
[ETP Unexpected SYN] $SPORT $arrow $PORT [SYN] Seq=$(((OLD - a_iss + 4294967296) % 4294967296)) Win=65535 Len=0 MSS=1460
$PORT $arrow $SPORT [ACK] Seq=1 Ack=1 Win=$B_BUF Len=0"

exit $ret
