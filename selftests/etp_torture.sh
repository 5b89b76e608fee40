#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Concurrency torture (docs/torture.md). For ETP_TORTURE_SECS (default 15)
# many processes at once, in five namespaces and more that come and go:
#
#   A <-veth-> B   connections opened, closed, aborted (by id, at random,
#                  whoever opened them), listeners coming and going,
#                  byte-checked file transfers and endless /dev/zero ones
#                  cut short, dumps, parameters changed under it all,
#                  monitors, and the netlink fuzzer as nobody in A;
#   V <-veth-> W   etp_connrate's threads opening and closing as fast as
#                  they can, and byte-checked transfers nobody interrupts;
#   T <-tun-> peer etp_tunpeer writing random and real segments (SYNs,
#                  data, FINs, RSTs, junk, fragments) to a listener and
#                  answering T's own connections, while T reads, sends and
#                  aborts;
#   F              the netlink fuzzer as root, checking that refusals
#                  change nothing;
#   X/Y pairs      created, loaded with connections and transfers, and
#                  deleted under load, over and over.
#
# Then everything stops, every connection is aborted, and the counters
# must add up, exactly: in each namespace etp counted every packet its
# devices received once (in_segs) and every packet they sent once
# (out_segs); what A sent B received, and the other way, and V and W
# alike; T received every segment the peer wrote and dropped each one the
# receive path must drop under that reason (short, checksum, offset,
# version, flags, option); the peer read every segment T counted as sent
# and found each one well-formed; no drop counter exceeds in_segs; the
# queues' memory is back to zero. No etpctl died or was misused (exit 0
# or 2 only), every completed transfer arrived byte for byte and every
# interrupted one delivered a prefix of what was sent, and the fuzzers
# found no violation.
#
# Last, the same load is started again and etp.ko is removed while it
# runs (retried while a dump holds the module); every process must notice
# and end cleanly. The VM runner fails the run on any splat, KASAN or
# lockdep report and on kmemleak's leaks. `make torture` runs this for
# minutes on the debug kernel.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd jq setpriv cmp timeout
require_tun

SECS=${ETP_TORTURE_SECS:-15}
STOP=$ETP_TMP/stop
A_IP=198.18.0.1 B_IP=198.18.0.2
V_IP=198.18.2.1 W_IP=198.18.2.2
T_IP=198.18.1.1 PEER_IP=198.18.1.2
WORKERS=()
CHURN=torture-churn-$$		# prefix of the namespaces that come and go
# The main shell counts like a worker (abort_all and ids use op).
WORKER=main WTMP=$ETP_TMP/w.main OPS=0 REFUSED=0 BAD=0

etp_load
# Nothing may be lost between a sender and a receiver's etp but what the
# counters say: no backlog overflow, however slow the VM.
sysctl -qw net.core.netdev_max_backlog=1000000

# --- set-up ------------------------------------------------------------------

# quiet_link NS DEV PEER_ADDR PEER_MAC: no ARP, no IPv6: the device carries
# etp and nothing else, so its packet counters are etp's segments.
quiet_link() {
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 &&
	ip -n "$1" neigh replace "$3" lladdr "$4" dev "$2" nud permanent
}

mac() { ip -n "$1" -j link show "$2" | jq -r '.[0].address'; }

# pair X X_IP Y Y_IP: two namespaces joined by a quiet veth.
pair() {
	veth_pair "$1" "$2" "$3" "$4" &&
	quiet_link "$1" veth0 "$4" "$(mac "$3" veth0)" &&
	quiet_link "$3" veth0 "$2" "$(mac "$1" veth0)"
}

# Short timers, so that whatever the workers leave behind ends soon.
PARAMS="msl_ms 200 rto_initial_ms 200 rto_min_ms 20 rto_max_ms 2000 \
syn_retries 4 retries 6 fin_wait2_ms 2000 linger_ms 2000"

