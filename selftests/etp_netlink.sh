#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad netlink input gets an errno and an extack message naming the problem,
# and changes nothing; unprivileged users cannot change anything; parameters
# are per netns. Requests are hand-built with etp_nlraw where etpctl would
# refuse to send them. Numbers are the uapi's (include/uapi/linux/etp.h).
source "$(dirname "$0")/lib.sh"

require_root
require_cmd jq setpriv
etp_load

CMD_INFO=1 CMD_PARAM_SET=4
A_VERSION=1 A_PARAMS=3
P_MSL_MS=1 P_RETRIES=4

msl() { etpctl -j param show | jq .msl_ms; }

# refused DESC WANT_ERRNO WANT_MSG_REGEX CMD ATTR...: kernel says no, and why.
refused() {
	local desc=$1 errno=$2 msg=$3 out before

	shift 3
	before=$(etpctl -j param show)
	out=$(etp_nlraw "$@")
	if [[ $? -ne 2 ]]; then
		check_fail "$desc: accepted ($out)"
	elif ! [[ $out =~ ^($errno)(:\ .*$msg|$) ]]; then
		check_fail "$desc: got '$out', want $errno + /$msg/"
	elif [[ $(etpctl -j param show) != "$before" ]]; then
		check_fail "$desc: parameters changed"
	else
		check_ok "$desc ($out)"
	fi
}

check "INFO with no attributes is accepted" etp_nlraw $CMD_INFO
refused "INFO with an attribute it does not take" EINVAL "." \
	$CMD_INFO $A_VERSION:str:x
refused "PARAM_SET without ETP_A_PARAMS" EINVAL "ETP_A_PARAMS" \
	$CMD_PARAM_SET
refused "PARAM_SET with ETP_A_PARAMS not nested" EINVAL "." \
	$CMD_PARAM_SET $A_PARAMS:u32:5
refused "msl_ms = 0 is out of range" ERANGE "out of range" \
	$CMD_PARAM_SET $A_PARAMS:nest $P_MSL_MS:u32:0 end
refused "msl_ms as u8 is the wrong type" EINVAL "length" \
	$CMD_PARAM_SET $A_PARAMS:nest $P_MSL_MS:u8:5 end
refused "unknown parameter attribute" EINVAL "." \
	$CMD_PARAM_SET $A_PARAMS:nest 99:u32:1 end
refused "one bad value refuses the whole set" ERANGE "out of range" \
	$CMD_PARAM_SET $A_PARAMS:nest $P_MSL_MS:u32:100 $P_RETRIES:u32:999 end
refused "unknown command" EOPNOTSUPP "" 200

out=$(etpctl param set msl_ms 0 2>&1)
check "etpctl exits 2 on a kernel error" [ $? -eq 2 ]
check "etpctl prints the extack message: $out" \
	bash -c "[[ '$out' == *'out of range'* ]]"
etpctl param set bogus 1 2>/dev/null
check "unknown parameter name is a usage error (1)" [ $? -eq 1 ]
etpctl param set msl_ms ten 2>/dev/null
check "non-numeric value is a usage error (1)" [ $? -eq 1 ]
etpctl frobnicate 2>/dev/null
check "unknown command is a usage error (1)" [ $? -eq 1 ]

check "unprivileged user can read info" nobody etpctl info
out=$(nobody etpctl param set msl_ms 100 2>&1)
check "unprivileged user cannot set parameters" \
	bash -c "[[ '$out' == *'not permitted'* ]]"
out=$(nobody etp_testctl timers 1 1 2>&1)
check "unprivileged user cannot arm test timers: $out" \
	bash -c "[[ '$out' == *'not permitted'* ]]"
out=$(etp_nlraw -F etp_test 2 1:u32:1000 2>&1)
check_eq "the timer benchmark names a missing attribute" "$out" \
	"EINVAL: missing attribute ETP_TEST_A_OPS"
out=$(nobody etp_nlraw -F etp_test 2 1:u32:1000 6:u32:1000 2>&1)
check "unprivileged user cannot run the timer benchmark: $out" \
	bash -c "[[ '$out' == EPERM* ]]"
check "nothing changed" [ "$(msl)" = 30000 ]

ns_create A B
ip netns exec "$A" etpctl param set msl_ms 250 rto_initial_ms 200
check "param set applies in its netns" \
	[ "$(ip netns exec "$A" etpctl -j param show | jq .msl_ms)" = 250 ]
check "other netns keeps its value" \
	[ "$(ip netns exec "$B" etpctl -j param show | jq .msl_ms)" = 30000 ]
check "init netns keeps its value" [ "$(msl)" = 30000 ]
check "info shows the netns' parameters" \
	[ "$(ip netns exec "$A" etpctl -j info | jq .params.rto_initial_ms)" = 200 ]

exit $ret
