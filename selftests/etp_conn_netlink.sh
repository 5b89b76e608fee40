#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad netlink input for the connection ops (docs/netlink.md): every refusal
# has its errno and an extack message (naming the attribute where the module
# writes it; the netlink core's policy messages are generic), and changes
# nothing: `etpctl -j show` (time left on timers aside) and the counters are
# the same before and after. Unprivileged users may read (INFO, STATS_GET,
# CONN_GET) but not change anything (EPERM), unless they own the netns.
# Requests are hand-built with etp_nlraw; numbers are the uapi's.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd jq join setpriv
etp_load

CMD_INFO=1 CMD_STATS=2 CMD_PARAM_SET=4 CMD_LISTEN=5 CMD_UNLISTEN=6
CMD_CONNECT=7 CMD_CLOSE=8 CMD_ABORT=9 CMD_CONN_GET=10 CMD_SEND=12 CMD_RECV=13
A_PARAMS=3 A_CONN_ID=6 A_STATE=7 A_LOCAL_ADDR=9 A_LOCAL_PORT=10
A_REMOTE_ADDR=11 A_REMOTE_PORT=12 A_BACKLOG=13 A_DATA=25 A_BYTES=26
P_MSL_MS=1

A_IP=198.18.0.1
B_IP=198.18.0.2

# be32 ADDR: the address as etp_nlraw's host-order u32 must carry it.
be32() {
	local IFS=.

	set -- $1
	echo $(($4 << 24 | $3 << 16 | $2 << 8 | $1))
}

# Something in A to protect: a listener, ESTABLISHED, FIN_WAIT_2 (a timer)
# and CLOSE_WAIT connections; no timer may fire while the test runs.
ns_create A B
veth_pair "$A" $A_IP "$B" $B_IP
ip netns exec "$A" etpctl param set fin_wait2_ms 600000 rto_initial_ms 10000 \
	rto_min_ms 10000
ip netns exec "$B" etpctl param set fin_wait2_ms 600000 rto_initial_ms 10000 \
	rto_min_ms 10000
nsx "$A" etpctl listen 7000
nsx "$B" etpctl listen 7000
EST=$(nsx "$A" etpctl connect $B_IP 7000 sport 42000 wait)
FW2=$(nsx "$A" etpctl connect $B_IP 7000 sport 42001 wait)
nsx "$A" etpctl close "$FW2"
nsx "$B" etpctl connect $A_IP 7000 sport 42002 wait >/dev/null
nsx "$B" etpctl close "$(conn_find "$B" "$B_IP:42002" "$A_IP:7000")"
CW=$(conn_find "$A" "$A_IP:7000" "$B_IP:42002")
wait_state "$A" "$FW2" FIN_WAIT_2
wait_state "$A" "$CW" CLOSE_WAIT
check "set-up: ESTABLISHED, FIN_WAIT_2, CLOSE_WAIT" \
	[ "$(conn_state "$A" "$EST")/$(conn_state "$A" "$FW2")/$(conn_state "$A" "$CW")" = \
	  ESTABLISHED/FIN_WAIT_2/CLOSE_WAIT ]

# nothing_changed DESC SHOW_BEFORE STATS_BEFORE
nothing_changed() {
	if [[ $(show_norm "$A") != "$2" ]]; then
		check_fail "$1: connections changed"
		diff <(jq . <<<"$2") <(show_norm "$A" | jq .) | head -20
		return 1
	fi
	if [[ -n $(proto_delta "$3" "$(etp_stats_snapshot "$A")") ]]; then
		check_fail "$1: counters changed: $(proto_delta "$3" "$(etp_stats_snapshot "$A")" | paste -sd,)"
		return 1
	fi
}

# refused DESC WANT_ERRNO WANT_MSG_REGEX [-u] CMD ATTR...: the kernel says
# no, says why, and nothing changes. -u: as an unprivileged user.
refused() {
	local desc=$1 errno=$2 msg=$3 show stats out rc run=(nsx "$A")

	shift 3
	if [[ $1 == -u ]]; then
		run=(nsx "$A" setpriv --reuid=65534 --regid=65534 --clear-groups \
			--inh-caps=-all)
		shift
	fi
	show=$(show_norm "$A")
	stats=$(etp_stats_snapshot "$A")
	out=$("${run[@]}" etp_nlraw "$@")
	rc=$?
	if ((rc != 2)); then
		check_fail "$desc: not refused (exit $rc: $out)"
	elif ! [[ $out =~ ^($errno)(:\ .*($msg)|$) ]]; then
		check_fail "$desc: got '$out', want $errno + /$msg/"
	elif nothing_changed "$desc" "$show" "$stats"; then
		check_ok "$desc ($out)"
	fi
}