setup() {
	ns_create A B V W T F || return 1
	pair "$A" $A_IP "$B" $B_IP && pair "$V" $V_IP "$W" $W_IP || return 1
	ip -n "$T" tuntap add dev tp0 mode tun &&
	ip netns exec "$T" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 &&
	ip -n "$T" addr add $T_IP/24 dev tp0 &&
	ip -n "$T" link set tp0 up || return 1
	for ns in "$A" "$B" "$V" "$W" "$T"; do
		etpctl -n "$ns" param set $PARAMS || return 1
	done
	etpctl -n "$A" listen 7000 && etpctl -n "$B" listen 7000 &&
	etpctl -n "$W" listen 7500 &&
	etpctl -n "$T" listen 8000 || return 1
	# F: the privileged fuzzer's quiet namespace, nothing due for minutes.
	etpctl -n "$F" param set msl_ms 600000 fin_wait2_ms 0 \
		rto_initial_ms 60000 rto_min_ms 60000 &&
	etpctl -n "$F" listen 7000 &&
	etpctl -n "$F" connect 127.0.0.1 7000 wait >/dev/null &&
	etpctl -n "$F" connect 127.0.0.1 7000 wait >/dev/null
}

# --- counting what the workers do ------------------------------------------

# op CMD...: one operation; counted as done, refused by the kernel (exit
# 2), or bad (anything else: a usage error, a crash, a hang cut short).
op() {
	local rc

	"$@"
	rc=$?
	OPS=$((OPS + 1))
	case $rc in
	0) ;;
	2) REFUSED=$((REFUSED + 1)) ;;
	*)	# cut short by stop_load
		[[ -e $STOP ]] && ((rc >= 124)) && return $rc
		BAD=$((BAD + 1))
		echo "$WORKER: exit $rc: $*" >>"$ETP_TMP/bad" ;;
	esac
	return $rc
}

# opo CMD...: op with its stdout in OUT (no subshell: the counts stay).
opo() {
	op "$@" >"$WTMP"
	local rc=$?

	OUT=
	IFS= read -r -d '' OUT <"$WTMP"
	return $rc
}

# etp_live: etp.ko is loaded and not on its way out. A worker starts no
# new work once rmmod has begun: what runs then is the work in flight that
# phase 2 removes the module under. Every etpctl started after that finds
# no family and makes the kernel run modprobe for it
# (MODULE_ALIAS_GENL_FAMILY); on the debug kernel a storm of those slowed
# each rcu_barrier() of the unload to minutes (docs/torture.md).
etp_live() {
	local st

	# stderr first: the redirections apply in order, and the file may be
	# gone.
	read -r st 2>/dev/null </sys/module/etp/initstate && [[ $st == live ]]
}

# worker NAME FUNC ARGS...: FUNC ARGS again and again, in the background,
# until STOP or until etp.ko is no longer live; its counts in
# $ETP_TMP/ops.NAME at the end.
worker() {
	local name=$1

	shift
	(
		WORKER=$name WTMP=$ETP_TMP/w.$name OPS=0 REFUSED=0 BAD=0
		trap 'echo "$OPS $REFUSED $BAD" >"$ETP_TMP/ops.$WORKER"' EXIT
		while ! [[ -e $STOP ]] && etp_live; do
			"$@"
		done
	) &
	WORKERS+=($!)
}

pick() { local a=("$@"); echo "${a[RANDOM % ${#a[@]}]}"; }

# ids NS: the ids of NS's entries in IDS (from text `show`, read by bash).
ids() {
	local id rest

	IDS=()
	opo etpctl -n "$1" show 2>/dev/null || return
	while read -r id rest; do
		[[ $id =~ ^[0-9]+$ ]] && IDS+=("$id")
	done <<<"$OUT"
}

# child NS LOCAL_PORT REMOTE_PORT: the id of NS's end of that connection.
child() {
	local id st l r rest i

	for i in 1 2 3 4 5 6 7 8 9 10; do
		opo etpctl -n "$1" show port "$3" 2>/dev/null || return 1
		while read -r id st l r rest; do
			if [[ $id =~ ^[0-9]+$ && $l == *":$2" && $r == *":$3" ]]; then
				CHILD=$id
				return 0
			fi
		done <<<"$OUT"
		sleep 0.05
	done
	return 1
}

# --- the workers ----------------------------------------------------------------

