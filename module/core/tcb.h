/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside module/core: what the state machine (fsm.c), the sender (xmit.c)
 * and congestion control (cc.c) share. Not for the glue.
 */
#ifndef _ETP_CORE_TCB_H
#define _ETP_CORE_TCB_H

#include "fsm.h"

/* RFC 9293 3.7.1: what a peer that sent no MSS option can take. */
#define ETP_DEFAULT_PEER_MSS	536
/* The wheel's tick: RFC 6298's clock granularity G. */
#define ETP_CLOCK_G_US		1000

static inline void etp_count(struct etp_actions *act, enum etp_count c)
{
	act->count |= ETP_CNT_BIT(c);
}

static inline void etp_arm(struct etp_actions *act, enum etp_timer_id id,
			   u32 ms)
{
	act->arm |= ETP_T_BIT(id);
	act->cancel &= ~ETP_T_BIT(id);
	act->timer_ms[id] = ms;
}

static inline void etp_cancel(struct etp_actions *act, enum etp_timer_id id)
{
	act->cancel |= ETP_T_BIT(id);
	act->arm &= ~ETP_T_BIT(id);
	act->timer_ms[id] = 0;
}

static inline u32 etp_now_ms(const struct etp_ev *ev)
{
	return (u32)(ev->now_us / 1000);
}

/* The clock round trips are timed by, in microseconds (RFC 6298). */
static inline u32 etp_rtt_now(const struct etp_ev *ev)
{
	return (u32)(ev->precise_us ? ev->precise_us() : ev->now_us);
}

static inline u32 etp_min(u32 a, u32 b)
{
	return a < b ? a : b;
}

static inline u32 etp_max(u32 a, u32 b)
{
	return a > b ? a : b;
}

/* Sequence space in flight: sent, not yet acknowledged. */
static inline u32 etp_flight(const struct etp_tcb *tcb)
{
	return tcb->snd_max - tcb->snd_una;
}

/* Data the user queued that has never been sent (or is to be resent). */
static inline u32 etp_unsent(const struct etp_tcb *tcb)
{
	return etp_after(tcb->write_seq, tcb->snd_nxt) ?
	       tcb->write_seq - tcb->snd_nxt : 0;
}

/*
 * The sequence number of a segment that carries nothing (an ACK, a RST):
 * the highest ever sent. After a timeout SND.NXT goes back to SND.UNA to
 * resend, but the peer may have had everything since: an ACK at the old
 * SND.NXT would be below its RCV.NXT, unacceptable, and its ACK field
 * ignored (RFC 9293 3.10.7.4), so two ends resending to each other would
 * never hear each other's ACKs.
 */
static inline u32 etp_seq_now(const struct etp_tcb *tcb)
{
	return etp_after(tcb->snd_max, tcb->snd_nxt) ? tcb->snd_max :
						      tcb->snd_nxt;
}

/* Our FIN has gone out at least once (it sits at write_seq). */
static inline bool etp_fin_sent(const struct etp_tcb *tcb)
{
	return tcb->fin_queued && etp_after(tcb->snd_max, tcb->write_seq);
}

/* xmit.c: building and choosing what goes out */
void etp_emit(struct etp_tcb *tcb, struct etp_actions *act, u8 flags,
	      u32 seq, u32 len);
bool etp_push_one(struct etp_tcb *tcb, const struct etp_ev *ev,
		  struct etp_actions *act);
void etp_flush(struct etp_tcb *tcb, const struct etp_ev *ev,
	       struct etp_actions *act);
void etp_resend_first(struct etp_tcb *tcb, const struct etp_ev *ev,
		      struct etp_actions *act);
void etp_rcv_wnd_update(struct etp_tcb *tcb, const struct etp_ev *ev);
void etp_on_persist(struct etp_tcb *tcb, const struct etp_ev *ev,
		    struct etp_actions *act);

/* cc.c: round-trip time (RFC 6298) and congestion (RFC 5681, 6582) */
u32 etp_rto_base(const struct etp_tcb *tcb, const struct etp_params *p);
void etp_rtt_sample(struct etp_tcb *tcb, const struct etp_ev *ev, u32 r_us);
void etp_cc_init(struct etp_tcb *tcb);
void etp_cc_ack(struct etp_tcb *tcb, const struct etp_ev *ev, u32 acked,
		struct etp_actions *act);
void etp_cc_dupack(struct etp_tcb *tcb, const struct etp_ev *ev,
		   struct etp_actions *act);
void etp_cc_timeout(struct etp_tcb *tcb);

#endif /* _ETP_CORE_TCB_H */
