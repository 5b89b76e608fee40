#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# etpctl as a user meets it (docs/etpctl.md): every bad input gets its exit
# code (1 usage, 2 kernel) and a message in the user's words, never an
# attribute name; help, -V, -p, -n, abbreviations, decimal numbers, stats
# deltas, and monitor ending when etp.ko goes away. Every -j output must
# pass jq. docs/etpctl.md's synopsis must be `etpctl help`'s.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd jq setpriv

A_IP=198.18.0.1
B_IP=198.18.0.2
OUT=$ETP_TMP/out ERR=$ETP_TMP/err

# cli WANT_RC REGEX [@nobody] [@ns NS] ARG...: run etpctl ARG... (in NS;
# as nobody), check its exit code, and REGEX against stderr (or stdout when
# WANT_RC is 0). A refusal must not name netlink attributes.
cli() {
	local want=$1 re=$2 run=() rc text

	shift 2
	if [[ ${1:-} == @nobody ]]; then
		run=(setpriv --reuid=65534 --regid=65534 --clear-groups
		     --inh-caps=-all)
		shift
	fi
	if [[ ${1:-} == @ns ]]; then
		run=(ip netns exec "$2" "${run[@]}")
		shift 2
	fi
	"${run[@]}" etpctl "$@" >"$OUT" 2>"$ERR"
	rc=$?
	if ((want == 0)); then text=$(<"$OUT"); else text=$(<"$ERR"); fi
	if ((rc != want)); then
		check_fail "etpctl $*: exit $rc, want $want ($(head -c 300 "$ERR"))"
	elif ! grep -qE -- "$re" <<<"$text"; then
		check_fail "etpctl $*: '$(head -c 300 <<<"$text")' does not match /$re/"
	elif grep -q ETP_A_ "$ERR"; then
		check_fail "etpctl $*: names an attribute: $(<"$ERR")"
	elif ((want != 0)) && [[ -s $OUT ]]; then
		check_fail "etpctl $*: refused but printed '$(<"$OUT")'"
	else
		check_ok "etpctl $* -> $rc: $(head -n1 <<<"$text")"
	fi
}

# jq_ok DESC ARG...: etpctl -j ARG... exits 0 and its output is JSON.
jq_ok() {
	local desc=$1 out

	shift
	if ! out=$(etpctl "$@" 2>&1); then
		check_fail "$desc: etpctl $* failed: $out"
	elif ! jq -e . >/dev/null <<<"$out"; then
		check_fail "$desc: etpctl $* is not JSON: $out"
	else
		check_ok "$desc"
	fi
}

# --- without etp.ko ------------------------------------------------------------
etp_unload
cli 2 "family 'etp' not found \(is etp.ko loaded\?\)" info
cli 2 "family 'etp' not found" show
cli 0 "^etpctl [0-9]" -V
check "-V without the module says so" grep -q "etp.ko not loaded" "$OUT"
jq_ok "-j -V without the module" -j -V
check_eq "-j -V: module is null" "$(etpctl -j -V | jq -c .module)" null

# --- usage errors: exit 1, before the kernel is asked ----------------------------
cli 1 "^usage: etpctl"
cli 1 "unknown command 'frobnicate'" frobnicate
cli 1 "'s' is ambiguous: stats show" s
cli 1 "'c' is ambiguous: connect close" c
cli 1 "unknown option '-x'" -x info
cli 1 "unknown option '--bogus'" --bogus info
cli 1 "option '-n' needs a value" -n
cli 1 "cannot open network namespace 'nosuchns'" -n nosuchns info
cli 1 "help: one COMMAND at most" help show info
cli 1 "unknown command 'nope'" help nope
cli 1 "info: unknown argument 'x'" info x
cli 1 "monitor: unknown argument 'x'" monitor x
cli 1 "connect: missing ADDR" connect
cli 1 "connect: missing PORT" connect $B_IP
cli 1 "invalid ADDR '0.0.0.0': 0.0.0.0/8" connect 0.0.0.0 7000
cli 1 "invalid ADDR '255.255.255.255': the broadcast address" \
	connect 255.255.255.255 7000
