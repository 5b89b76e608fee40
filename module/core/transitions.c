// SPDX-License-Identifier: GPL-2.0
/*
 * docs/protocol.md section 4.2 as data (transitions.h). Rows whose "to"
 * equals their one "from" state are the documented events that change
 * nothing but timers and what is sent; every other row is a change of
 * state that fsm.c may make, and the only ones it may make.
 */
#include "transitions.h"

#define S(x)		ETP_STATE_BIT(ETP_STATE_##x)
#define T(x)		ETP_TRIG_BIT(ETP_TRIG_##x)
#define TT(x)		ETP_TRIG_TIMER_BIT(ETP_T_##x)
#define C(x)		(1u << ETP_CAUSE_##x)
#define F(x)		ETP_FLAG_##x

/* The states in which our data or FIN may be in flight. */
#define SENDING		(S(ESTABLISHED) | S(CLOSE_WAIT) | S(FIN_WAIT_1) | \
			 S(CLOSING) | S(LAST_ACK))
/* The states in which abort sends a RST: the peer may hold state. */
#define PEER_HOLDS	(S(SYN_RCVD) | S(ESTABLISHED) | S(FIN_WAIT_1) | \
			 S(FIN_WAIT_2) | S(CLOSE_WAIT))

static_assert(__ETP_STATE_MAX <= 16, "from is a u16 of state bits");
static_assert(ETP_TRIG_MAX <= 16, "triggers is a u16 of trigger bits");
static_assert(ETP_CAUSE_MAX <= 16, "cause is a u16 of cause bits");