# churn NS PEER_IP: open (to the peer's stable listener or a flapping
# one), then close, abort, or leave it to the others.
w_churn() {
	local id

	local port wait=()

	port=$(pick 7000 7000 7100 7101 7102 7103)
	((RANDOM % 3)) && wait=(wait)
	opo timeout 60 etpctl -n "$1" connect "$2" "$port" "${wait[@]}" \
		2>/dev/null || return
	id=${OUT//[^0-9]/}
	[[ -n $id ]] || return
	case $((RANDOM % 4)) in
	0) op etpctl -n "$1" close "$id" 2>/dev/null ;;
	1) op etpctl -n "$1" abort "$id" 2>/dev/null ;;
	esac
}

# aborter NS: close or abort any entry, whoever made it.
w_abort() {
	ids "$1"
	((${#IDS[@]})) || { sleep 0.1; return; }
	op etpctl -n "$1" "$(pick abort abort close)" "$(pick "${IDS[@]}")" \
		2>/dev/null
}

# listener NS: listeners on 7100..7103 come and go.
w_listen() {
	local port=$((7100 + RANDOM % 4))

	op etpctl -n "$1" "$(pick listen unlisten)" "$port" >/dev/null \
		2>&1
}

# dumper NS: every way of reading, JSON checked now and then.
w_dump() {
	local args

	args=$(pick "show" "-j show" "show state $(pick established \
		time_wait syn_sent listen close_wait fin_wait_2)" \
		"show port 7000" "stats" "-j stats" "param show" "info" \
		"show $((RANDOM % 400 + 1))")
	opo etpctl -n "$1" $args 2>/dev/null || return
	if [[ $args == -j* ]] && ! jq -e . >/dev/null 2>&1 <<<"$OUT"; then
		BAD=$((BAD + 1))
		echo "$WORKER: etpctl $args: not JSON" >>"$ETP_TMP/bad"
	fi
}

# params NS...: parameters change under the load, within bounds that
# keep every leftover short-lived (linger, TIME_WAIT, FIN_WAIT_2).
w_params() {
	local ns=$(pick "$@") set=()

	set+=($(pick \
		"msl_ms $((50 + RANDOM % 950))" \
		"rto_initial_ms $((10 + RANDOM % 990))" \
		"rto_min_ms $((1 + RANDOM % 200))" \
		"rto_max_ms $((100 + RANDOM % 4900))" \
		"syn_retries $((1 + RANDOM % 6))" "retries $((1 + RANDOM % 8))" \
		"fin_wait2_ms $((RANDOM % 2000))" \
		"mss $((64 + RANDOM % 9000))" \
		"rcvbuf $((256 + RANDOM * 32))" "sndbuf $((256 + RANDOM * 32))" \
		"backlog $((1 + RANDOM % 200))" \
		"max_conns $(pick 4 64 1024 65536)" \
		"invalid_ratelimit_ms $((RANDOM % 1000))" \
		"delack_ms $((1 + RANDOM % 500))" \
		"keepalive_ms $(pick 0 0 $((RANDOM % 5000)))" \
		"keepalive_intvl_ms $((1000 + RANDOM % 4000))" \
		"keepalive_probes $((1 + RANDOM % 10))" \
		"linger_ms $((1 + RANDOM % 2000))"))
	op etpctl -n "$ns" param set "${set[@]}" 2>/dev/null
	sleep 0.$((RANDOM % 5))
}

# bg_rc PID: a background etpctl's exit, counted: 0 done, 2 ended by the
# kernel (reset, timed out: other workers abort at random), 124 cut by
# its time limit, 143 stopped by us; anything else is bad.
bg_rc() {
	local rc

	wait "$1"
	rc=$?
	OPS=$((OPS + 1))
	case $rc in
	0|143) ;;
	2) REFUSED=$((REFUSED + 1)) ;;
	124) [[ -e $STOP ]] || echo "$WORKER" >>"$ETP_TMP/stalled" ;;
	*)	BAD=$((BAD + 1))
		echo "$WORKER: background etpctl: exit $rc" >>"$ETP_TMP/bad" ;;
	esac
	return $rc
}

