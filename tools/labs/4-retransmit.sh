#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lab 4 (docs/labs/4-retransmit.md): retransmission and backoff.
source "$(dirname "$0")/common.sh"
lab_setup
trap lab_cleanup EXIT
out=$(mktemp -d)

etpctl -n B listen 7000
say "B drops the first three SYNs it receives"
etpctl -n B fault add drop in flags SYN count 3
lab_trace "$out/syn" port 7000
etpctl -n A connect $B_IP 7000 sport 40000 >/dev/null

say "A's connection 1.5 s later: the retx timer, its backoff"
sleep 1.5
etpctl -n A show port 7000 | sed -n 's/.*\(timer:.*\)/\1/p'
sleep 2
say "... and 2 s after that"
etpctl -n A show port 7000 | sed -n 's/.*\(timer:.*\)/\1/p'
sleep 4.5
lab_trace_end 0.5
cat "$out/syn"

say "B's fault, used up"
etpctl -n B fault list
