/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The transition table of docs/protocol.md section 4.2, as data: every
 * change of state the state machine may make, what triggers it, what it
 * sends and which timers it touches. The table in the document is
 * generated from etp_transitions[] (tools/explore: `make doc-table`, and
 * `make check` fails when the two differ), and the state space explorer
 * checks every transition it takes against the same rows. The module
 * itself does not consult it.
 */
#ifndef _ETP_CORE_TRANSITIONS_H
#define _ETP_CORE_TRANSITIONS_H

#include "fsm.h"

/* What set off a transition: one bit each, a row may name several. */
enum etp_trigger {
	ETP_TRIG_CONNECT,	/* user calls */
	ETP_TRIG_LISTEN,
	ETP_TRIG_CLOSE,
	ETP_TRIG_ABORT,
	ETP_TRIG_SEGMENT,	/* a segment arrived */
	ETP_TRIG_TIMER,		/* ETP_TRIG_TIMER + enum etp_timer_id */
	ETP_TRIG_ICMP = ETP_TRIG_TIMER + ETP_T_MAX,
	ETP_TRIG_MAX
};

#define ETP_TRIG_BIT(t)		(1u << (t))
#define ETP_TRIG_TIMER_BIT(id)	ETP_TRIG_BIT(ETP_TRIG_TIMER + (id))
#define ETP_STATE_BIT(s)	(1u << (s))

struct etp_transition {
	u16 from;		/* ETP_STATE_BIT() set */
	u8 to;			/* enum etp_conn_state */
	u16 cause;		/* bits (1 << enum etp_cause) it may report */
	u16 triggers;		/* ETP_TRIG_BIT() set */
	u8 seg_flags;		/* a segment trigger: flags it must carry */
	bool destroy;		/* the connection ends: "-> free" */
	/* The document's words; NULL where the column is empty. */
	const char *event;
	const char *to_note;	/* after the state: "*refused*", ... */
	const char *sends;
	const char *timers;
};

extern const struct etp_transition etp_transitions[];
extern const unsigned int etp_transitions_count;

/*
 * The row that allows the change act describes (act->old_state to
 * act->new_state, act->cause, act->destroy) for trigger (and, for a
 * segment, its flags): its index, or -1 when no row does. A change
 * nobody lists is a bug, in the code or in the table.
 */
int etp_transition_find(const struct etp_actions *act, enum etp_trigger trig,
			u8 seg_flags);

#endif /* _ETP_CORE_TRANSITIONS_H */