# conn C S S_IP SPORT [PORT]: C connects to S's listener on PORT (7000)
# from SPORT; the two ends' ids in CID and CHILD.
conn() {
	local port=${5:-7000}

	opo timeout 60 etpctl -n "$1" connect "$3" "$port" sport "$4" wait \
		2>/dev/null || return 1
	CID=${OUT//[^0-9]/}
	child "$2" "$port" "$4" && return 0
	op etpctl -n "$1" abort "$CID" 2>/dev/null
	return 1
}

# xfer C S S_IP N [PORT]: a file C -> S, byte-checked. Completed, it
# arrived whole; cut short (another worker aborted or closed an end,
# parameters changed under it), what arrived is a prefix of what was sent.
# With PORT (V -> W, where nobody aborts and the parameters stay), files
# of at most 256 KiB, so that some complete however slow the VM.
w_xfer() {
	local sizes=(4K 64K 256K) dst=$ETP_TMP/dst.$WORKER ps pr rs rr size src

	[[ -n ${5:-} ]] || sizes+=(1M)
	src=$ETP_TMP/src.$(pick "${sizes[@]}")

	conn "$1" "$2" "$3" $((20000 + $4 * 3000 + RANDOM % 3000)) ${5:-} ||
		return
	: >"$dst"
	timeout 60 etpctl -n "$2" recv "$CHILD" "$dst" 2>/dev/null &
	pr=$!
	timeout 60 etpctl -n "$1" send "$CID" "$src" --close 2>/dev/null &
	ps=$!
	bg_rc $ps
	rs=$?
	bg_rc $pr
	rr=$?
	etpctl -n "$2" close "$CHILD" 2>/dev/null
	size=$(stat -c %s "$dst")
	if ((rs == 0 && rr == 0)) && cmp -s "$src" "$dst"; then
		echo "$size" >>"$ETP_TMP/xfer.ok"
	elif ((rs == 0 && rr == 0)); then
		BAD=$((BAD + 1))
		echo "$WORKER: $src: completed, but the bytes differ" >>"$ETP_TMP/bad"
	elif cmp -s -n "$size" "$src" "$dst"; then
		echo "$size" >>"$ETP_TMP/xfer.cut"
	else
		BAD=$((BAD + 1))
		echo "$WORKER: $src: cut short ($rs/$rr), not a prefix" >>"$ETP_TMP/bad"
	fi
}

# zero C S S_IP N: an endless transfer, ended by an abort at either end,
# a close of the reader's end, or its writer stopped.
w_zero() {
	local ps pr

	conn "$1" "$2" "$3" $((26000 + $4 * 3000 + RANDOM % 3000)) || return
	timeout 60 etpctl -n "$2" recv "$CHILD" /dev/null 2>/dev/null &
	pr=$!
	timeout 60 etpctl -n "$1" send "$CID" /dev/zero 2>/dev/null &
	ps=$!
	sleep 0.$((RANDOM % 10))
	case $((RANDOM % 4)) in
	0) op etpctl -n "$1" abort "$CID" 2>/dev/null ;;
	1) op etpctl -n "$2" abort "$CHILD" 2>/dev/null ;;
	2) op etpctl -n "$2" close "$CHILD" 2>/dev/null ;;
	3) kill -TERM $ps 2>/dev/null ;;
	esac
	sleep 0.$((RANDOM % 5))
	kill -TERM $ps $pr 2>/dev/null
	bg_rc $ps
	bg_rc $pr
	etpctl -n "$1" abort "$CID" 2>/dev/null
	etpctl -n "$2" abort "$CHILD" 2>/dev/null
}

# netns N: two namespaces with connections both ways, data in flight and
# full queues (nobody reads), deleted under it, in either order.
w_netns() {
	local x=$CHURN-x$1-$RANDOM y=$CHURN-y$1-$RANDOM pids=() i

	ip netns add "$x" && ip netns add "$y" || return
	echo . >>"$ETP_TMP/netns.made"
	ip -n "$x" link set lo up && ip -n "$y" link set lo up &&
	ip link add veth0 netns "$x" type veth peer name veth0 netns "$y" &&
	ip -n "$x" addr add 198.18.3.1/24 dev veth0 &&
	ip -n "$y" addr add 198.18.3.2/24 dev veth0 &&
	ip -n "$x" link set veth0 up && ip -n "$y" link set veth0 up &&
	op etpctl -n "$x" param set msl_ms 100 rto_min_ms 20 \
		2>/dev/null &&
	op etpctl -n "$y" param set msl_ms 100 rto_min_ms 20 \
		2>/dev/null &&
	op etpctl -n "$x" listen 7001 2>/dev/null &&
	op etpctl -n "$y" listen 7000 2>/dev/null &&
	for i in 1 2; do
		timeout 30 etpctl -n "$x" cat 198.18.3.2 7000 </dev/zero \
			>/dev/null 2>&1 &
		pids+=($!)
		timeout 30 etpctl -n "$y" cat 198.18.3.1 7001 </dev/zero \
			>/dev/null 2>&1 &
		pids+=($!)
	done
	for i in 1 2 3; do
		op etpctl -n "$x" connect 198.18.3.2 "$(pick 7000 7002)" \
			>/dev/null 2>&1
	done
	sleep 0.$((3 + RANDOM % 7))
	kill -KILL "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	if ((RANDOM % 2)); then
		ip netns del "$x"
		sleep 0.$((RANDOM % 5))
		ip netns del "$y"
	else
		ip netns del "$y" && ip netns del "$x"
	fi
	echo . >>"$ETP_TMP/netns.deleted"
}

