#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Wireshark dissector (tools/wireshark/etp.lua) on a real capture: a
# handshake and a four-way close between two namespaces, captured with
# tcpdump on A's veth, then read by tshark with the dissector. Checked
# exactly, segment by segment: addresses, ports, flags, relative and raw
# sequence and acknowledgement numbers (raw ISNs as `etpctl show` reports
# them), MSS and window (each side's parameters, set to distinct values),
# checksum status, lengths, the ACK->segment links; the raw fields against
# the scapy layer's independent decode of the same file; the Flow Graph
# (`tshark -z flow,any,network`) as the ladder; display filters; and a copy
# of the capture with one octet flipped reads as exactly one bad checksum.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd tcpdump tshark jq
PY=/usr/bin/python3
if ! $PY -c 'import scapy' 2>/dev/null; then
	echo "SKIP: python3-scapy not installed"
	exit $ksft_skip
fi
etp_load

A_IP=198.18.0.1
B_IP=198.18.0.2
PORT=7000
SPORT=40000
A_MSS=1400 B_MSS=1300		# distinct, so each SYN's MSS is its sender's
A_BUF=20000 B_BUF=30000		# receive buffers: the windows advertised
LUA=$ETP_TOP/tools/wireshark/etp.lua
CAP=$ETP_TMP/etp.pcap
BAD=$ETP_TMP/etp-bad.pcap

tshark_etp() {
	tshark -X "lua_script:$LUA" "$@" 2>"$ETP_TMP/tshark.err"
}

ns_create A B
veth_pair "$A" $A_IP "$B" $B_IP
# A long initial RTO: no retransmission may slip into the ladder on a slow VM.
ip netns exec "$A" etpctl param set msl_ms 100 rto_initial_ms 10000 \
	mss $A_MSS rcvbuf $A_BUF || check_fail "set A's parameters"
ip netns exec "$B" etpctl param set msl_ms 100 rto_initial_ms 10000 \
	mss $B_MSS rcvbuf $B_BUF || check_fail "set B's parameters"

# --- the capture --------------------------------------------------------------

ip netns exec "$A" tcpdump -n -U -i veth0 -w "$CAP" ip proto 253 \
	2>"$ETP_TMP/tcpdump.err" &
TCPDUMP=$!
ETP_BG+=("$TCPDUMP")
tcpdump_ready() { grep -q "listening on" "$ETP_TMP/tcpdump.err"; }
wait_until 20 tcpdump_ready || check_fail "tcpdump did not start"

ip netns exec "$B" etpctl listen $PORT
cid=$(ip netns exec "$A" etpctl connect $B_IP $PORT sport $SPORT wait)
sid=
find_child() { sid=$(conn_find "$B" "$B_IP:$PORT" "$A_IP:$SPORT"); [[ -n $sid ]]; }
wait_until 20 find_child || check_fail "no server connection"
wait_state "$B" "$sid" ESTABLISHED || check_fail "server not ESTABLISHED"
a_iss=$(conn_json "$A" "$cid" | jq -r .seq.iss)
b_iss=$(conn_json "$B" "$sid" | jq -r .seq.iss)
a_wnd=$(conn_json "$A" "$cid" | jq -r .seq.rcv_wnd)
b_wnd=$(conn_json "$B" "$sid" | jq -r .seq.rcv_wnd)
check_eq "A advertises its receive buffer" "$a_wnd" $A_BUF
check_eq "B advertises its receive buffer" "$b_wnd" $B_BUF
ip netns exec "$A" etpctl close "$cid"
wait_state "$B" "$sid" CLOSE_WAIT || check_fail "server not in CLOSE_WAIT"
ip netns exec "$B" etpctl close "$sid"
wait_gone "$A" "$cid" || check_fail "client never left TIME_WAIT"

seven() { (($(tcpdump -r "$CAP" 2>/dev/null | wc -l) >= 7)); }
wait_until 10 seven
kill -INT $TCPDUMP
wait $TCPDUMP
check_eq "tcpdump captured" \
	"$(tcpdump -r "$CAP" 2>/dev/null | wc -l) segments" "7 segments"

# --- the decoded fields, exactly -----------------------------------------------

FIELDS=(frame.number ip.src etp.srcport etp.dstport etp.version etp.hdr_len
	etp.flags.str etp.seq etp.ack etp.seq_raw etp.ack_raw
	etp.options.mss_val etp.options.wscale.shift etp.window etp.window_size
	etp.checksum.status etp.len etp.seglen etp.stream
	etp.analysis.acks_frame _ws.col.Info)
efields=()
for f in "${FIELDS[@]}"; do efields+=(-e "$f"); done

