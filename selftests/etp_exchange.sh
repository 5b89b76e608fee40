#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The in-kernel exchange hook (ETP_TEST_CMD_EXCHANGE, module/test/exchange.c;
# etp_kexchange is its client, run-connrate --kernel its benchmark): each of
# its etp connections is the full exchange, counted as the state diagram
# says, and so is each TCP one; nothing is left once TIME_WAIT is over; a
# request it cannot run is refused with an extack message and changes
# nothing; and only CAP_NET_ADMIN may run it.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd jq
etp_unload
etp_load

N=100
ns_create A B
veth_pair "$A" 198.18.0.1 "$B" 198.18.0.2
ip netns exec "$A" etpctl param set msl_ms 200
ip netns exec "$B" etpctl listen 7000 >/dev/null

# like TEXT PATTERN: TEXT matches the glob PATTERN.
# shellcheck disable=SC2053 # PATTERN is a glob
like() { [[ $1 == $2 ]]; }

# tcp_mib NS FIELD: one counter of the Tcp: lines of /proc/net/snmp.
tcp_mib() {
	ip netns exec "$1" awk -v f="$2" '/^Tcp:/ {
		if (!n) { for (i = 2; i <= NF; i++) col[$i] = i; n = 1 }
		else print $col[f] }' /proc/net/snmp
}

a0=$(etp_stats_snapshot "$A")
b0=$(etp_stats_snapshot "$B")
t_a=$(tcp_mib "$A" ActiveOpens)
t_b=$(tcp_mib "$B" PassiveOpens)
out=$(ip netns exec "$A" etp_kexchange "$B" 198.18.0.2 7000 $N)
check_eq "the hook ran (exit)" "$?" 0
log "$out"
check "both protocols report $N connections and a time" \
	like "$out" "proto=etp conns=$N us=[0-9]*proto=tcp conns=$N us=[0-9]*"

# Client: SYN, ACK, FIN and the last ACK out; SYN-ACK, the ACK of its FIN
# and the server's FIN in. Server: the mirror image.
check_delta "client counted $N full exchanges" "$A" "$a0" \
"active_opens $N
established $N
out_segs $((4 * N))
in_segs $((3 * N))"
check_delta "server counted $N full exchanges" "$B" "$b0" \
"passive_opens $N
established $N
out_segs $((3 * N))
in_segs $((4 * N))"
check_eq "TCP: client's active opens" \
	"$(($(tcp_mib "$A" ActiveOpens) - t_a))" "$N"
check_eq "TCP: server's passive opens" \
	"$(($(tcp_mib "$B" PassiveOpens) - t_b))" "$N"

only_listener() {
	[[ $(ip netns exec "$B" etpctl -j show | jq length) == 1 ]]
}
no_conns() {
	[[ $(ip netns exec "$A" etpctl -j show | jq length) == 0 ]]
}
check "server: only the listener is left" only_listener
check "client: TIME_WAIT (2 x 200 ms) over, nothing left" wait_until 10 no_conns

# Refusals: an errno and the message, nothing run.
a0=$(etp_stats_snapshot "$A")
out=$(ip netns exec "$A" etp_kexchange "$B" 198.18.0.2 7001 5 2>&1)
check_eq "no etp listener: refused (exit)" "$?" 2
check "... said so: $out" \
	like "$out" "*Connection reset*no etp listener on ETP_TEST_A_PORT*"
out=$(ip netns exec "$A" etp_kexchange "$A" 198.18.0.2 7000 5 2>&1)
check "the caller's own netns as the server's: $out" \
	like "$out" "*Invalid argument*own netns*"
out=$(ip netns exec "$A" etp_nlraw -F etp_test 3 1:u32:5 8:u32:0 \
	9:u32:0x020012c6 10:u16:7000 2>&1)
check "an fd that is no netns: $out" \
	like "$out" "EINVAL*is not a netns*attr 8]"
out=$(ip netns exec "$A" etp_nlraw -F etp_test 3 1:u32:5 2>&1)
check_eq "attributes missing: the first is named" "$out" \
	"EINVAL: missing attribute ETP_TEST_A_NETNS_FD"
out=$(ip netns exec "$A" etp_nlraw -F etp_test 3 1:u32:0 8:u32:0 \
	9:u32:0x020012c6 10:u16:7000 2>&1)
check "no connections to run: $out" like "$out" "ERANGE*"
out=$(nobody etp_nlraw -F etp_test 3 1:u32:5 2>&1)
check "unprivileged user cannot run it: $out" \
	like "$out" "EPERM*"
check "the one refused exchange opened one connection, reset" \
	wait_until 10 no_conns
check_delta "and counted just that" "$A" "$a0" \
"active_opens 1
attempt_fails 1
resets_in 1
out_segs 1
in_segs 1"

etp_unload
check "module unloads" bash -c "! grep -q '^etp ' /proc/modules"
exit $ret