# tun: T's side of the peer's connections and its own.
w_tun() {
	local id rc

	ids "$T"
	id=$(pick "${IDS[@]:-1}")
	case $((RANDOM % 6)) in
	0|1) op timeout 60 etpctl -n "$T" connect $PEER_IP \
		"$(pick 9000 9001 9002 9003)" $(pick wait '') >/dev/null \
		2>&1 ;;
	2)	# a moment of reading: cut by its time limit, that is fine
		timeout 0.5 etpctl -n "$T" recv "$id" /dev/null 2>/dev/null
		rc=$?
		OPS=$((OPS + 1))
		((rc == 0 || rc == 2 || rc == 124)) || {
			BAD=$((BAD + 1))
			echo "$WORKER: recv $id: exit $rc" >>"$ETP_TMP/bad"
		} ;;
	3) head -c $((RANDOM * 8)) /dev/urandom |
		op timeout 10 etpctl -n "$T" send "$id" 2>/dev/null ;;
	4) op etpctl -n "$T" "$(pick abort close)" "$id" 2>/dev/null ;;
	5) op etpctl -n "$T" show >/dev/null 2>&1 ;;
	esac
}

# The load: every worker, the fuzzers, etp_connrate, the tun peer's
# writing. FULL=0 for the load rmmod runs into (no fuzzer checks).
start_load() {
	local ns

	rm -f "$STOP"
	for ns in "$A" "$B"; do
		mon_start "$ns" "$ETP_TMP/mon.$ns"
	done
	worker churn-ab w_churn "$A" $B_IP
	worker churn-ba w_churn "$B" $A_IP
	worker churn-ab2 w_churn "$A" $B_IP
	worker abort-a w_abort "$A"
	worker abort-b w_abort "$B"
	worker listen-a w_listen "$A"
	worker listen-b w_listen "$B"
	worker dump-a w_dump "$A"
	worker dump-b w_dump "$B"
	worker dump-t w_dump "$T"
	worker params w_params "$A" "$B" "$T"
	worker xfer-ab w_xfer "$A" "$B" $B_IP 0
	worker xfer-ba w_xfer "$B" "$A" $A_IP 1
	worker xfer-vw w_xfer "$V" "$W" $W_IP 2 7500
	worker zero-ab w_zero "$A" "$B" $B_IP 0
	worker zero-ba w_zero "$B" "$A" $A_IP 1
	worker netns-1 w_netns 1
	worker netns-2 w_netns 2
	worker tun w_tun
	kill -USR2 "$PEER" 2>/dev/null
	ip netns exec "$A" etp_nlfuzz -u -n -t "$1" \
		>"$ETP_TMP/fuzz-nobody.$2" 2>"$ETP_TMP/fuzz-nobody.$2.err" &
	FUZZ_NOBODY=$!
	ip netns exec "$F" etp_nlfuzz $([[ $2 == full ]] || echo -n) -t "$1" \
		>"$ETP_TMP/fuzz-root.$2" 2>"$ETP_TMP/fuzz-root.$2.err" &
	FUZZ_ROOT=$!
	etp_connrate --proto etp --ns-client "$V" --ns-server "$W" \
		--addr $W_IP --port 7000 --duration "$1" \
		>"$ETP_TMP/connrate.$2" 2>&1 &
	CONNRATE=$!
}