out=$(tshark_etp -r "$CAP" -T fields -E separator=';' "${efields[@]}" \
	-z flow,any,network)
rc=$?
check_eq "tshark with the dissector exits" $rc 0
[[ $rc == 0 ]] || cat "$ETP_TMP/tshark.err"
if grep -qi "lua" "$ETP_TMP/tshark.err"; then
	check_fail "tshark reported a Lua problem: $(cat "$ETP_TMP/tshark.err")"
fi
rows=$(grep -v '^|' <<<"$out" | grep -v '^=*$' | grep -v '^$')
flow=$(grep '^|' <<<"$out")

# Was Window Scale negotiated (both SYNs carry it)? Then the window field is
# the buffer shifted right and Win= the scaled value; etp does not send it yet.
syn_shifts=$(awk -F';' '$1 <= 2 { print $13 }' <<<"$rows" | paste -sd,)

# frame src flags seq ack raw-seq raw-ack mss window acks_frame
u32() { echo $(($1 % 4294967296)); }
want=$(cat <<EOF
1 A SYN 0 0 $a_iss 0 $A_MSS $A_BUF -
2 B SYN|ACK 0 1 $b_iss $(u32 $((a_iss + 1))) $B_MSS $B_BUF 1
3 A ACK 1 1 $(u32 $((a_iss + 1))) $(u32 $((b_iss + 1))) - $A_BUF 2
4 A FIN|ACK 1 1 $(u32 $((a_iss + 1))) $(u32 $((b_iss + 1))) - $A_BUF -
5 B ACK 1 2 $(u32 $((b_iss + 1))) $(u32 $((a_iss + 2))) - $B_BUF 4
6 B FIN|ACK 1 2 $(u32 $((b_iss + 1))) $(u32 $((a_iss + 2))) - $B_BUF -
7 A ACK 2 2 $(u32 $((a_iss + 2))) $(u32 $((b_iss + 2))) - $A_BUF 6
EOF
)