# accepted DESC [-u] CMD ATTR...
accepted() {
	local desc=$1 out run=(nsx "$A")

	shift
	if [[ $1 == -u ]]; then
		run=(nsx "$A" setpriv --reuid=65534 --regid=65534 --clear-groups \
			--inh-caps=-all)
		shift
	fi
	if out=$("${run[@]}" etp_nlraw "$@"); then
		check_ok "$desc ($out)"
	else
		check_fail "$desc: refused: $out"
	fi
}

# --- LISTEN --------------------------------------------------------------------
refused "LISTEN without LOCAL_PORT" EINVAL "ETP_A_LOCAL_PORT" \
	$CMD_LISTEN
refused "LISTEN with LOCAL_PORT as u32" EINVAL "invalid attribute length" \
	$CMD_LISTEN $A_LOCAL_PORT:u32:7100
refused "LISTEN on port 0" ERANGE "out of range" \
	$CMD_LISTEN $A_LOCAL_PORT:u16:0
refused "LISTEN with BACKLOG 0" ERANGE "out of range" \
	$CMD_LISTEN $A_LOCAL_PORT:u16:7100 $A_BACKLOG:u32:0
refused "LISTEN with BACKLOG 65536" ERANGE "out of range" \
	$CMD_LISTEN $A_LOCAL_PORT:u16:7100 $A_BACKLOG:u32:65536
refused "LISTEN with REMOTE_PORT (not its attribute)" EINVAL "Unsupported attribute" \
	$CMD_LISTEN $A_LOCAL_PORT:u16:7100 $A_REMOTE_PORT:u16:1
refused "LISTEN with an unknown attribute id" EINVAL "Unknown attribute type" \
	$CMD_LISTEN $A_LOCAL_PORT:u16:7100 200:u32:1
refused "LISTEN on a port that has a listener" EADDRINUSE "ETP_A_LOCAL_PORT" \
	$CMD_LISTEN $A_LOCAL_PORT:u16:7000

# --- UNLISTEN ------------------------------------------------------------------
refused "UNLISTEN without LOCAL_PORT" EINVAL "ETP_A_LOCAL_PORT" \
	$CMD_UNLISTEN
refused "UNLISTEN with LOCAL_PORT as u8" EINVAL "invalid attribute length" \
	$CMD_UNLISTEN $A_LOCAL_PORT:u8:7
refused "UNLISTEN port 0" ERANGE "out of range" \
	$CMD_UNLISTEN $A_LOCAL_PORT:u16:0
refused "UNLISTEN a port nobody listens on" ENOENT "ETP_A_LOCAL_PORT" \
	$CMD_UNLISTEN $A_LOCAL_PORT:u16:7999
refused "UNLISTEN with CONN_ID (not its attribute)" EINVAL "Unsupported attribute" \
	$CMD_UNLISTEN $A_LOCAL_PORT:u16:7000 $A_CONN_ID:u32:1

# --- CONNECT -------------------------------------------------------------------
B32=$(be32 $B_IP)
refused "CONNECT without REMOTE_ADDR" EINVAL "ETP_A_REMOTE_ADDR" \
	$CMD_CONNECT $A_REMOTE_PORT:u16:7000
refused "CONNECT without REMOTE_PORT" EINVAL "ETP_A_REMOTE_PORT" \
	$CMD_CONNECT $A_REMOTE_ADDR:u32:$B32
refused "CONNECT with REMOTE_ADDR as u16" EINVAL "invalid attribute length" \
	$CMD_CONNECT $A_REMOTE_ADDR:u16:1 $A_REMOTE_PORT:u16:7000
refused "CONNECT with REMOTE_PORT as u32" EINVAL "invalid attribute length" \
	$CMD_CONNECT $A_REMOTE_ADDR:u32:$B32 $A_REMOTE_PORT:u32:7000
refused "CONNECT to port 0" ERANGE "out of range" \
	$CMD_CONNECT $A_REMOTE_ADDR:u32:$B32 $A_REMOTE_PORT:u16:0
refused "CONNECT from port 0" ERANGE "out of range" \
	$CMD_CONNECT $A_REMOTE_ADDR:u32:$B32 $A_REMOTE_PORT:u16:7000 \
	$A_LOCAL_PORT:u16:0
refused "CONNECT with BACKLOG (not its attribute)" EINVAL "Unsupported attribute" \
	$CMD_CONNECT $A_REMOTE_ADDR:u32:$B32 $A_REMOTE_PORT:u16:7000 \
	$A_BACKLOG:u32:5
