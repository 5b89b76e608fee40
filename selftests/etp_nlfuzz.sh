#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The netlink fuzzer (etp_nlfuzz.c) against a namespace holding a listener
# and connections in ESTABLISHED (with unread data), FIN_WAIT_2,
# CLOSE_WAIT, TIME_WAIT and SYN_SENT, all over loopback, none with a timer
# due while it runs: random commands, flags, attribute sets, types, lengths
# and values to every command, SEND and RECV included, as root, as nobody
# and as root of a user namespace that does not own the netns. Every
# refusal must carry an extack message (but those of the generic netlink
# core itself, which must have exactly the core's errno) and change
# nothing: connections, parameters, counters, events. Without
# CAP_NET_ADMIN nothing may be accepted but reads. Last, the checks are
# shown to bite: a fuzzer told it is unprivileged while it is not reports
# every admin op the kernel accepts.
#
# ETP_NLFUZZ_SECS: seconds of the privileged run (default 9; the others
# get a third of it each: 15 s of fuzzing in all).
source "$(dirname "$0")/lib.sh"

require_root
require_cmd jq
require_tun
etp_load

SECS=${ETP_NLFUZZ_SECS:-9}

# fixture: a fresh namespace F with one of everything.
fixture() {
	local id

	ns_create F || return 1
	# Nothing may fire while the fuzzer looks: TIME_WAIT lasts 20 min,
	# FIN_WAIT_2 has no limit, the first retransmission is a minute away.
	nsx "$F" etpctl param set msl_ms 600000 fin_wait2_ms 0 \
		rto_initial_ms 60000 rto_min_ms 60000 syn_retries 1 \
		linger_ms 3600000 || return 1
	# A tun nobody reads: a route to 198.18.9.0/24 where SYNs vanish.
	ip -n "$F" tuntap add dev t0 mode tun &&
	ip -n "$F" addr add 198.18.9.1/24 dev t0 &&
	ip -n "$F" link set t0 up || return 1
	nsx "$F" etpctl listen 7000 || return 1
	nsx "$F" etpctl connect 127.0.0.1 7000 sport 42000 wait >/dev/null &&
	id=$(nsx "$F" etpctl connect 127.0.0.1 7000 sport 42001 wait) &&
	nsx "$F" etpctl close "$id" &&
	id=$(nsx "$F" etpctl connect 127.0.0.1 7000 sport 42002 wait) &&
	nsx "$F" etpctl close "$id" &&
	wait_state "$F" "$id" FIN_WAIT_2 &&
	nsx "$F" etpctl close "$(conn_find "$F" 127.0.0.1:7000 127.0.0.1:42002)" &&
	wait_state "$F" "$id" TIME_WAIT &&
	id=$(nsx "$F" etpctl connect 127.0.0.1 7000 sport 42003 wait) &&
	echo hello | nsx "$F" etpctl send "$id" &&
	nsx "$F" etpctl connect 198.18.9.9 7000 sport 42004 >/dev/null ||
		return 1
	FIXTURE=$(nsx "$F" etpctl -j show | jq -r '[.[].state] | sort | unique | join(",")')
}

# fuzz DESC ARGS...: one run in F; its figures in FIG.
fuzz() {
	local desc=$1 rc

	shift
	FIG=$(nsx "$F" etp_nlfuzz "$@" 2>"$ETP_TMP/fuzz.err")
	rc=$?
	log "$desc: $FIG"
	if ((rc != 0)); then
		check_fail "$desc: exit $rc"
		head -c 4000 "$ETP_TMP/fuzz.err"
		return 1
	fi
	check_ok "$desc: no violation"
}

fig() { jq -r ".$1" <<<"$FIG"; }

check "fixture: one of everything" fixture
check_eq "fixture: states" "$FIXTURE" \
	"CLOSE_WAIT,ESTABLISHED,FIN_WAIT_2,LISTEN,SYN_SENT,TIME_WAIT"

if fuzz "as root for ${SECS}s" -t "$SECS"; then
	# Figures that show the fuzzer went everywhere it should: past the
	# policies into etp's own code, and sometimes all the way.
	# (a few hundred a second on the stock kernel under TCG; the
	# debug kernel, busy, manages some tens)
	check "as root: a hundred requests or more ($(fig requests))" \
		[ "$(fig requests)" -ge 100 ]
	check "as root: some accepted ($(fig accepted))" \
		[ "$(fig accepted)" -ge 10 ]
	check "as root: refusals by etp's own code (ENOENT: $(fig errno.ENOENT))" \
		[ "$(fig errno.ENOENT)" != null ]
	check "as root: refusals by the policies (ERANGE: $(fig errno.ERANGE))" \
		[ "$(fig errno.ERANGE)" != null ]
fi
ns_del "$F"

check "fixture again" fixture
if fuzz "as nobody for $((SECS / 3))s" -u -t $((SECS / 3)); then
	check "as nobody: admin ops refused by the core (EPERM: $(fig errno.EPERM))" \
		[ "$(fig errno.EPERM)" != null ]
	check "as nobody: reads accepted ($(fig accepted))" \
		[ "$(fig accepted)" -ge 1 ]
fi
if unshare -U true 2>/dev/null; then
	fuzz "as root of another user namespace for $((SECS / 3))s" -U \
		-t $((SECS / 3)) &&
	check "user namespace: admin ops refused (EPERM: $(fig errno.EPERM))" \
		[ "$(fig errno.EPERM)" != null ]
else
	log "note: unshare -U unavailable: user-namespace run skipped"
fi
check_eq "nothing changed the fixture's states" \
	"$(nsx "$F" etpctl -j show | jq -r '[.[].state] | sort | unique | join(",")')" \
	"$FIXTURE"

# The checks bite: told it has no privileges while it has, the fuzzer
# must call every admin op the kernel accepts a violation.
out=$(nsx "$F" etp_nlfuzz -N -c 300 2>&1 >/dev/null)
rc=$?
check "a fuzzer told it is unprivileged reports accepted admin ops (exit $rc)" \
	[ $rc -eq 1 -a -n "$(grep -m1 'accepted without CAP_NET_ADMIN' <<<"$out")" ]
ns_del "$F"

exit $ret
