// SPDX-License-Identifier: GPL-2.0
/*
 * What goes out, and when (docs/protocol.md section 8): the segments built
 * from the tcb, the send queue cut into segments within the peer's window
 * and the congestion window, Nagle's rule and the sender's half of
 * silly-window avoidance, the ACK owed at the end of an event, the window
 * we advertise (the receiver's half of silly-window avoidance), zero-window
 * probes, and the first segment again for a retransmission.
 */
#include "tcb.h"

u32 etp_fsm_smss(const struct etp_tcb *tcb)
{
	u32 smss = etp_min(tcb->peer_mss, tcb->mss);

	if (tcb->pmtu_mss)
		smss = etp_min(smss, tcb->pmtu_mss);
	return smss;
}

/* The window field: a SYN's is never scaled (RFC 7323 2.2). */
static u16 etp_wnd_field(const struct etp_tcb *tcb, u8 flags)
{
	u32 wnd = tcb->rcv_wnd;

	if (!(flags & ETP_FLAG_SYN) && tcb->ws_ok)
		wnd >>= tcb->rcv_wscale;
	return wnd > 0xffff ? 0xffff : wnd;
}

/*
 * The segment <SEQ=seq><ACK=RCV.NXT><CTL=flags> with len octets of the
 * send queue from seq on. Whatever carries an ACK pays what is owed.
 */
void etp_emit(struct etp_tcb *tcb, struct etp_actions *act, u8 flags,
	      u32 seq, u32 len)
{
	struct etp_seg *o = &act->out;

	memset(o, 0, sizeof(*o));
	o->sport = tcb->lport;
	o->dport = tcb->rport;
	o->seq = seq;
	o->ack = (flags & ETP_FLAG_ACK) ? tcb->rcv_nxt : 0;
	o->version = ETP_VERSION;
	o->flags = flags;
	o->window = etp_wnd_field(tcb, flags);
	if (flags & ETP_FLAG_SYN) {
		o->mss = tcb->mss;
		/* Offered in a SYN; in a SYN|ACK only if the peer offered. */
		o->ws_present = !(flags & ETP_FLAG_ACK) || tcb->ws_ok;
		o->wscale = tcb->rcv_wscale;
	}
	o->payload_len = len;
	o->hdr_len = etp_wire_hdr_len(o);
	act->send = true;
	if (tcb->segs_out != ~0u)
		tcb->segs_out++;
	if (flags & ETP_FLAG_ACK) {
		act->ack = false;
		tcb->rcv_unacked = 0;
		if (tcb->delack) {
			tcb->delack = false;
			etp_cancel(act, ETP_T_DELACK);
		}
	}
}

/* States in which our data and FIN may still go out. */
static bool etp_sends(enum etp_conn_state s)
{
	return s == ETP_STATE_ESTABLISHED || s == ETP_STATE_CLOSE_WAIT ||
	       s == ETP_STATE_FIN_WAIT_1 || s == ETP_STATE_CLOSING ||
	       s == ETP_STATE_LAST_ACK;
}

/*
 * Bookkeeping of a data or FIN segment [seq, end): retransmissions are
 * counted and never timed (Karn), a first transmission may start the
 * round-trip measurement, and the retransmission timer runs while anything
 * is in flight (RFC 6298 5.1).
 */
static void etp_sent(struct etp_tcb *tcb, const struct etp_ev *ev,
		     struct etp_actions *act, u32 seq, u32 end)
{
	bool idle = tcb->snd_una == tcb->snd_max;

	if (etp_before(seq, tcb->snd_max)) {
		etp_count(act, ETP_CNT_RETRANSMIT);
		if (tcb->retrans != ~0u)
			tcb->retrans++;
		tcb->rtt_pending = false;
	} else if (!tcb->rtt_pending) {
		tcb->rtt_pending = true;
		tcb->rtt_seq = end;
		tcb->rtt_start = etp_rtt_now(ev);
	}
	if (etp_after(end, tcb->snd_max))
		tcb->snd_max = end;
	if (idle && !tcb->persisting)
		etp_arm(act, ETP_T_RETX, tcb->rto_ms);
}

/*
 * Sender silly-window avoidance (RFC 9293 3.8.6.2.1) with Nagle's rule
 * (RFC 896): a segment shorter than SMSS goes out only when nothing is in
 * flight, or when it is all that is queued and a FIN follows it. So a
 * transfer moves in full segments, and a small write waits for the ACK of
 * what is in flight rather than leaving as a tiny segment of its own.
 */