refused "CONNECT to 0.0.0.0" EINVAL "ETP_A_REMOTE_ADDR" \
	$CMD_CONNECT $A_REMOTE_ADDR:u32:0 $A_REMOTE_PORT:u16:7000
refused "CONNECT with no route" "ENETUNREACH|EHOSTUNREACH" "ETP_A_REMOTE_ADDR" \
	$CMD_CONNECT $A_REMOTE_ADDR:u32:"$(be32 198.19.0.1)" $A_REMOTE_PORT:u16:7000
refused "CONNECT on a 4-tuple in use" EADDRINUSE "ETP_A_LOCAL_PORT" \
	$CMD_CONNECT $A_REMOTE_ADDR:u32:$B32 $A_REMOTE_PORT:u16:7000 \
	$A_LOCAL_PORT:u16:42000

# --- CLOSE, ABORT ---------------------------------------------------------------
for op in CLOSE ABORT; do
	c=CMD_$op
	refused "$op without CONN_ID" EINVAL "ETP_A_CONN_ID" ${!c}
	refused "$op with CONN_ID as u16" EINVAL "invalid attribute length" \
		${!c} $A_CONN_ID:u16:$EST
	refused "$op of id 0" ERANGE "out of range" ${!c} $A_CONN_ID:u32:0
	refused "$op of an unknown id" ENOENT "ETP_A_CONN_ID" \
		${!c} $A_CONN_ID:u32:999999
	refused "$op with LOCAL_PORT (not its attribute)" EINVAL "Unsupported attribute" \
		${!c} $A_CONN_ID:u32:$EST $A_LOCAL_PORT:u16:7000
done
# docs/netlink.md: EINVAL with "not valid in state X".
refused "CLOSE of a connection already closing (FIN_WAIT_2)" EINVAL \
	"not valid in state FIN_WAIT_2" $CMD_CLOSE $A_CONN_ID:u32:$FW2

# --- SEND, RECV -----------------------------------------------------------------
LID=$(listener_id "$A" 7000)
refused "SEND without CONN_ID" EINVAL "ETP_A_CONN_ID" $CMD_SEND $A_DATA:bin:10
refused "SEND without DATA" EINVAL "ETP_A_DATA" $CMD_SEND $A_CONN_ID:u32:$EST
refused "SEND with an empty DATA" ERANGE "size out of range" \
	$CMD_SEND $A_CONN_ID:u32:$EST $A_DATA:bin:0
big=()
for i in $(seq 17); do big+=($A_DATA:bin:4000); done
refused "SEND of 68000 octets (over 64 KiB)" EMSGSIZE "ETP_A_DATA: at most 64 KiB" \
	$CMD_SEND $A_CONN_ID:u32:$EST "${big[@]}"
refused "SEND to an unknown id" ENOENT "ETP_A_CONN_ID" \
	$CMD_SEND $A_CONN_ID:u32:999999 $A_DATA:bin:10
refused "SEND after CLOSE (FIN_WAIT_2)" EPIPE "ETP_A_CONN_ID: the connection no longer sends" \
	$CMD_SEND $A_CONN_ID:u32:$FW2 $A_DATA:bin:10
refused "SEND to a listener" EPIPE "ETP_A_CONN_ID: the connection no longer sends" \
	$CMD_SEND $A_CONN_ID:u32:$LID $A_DATA:bin:10
refused "SEND with LOCAL_PORT (not its attribute)" EINVAL "Unsupported attribute" \
	$CMD_SEND $A_CONN_ID:u32:$EST $A_DATA:bin:10 $A_LOCAL_PORT:u16:1
refused "unprivileged SEND" EPERM "" -u $CMD_SEND $A_CONN_ID:u32:$EST $A_DATA:bin:10
refused "RECV without BYTES" EINVAL "ETP_A_BYTES" $CMD_RECV $A_CONN_ID:u32:$EST
refused "RECV of 0 octets" ERANGE "out of range" \
	$CMD_RECV $A_CONN_ID:u32:$EST $A_BYTES:u32:0
refused "RECV of 1 MiB (over 65531)" ERANGE "out of range" \
	$CMD_RECV $A_CONN_ID:u32:$EST $A_BYTES:u32:1048576
refused "RECV from an unknown id" ENOENT "ETP_A_CONN_ID" \
	$CMD_RECV $A_CONN_ID:u32:999999 $A_BYTES:u32:100
refused "RECV from a listener" ENOTCONN "ETP_A_CONN_ID: not a connection that receives" \
	$CMD_RECV $A_CONN_ID:u32:$LID $A_BYTES:u32:100