got=
declare -A info_of
while IFS=';' read -r n src sp dp ver hl fl seq ack rseq rack mss ws win \
	wsize cs len slen stream acks info; do
	[[ $src == "$A_IP" ]] && src=A
	[[ $src == "$B_IP" ]] && src=B
	got+="$n $src $fl $seq $ack $rseq $rack ${mss:--} $win ${acks:--}"$'\n'
	info_of[$n]=$info
	d="segment $n"
	if [[ $src == A ]]; then
		check_eq "$d: ports" "$sp>$dp" "$SPORT>$PORT"
	else
		check_eq "$d: ports" "$sp>$dp" "$PORT>$SPORT"
	fi
	# 20 octets, 4 for MSS, 4 for Window Scale (3 and a NOP or EOL).
	check_eq "$d: version, header length" "$ver $hl" \
		"1 $((20 + (${#mss} > 0) * 4 + (${#ws} > 0) * 4))"
	check_eq "$d: checksum status (1 good)" "$cs" 1
	check_eq "$d: payload, SEG.LEN" "$len $slen" \
		"0 $(( (n <= 2) + (n == 4 || n == 6) ))"
	check_eq "$d: stream" "$stream" 0
	if [[ $syn_shifts =~ ^[0-9]+,[0-9]+$ ]]; then
		# Window Scale on both SYNs: scaled after the handshake.
		sh=${syn_shifts%,*}
		[[ $src == B ]] && sh=${syn_shifts#*,}
		((n <= 2)) && sh=0
		check_eq "$d: window scaled by its sender's shift" \
			"$wsize" $((win << sh))
	else
		check_eq "$d: window not scaled" "$wsize" "$win"
	fi
done <<<"$rows"
if [[ $syn_shifts =~ ^[0-9]+,[0-9]+$ ]]; then
	# The raw window is then the buffer >> shift: compare the scaled one.
	log "Window Scale negotiated ($syn_shifts): raw windows not compared"
	got=$(sed '/^$/d' <<<"$got" | awk '{ $9 = "-"; print }')
	want=$(awk '{ $9 = "-"; print }' <<<"$want")
fi
check_eq "the seven segments (frame src flags seq ack raw-seq raw-ack mss window acks)" \
	"$(sed '/^$/d' <<<"$got")" "$want"

# --- the same file through the scapy layer ------------------------------------

scapy_rows=$($PY "$ETP_TOP/tools/python/etp.py" read "$CAP" 2>/dev/null |
	sed 's/\([a-z_]*\)=\([^ ]*\)/\2/g' |
	awk '{ print $3, $4, $5, $6, $7, $10, $13, $12 }')
tshark_rows=$(awk -F';' '{ print $3, $4, $7, $10, $11, $14,
	($12 == "" ? "-" : $12), ($16 == 1 ? 1 : 0) }' <<<"$rows")
check_eq "scapy decodes the same ports, flags, seq, ack, window, MSS, checksum" \
	"$scapy_rows" "$tshark_rows"

# --- the flow graph: the ladder ------------------------------------------------

# tshark -z flow,any,network prints per segment a line with the time, the
# label and "|ETP: <Info>", then one with the arrow between the two hosts.
arrows=$(grep -o -- '-*[<>]-*' <<<"$flow" | grep -- '---' |
	sed 's/^<-*$/B>A/; s/^-*>$/A>B/' | paste -sd,)
check_eq "flow graph arrows" "$arrows" "A>B,B>A,A>B,A>B,B>A,B>A,A>B"
labels=$(sed -n 's/.*|ETP: //p' <<<"$flow")
check_eq "flow graph labels are the Info column" "$labels" \
	"$(for n in 1 2 3 4 5 6 7; do echo "${info_of[$n]}"; done)"
arrow=$'\xe2\x86\x92'
win_of() { awk -F';' -v n="$1" '$1 == n { print $15 }' <<<"$rows"; }
want_info=$(cat <<EOF
$SPORT $arrow $PORT [SYN] Seq=0 Win=$(win_of 1) Len=0 MSS=$A_MSS
$PORT $arrow $SPORT [SYN, ACK] Seq=0 Ack=1 Win=$(win_of 2) Len=0 MSS=$B_MSS
$SPORT $arrow $PORT [ACK] Seq=1 Ack=1 Win=$(win_of 3) Len=0
$SPORT $arrow $PORT [FIN, ACK] Seq=1 Ack=1 Win=$(win_of 4) Len=0
$PORT $arrow $SPORT [ACK] Seq=1 Ack=2 Win=$(win_of 5) Len=0
$PORT $arrow $SPORT [FIN, ACK] Seq=1 Ack=2 Win=$(win_of 6) Len=0
$SPORT $arrow $PORT [ACK] Seq=2 Ack=2 Win=$(win_of 7) Len=0
EOF
)
if [[ $syn_shifts =~ ^[0-9]+,[0-9]+$ ]]; then
	labels=$(sed 's/ WS=[0-9]*$//' <<<"$labels")
fi
check_eq "flow graph ladder" "$labels" "$want_info"

# --- one flipped octet: a bad checksum, and display filters --------------------

# flip FILE OUT FRAME OFFSET: copy the pcap FILE to OUT with the octet at
# OFFSET of FRAME's etp header (Ethernet, IPv4) inverted.
flip() {
	$PY - "$@" <<'EOF'
import struct, sys
src, out, frame, off = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
data = bytearray(open(src, "rb").read())
end = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
pos, n = 24, 0
while pos < len(data):
    incl = struct.unpack(end + "I", data[pos + 8:pos + 12])[0]
    n += 1
    if n == frame:
        ip = pos + 16 + 14
        ihl = (data[ip] & 0x0f) * 4
        data[ip + ihl + off] ^= 0xff
        break
    pos += 16 + incl
open(out, "wb").write(data)
EOF
}
flip "$CAP" "$BAD" 3 15	# frame 3, the low octet of the window
out=$(tshark_etp -r "$BAD" -Y 'etp.checksum.status == 0 || etp.flags.syn == 1' \
	-T fields -E separator=';' -e frame.number -e etp.checksum.status \
	-e _ws.expert.message -e etp.window -e _ws.col.Info)
check_eq "filter 'bad checksum or SYN' selects frames" \
	"$(cut -d';' -f1 <<<"$out" | paste -sd,)" "1,2,3"
row3=$(awk -F';' '$1 == 3' <<<"$out")
check_eq "flipped segment: checksum status (0 bad)" "$(cut -d';' -f2 <<<"$row3")" 0
check_eq "flipped segment: expert info" "$(cut -d';' -f3 <<<"$row3")" "Bad checksum"
check_eq "flipped segment: window read as flipped" "$(cut -d';' -f4 <<<"$row3")" \
	$(( $(win_of 3) ^ 0xff ))
check_eq "flipped segment: Info" "$(cut -d';' -f5 <<<"$row3")" \
	"[ETP Bad Checksum] ${info_of[3]/Win=$(win_of 3)/Win=$(( $(win_of 3) ^ 0xff ))}"
check_eq "the other segments' checksums stay good" \
	"$(awk -F';' '$1 != 3 { print $2 }' <<<"$out" | paste -sd,)" "1,1"

exit $ret