static bool etp_worth_sending(const struct etp_tcb *tcb, u32 seq, u32 len,
			      u32 unsent, u32 smss)
{
	/* Sent before (SND.NXT was pulled back): it is owed, not new. */
	if (len >= smss || etp_before(seq, tcb->snd_max))
		return true;
	if (tcb->snd_una == tcb->snd_max)
		return true;
	return len == unsent && tcb->fin_queued;
}

/*
 * Where sending must stop: the peer's window and the congestion window.
 * Limited Transmit (RFC 3042): each of the first two duplicate ACKs lets
 * one more segment of new data out, so a small window still gets the
 * three duplicates fast retransmit needs rather than waiting for the RTO.
 */
static u32 etp_send_limit(const struct etp_tcb *tcb)
{
	u32 cwnd = tcb->cwnd;

	if (!tcb->in_recovery && tcb->dupacks && tcb->dupacks < 3)
		cwnd += tcb->dupacks * etp_fsm_smss(tcb);
	return tcb->snd_una + etp_min(tcb->snd_wnd, cwnd);
}

/* Nothing may go out while the window is shut: probe it (3.8.6.1). */
static void etp_persist_start(struct etp_tcb *tcb, struct etp_actions *act)
{
	if (tcb->persisting || tcb->snd_una != tcb->snd_max)
		return;
	tcb->persisting = true;
	tcb->probes = 0;
	etp_arm(act, ETP_T_PERSIST, tcb->rto_ms);
}

/* The next data or FIN segment within the windows, into act; false if none. */
bool etp_push_one(struct etp_tcb *tcb, const struct etp_ev *ev,
		  struct etp_actions *act)
{
	u32 smss = etp_fsm_smss(tcb), unsent = etp_unsent(tcb);
	u32 seq = tcb->snd_nxt, wnd_end, room, len;
	u8 flags = ETP_FLAG_ACK;

	if (!etp_sends(tcb->state) || tcb->persisting)
		return false;
	if (unsent && ev->st) {
		wnd_end = etp_send_limit(tcb);
		room = etp_after(wnd_end, seq) ? wnd_end - seq : 0;
		len = etp_min(etp_min(unsent, smss), room);
		if (!len) {
			if (!tcb->snd_wnd)
				etp_persist_start(tcb, act);
			return false;
		}
		if (!etp_worth_sending(tcb, seq, len, unsent, smss))
			return false;
		if (len == unsent) {
			flags |= ETP_FLAG_PSH;
			if (tcb->fin_queued)
				flags |= ETP_FLAG_FIN;
		}
	} else if (tcb->fin_queued && seq == tcb->write_seq) {
		/* A FIN needs no window: a receiver takes it at RCV.NXT. */
		len = 0;
		flags |= ETP_FLAG_FIN;
	} else {
		return false;
	}
	etp_emit(tcb, act, flags, seq, len);
	tcb->snd_nxt = seq + len + !!(flags & ETP_FLAG_FIN);
	etp_sent(tcb, ev, act, seq, tcb->snd_nxt);
	return true;
}

/* Is there anything etp_push_one() would send now? */
static bool etp_more(const struct etp_tcb *tcb, const struct etp_ev *ev)
{
	u32 wnd_end = etp_send_limit(tcb);

	if (!etp_sends(tcb->state) || tcb->persisting)
		return false;
	if (tcb->fin_queued && tcb->snd_nxt == tcb->write_seq)
		return true;
	return etp_unsent(tcb) && ev->st && etp_after(wnd_end, tcb->snd_nxt);
}

/*
 * The end of every event: send what the windows allow, one segment into
 * act (the glue asks for more with etp_fsm_push() while act->more); a
 * segment that carries an ACK pays what is owed, else a bare ACK does.
 */
void etp_flush(struct etp_tcb *tcb, const struct etp_ev *ev,
	       struct etp_actions *act)
{
	if (!act->send && !act->destroy)
		etp_push_one(tcb, ev, act);
	if (!act->send && act->ack && !act->destroy)
		etp_emit(tcb, act, ETP_FLAG_ACK, etp_seq_now(tcb), 0);
	act->ack = false;
	/* Only after a segment: each call sends one, so the asking ends. */
	act->more = act->send && !act->destroy && etp_more(tcb, ev);
}