const struct etp_transition etp_transitions[] = {
	{ S(CLOSED), ETP_STATE_SYN_SENT, C(CONNECT), T(CONNECT), 0, false,
	  "user connect", NULL, "SYN (MSS, WS)", "arm RETX" },
	{ S(CLOSED), ETP_STATE_LISTEN, C(LISTEN), T(LISTEN), 0, false,
	  "user listen", NULL, NULL, NULL },
	{ S(LISTEN), ETP_STATE_SYN_RCVD, C(SYN), T(SEGMENT), F(SYN), false,
	  "SYN (no ACK)", "a new tcb; the listener stays",
	  "SYN|ACK (MSS, WS if offered)", "arm RETX" },
	{ S(LISTEN) | S(SYN_SENT), ETP_STATE_CLOSED, C(CLOSE) | C(ABORT),
	  T(CLOSE) | T(ABORT), 0, true,
	  "user close or abort", NULL, NULL, "cancel all" },
	{ S(SYN_SENT), ETP_STATE_ESTABLISHED, C(SYNACK), T(SEGMENT),
	  F(SYN) | F(ACK), false,
	  "SYN|ACK acking our SYN", NULL, "ACK (or data)", "cancel RETX" },
	{ S(SYN_SENT), ETP_STATE_SYN_RCVD, C(SYN), T(SEGMENT), F(SYN), false,
	  "SYN (no ACK): simultaneous open", NULL, "SYN|ACK (MSS)",
	  "arm RETX" },
	{ S(SYN_SENT), ETP_STATE_CLOSED, C(RST), T(SEGMENT), F(RST) | F(ACK),
	  true, "RST|ACK acking our SYN", "*refused*", NULL, "cancel all" },
	{ S(SYN_SENT), ETP_STATE_SYN_SENT, 0, TT(RETX), 0, false,
	  "RETX expiry, retries left", NULL, "SYN again",
	  "arm RETX (backed off)" },
	{ S(SYN_SENT) | S(SYN_RCVD), ETP_STATE_CLOSED, C(TIMEOUT), TT(RETX), 0,
	  true, "RETX expiry, syn_retries exhausted (SYN_RCVD: active open)",
	  "*timed out*", NULL, "cancel all" },
	{ S(SYN_SENT), ETP_STATE_CLOSED, C(ICMP), T(ICMP), 0, true,
	  "ICMP protocol unreachable", "*no protocol*", NULL, "cancel all" },
	{ S(SYN_RCVD), ETP_STATE_ESTABLISHED, C(ACK), T(SEGMENT), F(ACK),
	  false,
	  "acceptable ACK (also the peer's SYN|ACK, seq = IRS, of a simultaneous open)",
	  NULL, "(data)", "cancel RETX" },
	{ S(SYN_RCVD), ETP_STATE_FIN_WAIT_1, C(ACK), T(SEGMENT), F(ACK), false,
	  "acceptable ACK, close pending", NULL, "FIN|ACK", "arm RETX" },
	{ S(SYN_RCVD), ETP_STATE_CLOSE_WAIT, C(FIN), T(SEGMENT),
	  F(ACK) | F(FIN), false, "acceptable ACK with the peer's FIN", NULL,
	  "ACK", "cancel RETX" },
	{ S(SYN_RCVD), ETP_STATE_CLOSING, C(FIN), T(SEGMENT), F(ACK) | F(FIN),
	  false, "acceptable ACK with the peer's FIN, close pending", NULL,
	  "FIN|ACK", "arm RETX" },
	{ S(SYN_RCVD), ETP_STATE_LISTEN, C(RST), T(SEGMENT), F(RST), true,
	  "RST at RCV.NXT, passive open", "the listener stays", NULL,
	  "cancel all" },
	{ S(SYN_RCVD), ETP_STATE_CLOSED, C(RST), T(SEGMENT), F(RST), true,
	  "RST at RCV.NXT, active open", "*refused*", NULL, "cancel all" },
	{ S(SYN_RCVD), ETP_STATE_LISTEN, C(SYN), T(SEGMENT), F(SYN), true,
	  "in-window SYN (seq ≠ IRS), passive open", "the listener stays",
	  NULL, "cancel all" },
	{ S(SYN_RCVD), ETP_STATE_LISTEN, C(TIMEOUT), TT(RETX), 0, true,
	  "RETX expiry, syn_retries exhausted, passive open",
	  "*timed out*, the listener stays", NULL, "cancel all" },
	{ S(SYN_RCVD), ETP_STATE_SYN_RCVD, 0, T(CLOSE), 0, false,
	  "user close", "close pending", NULL, NULL },
	{ S(ESTABLISHED), ETP_STATE_CLOSE_WAIT, C(FIN), T(SEGMENT), F(FIN),
	  false, "FIN in order", NULL, "ACK", NULL },
	{ S(ESTABLISHED), ETP_STATE_FIN_WAIT_1, C(CLOSE), T(CLOSE), 0, false,
	  "user close", NULL, "FIN|ACK (after queued data)",
	  "arm RETX, cancel KEEPALIVE" },
	{ S(FIN_WAIT_1), ETP_STATE_FIN_WAIT_2, C(ACK), T(SEGMENT), F(ACK),
	  false, "ACK of our FIN", NULL, NULL,
	  "cancel RETX, arm FIN_WAIT_2 (if limit > 0)" },
	{ S(FIN_WAIT_1), ETP_STATE_CLOSING, C(FIN), T(SEGMENT), F(FIN), false,
	  "FIN, our FIN not acked: simultaneous close", NULL, "ACK", NULL },
	{ S(FIN_WAIT_1), ETP_STATE_TIME_WAIT, C(FIN), T(SEGMENT),
	  F(FIN) | F(ACK), false, "FIN and ACK of our FIN", NULL, "ACK",
	  "cancel RETX, arm TIME_WAIT" },
	{ S(FIN_WAIT_2), ETP_STATE_TIME_WAIT, C(FIN), T(SEGMENT), F(FIN),
	  false, "FIN in order", NULL, "ACK",
	  "cancel FIN_WAIT_2, arm TIME_WAIT" },
	{ S(FIN_WAIT_2), ETP_STATE_CLOSED, C(FIN_WAIT_2_TIMEOUT),
	  TT(FIN_WAIT_2), 0, true, "FIN_WAIT_2 expiry, peer silent",
	  "*timed out*", "RST", "cancel all" },
	{ S(CLOSE_WAIT), ETP_STATE_LAST_ACK, C(CLOSE), T(CLOSE), 0, false,
	  "user close", NULL, "FIN|ACK (after queued data)",
	  "arm RETX, cancel KEEPALIVE" },
	{ S(CLOSING), ETP_STATE_TIME_WAIT, C(ACK), T(SEGMENT), F(ACK), false,
	  "ACK of our FIN", NULL, NULL, "cancel RETX, arm TIME_WAIT" },
	{ S(LAST_ACK), ETP_STATE_CLOSED, C(ACK), T(SEGMENT), F(ACK), true,
	  "ACK of our FIN", NULL, NULL, "cancel all" },
	{ SENDING, ETP_STATE_CLOSED, C(TIMEOUT), TT(RETX), 0, true,
	  "RETX expiry, retries exhausted", "*timed out*", NULL,
	  "cancel all" },
	{ SENDING, ETP_STATE_CLOSED, C(TIMEOUT), TT(PERSIST), 0, true,
	  "PERSIST expiry, retries unanswered probes sent", "*timed out*",
	  NULL, "cancel all" },
	{ S(ESTABLISHED) | S(CLOSE_WAIT), ETP_STATE_CLOSED, C(TIMEOUT),
	  TT(KEEPALIVE), 0, true,
	  "KEEPALIVE expiry, keepalive_probes unanswered", "*timed out*",
	  NULL, "cancel all" },
	{ S(TIME_WAIT), ETP_STATE_TIME_WAIT, 0, T(SEGMENT), F(FIN), false,
	  "retransmitted FIN", NULL, "ACK", "re-arm TIME_WAIT (2×MSL from now)" },
	{ S(TIME_WAIT), ETP_STATE_CLOSED, C(TIME_WAIT_DONE), TT(TIME_WAIT), 0,
	  true, "TIME_WAIT expiry", NULL, NULL, "cancel all" },
	{ S(ESTABLISHED) | S(FIN_WAIT_1) | S(FIN_WAIT_2) | S(CLOSE_WAIT),
	  ETP_STATE_CLOSED, C(RST), T(SEGMENT), F(RST), true,
	  "RST at RCV.NXT", "*reset*", NULL, "cancel all" },
	{ S(CLOSING) | S(LAST_ACK), ETP_STATE_CLOSED, C(RST), T(SEGMENT),
	  F(RST), true, "RST at RCV.NXT", NULL, NULL, "cancel all" },
	{ PEER_HOLDS, ETP_STATE_CLOSED, C(ABORT), T(ABORT), 0, true,
	  "user abort", "*reset*", "RST", "cancel all" },
	{ S(CLOSING) | S(LAST_ACK) | S(TIME_WAIT), ETP_STATE_CLOSED, C(ABORT),
	  T(ABORT), 0, true, "user abort", NULL, NULL, "cancel all" },
};

const unsigned int etp_transitions_count = ARRAY_SIZE(etp_transitions);

int etp_transition_find(const struct etp_actions *act, enum etp_trigger trig,
			u8 seg_flags)
{
	unsigned int i;

	for (i = 0; i < etp_transitions_count; i++) {
		const struct etp_transition *t = &etp_transitions[i];

		if (!(t->from & ETP_STATE_BIT(act->old_state)) ||
		    t->to != act->new_state || t->destroy != act->destroy ||
		    !(t->triggers & ETP_TRIG_BIT(trig)))
			continue;
		if (t->cause && !(t->cause & (1u << act->cause)))
			continue;
		if (trig == ETP_TRIG_SEGMENT &&
		    (seg_flags & t->seg_flags) != t->seg_flags)
			continue;
		return i;
	}
	return -1;
}
