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
# The test build (ETP_SELFTEST=y): the one with the etp_test family.
ETP_KO=${ETP_KO:-$ETP_TOP/build/kmod-test/$(uname -r)/etp.ko}
ETP_KO_SHIPPING=$ETP_TOP/build/kmod/$(uname -r)/etp.ko
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

# nobody CMD...: run CMD as an unprivileged user (uid and gid 65534).
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
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

# require_tun: /dev/net/tun (the tun module loaded if need be), else skip.
require_tun() {
	[[ -c /dev/net/tun ]] || modprobe tun 2>/dev/null
	if ! [[ -c /dev/net/tun ]]; then
		echo "SKIP: no /dev/net/tun"
		exit $ksft_skip
	fi
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

# etp_stats_snapshot NS: all counters as "name value" lines, for
# before/after. NS "-": the current one.
etp_stats_snapshot() {
	nsx "$1" etpctl stats
}

# stats_delta BEFORE AFTER: "name delta" for every counter that changed.
stats_delta() {
	join <(sort <<<"$1") <(sort <<<"$2") |
		awk '$3 != $2 { print $1, $3 - $2 }' | sort
}

# --- connections, events, counters (issue 4) ---------------------------------

ETP_TMP=$(mktemp -d /tmp/etp-selftest.XXXXXX)
ETP_BG=()		# background helpers (monitors): killed on exit
declare -A ETP_MON	# monitor pid by file
ETP_SYNC_PORT=65000	# marker ports for mon_sync, 65000..65535, never reused

# nsx NS CMD...: run CMD in netns NS; NS "-" is the initial netns.
nsx() {
	local ns=$1

	shift
	if [[ $ns == - ]]; then
		"$@"
	else
		ip netns exec "$ns" "$@"
	fi
}

# now_ms: CLOCK_MONOTONIC-ish wall time in ms, for loose "late" bounds.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# wait_until TIMEOUT_S CMD...: poll CMD every 0.1 s until it succeeds.
wait_until() {
	local deadline=$(($(now_ms) + $1 * 1000))

	shift
	until "$@"; do
		(($(now_ms) > deadline)) && return 1
		sleep 0.1
	done
}

# conn_json NS ID: the connection object, or nothing if it is gone.
conn_json() {
	nsx "$1" etpctl -j show "$2" 2>/dev/null
}

# conn_state NS ID: its state, or nothing if it is gone. Text output, read
# by bash: polled often, and every process is expensive in a TCG guest.
conn_state() {
	local out id state

	out=$(nsx "$1" etpctl show "$2" 2>/dev/null) || return 0
	{ read -r; read -r id state _; } <<<"$out"
	[[ $id == "$2" ]] && echo "$state"
}

state_is() { [[ $(conn_state "$1" "$2") == "$3" ]]; }
conn_gone() { [[ -z $(conn_json "$1" "$2") ]]; }

# wait_state NS ID STATE [TIMEOUT_S]
wait_state() {
	wait_until "${4:-20}" state_is "$1" "$2" "$3"
}

# wait_gone NS ID [TIMEOUT_S]
wait_gone() {
	wait_until "${3:-20}" conn_gone "$1" "$2"
}

# conn_list NS [FILTER...]: `etpctl -j show` as one object per line.
conn_list() {
	local ns=$1

	shift
	nsx "$ns" etpctl -j show "$@" | jq -c '.[]'
}

# conn_find NS LOCAL REMOTE: id of the connection with that address pair.
conn_find() {
	conn_list "$1" | jq -r --arg l "$2" --arg r "$3" \
		'select(.local == $l and .remote == $r) | .id' | head -n1
}

# listener_id NS PORT: id of the listener on PORT.
listener_id() {
	conn_list "$1" state LISTEN |
		jq -r --arg l "0.0.0.0:$2" 'select(.local == $l) | .id' | head -n1
}

# show_norm NS: `etpctl -j show` without what changes by itself (time left
# on timers), sorted: two calls compare equal when nothing happened.
show_norm() {
	nsx "$1" etpctl -j show |
		jq -S -c 'walk(if type == "object" then del(.remaining_ms) else . end)'
}

# mon_start NS FILE: `etpctl -j monitor` in NS in the background, into FILE;
# returns once it is known to receive events (mon_sync).
mon_start() {
	local ns=$1 file=$2

	: >"$file"
	nsx "$ns" etpctl -j monitor >"$file" 2>"$file.err" &
	ETP_MON[$file]=$!
	ETP_BG+=($!)
	mon_sync "$ns" "$file"
}

# mon_stop FILE: end the monitor writing FILE.
mon_stop() {
	local pid=${ETP_MON[$1]:-}

	[[ -n $pid ]] || return 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "ETP_MON[$1]"
}

# mon_lines FILE: the events in FILE, one JSON object per line, without
# mon_sync's markers.
mon_lines() {
	jq -R -c 'fromjson? // empty | select(type == "object") |
		select(((.local // "") | test("^0\\.0\\.0\\.0:65[0-9]{3}$")) |
		not)' "$1"
}

# mon_has_marker FILE PORT: the monitor reported the marker's end. Bash
# only (it is polled): etpctl writes one compact JSON object per line.
mon_has_marker() {
	local line

	while IFS= read -r line; do
		[[ $line == *'"local":"0.0.0.0:'$2'"'* &&
		   $line == *'"new":"CLOSED"'* ]] && return 0
	done <"$1"
	return 1
}

# mon_sync NS FILE: a barrier. Opens and closes a listener on a fresh
# marker port and waits until FILE shows it: events are delivered in order,
# so every event before the barrier is in FILE too. Retries while a new
# monitor is still subscribing.
mon_sync() {
	local ns=$1 file=$2 port try

	for try in 1 2 3 4 5 6 7 8 9 10; do
		port=$ETP_SYNC_PORT
		ETP_SYNC_PORT=$((ETP_SYNC_PORT + 1))
		nsx "$ns" etpctl listen "$port" >/dev/null || return 1
		nsx "$ns" etpctl unlisten "$port" || return 1
		wait_until 3 mon_has_marker "$file" "$port" && return 0
	done
	echo "monitor in ${ns} never reported marker events" >&2
	return 1
}

# mon_tsv FILE: the events of FILE as "id old new cause error ts_ns local
# remote" lines (tab-separated, "-" for a missing field) in MON_CUR. Parsed
# with one jq run each time FILE has changed, queried by bash.
declare -A MON_RAW MON_TSV
mon_tsv() {
	local raw=

	IFS= read -r -d '' raw <"$1"
	if [[ ${MON_RAW[$1]-unset} != "$raw" ]]; then
		MON_RAW[$1]=$raw
		MON_TSV[$1]=$(jq -R -r 'fromjson? // empty |
			select(type == "object") |
			select((.local // "") | test("^0\\.0\\.0\\.0:65[0-9]{3}$") | not) |
			[.id, .old, .new, .cause // "-", .error // "-",
			 .ts_ns // "-", .local, .remote] | map(tostring) | @tsv' \
			<<<"$raw")
	fi
	MON_CUR=${MON_TSV[$1]}
}

# mon_id FILE LOCAL REMOTE: id of the first event with that address pair.
mon_id() {
	local id old new cause err ts l r

	mon_tsv "$1"
	while IFS=$'\t' read -r id old new cause err ts l r; do
		if [[ $l == "$2" && $r == "$3" ]]; then
			echo "$id"
			return
		fi
	done <<<"$MON_CUR"
}

# mon_trans FILE ID: the connection's transitions, "OLD->NEW" space-joined.
mon_trans() {
	local id old new cause err ts l r out=

	mon_tsv "$1"
	while IFS=$'\t' read -r id old new cause err ts l r; do
		[[ $id == "$2" ]] && out+="${out:+ }$old->$new"
	done <<<"$MON_CUR"
	echo "$out"
}

# mon_causes FILE ID: the connection's causes, space-joined.
mon_causes() {
	local id old new cause err ts l r out=

	mon_tsv "$1"
	while IFS=$'\t' read -r id old new cause err ts l r; do
		[[ $id == "$2" ]] && out+="${out:+ }$cause"
	done <<<"$MON_CUR"
	echo "$out"
}

# mon_errors FILE ID: the errors the connection's events carried, if any.
mon_errors() {
	local id old new cause err ts l r out=

	mon_tsv "$1"
	while IFS=$'\t' read -r id old new cause err ts l r; do
		[[ $id == "$2" && $err != - ]] && out+="${out:+ }$err"
	done <<<"$MON_CUR"
	echo "$out"
}

# mon_get FILE ID OLD NEW KEY: KEY (cause, error, ts_ns) of that
# transition's event; "" if there is no such event or it has no KEY.
mon_get() {
	local id old new cause err ts l r v

	mon_tsv "$1"
	while IFS=$'\t' read -r id old new cause err ts l r; do
		[[ $id == "$2" && $old == "$3" && $new == "$4" ]] || continue
		case $5 in
		cause) v=$cause ;;
		error) v=$err ;;
		ts_ns) v=$ts ;;
		*) v=- ;;
		esac
		[[ $v == - ]] || echo "$v"
		return
	done <<<"$MON_CUR"
}

# check_trans DESC FILE ID WANT: exact sequence of transitions.
check_trans() {
	local got

	got=$(mon_trans "$2" "$3")
	if [[ $got == "$4" ]]; then
		check_ok "$1: $got"
	else
		check_fail "$1: events [$got], want [$4]"
	fi
}

# check_eq DESC GOT WANT
check_eq() {
	if [[ $2 == "$3" ]]; then
		check_ok "$1: $2"
	else
		check_fail "$1: got '$2', want '$3'"
	fi
}

# proto_delta BEFORE AFTER: "name delta" for every counter that changed,
# in the kernel's order, without the timer wheel's own counters (timers_*,
# timer_wakeups), which count the implementation's bookkeeping, not the
# protocol, and without queue_bytes, a gauge of memory held. Pure bash: it runs a lot, and processes are dear under TCG.
proto_delta() {
	local -A old
	local name value

	while read -r name value; do
		[[ -n $name ]] && old[$name]=$value
	done <<<"$1"
	while read -r name value; do
		[[ -z $name || $name == timer* || $name == queue_bytes ]] &&
			continue
		((value != ${old[$name]:-0})) &&
			echo "$name $((value - ${old[$name]:-0}))"
	done <<<"$2"
}

# same_set A B: the same lines, in any order (blank lines ignored).
same_set() {
	local -A count
	local line

	while read -r line; do
		[[ -n $line ]] && count[$line]=$((${count[$line]:-0} + 1))
	done <<<"$1"
	while read -r line; do
		[[ -z $line ]] && continue
		((${count[$line]:-0} > 0)) || return 1
		count[$line]=$((count[$line] - 1))
	done <<<"$2"
	for line in "${!count[@]}"; do
		((count[$line] == 0)) || return 1
	done
}

# check_delta DESC NS BEFORE WANT: the counters of NS changed by exactly
# WANT ("name delta" lines) since the snapshot BEFORE, and nothing else did.
check_delta() {
	local got

	got=$(proto_delta "$3" "$(etp_stats_snapshot "$2")")
	if same_set "$got" "$4"; then
		check_ok "$1: [${got//$'\n'/,}]"
	else
		check_fail "$1: counted [${got//$'\n'/,}], want [${4//$'\n'/,}]"
	fi
}

# ns_del NS...: end the monitors started in NS, then delete it.
ns_del() {
	local ns f i

	for ns in "$@"; do
		for f in "${!ETP_MON[@]}"; do
			[[ $f == *"/mon.$ns" ]] && mon_stop "$f"
		done
		ip netns del "$ns" 2>/dev/null
		for i in "${!ETP_NS[@]}"; do
			[[ ${ETP_NS[$i]} == "$ns" ]] && unset "ETP_NS[$i]"
		done
	done
	ETP_NS=("${ETP_NS[@]}")
}

cleanup() {
	local pid

	for pid in "${ETP_BG[@]}"; do
		kill "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	ns_cleanup
	rm -rf "$ETP_TMP"
}
trap cleanup EXIT