# kill_tree PID...: the processes below PID (not PID itself), by id.
kill_tree() {
	local pid kids

	for pid in "$@"; do
		kids=$(pgrep -P "$pid")
		[[ -n $kids ]] || continue
		kill_tree $kids
		kill -TERM $kids 2>/dev/null
	done
}

# stop_load: the workers finish what they do (what still runs after 30 s
# is stopped), the peer stops writing, the monitors end.
stop_load() {
	local deadline=$(($(now_ms) + 30000)) pid ns

	touch "$STOP"
	kill -USR1 "$PEER" 2>/dev/null
	for pid in "${WORKERS[@]}"; do
		while kill -0 "$pid" 2>/dev/null && (($(now_ms) < deadline)); do
			sleep 0.2
		done
		kill_tree "$pid"
		wait "$pid"
	done
	WORKERS=()
	for ns in "$A" "$B"; do
		MON_LINES[$ns]=$(wc -l <"$ETP_TMP/mon.$ns")
		mon_stop "$ETP_TMP/mon.$ns"
	done
}

# abort_all NS...: until every entry of every NS is gone.
abort_all() {
	local try ns id left

	for try in $(seq 100); do
		left=0
		for ns in "$@"; do
			ids "$ns"
			for id in "${IDS[@]}"; do
				left=1
				etpctl -n "$ns" abort "$id" 2>/dev/null
			done
		done
		((left)) || return 0
		sleep 0.1
	done
	return 1
}

# --- counters ---------------------------------------------------------------------

declare -A SNAP MON_LINES
ACCOUNTED=()	# set after setup: A B V W T

# snap TAG: every counter of every accounted namespace, and the packets
# its devices received and sent, as SNAP[TAG:NS:NAME].
snap() {
	local ns name value rx tx

	for ns in "${ACCOUNTED[@]}"; do
		while read -r name value; do
			SNAP[$1:$ns:$name]=$value
		done < <(etpctl -n "$ns" stats)
		read -r rx tx < <(ip -n "$ns" -s -j link show |
			jq -r '[([.[].stats64.rx.packets] | add),
				([.[].stats64.tx.packets] | add)] | @tsv')
		SNAP[$1:$ns:dev_rx]=$rx
		SNAP[$1:$ns:dev_tx]=$tx
	done
}

# d NS NAME: how much NAME grew during the run.
d() { echo $((${SNAP[1:$1:$2]:-0} - ${SNAP[0:$1:$2]:-0})); }

# drops NS [EXCEPT_REGEX]: the growth of the drop counters, summed.
drops() {
	local key name sum=0

	for key in "${!SNAP[@]}"; do
		[[ $key == 1:$1:drop_* ]] || continue
		name=${key#1:$1:}
		[[ -n ${2:-} && $name =~ $2 ]] && continue
		sum=$((sum + $(d "$1" "$name")))
	done
	echo $sum
}

name_of() {
	case $1 in
	"$A") echo A ;; "$B") echo B ;; "$V") echo V ;; "$W") echo W ;;
	"$T") echo T ;; *) echo "$1" ;;
	esac
}

