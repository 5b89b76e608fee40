#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The four labs of docs/labs/ run as a student runs them (tools/labs/N-*.sh)
# and show what their sheets say they show: the rows of each ladder that
# carry the lesson, times aside.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd etpctl jq python3
etp_load

# lab N: run tools/labs/N-*.sh; its output, times cut off, in $ETP_TMP/labN.
lab() {
	local f=$ETP_TMP/lab$1

	"$ETP_TOP"/tools/labs/"$1"-*.sh >"$f.raw" 2>&1
	check_eq "lab $1 exits" $? 0
	sed -E 's/^ +[0-9]+\.[0-9]{3}/        /' "$f.raw" >"$f"
}

# has N DESC PATTERN: lab N's output has a line matching the regex.
has() {
	if grep -qE -- "$3" "$ETP_TMP/lab$1"; then
		check_ok "lab $1: $2"
	else
		check_fail "lab $1: $2: no line matches '$3'"
		cat "$ETP_TMP/lab$1.raw"
	fi
}

# count N PATTERN: how many lines of lab N's output match.
count() { grep -cE -- "$2" "$ETP_TMP/lab$1"; }

lab 1
has 1 "A sends the SYN" "SYN_SENT  \|--SYN 0-+\.  "
has 1 "B answers SYN|ACK from SYN_RCVD" "\.-+SYN\|ACK 0 ack 1---\|$"
has 1 "the third segment establishes B" "'-+>\| ESTABLISHED$"
has 1 "an old SYN: A, who never sent it, answers RST" "\|--RST =1001-+\.  "
has 1 "... and B's half-open child is gone" "'-+>\| CLOSED$"
check_eq "lab 1: B has its listener and one connection" \
	"$(grep -cE '^[0-9]+	(LISTEN|ESTABLISHED)	' "$ETP_TMP/lab1")" 2

lab 2
has 2 "A's FIN, B's ACK: half closed" "FIN_WAIT_2  \|<-+'  "
has 2 "B sends from CLOSE_WAIT" "PSH\|ACK 1 ack 2 len 21---\|"
has 2 "A reads what B sent after A's FIN" "^sent from CLOSE_WAIT$"
check_eq "lab 2: simultaneous close: both sides in CLOSING" \
	"$(count 2 '(CLOSING  \||\| CLOSING$)')" 2
has 2 "... then both in TIME_WAIT" "\| TIME_WAIT$"

lab 3
has 3 "A's final ACK dropped" "--ACK 2 ack 2-\.  "
has 3 "B retransmits its FIN" "\*retx\* \|$"
check_eq "lab 3: A in TIME_WAIT answers it, B closes (and later with RST)" \
	"$(count 3 "'-+>\| CLOSED$")" 2
has 3 "with TIME_WAIT too short, A answers RST" "\|--RST =[0-9]+-+\.  "
has 3 "B counts the reset" "^resets_in 1$"

lab 4
check_eq "lab 4: three SYNs lost" "$(count 4 "'-+X")" 3
has 4 "the retx timer, first backoff" "^timer:\(retx,[0-9]+ms,1\)$"
has 4 "... the second" "^timer:\(retx,[0-9]+ms,2\)$"
has 4 "the fourth SYN gets through" "'-+>\| ESTABLISHED$"
has 4 "the fault used up" "^1 drop in flags SYN left 0 held 0$"

exit $ret