cli 1 "invalid ADDR '224.0.0.1': a multicast address" connect 224.0.0.1 7000
cli 1 "invalid ADDR '198.18.0.256' \(a unicast IPv4 address" \
	connect 198.18.0.256 7000
cli 1 "invalid ADDR 'localhost'" connect localhost 7000
cli 1 "invalid PORT '0x10' \(1..65535\)" connect $B_IP 0x10
cli 1 "invalid PORT '-5'" connect $B_IP -5
cli 1 "invalid PORT '\+5'" connect $B_IP +5
cli 1 "PORT 65536 is out of range \(1..65535\)" connect $B_IP 65536
cli 1 "PORT 99999999999999999999999 is out of range" \
	connect $B_IP 99999999999999999999999
cli 1 "PORT 0 is out of range" connect $B_IP 0
cli 1 "connect: 'sport' given twice" connect $B_IP 7000 sport 1 sport 2
cli 1 "connect: 'wait' given twice" connect $B_IP 7000 wait wait
cli 1 "connect: sport needs a value: sport P \(1..65535\)" connect $B_IP 7000 sport
cli 1 "connect: unknown argument 'bogus'" connect $B_IP 7000 bogus
cli 1 "listen: missing PORT" listen
cli 1 "listen: PORT 0 is out of range" listen 0
cli 1 "listen: invalid backlog 'x'" listen 7000 backlog x
cli 1 "listen: 'backlog' given twice" listen 7000 backlog 1 backlog 2
cli 1 "unlisten: invalid PORT 'abc'" unlisten abc
cli 1 "close: missing ID" close
cli 1 "close: ID 0 is out of range" close 0
cli 1 "close: unknown argument '2'" close 1 2
cli 1 "abort: invalid ID 'x'" abort x
cli 1 "show: ID 0 is out of range" show 0
cli 1 "show: invalid ID '1x'" show 1x
cli 1 "show: unknown state 'bogus' \(an RFC 9293 state: CLOSED" show state bogus
cli 1 "show: 'state' given twice" show state listen state listen
cli 1 "show: port 0 is out of range" show port 0
cli 1 "show: unknown argument '2'" show 1 2
cli 1 "stats: unknown argument 'bogus'" stats bogus
cli 1 "'all' goes with delta or interval" stats all
cli 1 "delta or interval, not both" stats delta interval 1
cli 1 "interval 0 is out of range \(seconds" stats interval 0
cli 1 "param: unknown subcommand 'bogus'" param bogus
cli 1 "param: ambiguous 's'" param s
cli 1 "param set: missing NAME VALUE" param set
cli 1 "param set: msl_ms needs a VALUE" param set msl_ms
cli 1 "msl_ms: 'ten' is not a decimal number" param set msl_ms ten
cli 1 "msl_ms: '0x10' is not a decimal number" param set msl_ms 0x10

# --- help, version, abbreviations ---------------------------------------------------
cli 0 "^usage: etpctl \[OPTIONS\] COMMAND" help
cli 0 "^usage: etpctl \[OPTIONS\] COMMAND" -h
cli 0 "^usage: etpctl \[OPTIONS\] COMMAND" --help
for c in info stats param listen unlisten connect close abort show monitor; do
	cli 0 "^usage: etpctl $c" "$c" help
done
cli 0 "^usage: etpctl connect ADDR PORT" connect -h
cli 0 "^usage: etpctl show" help sh

# The synopsis of docs/etpctl.md (and so of etpctl(8)) is `etpctl help`'s.
doc=$ETP_TOP/docs/etpctl.md
missing=
while read -r line; do
	grep -qxF -- "    etpctl $line" "$doc" || missing+=" [$line]"
done < <(etpctl help | sed -n '/^commands:/,/^$/s/^  //p')
check_eq "docs/etpctl.md synopsis lists every command as etpctl help does" \
	"$missing" ""

