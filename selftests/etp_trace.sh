#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The tracepoints draw the segment ladder: a handshake and a four-way close
# between two namespaces must show exactly SYN, SYN|ACK, ACK and then
# FIN|ACK, ACK, FIN|ACK, ACK in etp:etp_segment_out, each with the right
# direction, and the state changes in etp:etp_state. Skipped on kernels
# without tracing (the debug kernel is built without it).
source "$(dirname "$0")/lib.sh"

require_root
require_cmd etpctl jq
etp_load

tr=/sys/kernel/tracing
[[ -d $tr/events ]] || mount -t tracefs nodev "$tr" 2>/dev/null
if [[ ! -d $tr/events ]]; then
	echo "SKIP: no tracefs at $tr (kernel without tracing)"
	exit $ksft_skip
fi
if [[ ! -d $tr/events/etp ]]; then
	echo "FAIL: the kernel traces, but etp.ko registered no tracepoints"
	exit $ksft_fail
fi

ns_create A B
veth_pair "$A" 198.18.0.1 "$B" 198.18.0.2
for ns in "$A" "$B"; do
	ip netns exec "$ns" etpctl param set msl_ms 100
done

trace_off() {
	echo 0 >"$tr/tracing_on"
	echo 0 >"$tr/events/etp/enable"
}
echo 0 >"$tr/tracing_on"
echo >"$tr/trace"
echo 1 >"$tr/events/etp/etp_segment_out/enable"
echo 1 >"$tr/events/etp/etp_state/enable"
echo 1 >"$tr/tracing_on"

ip netns exec "$B" etpctl listen 7000
id=$(ip netns exec "$A" etpctl connect 198.18.0.2 7000 wait)
ip netns exec "$A" etpctl close "$id"
wait_until 10 state_is "$B" 2 CLOSE_WAIT
ip netns exec "$B" etpctl close 2
wait_until 10 conn_gone "$A" "$id"
trace_off

# "A>B FLAGS" per segment, in the order sent.
ladder=$(sed -n 's/.* etp_segment_out: 198\.18\.0\.\([12]\):[0-9]* > 198\.18\.0\.\([12]\):[0-9]* \([A-Z|]*\) .*/\1>\2 \3/p' \
	"$tr/trace" | sed 's/1>2/A>B/; s/2>1/B>A/' | paste -sd,)
want="A>B SYN,B>A SYN|ACK,A>B ACK,A>B FIN|ACK,B>A ACK,B>A FIN|ACK,A>B ACK"
check_eq "segment ladder" "$ladder" "$want"

states=$(sed -n 's/.* etp_state: id \([0-9]*\) \([A-Z_0-9]*\) -> \([A-Z_0-9]*\) (\([a-z_0-9]*\))/\2>\3(\4)/p' \
	"$tr/trace" | paste -sd,)
want="CLOSED>LISTEN(listen),CLOSED>SYN_SENT(connect),LISTEN>SYN_RCVD(syn),SYN_SENT>ESTABLISHED(synack),SYN_RCVD>ESTABLISHED(ack),ESTABLISHED>FIN_WAIT_1(close),ESTABLISHED>CLOSE_WAIT(fin),FIN_WAIT_1>FIN_WAIT_2(ack),CLOSE_WAIT>LAST_ACK(close),FIN_WAIT_2>TIME_WAIT(fin),LAST_ACK>CLOSED(ack),TIME_WAIT>CLOSED(time_wait_done)"
check_eq "state changes" "$states" "$want"

exit $ret
