// SPDX-License-Identifier: GPL-2.0
/*
 * Carry out what the core state machine decided (docs/protocol.md section
 * 6): timers, the segment to send, counters, the state event, the end of
 * the connection. Nothing here chooses a state. Timer expiries come back in
 * through the same state machine entry point as segments do.
 */
#include <linux/lockdep.h>

#include "conn.h"
#include "core/names.h"
#include "exec.h"
#include "main.h"
#include "netlink.h"
#include "output.h"
#include "trace.h"

static const enum etp_mib etp_count_mib[ETP_CNT_MAX] = {
	[ETP_CNT_ACTIVE_OPEN]	= ETP_MIB_ACTIVE_OPENS,
	[ETP_CNT_PASSIVE_OPEN]	= ETP_MIB_PASSIVE_OPENS,
	[ETP_CNT_ATTEMPT_FAIL]	= ETP_MIB_ATTEMPT_FAILS,
	[ETP_CNT_ESTAB_RESET]	= ETP_MIB_ESTAB_RESETS,
	[ETP_CNT_ESTABLISHED]	= ETP_MIB_ESTABLISHED,
	[ETP_CNT_RST_IN]	= ETP_MIB_RESETS_IN,
	[ETP_CNT_CHALLENGE_ACK]	= ETP_MIB_CHALLENGE_ACKS,
	[ETP_CNT_RETRANSMIT]	= ETP_MIB_RETRANSMITS,
	[ETP_CNT_TIMEOUT]	= ETP_MIB_TIMEOUTS,
	[ETP_CNT_RATELIMITED]	= ETP_MIB_REPLIES_RATELIMITED,
	[ETP_CNT_RTO]		= ETP_MIB_RTO_EXPIRED,
	[ETP_CNT_FAST_RETX]	= ETP_MIB_FAST_RETRANSMITS,
	[ETP_CNT_DUPACK]	= ETP_MIB_DUPACKS_IN,
	[ETP_CNT_OOO]		= ETP_MIB_OOO_QUEUED,
	[ETP_CNT_PERSIST_PROBE]	= ETP_MIB_PERSIST_PROBES,
	[ETP_CNT_KEEPALIVE_PROBE] = ETP_MIB_KEEPALIVE_PROBES,
	[ETP_CNT_DELAYED_ACK]	= ETP_MIB_DELAYED_ACKS,
	[ETP_CNT_ICMP_IGNORED]	= ETP_MIB_ICMP_IGNORED,
	[ETP_CNT_PMTU]		= ETP_MIB_PMTU_UPDATES,
};

static_assert(ETP_CNT_MAX == 19, "etp_count_mib needs a counter per event");

static const enum etp_mib etp_drop_mib[ETP_DROP_MAX] = {
	[ETP_DROP_NO_CONN]	= ETP_MIB_DROP_NOCONN,
	[ETP_DROP_OUT_OF_WINDOW] = ETP_MIB_DROP_WINDOW,
	[ETP_DROP_BAD_ACK]	= ETP_MIB_DROP_BAD_ACK,
	[ETP_DROP_NO_ACK]	= ETP_MIB_DROP_NO_ACK,
	[ETP_DROP_NO_SYN]	= ETP_MIB_DROP_NO_SYN,
	[ETP_DROP_RST_INVALID]	= ETP_MIB_DROP_RST_INVALID,
	[ETP_DROP_RST_TIME_WAIT] = ETP_MIB_DROP_RST_TIME_WAIT,
	[ETP_DROP_SYN_SYNCED]	= ETP_MIB_DROP_SYN_SYNCED,
	[ETP_DROP_OUT_OF_ORDER]	= ETP_MIB_DROP_OUT_OF_ORDER,
	[ETP_DROP_AFTER_FIN]	= ETP_MIB_DROP_AFTER_FIN,
	[ETP_DROP_OOO_FULL]	= ETP_MIB_DROP_OOO_FULL,
	[ETP_DROP_NO_MEMORY]	= ETP_MIB_DROP_NO_MEMORY,
};