etp_load
ver=$(modinfo -F version "$ETP_KO")
cli 0 "^etpctl $ver" -V
check "-V names the module's version" grep -q "^etp.ko $ver, IP protocol 253" "$OUT"
jq_ok "-j -V" -j -V
check_eq "-j -V: module" "$(etpctl -j -V | jq -r .module)" "$ver"
jq_ok "-p info is JSON" -p info
check "-p info is spread over lines" \
	[ "$(etpctl -p info | wc -l)" -gt 5 ]
jq_ok "-j info" -j info
jq_ok "-json info (iproute2 spelling)" -json info
jq_ok "-j param show" -j param show
jq_ok "-j stats" -j stats
jq_ok "-j show" -j show
jq_ok "-j sh (abbreviated)" -j sh
jq_ok "-j par sh (abbreviated)" -j par sh
cli 0 "^in_segs " st

# --- the kernel refuses: exit 2, in the user's words --------------------------------
ns_create A B
veth_pair "$A" $A_IP "$B" $B_IP
for ns in "$A" "$B"; do
	nsx "$ns" etpctl param set fin_wait2_ms 600000 rto_initial_ms 10000
done
nsx "$B" etpctl listen 7000
nsx "$A" etpctl listen 7000
EST=$(nsx "$A" etpctl connect $B_IP 7000 sport 42000 wait)
FW2=$(nsx "$A" etpctl connect $B_IP 7000 sport 42001 wait)
nsx "$A" etpctl close "$FW2"
wait_state "$A" "$FW2" FIN_WAIT_2

cli 0 "" @ns "$A" listen 0008
check_eq "0008 is port 8" "$(conn_list "$A" port 8 | jq -r .local)" "0.0.0.0:8"
cli 2 "listen: port 8 already has a listener" @ns "$A" listen 8
cli 0 "" @ns "$A" unlisten 8
cli 2 "unlisten: nothing listens on port 8" @ns "$A" unlisten 8
cli 2 "listen: backlog 0 is out of range: must be 1..65535" \
	@ns "$A" listen 7100 backlog 0
cli 2 "listen: backlog 65536 is out of range: must be 1..65535" \
	@ns "$A" listen 7100 backlog 65536
cli 2 "connect: no route to 198.18.9.9 \(Network is unreachable\)" \
	@ns "$A" connect 198.18.9.9 7000
cli 2 "a connection from local port 42000 to $B_IP port 7000 already exists" \
	@ns "$A" connect $B_IP 7000 sport 42000
cli 2 "close: no connection 424242$" @ns "$A" close 424242
cli 2 "abort: no connection 424242$" @ns "$A" abort 424242
cli 2 "show: no connection 424242$" @ns "$A" show 424242
check "show of a missing id prints nothing on stdout, even with -j" \
	[ -z "$(nsx "$A" etpctl -j show 424242 2>/dev/null)" ]
cli 2 "close: connection $FW2 is in state FIN_WAIT_2, where close is not valid" \
	@ns "$A" close "$FW2"
cli 2 "param set: msl_ms 0 is out of range: must be 1..600000" \
	@ns "$A" param set msl_ms 0
cli 2 "param set: syn_retries 21 is out of range: must be 1..20" \
	@ns "$A" param set msl_ms 100 syn_retries 21
cli 2 "param set: msl_ms 4294967296 is out of range: must be 1..600000" \
	@ns "$A" param set msl_ms 4294967296
cli 1 "param set: unknown parameter 'bogus' \(one of: msl_ms rto_initial_ms " \
	@ns "$A" param set bogus 1
cli 1 "param set: msl_ms given twice" @ns "$A" param set msl_ms 1 msl_ms 2
check_eq "nothing was set" "$(nsx "$A" etpctl -j param show | jq .msl_ms)" 30000
cli 2 "listen: Operation not permitted: changing etp needs CAP_NET_ADMIN" \
	@nobody @ns "$A" listen 7300
cli 2 "param set: Operation not permitted: changing etp needs CAP_NET_ADMIN" \
	@nobody @ns "$A" param set msl_ms 100
cli 2 "close: Operation not permitted: changing etp needs CAP_NET_ADMIN" \
	@nobody @ns "$A" close "$EST"