check_counters() {
	local ns n key v frags

	for ns in "${ACCOUNTED[@]}"; do
		n=$(name_of "$ns") frags=0
		# The peer's fragments are two packets, one segment.
		[[ $ns == "$T" ]] && frags=$(jq .fragmented <<<"$PEER_FIG")
		check_eq "$n: in_segs counted each packet its devices received once" \
			"$(d "$ns" in_segs)" "$(($(d "$ns" dev_rx) - frags))"
		check_eq "$n: out_segs counted each packet its devices sent once" \
			"$(d "$ns" out_segs)" "$(d "$ns" dev_tx)"
		check "$n: drops ($(drops "$ns")) within in_segs ($(d "$ns" in_segs))" \
			[ "$(drops "$ns")" -le "$(d "$ns" in_segs)" ]
		check_eq "$n: every queue's memory returned" \
			"${SNAP[1:$ns:queue_bytes]}" 0
	done
	check_eq "A -> B: what A sent, B received" "$(d "$A" out_segs)" \
		"$(d "$B" in_segs)"
	check_eq "B -> A: what B sent, A received" "$(d "$B" out_segs)" \
		"$(d "$A" in_segs)"
	check_eq "V -> W: what V sent, W received" "$(d "$V" out_segs)" \
		"$(d "$W" in_segs)"
	check_eq "W -> V: what W sent, V received" "$(d "$W" out_segs)" \
		"$(d "$V" in_segs)"
	# T and its peer: the receive path's counting, reason by reason.
	check_eq "T: in_segs is what the peer wrote" "$(d "$T" in_segs)" \
		"$(jq .written <<<"$PEER_FIG")"
	for key in drop_short drop_bad_checksum drop_bad_offset \
		   drop_bad_version drop_bad_flags drop_bad_option; do
		check_eq "T: $key is what the peer wrote that is $key" \
			"$(d "$T" $key)" "$(jq .$key <<<"$PEER_FIG")"
	done
	v=$(drops "$T" '^drop_(short|bad_.*)$')
	check "T: other drops ($v) only among valid segments ($(jq .valid <<<"$PEER_FIG"))" \
		[ "$v" -le "$(jq .valid <<<"$PEER_FIG")" ]
	check_eq "T: out_segs is what the peer read" "$(d "$T" out_segs)" \
		"$(jq .read <<<"$PEER_FIG")"
	check_eq "T: every segment the peer read was well-formed" \
		"$(jq .read_bad <<<"$PEER_FIG")" 0
}

# --- phase 1: the load, then the counters ----------------------------------------

torture_cleanup() {
	local ns

	[[ -n ${PEER:-} ]] && kill "$PEER" 2>/dev/null
	for ns in $(ip netns list | awk '{ print $1 }'); do
		[[ $ns == "$CHURN"-* ]] && ip netns del "$ns"
	done
	cleanup
}
trap torture_cleanup EXIT

# start_peer: the tun peer in T, reading; it writes once sent SIGUSR2.
start_peer() {
	ip netns exec "$T" etp_tunpeer -i tp0 -R 300 >"$ETP_TMP/peer.out" \
		2>"$ETP_TMP/peer.err" &
	PEER=$!
	wait_until 60 grep -q ready "$ETP_TMP/peer.out"
}

# sum FILE: the numbers in FILE (one a line) added up, 0 without FILE.
sum() { [[ -f $1 ]] && paste -sd+ "$1" | bc || echo 0; }
lines() { [[ -f $1 ]] && wc -l <"$1" || echo 0; }

# ops: every worker's "done refused bad" summed, as "OPS REFUSED BAD".
ops() {
	cat "$ETP_TMP"/ops.* 2>/dev/null |
		awk '{ o += $1; r += $2; b += $3 } END { print o + 0, r + 0, b + 0 }'
}

for size in 4K 64K 256K 1M; do
	head -c "$size" /dev/urandom >"$ETP_TMP/src.$size"
done
if ! setup; then
	check_fail "set-up"
	exit $ret
fi
ACCOUNTED=("$A" "$B" "$V" "$W" "$T")
check "the tun peer is up" start_peer
snap 0
t0=$(now_ms)
log "phase 1: ${SECS}s of load"
start_load "$SECS" full
sleep "$SECS"
stop_load
wait "$FUZZ_NOBODY"
rc_nobody=$?
wait "$FUZZ_ROOT"
rc_root=$?
wait "$CONNRATE"
rc_connrate=$?
secs=$((($(now_ms) - t0) / 1000))
check "every connection aborted" abort_all "${ACCOUNTED[@]}"
sleep 0.5
check "nothing came back" abort_all "${ACCOUNTED[@]}"
kill -TERM "$PEER"
wait "$PEER"
check_eq "the tun peer found every segment well-formed (exit)" $? 0
PEER=
PEER_FIG=$(tail -n1 "$ETP_TMP/peer.out")
log "tun peer: $PEER_FIG"
snap 1
check_counters

read -r n_ops n_refused n_bad < <(ops)
check_eq "no etpctl misused or crashed" "$n_bad" 0
[[ -s $ETP_TMP/bad ]] && head -20 "$ETP_TMP/bad"
check_eq "the fuzzer as root in F: no violation (exit)" "$rc_root" 0
check_eq "the fuzzer as nobody in A: no violation (exit)" "$rc_nobody" 0
log "fuzzer as root: $(tail -n1 "$ETP_TMP/fuzz-root.full")"
log "fuzzer as nobody: $(tail -n1 "$ETP_TMP/fuzz-nobody.full")"
for f in "$ETP_TMP"/fuzz-*.full.err; do
	grep -A3 VIOLATION "$f" | head -20
