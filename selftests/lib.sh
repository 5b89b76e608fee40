#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the etp selftests, in the spirit of
# tools/testing/selftests/net/lib.sh: namespaces with unique names, cleanup
# on exit, exact counter deltas, and kselftest exit codes.

set -u

ksft_pass=0
ksft_fail=1
ksft_skip=4

ETP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ETP_KO=${ETP_KO:-$ETP_TOP/build/kmod/$(uname -r)/etp.ko}
export PATH="$ETP_TOP/build/bin:$PATH"

ETP_NS=()
ret=$ksft_pass

log() { echo "$*"; }

check_fail() {
	echo "FAIL: $*"
	ret=$ksft_fail
}

check_ok() {
	echo "ok: $*"
}

# check DESC CMD...: run CMD, record a failure if it fails.
check() {
	local desc=$1

	shift
	if "$@"; then
		check_ok "$desc"
	else
		check_fail "$desc"
	fi
}

require_root() {
	if [[ $(id -u) != 0 ]]; then
		echo "SKIP: need root"
		exit $ksft_skip
	fi
}

require_cmd() {
	local c

	for c in "$@"; do
		if ! command -v "$c" >/dev/null; then
			echo "SKIP: $c not found"
			exit $ksft_skip
		fi
	done
}

etp_loaded() {
	[[ -d /sys/module/etp ]]
}

etp_load() {
	if ! [[ -f $ETP_KO ]]; then
		echo "SKIP: $ETP_KO not built for $(uname -r)"
		exit $ksft_skip
	fi
	etp_loaded || insmod "$ETP_KO" "$@"
}

etp_unload() {
	! etp_loaded || rmmod etp
}

# ns_create VAR...: make fresh namespaces, store their names in the VARs.
ns_create() {
	local var name

	for var in "$@"; do
		name="$var-$(mktemp -u XXXXXX)"
		ip netns add "$name" || return 1
		ip -n "$name" link set lo up
		ETP_NS+=("$name")
		printf -v "$var" '%s' "$name"
	done
}

ns_cleanup() {
	local ns

	for ns in "${ETP_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	ETP_NS=()
}

# veth_pair NS_A ADDR_A NS_B ADDR_B: join two namespaces, /24 from 198.18/15.
veth_pair() {
	ip link add veth0 netns "$1" type veth peer name veth0 netns "$3" ||
		return 1
	ip -n "$1" addr add "$2/24" dev veth0
	ip -n "$3" addr add "$4/24" dev veth0
	ip -n "$1" link set veth0 up
	ip -n "$3" link set veth0 up
}

# etp_stat NS NAME: one per-netns counter from `etpctl -j stats`.
etp_stat() {
	ip netns exec "$1" etpctl -j stats | jq -r ".$2"
}

# etp_stat_all NS: all counters as "name value" lines, for before/after.
etp_stats_snapshot() {
	ip netns exec "$1" etpctl stats
}

# stats_delta BEFORE AFTER: "name delta" for every counter that changed.
stats_delta() {
	join <(sort <<<"$1") <(sort <<<"$2") |
		awk '$3 != $2 { print $1, $3 - $2 }' | sort
}

cleanup() {
	ns_cleanup
}
trap cleanup EXIT