refused "unprivileged RECV" EPERM "" -u $CMD_RECV $A_CONN_ID:u32:$EST $A_BYTES:u32:100
show=$(show_norm "$A")
accepted "RECV with nothing to read" $CMD_RECV $A_CONN_ID:u32:$EST $A_BYTES:u32:100
check "RECV with nothing to read changes nothing" [ "$(show_norm "$A")" = "$show" ]

# --- CONN_GET -------------------------------------------------------------------
refused "CONN_GET without CONN_ID" EINVAL "ETP_A_CONN_ID" $CMD_CONN_GET
refused "CONN_GET with CONN_ID as u64" EINVAL "invalid attribute length" \
	$CMD_CONN_GET $A_CONN_ID:u64:$EST
refused "CONN_GET of id 0" ERANGE "out of range" $CMD_CONN_GET $A_CONN_ID:u32:0
refused "CONN_GET of an unknown id" ENOENT "ETP_A_CONN_ID" \
	$CMD_CONN_GET $A_CONN_ID:u32:999999
refused "CONN_GET with STATE 0" ERANGE "out of range" \
	$CMD_CONN_GET $A_CONN_ID:u32:$EST $A_STATE:u8:0
refused "CONN_GET with STATE 12" ERANGE "out of range" \
	$CMD_CONN_GET $A_CONN_ID:u32:$EST $A_STATE:u8:12
refused "CONN_GET with REMOTE_ADDR (not its attribute)" EINVAL "Unsupported attribute" \
	$CMD_CONN_GET $A_CONN_ID:u32:$EST $A_REMOTE_ADDR:u32:$B32
accepted "CONN_GET of a live id" $CMD_CONN_GET $A_CONN_ID:u32:$EST

# Ids are per netns: a netns with no connections knows none of A's.
ns_create C
out=$(nsx "$C" etp_nlraw $CMD_CONN_GET $A_CONN_ID:u32:$EST)
check "CONN_GET of A's id from another netns: ENOENT ($out)" \
	grep -q "^ENOENT" <<<"$out"
out=$(nsx "$C" etp_nlraw $CMD_CLOSE $A_CONN_ID:u32:$EST)
check "CLOSE of A's id from another netns: ENOENT ($out)" \
	grep -q "^ENOENT" <<<"$out"
check_eq "A's connection untouched" "$(conn_state "$A" "$EST")" ESTABLISHED

# --- unprivileged ----------------------------------------------------------------
accepted "unprivileged INFO" -u $CMD_INFO
accepted "unprivileged STATS_GET" -u $CMD_STATS
accepted "unprivileged CONN_GET" -u $CMD_CONN_GET $A_CONN_ID:u32:$EST
check "unprivileged etpctl show (dump)" \
	nsx "$A" setpriv --reuid=65534 --regid=65534 --clear-groups etpctl -j show \
	>/dev/null
refused "unprivileged LISTEN" EPERM "" -u $CMD_LISTEN $A_LOCAL_PORT:u16:7300
refused "unprivileged UNLISTEN" EPERM "" -u $CMD_UNLISTEN $A_LOCAL_PORT:u16:7000
refused "unprivileged CONNECT" EPERM "" -u \
	$CMD_CONNECT $A_REMOTE_ADDR:u32:$B32 $A_REMOTE_PORT:u16:7000
refused "unprivileged CLOSE" EPERM "" -u $CMD_CLOSE $A_CONN_ID:u32:$EST
refused "unprivileged ABORT" EPERM "" -u $CMD_ABORT $A_CONN_ID:u32:$EST
refused "unprivileged PARAM_SET" EPERM "" -u \
	$CMD_PARAM_SET $A_PARAMS:nest $P_MSL_MS:u32:100 end

# Root of a user namespace that does not own the netns is nobody here.
if unshare -U true 2>/dev/null; then
	for req in "$CMD_LISTEN $A_LOCAL_PORT:u16:7300" \
		   "$CMD_ABORT $A_CONN_ID:u32:$EST"; do
		show=$(show_norm "$A")
		out=$(nsx "$A" unshare -U etp_nlraw $req)
		check_eq "unshare -U: cmd ${req%% *} refused" "$out" EPERM
		check "unshare -U: nothing changed" [ "$(show_norm "$A")" = "$show" ]
	done
	# ... but an unprivileged user who owns a netns may listen in it.
	if setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn true \
		2>/dev/null; then
		out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
			unshare -Urn bash -c 'etpctl listen 7300 && etpctl -j show' 2>&1)
		check_eq "unprivileged user listens in its own netns" \
			"$(jq -r '.[].local' <<<"$out" 2>/dev/null)" "0.0.0.0:7300"
	else
		log "note: no unprivileged user namespaces: owner test skipped"
	fi
else
	log "note: unshare -U unavailable: user-namespace tests skipped"
fi

exit $ret
