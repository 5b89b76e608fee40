#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Module lifecycle: repeated load/unload, the genetlink family appearing and
# going with the module, `etpctl info`, and the proto parameter refusing
# numbers outside RFC 3692's experimental pair. The shipping build carries
# no test hooks; the test build adds the "etp_test" family, and the
# fail_net_init parameter that makes each step of a namespace's set-up
# fail in turn.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd insmod rmmod genl jq

etp_unload

load_cycle() {
	local i

	for i in $(seq 1 20); do
		etp_load || return 1
		genl ctrl get name etp >/dev/null || return 1
		etp_unload || return 1
	done
}
check "load/unload 20 times, family present while loaded" load_cycle

check "family absent after unload" \
	bash -c '! genl ctrl get name etp >/dev/null 2>&1'
etpctl info >/dev/null 2>&1
check "etpctl info without the module exits 2" [ $? -eq 2 ]

etp_load
check "family visible to genl" \
	bash -c 'genl ctrl get name etp | grep -q "Name: etp"'
check "etpctl info reports protocol 253" \
	[ "$(etpctl -j info | jq .protocol)" = 253 ]
check "etpctl info reports the version" \
	[ "$(etpctl -j info | jq -r .version)" = "$(modinfo -F version "$ETP_KO")" ]
check "etpctl info shows msl_ms" \
	[ "$(etpctl -j info | jq .params.msl_ms)" -gt 0 ]
check "text output names the protocol" \
	bash -c 'etpctl info | grep -q "protocol 253"'
etp_unload

# refused PROTO: insmod must fail and the kernel log must say why.
refused() {
	dmesg -C
	if insmod "$ETP_KO" proto="$1" 2>/dev/null; then
		rmmod etp
		return 1
	fi
	! etp_loaded && dmesg | grep -q "proto=$1 refused"
}
check "proto=6 refused with a message" refused 6
check "proto=300 refused with a message" refused 300
check "proto=abc refused with a message" refused abc

if [[ -f $ETP_KO_SHIPPING ]]; then
	insmod "$ETP_KO_SHIPPING"
	check "shipping build: family etp present" \
		bash -c 'genl ctrl get name etp >/dev/null 2>&1'
	check "shipping build: no etp_test family" \
		bash -c '! genl ctrl get name etp_test >/dev/null 2>&1'
	check "shipping build: etpctl info works" etpctl info
	check "shipping build: no fail_net_init parameter" \
		[ ! -e /sys/module/etp/parameters/fail_net_init ]
	rmmod etp
else
	check_fail "shipping build $ETP_KO_SHIPPING missing"
fi
etp_load
check "test build: etp_test family present" \
	bash -c 'genl ctrl get name etp_test >/dev/null 2>&1'

# A namespace whose etp set-up fails at step N of etp_net_init() (the test
# build's fail_net_init, as if that step's allocation had failed: 1 the
# counters, 2 the timer wheel, 3 the connection table): no namespace, the
# error is the user's, what the earlier steps made is freed (kmemleak on
# the debug kernel), and the next namespace is whole.
FAIL_AT=/sys/module/etp/parameters/fail_net_init
netns_fails_at() {
	local name=etp-fail-$1-$$ out

	echo "$1" >"$FAIL_AT" || return 1
	if out=$(ip netns add "$name" 2>&1); then
		ip netns del "$name"
		echo "step $1: the namespace was made"
		return 1
	fi
	grep -q "Cannot allocate memory" <<<"$out" ||
		{ echo "step $1: $out"; return 1; }
	! ip netns list | grep -qw "$name" &&
		[[ $(cat "$FAIL_AT") == 0 ]]
}
for step in 1 2 3; do
	check "netns set-up failing at step $step: ENOMEM, nothing left" \
		netns_fails_at $step
done
ns_create N
check "the next namespace is whole: etpctl info" nsx "$N" etpctl info
check "the next namespace is whole: a listener" nsx "$N" etpctl listen 7000
check "the next namespace is whole: shown" \
	[ "$(nsx "$N" etpctl -j show | jq length)" = 1 ]
ns_del "$N"
check "unloads after failed set-ups" etp_unload

etp_load proto=254
check "proto=254 accepted and reported" \
	[ "$(etpctl -j info | jq .protocol)" = 254 ]
check "parameter readable in sysfs" \
	[ "$(cat /sys/module/etp/parameters/proto)" = 254 ]
etp_unload

exit $ret