cli 0 "^ID +State" @nobody @ns "$A" show

# Numbers are decimal: 010 is ten, not eight.
nsx "$B" etpctl listen 10
id=$(nsx "$A" etpctl connect $B_IP 010 sport 0042002)
check_eq "connect ADDR 010 sport 0042002: decimal" \
	"$(nsx "$A" etpctl -j show "$id" | jq -r '.local + " " + .remote')" \
	"$A_IP:42002 $B_IP:10"

# -n NETNS is ip netns exec NETNS.
check_eq "-n NS show is ip netns exec NS etpctl show" \
	"$(etpctl -n "$A" -j show | jq -c '[.[].id]')" \
	"$(ip netns exec "$A" etpctl -j show | jq -c '[.[].id]')"
check_eq "--netns=NS" "$(etpctl --netns="$A" -j show "$EST" | jq -r .state)" \
	ESTABLISHED
jq_ok "-p show ID" -n "$A" -p show "$EST"

# --- stats deltas (nstat's way) ---------------------------------------------------
export ETPCTL_STATS_HISTORY=$ETP_TMP/stats-history
nsx "$A" etpctl stats delta >/dev/null
check_eq "stats delta: nothing happened, nothing shown" \
	"$(nsx "$A" etpctl stats delta)" ""
check_eq "stats -j delta: {}" "$(nsx "$A" etpctl -j stats delta)" "{}"
nsx "$B" etpctl listen 7001
before=$(etp_stats_snapshot "$A")
nsx "$A" etpctl connect $B_IP 7001 wait >/dev/null
want=$(proto_delta "$before" "$(etp_stats_snapshot "$A")")
got=$(nsx "$A" etpctl stats delta | grep -v '^timer')
check "stats delta shows what one connect changed: [${got//$'\n'/,}]" \
	same_set "$got" "$want"
check "stats delta: active_opens 1" grep -qx "active_opens 1" <<<"$got"
check_eq "stats delta all: every counter" \
	"$(nsx "$A" etpctl -j stats delta all | jq 'keys | length')" \
	"$(nsx "$A" etpctl -j stats | jq 'keys | length')"
check_eq "stats interval 1: idle, nothing" \
	"$(nsx "$A" etpctl -j stats interval 1 | jq -c 'with_entries(select(.key | startswith("timer") | not))')" "{}"
unset ETPCTL_STATS_HISTORY

# --- monitor and connect wait end when etp.ko goes away ---------------------------
# wait_exit PID: its exit status once it ends (within 10 s), or "running".
wait_exit() {
	local i

	for i in $(seq 50); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			echo $?
			return
		fi
		sleep 0.2
	done
	echo running
}

ns_cleanup
ns_create C D
veth_pair "$C" 198.18.1.1 "$D" 198.18.1.2
nsx "$C" etpctl param set rto_initial_ms 10000
# No host has 198.18.1.3: the SYN goes nowhere and connect waits.
nsx "$C" etpctl connect 198.18.1.3 7000 wait >"$ETP_TMP/cw" 2>"$ETP_TMP/cw.err" &
cw=$!
ETP_BG+=($cw)
mon_start - "$ETP_TMP/mon"
mon=${ETP_MON[$ETP_TMP/mon]}
unset "ETP_MON[$ETP_TMP/mon]"
has_syn_sent() { [[ -n $(conn_list "$C" state syn_sent) ]]; }
check "connect ... wait is waiting (SYN_SENT)" wait_until 10 has_syn_sent
rmmod etp
check_eq "monitor exits 2 when etp.ko is removed" "$(wait_exit "$mon")" 2
check "and says why: $(cat "$ETP_TMP/mon.err")" \
	grep -q "monitor: etp.ko was unloaded" "$ETP_TMP/mon.err"
check_eq "connect ... wait exits 2 when etp.ko is removed" "$(wait_exit "$cw")" 2
check "and says why: $(cat "$ETP_TMP/cw.err")" \
	grep -q "connect: etp.ko was unloaded" "$ETP_TMP/cw.err"
etp_load

exit $ret