void etp_fsm_push(struct etp_tcb *tcb, const struct etp_ev *ev,
		  struct etp_actions *act)
{
	memset(act, 0, sizeof(*act));
	act->old_state = tcb->state;
	act->new_state = tcb->state;
	etp_flush(tcb, ev, act);
}

/*
 * The first unacknowledged segment again (fast retransmit, a partial ACK,
 * a timeout), leaving SND.NXT where it is: up to SMSS octets from SND.UNA,
 * with the FIN if it follows them and has been sent.
 */
void etp_resend_first(struct etp_tcb *tcb, const struct etp_ev *ev,
		      struct etp_actions *act)
{
	u32 seq = tcb->snd_una, data = etp_after(tcb->write_seq, seq) ?
				       tcb->write_seq - seq : 0;
	u32 len = ev->st ? etp_min(data, etp_fsm_smss(tcb)) : 0;
	u8 flags = ETP_FLAG_ACK;

	if (!len && !etp_fin_sent(tcb))
		return;
	if (seq + len == tcb->write_seq && etp_fin_sent(tcb))
		flags |= ETP_FLAG_FIN;
	else if (len == data)
		flags |= ETP_FLAG_PSH;
	etp_emit(tcb, act, flags, seq, len);
	etp_sent(tcb, ev, act, seq, seq + len + !!(flags & ETP_FLAG_FIN));
}

/*
 * The zero-window probe (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17): one octet
 * beyond the closed window. A receiver whose window opened takes it; one
 * whose window is still shut answers with an ACK of its window (the
 * special allowance of 3.10.7.4). Probes back off like the RTO and never
 * give up while the peer answers them; `retries` unanswered ones end the
 * connection.
 */
void etp_on_persist(struct etp_tcb *tcb, const struct etp_ev *ev,
		    struct etp_actions *act)
{
	u32 seq = tcb->snd_una;

	if (!tcb->persisting)
		return;
	if (tcb->snd_wnd || !etp_sends(tcb->state)) {
		tcb->persisting = false;
		etp_flush(tcb, ev, act);
		return;
	}
	if (tcb->probes >= ev->p->retries) {
		etp_count(act, ETP_CNT_TIMEOUT);
		tcb->persisting = false;
		return;		/* the caller ends the connection */
	}
	tcb->probes++;
	if (tcb->retries < 30)
		tcb->retries++;
	tcb->rto_ms = etp_min(tcb->rto_ms * 2, ev->p->rto_max_ms);
	etp_count(act, ETP_CNT_PERSIST_PROBE);
	if (ev->st && etp_after(tcb->write_seq, seq)) {
		etp_emit(tcb, act, ETP_FLAG_ACK, seq, 1);
		if (tcb->snd_nxt == seq)
			tcb->snd_nxt = seq + 1;
		etp_sent(tcb, ev, act, seq, seq + 1);
	} else {
		/* Only the FIN is left: it needs no window, send it. */
		tcb->persisting = false;
		etp_flush(tcb, ev, act);
		return;
	}
	etp_arm(act, ETP_T_PERSIST, tcb->rto_ms);
}

/*
 * The window we advertise: the free space of the receive queue. Receiver
 * silly-window avoidance (RFC 9293 3.8.6.2.2, RFC 1122 4.2.3.3): the right
 * edge moves on only when it can move by min(half the queue, our MSS);
 * until then the window shrinks as data arrives, and never reopens by a
 * few octets at a time.
 */
void etp_rcv_wnd_update(struct etp_tcb *tcb, const struct etp_ev *ev)
{
	u32 held = 0, space, step, max;

	if (ev->st)
		held = tcb->rcv_nxt - !!tcb->fin_rcvd - ev->st->read_seq;
	space = tcb->rcvbuf > held ? tcb->rcvbuf - held : 0;
	max = tcb->ws_ok ? 0xffffu << tcb->rcv_wscale : 0xffff;
	space = etp_min(space, max);
	step = etp_min(tcb->rcvbuf / 2, tcb->mss);
	/* All read: fully open (a cap on space must not open it by bits). */
	if (space >= tcb->rcv_wnd + step || !held)
		tcb->rcv_wnd = space;
	else if (tcb->rcv_wnd > space)
		tcb->rcv_wnd = space;
	/* Scaled windows are multiples of 2^shift: do not round one away. */
	if (tcb->ws_ok && tcb->rcv_wnd && tcb->rcv_wnd >> tcb->rcv_wscale == 0)
		tcb->rcv_wnd = 0;
}