static_assert(ETP_DROP_MAX == 13, "etp_drop_mib needs a counter per reason");

static void etp_exec_counts(struct etp_net *en, const struct etp_actions *act)
{
	int c;

	for (c = 0; c < ETP_CNT_MAX; c++)
		if (act->count & ETP_CNT_BIT(c))
			etp_inc(en, etp_count_mib[c]);
	if (act->drop > ETP_DROP_NONE && act->drop < ETP_DROP_MAX)
		etp_inc(en, etp_drop_mib[act->drop]);
	if (act->data_in)
		etp_add(en, ETP_MIB_BYTES_IN, act->data_in);
}

/* Challenge ACKs are rate limited per netns (RFC 5961 section 7). */
static void etp_exec_send(struct etp_entry *e, const struct etp_ev *ev,
			  struct etp_actions *act, struct sk_buff *in)
{
	struct etp_conn *c = etp_conn(e);
	struct etp_net *en = e->en;
	const struct etp_from from = {
		.e = e, .old_state = act->old_state,
		.new_state = act->destroy ? ETP_STATE_CLOSED : act->new_state,
	};

	if (act->count & ETP_CNT_BIT(ETP_CNT_CHALLENGE_ACK) &&
	    !__ratelimit(&en->challenge_rl)) {
		act->count &= ~ETP_CNT_BIT(ETP_CNT_CHALLENGE_ACK);
		etp_inc(en, ETP_MIB_CHALLENGE_ACKS_LIMITED);
		return;
	}
	/* A listener has no peer of its own: it answers the segment. */
	if (e->kind == ETP_KIND_LISTENER) {
		if (in)
			etp_output_reply(en, &from, in, &act->out);
		return;
	}
	if (c && act->count & ETP_CNT_BIT(ETP_CNT_RETRANSMIT))
		trace_etp_retransmit(e->id, &act->out, c->tcb.retries);
	etp_output(en, &from, e->key.laddr, e->key.raddr, &act->out, ev->st);
}

/* Tell the user what it waits for (etp_conn.want), once. */
static void etp_exec_notify(struct etp_entry *e, const struct etp_ev *ev,
			    const struct etp_actions *act)
{
	struct etp_conn *c = etp_conn(e);
	u8 due;

	if (!c)
		return;
	due = act->notify & c->want;
	if (!due)
		return;
	c->want &= ~due;
	etp_nl_data_event(c, ev->st, due);
}

/*
 * The end: unread data keeps the connection by id for its reader (unless
 * the user aborted it), everything else goes.
 */
static void etp_exec_end(struct etp_entry *e, const struct etp_ev *ev,
			 const struct etp_actions *act)
{
	struct etp_conn *c = etp_conn(e);

	if (act->cause != ETP_CAUSE_ABORT && c &&
	    etp_fsm_readable(&c->tcb, ev->st))
		etp_entry_retire(e, ev->p->linger_ms);
	else
		etp_entry_unhash(e);
}

static void __etp_exec(struct etp_entry *e, const struct etp_ev *ev,
		       struct etp_actions *act, struct sk_buff *in)
{
	etp_entry_timers(e, act->cancel, act->arm, act->timer_ms);
	if (act->send)
		etp_exec_send(e, ev, act, in);
	etp_exec_counts(e->en, act);
	if (e->kind == ETP_KIND_CONN && act->old_state == ETP_STATE_SYN_RCVD &&
	    act->new_state != ETP_STATE_SYN_RCVD)
		etp_child_done(container_of(e, struct etp_conn, e));
	if (act->old_state != act->new_state || act->destroy) {
		trace_etp_state(e->id, act->old_state,
				act->destroy ? ETP_STATE_CLOSED : act->new_state,
				etp_cause_name(act->cause));
		etp_nl_state_event(e, act);
	}
	if (act->notify)
		etp_exec_notify(e, ev, act);
	if (act->destroy)
		etp_exec_end(e, ev, act);
}

