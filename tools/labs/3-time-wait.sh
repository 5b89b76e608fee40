#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lab 3 (docs/labs/3-time-wait.md): why TIME_WAIT lasts 2 x MSL.
source "$(dirname "$0")/common.sh"
lab_setup
trap lab_cleanup EXIT
out=$(mktemp -d)

# lost_ack SPORT SECONDS: A connects from SPORT and closes first, B closes
# after it; A drops the ACK it sends in TIME_WAIT, once. The ladder of the
# close, traced until SECONDS after B's close.
lost_ack() {
	local id bid

	id=$(etpctl -n A connect $B_IP 7000 sport "$1" wait)
	bid=$(lab_b_id "$1" 7000)
	etpctl -n A fault add drop out flags ACK state TIME_WAIT >/dev/null
	lab_trace "$out/$1" port 7000
	etpctl -n A close "$id"
	sleep 0.3
	etpctl -n B close "$bid"
	lab_trace_end "$2"
	cat "$out/$1"
}

etpctl -n B listen 7000

say "The final ACK is lost: A drops the ACK it sends in TIME_WAIT, once"
lost_ack 40000 4

say "TIME_WAIT shortened to almost nothing (msl_ms 1): the same loss"
etpctl -n A param set msl_ms 1
lost_ack 40001 2

say "How B's side of it ended"
etpctl -n B stats | grep -E '^(estab_resets|resets_in) '
