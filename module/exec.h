/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ETP_EXEC_H
#define _ETP_EXEC_H

#include "core/fsm.h"

struct etp_entry;
struct sk_buff;

/*
 * Carry out what the state machine decided for e (locked, referenced by
 * the caller) in the event ev; in is the segment being answered, if any.
 */
void etp_exec(struct etp_entry *e, const struct etp_ev *ev,
	      struct etp_actions *act, struct sk_buff *in);

/* An expiry of e's timer: consumes the reference the timer held. */
void etp_exec_timer(struct etp_entry *e);

#endif /* _ETP_EXEC_H */