/*
 * A connection entering TIME_WAIT is replaced by a compact entry first and
 * the actions apply to that one (they arm its timer). False if it must
 * stay a full connection: memory is short, or its user has data still to
 * read; it then does its 2 x MSL in full (a later read must not swap it:
 * its actions would not carry the timer).
 */
static bool etp_exec_tw(struct etp_entry *e, const struct etp_ev *ev,
			struct etp_actions *act, struct sk_buff *in)
{
	struct etp_entry *tw;

	if (etp_fsm_readable(&etp_conn(e)->tcb, ev->st))
		return false;
	tw = etp_tw_new(e);
	if (!tw)
		return false;
	spin_lock_nested(&tw->lock, SINGLE_DEPTH_NESTING);
	if (!etp_tw_replace(e, tw)) {
		spin_unlock(&tw->lock);
		etp_entry_discard(tw);
		return false;
	}
	__etp_exec(tw, ev, act, in);
	spin_unlock(&tw->lock);
	etp_entry_put(tw);
	return true;
}

/*
 * Then, while the state machine says more may go out (act->more), the next
 * segment: as many as the windows allow, each in its own actions.
 */
void etp_exec(struct etp_entry *e, const struct etp_ev *ev,
	      struct etp_actions *act, struct sk_buff *in)
{
	struct etp_conn *c = etp_conn(e);

	lockdep_assert_held(&e->lock);
	if (act->new_state == ETP_STATE_TIME_WAIT &&
	    act->old_state != ETP_STATE_TIME_WAIT && e->kind == ETP_KIND_CONN &&
	    !act->destroy && etp_exec_tw(e, ev, act, in))
		return;
	__etp_exec(e, ev, act, in);
	/* Only a connection has anything to send. */
	while (c && act->more && !e->dead) {
		etp_fsm_push(&c->tcb, ev, act);
		__etp_exec(e, ev, act, NULL);
	}
}

/* One timer id's expiry, as a segment's arrival is handled. */
static void etp_exec_expiry(struct etp_entry *e, struct etp_ev *ev,
			    enum etp_timer_id id)
{
	struct etp_tcb buf, *tcb;
	struct etp_actions act;

	tcb = etp_entry_tcb(e, &buf);
	trace_etp_timer_expire(e->id, tcb->state, etp_timer_name(id),
			       tcb->retries);
	etp_fsm_timer(tcb, ev, id, &act);
	etp_entry_tcb_done(e, tcb);
	/* Before what it makes happen: the ladder marks it first. */
	etp_nl_timer_event(e, etp_timer_name(id), tcb->retries, &act);
	etp_exec(e, ev, &act, NULL);
}

/*
 * The wheel fired e's timer: every id whose time has come, one at a time
 * and under the entry's lock, as segments are. An id that an earlier one's
 * actions cancelled or re-armed is no longer due by then.
 */
void etp_exec_timer(struct etp_entry *e)
{
	struct etp_conn *c = etp_conn(e);
	enum etp_timer_id id;
	struct etp_params p;
	struct etp_ev ev;

	etp_ev_init(e->en, &ev, &p);
	spin_lock(&e->lock);
	ev.st = c ? c->st : NULL;
	while ((id = etp_entry_timer_take(e)) != ETP_T_MAX) {
		if (e->retired) {
			/* Nobody read what a finished connection left. */
			etp_entry_unhash(e);
			break;
		}
		if (e->dead)
			break;
		etp_exec_expiry(e, &ev, id);
		/* A TIME_WAIT entry's one timer is spent. */
		if (e->kind != ETP_KIND_CONN)
			break;
	}
	/* The slots not yet due keep the wheel timer going. */
	if (!e->dead || e->retired)
		etp_entry_timers_sync(e);
	spin_unlock(&e->lock);
	etp_entry_put(e);
}