done
check_eq "etp_connrate ran through (exit)" "$rc_connrate" 0
log "etp_connrate: $(cat "$ETP_TMP/connrate.full")"
check "A's and B's monitors heard events (${MON_LINES[$A]}, ${MON_LINES[$B]})" \
	[ "${MON_LINES[$A]}" -gt 0 -a "${MON_LINES[$B]}" -gt 0 ]
check "some transfers completed byte for byte ($(lines "$ETP_TMP/xfer.ok"))" \
	[ "$(lines "$ETP_TMP/xfer.ok")" -gt 0 ]

segs=0
for ns in "${ACCOUNTED[@]}"; do
	segs=$((segs + $(d "$ns" in_segs) + $(d "$ns" out_segs)))
done
log "figures: ${secs}s of load; $n_ops etpctl operations ($n_refused refused" \
	"by the kernel, $n_bad bad); $segs segments counted in A, B, V, W, T;" \
	"$(lines "$ETP_TMP/xfer.ok") transfers complete" \
	"($(sum "$ETP_TMP/xfer.ok") bytes), $(lines "$ETP_TMP/xfer.cut") cut" \
	"short (a prefix each), $(lines "$ETP_TMP/stalled") stalled;" \
	"namespaces made $(lines "$ETP_TMP/netns.made"), deleted" \
	"$(lines "$ETP_TMP/netns.deleted")"

# --- phase 2: rmmod under the same load --------------------------------------------

rm -f "$ETP_TMP"/ops.* "$ETP_TMP/bad"
check "the tun peer is up again" start_peer
start_load 30 chaos
sleep 3
t0=$(now_ms)
# rmmod_once: one try. While it is in etp's exit, every 60 s its kernel
# stack is shown (the hung task detector names the locks), with how many
# modprobe the workers' family lookups have started and the load average:
# a slow exit then reads differently from a stuck one.
rmmod_once() {
	local pid i

	rmmod etp 2>"$ETP_TMP/rmmod.err" &
	pid=$!
	for ((i = 1; ; i++)); do
		kill -0 $pid 2>/dev/null || break
		if ((i % 600 == 0)); then
			log "rmmod still running after $((i / 10)) s" \
				"(modprobe: $(pgrep -c modprobe)," \
				"load: $(cut -d' ' -f1-3 /proc/loadavg)):"
			cat /proc/$pid/stack
		fi
		sleep 0.1
	done
	wait $pid
}

tries=0
until rmmod_once; do
	tries=$((tries + 1))
	(($(now_ms) - t0 > 60000)) && break
	sleep 0.1
done
check "rmmod etp under load (after $tries busy tries, $(($(now_ms) - t0)) ms)" \
	bash -c '! [ -d /sys/module/etp ]'
log "the last refusal: $(cat "$ETP_TMP/rmmod.err")"
for ns in "$A" "$B"; do
	pid=${ETP_MON[$ETP_TMP/mon.$ns]}
	wait_until 20 bash -c "! kill -0 $pid 2>/dev/null"
	wait "$pid"
	rc=$?
	check_eq "$(name_of "$ns")'s monitor saw etp.ko go (exit)" $rc 2
	unset "ETP_MON[$ETP_TMP/mon.$ns]"
done
stop_load
for pid in "$FUZZ_NOBODY" "$FUZZ_ROOT" "$CONNRATE"; do
	wait "$pid"
	rc=$?
	check "fuzzers and etp_connrate end by themselves, not by a signal ($rc)" \
		[ "$rc" -lt 128 ]
done
kill -TERM "$PEER"
wait "$PEER"
PEER=
read -r n_ops n_refused n_bad < <(ops)
check_eq "no etpctl misused or crashed during rmmod" "$n_bad" 0
[[ -s $ETP_TMP/bad ]] && head -20 "$ETP_TMP/bad"
log "phase 2: $n_ops etpctl operations ($n_refused refused)"
ns_cleanup
etp_load
check "etp.ko loads again" etp_loaded
check "and unloads" rmmod etp

exit $ret
