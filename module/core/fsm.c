// SPDX-License-Identifier: GPL-2.0
/*
 * etp connection state machine. The structure follows RFC 9293 section
 * 3.10.7: one handler for CLOSED, LISTEN and SYN_SENT each, and one for the
 * synchronized states that runs the RFC's processing steps in order
 * (sequence, RST, SYN, ACK, text, FIN), each step a function of its own.
 * What goes out is xmit.c's, the windows and timers of retransmission are
 * cc.c's. docs/protocol.md sections 4 to 8 list every deviation from the
 * RFCs and why.
 */
#include "tcb.h"

static u8 etp_wscale_for(u32 rcvbuf)
{
	u8 s = 0;

	while (s < ETP_WS_MAX && rcvbuf >> s > 0xffff)
		s++;
	return s;
}

void etp_fsm_init(struct etp_tcb *tcb, const struct etp_params *p,
		  u16 lport, u16 rport)
{
	memset(tcb, 0, sizeof(*tcb));
	tcb->state = ETP_STATE_CLOSED;
	tcb->lport = lport;
	tcb->rport = rport;
	tcb->rcvbuf = p->rcvbuf;
	tcb->sndbuf = p->sndbuf;
	tcb->rcv_wscale = etp_wscale_for(p->rcvbuf);
	/* Until window scale is agreed, what a 16-bit window can say. */
	tcb->rcv_wnd = etp_min(p->rcvbuf, 0xffff);
	tcb->mss = p->mss;
	tcb->peer_mss = ETP_DEFAULT_PEER_MSS;
	tcb->rto_ms = p->rto_initial_ms;
}

void etp_fsm_attach(struct etp_tcb *tcb, struct etp_stream *st, void *owner)
{
	etp_stream_init(st, owner, tcb->sndbuf, tcb->rcvbuf, tcb->write_seq,
			tcb->rcv_nxt - !!tcb->fin_rcvd);
}

void etp_fsm_set_pmtu(struct etp_tcb *tcb, u32 mtu)
{
	/* IPv4 and etp headers, options aside (as TCP's MSS). */
	if (mtu > ETP_HDR_LEN + 20 + 64)
		tcb->pmtu_mss = etp_min(mtu - ETP_HDR_LEN - 20, 0xffff);
}

/* RFC 9293 3.10.7.4, the four cases of the acceptability test. */
bool etp_seq_acceptable(u32 rcv_nxt, u32 rcv_wnd, u32 seq, u32 len)
{
	if (!len)
		return rcv_wnd ? seq - rcv_nxt < rcv_wnd : seq == rcv_nxt;
	if (!rcv_wnd)
		return false;
	return seq - rcv_nxt < rcv_wnd || seq + len - 1 - rcv_nxt < rcv_wnd;
}

static bool our_fin_acked(const struct etp_tcb *tcb)
{
	return etp_fin_sent(tcb) && tcb->snd_una == tcb->write_seq + 1;
}

static u32 twice_msl(const struct etp_params *p)
{
	return p->msl_ms > 0x7fffffffu ? 0xffffffffu : 2 * p->msl_ms;
}

/* Octets of the peer's data taken in order and not yet read. */
u32 etp_fsm_readable(const struct etp_tcb *tcb, const struct etp_stream *st)
{
	return st ? tcb->rcv_nxt - !!tcb->fin_rcvd - st->read_seq : 0;
}

u32 etp_fsm_send_space(const struct etp_tcb *tcb,
		       const struct etp_stream *st)
{
	u32 held = st ? tcb->write_seq - st->sq_head : 0;

	return tcb->sndbuf > held ? tcb->sndbuf - held : 0;
}

/* --- building actions --------------------------------------------------- */

static void act_begin(const struct etp_tcb *tcb, struct etp_actions *act)
{
	memset(act, 0, sizeof(*act));
	act->old_state = tcb->state;
	act->new_state = tcb->state;
}

static void arm_keepalive(struct etp_tcb *tcb, const struct etp_ev *ev,
			  struct etp_actions *act)
{
	tcb->probes = 0;
	tcb->last_rcv_ms = etp_now_ms(ev);
	if (ev->p->keepalive_ms)
		etp_arm(act, ETP_T_KEEPALIVE, ev->p->keepalive_ms);
}

static void set_state(struct etp_tcb *tcb, const struct etp_ev *ev,
		      struct etp_actions *act, enum etp_conn_state s,
		      enum etp_cause cause)
{
	tcb->state = s;
	act->new_state = s;
	act->cause = cause;
	if (s == ETP_STATE_ESTABLISHED) {
		etp_count(act, ETP_CNT_ESTABLISHED);
		etp_cc_init(tcb);
		etp_rcv_wnd_update(tcb, ev);
		arm_keepalive(tcb, ev, act);
	}
}

/*
 * The connection is over. Counters follow the MIB-II definitions
 * (RFC 1213 tcpAttemptFails, tcpEstabResets), which are defined by the
 * state left, whatever the cause.
 */
static void finish(struct etp_tcb *tcb, struct etp_actions *act,
		   enum etp_conn_state to, enum etp_cause cause,
		   enum etp_error err)
{
	if (tcb->state == ETP_STATE_SYN_SENT || tcb->state == ETP_STATE_SYN_RCVD)
		etp_count(act, ETP_CNT_ATTEMPT_FAIL);
	if (tcb->state == ETP_STATE_ESTABLISHED ||
	    tcb->state == ETP_STATE_CLOSE_WAIT)
		etp_count(act, ETP_CNT_ESTAB_RESET);
	tcb->state = to;
	act->new_state = to;
	act->cause = cause;
	tcb->error = err;
	act->error = err;
	act->destroy = true;
	act->arm = 0;
	act->cancel = ETP_T_ALL;
	act->ack = false;
	/* A reader learns of the end (the glue reports the error). */
	act->notify |= ETP_NOTE_READABLE | ETP_NOTE_WRITABLE;
}

/* A control segment (SYN, RST, challenge ACK) in the tcb's name. */
static void emit(struct etp_tcb *tcb, struct etp_actions *act, u8 flags,
		 u32 seq)
{
	etp_emit(tcb, act, flags, seq, 0);
}

/*
 * May we answer a segment we did not accept? Such an answer (an ACK of
 * where we are) can itself be unacceptable to a peer whose view of the
 * connection differs from ours, say after one forged segment: the peer's
 * answer then provokes ours, for ever, an ACK storm. As Linux's
 * tcp_oow_rate_limited(), at most one such answer per connection every
 * invalid_ratelimit_ms (RFC 5961 section 7 asks the same of challenge
 * ACKs). A segment that occupies sequence space without a SYN (data, a
 * FIN) is not part of such a loop and is always answered.
 */
static bool may_answer(struct etp_tcb *tcb, const struct etp_ev *ev,
		       const struct etp_seg *seg, struct etp_actions *act)
{
	u32 now = etp_now_ms(ev), limit = ev->p->invalid_ratelimit_ms;

	if (!limit || (etp_seg_len(seg) && !(seg->flags & ETP_FLAG_SYN)))
		return true;
	if (tcb->last_oow_ms && now - tcb->last_oow_ms < limit) {
		etp_count(act, ETP_CNT_RATELIMITED);
		return false;
	}
	/* 0 means "never answered". */
	tcb->last_oow_ms = now ?: 1;
	return true;
}

/* An ACK of where we are, to a segment that was not acceptable. */
static void answer_ack(struct etp_tcb *tcb, const struct etp_ev *ev,
		       const struct etp_seg *seg, struct etp_actions *act,
		       enum etp_drop why)
{
	act->drop = why;
	if (may_answer(tcb, ev, seg, act))
		act->ack = true;
}

/*
 * RFC 5961: the reply that lets a peer whose RST or SYN was legitimate
 * (but not exact) prove it, while a blind attacker learns nothing. Limited
 * per connection (may_answer()) and, by the glue, per netns (section 7 of
 * the RFC: it suppresses the send when ETP_CNT_CHALLENGE_ACK is set and
 * the budget is spent).
 */
static void challenge_ack(struct etp_tcb *tcb, const struct etp_ev *ev,
			  const struct etp_seg *seg, struct etp_actions *act,
			  enum etp_drop why)
{
	act->drop = why;
	if (!may_answer(tcb, ev, seg, act))
		return;
	emit(tcb, act, ETP_FLAG_ACK, etp_seq_now(tcb));
	etp_count(act, ETP_CNT_CHALLENGE_ACK);
}

static void reset_reply(const struct etp_seg *seg, struct etp_actions *act,
			enum etp_drop why)
{
	act->send = etp_fsm_reset_for(seg, &act->out);
	act->drop = why;
}

/* A SYN goes into flight: retransmission state starts over. */
static void syn_sent(struct etp_tcb *tcb, const struct etp_ev *ev,
		     struct etp_actions *act)
{
	tcb->retries = 0;
	tcb->rto_ms = ev->p->rto_initial_ms;
	tcb->snd_max = tcb->iss + 1;
	/* The handshake's round trip is the first measurement (RFC 6298). */
	tcb->rtt_pending = true;
	tcb->rtt_seq = tcb->iss + 1;
	tcb->rtt_start = etp_rtt_now(ev);
	etp_arm(act, ETP_T_RETX, tcb->rto_ms);
}

static void enter_time_wait(struct etp_tcb *tcb, const struct etp_ev *ev,
			    struct etp_actions *act, enum etp_cause cause)
{
	set_state(tcb, ev, act, ETP_STATE_TIME_WAIT, cause);
	etp_cancel(act, ETP_T_RETX);
	etp_cancel(act, ETP_T_FIN_WAIT_2);
	etp_arm(act, ETP_T_TIME_WAIT, twice_msl(ev->p));
}

static void take_peer_syn(struct etp_tcb *tcb, const struct etp_ev *ev,
			  const struct etp_seg *seg)
{
	tcb->irs = seg->seq;
	tcb->rcv_nxt = seg->seq + 1;
	tcb->peer_mss = seg->mss ? seg->mss : ETP_DEFAULT_PEER_MSS;
	/* RFC 7323 2.2: scaling holds only if both SYNs offered it. */
	tcb->ws_ok = seg->ws_present;
	tcb->snd_wscale = seg->ws_present ? seg->wscale : 0;
	if (!tcb->ws_ok)
		tcb->rcv_wscale = 0;
	/* The queues, if the user wrote before the handshake, read from here. */
	if (ev->st) {
		ev->st->rq.origin = tcb->rcv_nxt;
		ev->st->read_seq = tcb->rcv_nxt;
	}
}

/* SEG.WND in octets: a SYN's is never scaled. */
static u32 seg_window(const struct etp_tcb *tcb, const struct etp_seg *seg)
{
	if (seg->flags & ETP_FLAG_SYN)
		return seg->window;
	return (u32)seg->window << tcb->snd_wscale;
}

static void take_window(struct etp_tcb *tcb, const struct etp_seg *seg)
{
	tcb->snd_wnd = seg_window(tcb, seg);
	tcb->snd_wl1 = seg->seq;
	tcb->snd_wl2 = seg->ack;
	if (tcb->snd_wnd > tcb->max_snd_wnd)
		tcb->max_snd_wnd = tcb->snd_wnd;
}

/* --- user calls --------------------------------------------------------- */

void etp_fsm_open_active(struct etp_tcb *tcb, const struct etp_ev *ev,
			 u32 iss, struct etp_actions *act)
{
	act_begin(tcb, act);
	if (tcb->state != ETP_STATE_CLOSED)
		return;
	tcb->passive = false;
	tcb->iss = iss;
	tcb->snd_una = iss;
	tcb->snd_nxt = iss + 1;
	tcb->write_seq = iss + 1;
	emit(tcb, act, ETP_FLAG_SYN, iss);
	set_state(tcb, ev, act, ETP_STATE_SYN_SENT, ETP_CAUSE_CONNECT);
	etp_count(act, ETP_CNT_ACTIVE_OPEN);
	syn_sent(tcb, ev, act);
}

void etp_fsm_open_listen(struct etp_tcb *tcb, struct etp_actions *act)
{
	act_begin(tcb, act);
	if (tcb->state == ETP_STATE_CLOSED) {
		tcb->state = ETP_STATE_LISTEN;
		act->new_state = ETP_STATE_LISTEN;
		act->cause = ETP_CAUSE_LISTEN;
	}
}

/*
 * A listener's verdict on a segment (RFC 9293 3.10.7.2). True: a
 * connection request; the glue creates a tcb and calls
 * etp_fsm_open_passive(). False: act says what to send, if anything.
 */
bool etp_fsm_listen(const struct etp_seg *seg, struct etp_actions *act)
{
	memset(act, 0, sizeof(*act));
	act->old_state = ETP_STATE_LISTEN;
	act->new_state = ETP_STATE_LISTEN;
	if (seg->flags & ETP_FLAG_RST) {
		act->drop = ETP_DROP_RST_INVALID;
		return false;
	}
	if (seg->flags & ETP_FLAG_ACK) {
		reset_reply(seg, act, ETP_DROP_BAD_ACK);
		return false;
	}
	if (!(seg->flags & ETP_FLAG_SYN)) {
		act->drop = ETP_DROP_NO_ACK;
		return false;
	}
	act->accept = true;
	return true;
}

void etp_fsm_open_passive(struct etp_tcb *tcb, const struct etp_ev *ev,
			  const struct etp_seg *syn, u32 iss,
			  struct etp_actions *act)
{
	act_begin(tcb, act);
	act->old_state = ETP_STATE_LISTEN;
	tcb->passive = true;
	tcb->iss = iss;
	tcb->snd_una = iss;
	tcb->snd_nxt = iss + 1;
	tcb->write_seq = iss + 1;
	tcb->segs_in = 1;
	take_peer_syn(tcb, ev, syn);
	take_window(tcb, syn);
	emit(tcb, act, ETP_FLAG_SYN | ETP_FLAG_ACK, iss);
	set_state(tcb, ev, act, ETP_STATE_SYN_RCVD, ETP_CAUSE_SYN);
	etp_count(act, ETP_CNT_PASSIVE_OPEN);
	syn_sent(tcb, ev, act);
}

/*
 * RFC 9293 3.10.4: the FIN follows whatever the user queued before, and
 * the state changes at once (ESTABLISHED -> FIN_WAIT_1, CLOSE_WAIT ->
 * LAST_ACK) even while data is still going out. Closing in SYN_RCVD is
 * deferred until the handshake completes: a FIN sent now could not be
 * retransmitted together with the unacknowledged SYN|ACK (SYN+FIN is not a
 * valid segment here).
 */
bool etp_fsm_close(struct etp_tcb *tcb, const struct etp_ev *ev,
		   struct etp_actions *act)
{
	act_begin(tcb, act);
	switch (tcb->state) {
	case ETP_STATE_LISTEN:
	case ETP_STATE_SYN_SENT:
		finish(tcb, act, ETP_STATE_CLOSED, ETP_CAUSE_CLOSE, ETP_ERR_NONE);
		return true;
	case ETP_STATE_SYN_RCVD:
		if (tcb->close_pending)
			return false;
		tcb->close_pending = true;
		return true;
	case ETP_STATE_ESTABLISHED:
	case ETP_STATE_CLOSE_WAIT:
		tcb->fin_queued = true;
		set_state(tcb, ev, act, tcb->state == ETP_STATE_ESTABLISHED ?
			  ETP_STATE_FIN_WAIT_1 : ETP_STATE_LAST_ACK,
			  ETP_CAUSE_CLOSE);
		etp_cancel(act, ETP_T_KEEPALIVE);
		etp_flush(tcb, ev, act);
		return true;
	default:
		return false;
	}
}

/* RFC 9293 3.10.5: a RST only where the peer may hold state for us. */
bool etp_fsm_abort(struct etp_tcb *tcb, struct etp_actions *act)
{
	act_begin(tcb, act);
	switch (tcb->state) {
	case ETP_STATE_CLOSED:
		return false;
	case ETP_STATE_SYN_RCVD:
	case ETP_STATE_ESTABLISHED:
	case ETP_STATE_FIN_WAIT_1:
	case ETP_STATE_FIN_WAIT_2:
	case ETP_STATE_CLOSE_WAIT:
		emit(tcb, act, ETP_FLAG_RST, etp_seq_now(tcb));
		break;
	default:
		break;
	}
	finish(tcb, act, ETP_STATE_CLOSED, ETP_CAUSE_ABORT, ETP_ERR_RESET);
	return true;
}

bool etp_fsm_may_write(const struct etp_tcb *tcb)
{
	switch (tcb->state) {
	case ETP_STATE_SYN_SENT:
	case ETP_STATE_SYN_RCVD:
		return !tcb->close_pending;
	case ETP_STATE_ESTABLISHED:
	case ETP_STATE_CLOSE_WAIT:
		return !tcb->fin_queued;
	default:
		return false;
	}
}

s32 etp_fsm_write(struct etp_tcb *tcb, const struct etp_ev *ev,
		  const void *buf, u32 len, struct etp_actions *act)
{
	u32 n;

	act_begin(tcb, act);
	if (!etp_fsm_may_write(tcb) || !ev->st)
		return -1;
	n = etp_min(len, etp_fsm_send_space(tcb, ev->st));
	n = etp_bufq_write_buf(&ev->st->sq, tcb->write_seq, buf, n);
	tcb->write_seq += n;
	if (tcb->state == ETP_STATE_ESTABLISHED ||
	    tcb->state == ETP_STATE_CLOSE_WAIT)
		etp_flush(tcb, ev, act);
	return n;
}

/* States in which the peer may still send us data. */
static bool state_receives_text(enum etp_conn_state s)
{
	return s == ETP_STATE_ESTABLISHED || s == ETP_STATE_FIN_WAIT_1 ||
	       s == ETP_STATE_FIN_WAIT_2;
}

/*
 * Reading frees queue space; once the window can open by what silly-window
 * avoidance asks, the peer hears of it at once (a window update).
 */
u32 etp_fsm_read_to(struct etp_tcb *tcb, const struct etp_ev *ev,
		    const struct etp_sink *out, u32 len, bool *eof,
		    struct etp_actions *act)
{
	struct etp_stream *st = ev->st;
	u32 n = etp_min(len, etp_fsm_readable(tcb, st)), wnd = tcb->rcv_wnd;

	act_begin(tcb, act);
	if (n) {
		etp_bufq_read_to(&st->rq, st->read_seq, n, out);
		etp_bufq_release(&st->rq, st->read_seq, st->read_seq + n);
		st->read_seq += n;
		if (!etp_fsm_readable(tcb, st) && !st->nooo)
			etp_bufq_drop_head(&st->rq, st->read_seq);
	}
	*eof = tcb->fin_rcvd && !etp_fsm_readable(tcb, st);
	if (state_receives_text(tcb->state)) {
		etp_rcv_wnd_update(tcb, ev);
		if (tcb->rcv_wnd > wnd)
			act->ack = true;
		etp_flush(tcb, ev, act);
	}
	return n;
}

u32 etp_fsm_read(struct etp_tcb *tcb, const struct etp_ev *ev, void *dst,
		 u32 len, bool *eof, struct etp_actions *act)
{
	u8 *cur = dst;
	const struct etp_sink out = { .take = etp_sink_copy, .ctx = &cur };

	return etp_fsm_read_to(tcb, ev, &out, len, eof, act);
}

/* --- timers ------------------------------------------------------------- */

/* SYN and SYN|ACK again, with backoff; false when given up. */
static bool retransmit_syn(struct etp_tcb *tcb, const struct etp_ev *ev,
			   struct etp_actions *act)
{
	u8 flags = tcb->state == ETP_STATE_SYN_SENT ? ETP_FLAG_SYN :
			ETP_FLAG_SYN | ETP_FLAG_ACK;

	if (tcb->retries >= ev->p->syn_retries)
		return false;
	tcb->retries++;
	tcb->rto_ms = etp_min(tcb->rto_ms * 2, ev->p->rto_max_ms);
	tcb->rtt_pending = false;
	emit(tcb, act, flags, tcb->iss);
	etp_count(act, ETP_CNT_RETRANSMIT);
	if (tcb->retrans != ~0u)
		tcb->retrans++;
	etp_arm(act, ETP_T_RETX, tcb->rto_ms);
	return true;
}

/*
 * RFC 6298 5.4 to 5.6: retransmit the first unacknowledged segment, double
 * the timeout, and send again from there as the loss window allows (the
 * rest of the flight is presumed lost: SND.NXT goes back to SND.UNA).
 */
static bool retransmit_data(struct etp_tcb *tcb, const struct etp_ev *ev,
			    struct etp_actions *act)
{
	/* Every expiry counts, the one that gives up too. */
	etp_count(act, ETP_CNT_RTO);
	if (tcb->retries >= ev->p->retries)
		return false;
	tcb->retries++;
	tcb->rto_ms = etp_min(tcb->rto_ms * 2, ev->p->rto_max_ms);
	etp_cc_timeout(tcb);
	tcb->rtt_pending = false;
	tcb->snd_nxt = tcb->snd_una;
	if (!etp_push_one(tcb, ev, act))
		etp_resend_first(tcb, ev, act);
	etp_arm(act, ETP_T_RETX, tcb->rto_ms);
	act->more = false;
	return true;
}

static void on_retx(struct etp_tcb *tcb, const struct etp_ev *ev,
		    struct etp_actions *act)
{
	bool retried;

	switch (tcb->state) {
	case ETP_STATE_SYN_SENT:
	case ETP_STATE_SYN_RCVD:
		retried = retransmit_syn(tcb, ev, act);
		break;
	case ETP_STATE_ESTABLISHED:
	case ETP_STATE_CLOSE_WAIT:
	case ETP_STATE_FIN_WAIT_1:
	case ETP_STATE_CLOSING:
	case ETP_STATE_LAST_ACK:
		if (tcb->snd_una == tcb->snd_max || tcb->persisting)
			return;
		retried = retransmit_data(tcb, ev, act);
		break;
	default:
		return;
	}
	if (retried)
		return;
	etp_count(act, ETP_CNT_TIMEOUT);
	finish(tcb, act, tcb->passive && tcb->state == ETP_STATE_SYN_RCVD ?
	       ETP_STATE_LISTEN : ETP_STATE_CLOSED, ETP_CAUSE_TIMEOUT,
	       ETP_ERR_TIMEDOUT);
}

/*
 * The FIN_WAIT_2 limit counts from the last segment of the peer: a peer
 * still sending (half-close) keeps the connection. A silent one gets a
 * RST as a courtesy: it is in CLOSE_WAIT, and without the RST would keep
 * its half of the connection until its user closes.
 */
static void on_fin_wait_2(struct etp_tcb *tcb, const struct etp_ev *ev,
			  struct etp_actions *act)
{
	u32 idle = etp_now_ms(ev) - tcb->last_rcv_ms;

	if (tcb->state != ETP_STATE_FIN_WAIT_2)
		return;
	if (idle < ev->p->fin_wait2_ms) {
		etp_arm(act, ETP_T_FIN_WAIT_2, ev->p->fin_wait2_ms - idle);
		return;
	}
	emit(tcb, act, ETP_FLAG_RST, etp_seq_now(tcb));
	/* Timed out like a retransmission giving up: counted alike. */
	etp_count(act, ETP_CNT_TIMEOUT);
	finish(tcb, act, ETP_STATE_CLOSED, ETP_CAUSE_FIN_WAIT_2_TIMEOUT,
	       ETP_ERR_TIMEDOUT);
}

/*
 * RFC 1122 4.2.3.6: after keepalive_ms without a segment from the peer and
 * with nothing in flight, an ACK for SND.UNA - 1 (an octet the peer has
 * already acknowledged), which a live peer answers with an ACK; after
 * keepalive_probes unanswered ones the connection is dead.
 */
static void on_keepalive(struct etp_tcb *tcb, const struct etp_ev *ev,
			 struct etp_actions *act)
{
	const struct etp_params *p = ev->p;
	u32 idle = etp_now_ms(ev) - tcb->last_rcv_ms;

	if ((tcb->state != ETP_STATE_ESTABLISHED &&
	     tcb->state != ETP_STATE_CLOSE_WAIT) || !p->keepalive_ms)
		return;
	if (tcb->snd_una != tcb->snd_max) {
		etp_arm(act, ETP_T_KEEPALIVE, p->keepalive_ms);
		return;
	}
	if (!tcb->probes && idle < p->keepalive_ms) {
		etp_arm(act, ETP_T_KEEPALIVE, p->keepalive_ms - idle);
		return;
	}
	if (tcb->probes >= p->keepalive_probes) {
		etp_count(act, ETP_CNT_TIMEOUT);
		finish(tcb, act, ETP_STATE_CLOSED, ETP_CAUSE_TIMEOUT,
		       ETP_ERR_TIMEDOUT);
		return;
	}
	tcb->probes++;
	emit(tcb, act, ETP_FLAG_ACK, tcb->snd_una - 1);
	etp_count(act, ETP_CNT_KEEPALIVE_PROBE);
	etp_arm(act, ETP_T_KEEPALIVE, p->keepalive_intvl_ms);
}

/*
 * A timer whose state has passed is ignored, so a cancel that loses a race
 * with the expiry is harmless.
 */
void etp_fsm_timer(struct etp_tcb *tcb, const struct etp_ev *ev,
		   enum etp_timer_id id, struct etp_actions *act)
{
	act_begin(tcb, act);
	switch (id) {
	case ETP_T_RETX:
		on_retx(tcb, ev, act);
		break;
	case ETP_T_PERSIST:
		etp_on_persist(tcb, ev, act);
		if (act->count & ETP_CNT_BIT(ETP_CNT_TIMEOUT))
			finish(tcb, act, ETP_STATE_CLOSED, ETP_CAUSE_TIMEOUT,
			       ETP_ERR_TIMEDOUT);
		break;
	case ETP_T_DELACK:
		if (!tcb->delack)
			break;
		tcb->delack = false;
		act->ack = true;
		etp_count(act, ETP_CNT_DELAYED_ACK);
		etp_flush(tcb, ev, act);
		break;
	case ETP_T_KEEPALIVE:
		on_keepalive(tcb, ev, act);
		break;
	case ETP_T_FIN_WAIT_2:
		on_fin_wait_2(tcb, ev, act);
		break;
	case ETP_T_TIME_WAIT:
		if (tcb->state == ETP_STATE_TIME_WAIT)
			finish(tcb, act, ETP_STATE_CLOSED,
			       ETP_CAUSE_TIME_WAIT_DONE, ETP_ERR_NONE);
		break;
	default:
		break;
	}
}

/* --- ICMP --------------------------------------------------------------- */

/*
 * An ICMP error about a segment we sent (RFC 5927 section 4.1: believed
 * only if the sequence number it quotes is one in flight). Protocol
 * unreachable means the peer host has no etp: a connection attempt fails
 * at once instead of retransmitting its SYN in vain (a "hard error" as in
 * RFC 1122 4.2.3.9; later states ignore it, as TCP does). Fragmentation
 * needed lowers the segment size to the path MTU (RFC 1191) and resends.
 */
void etp_fsm_icmp(struct etp_tcb *tcb, const struct etp_ev *ev,
		  enum etp_icmp what, u32 seq, u32 mtu,
		  struct etp_actions *act)
{
	u32 old = etp_fsm_smss(tcb);

	act_begin(tcb, act);
	if (etp_before(seq, tcb->snd_una) || !etp_before(seq, tcb->snd_max)) {
		etp_count(act, ETP_CNT_ICMP_IGNORED);
		return;
	}
	switch (what) {
	case ETP_ICMP_PROTO_UNREACH:
		if (tcb->state == ETP_STATE_SYN_SENT)
			finish(tcb, act, ETP_STATE_CLOSED, ETP_CAUSE_ICMP,
			       ETP_ERR_NOPROTO);
		break;
	case ETP_ICMP_FRAG_NEEDED:
		etp_fsm_set_pmtu(tcb, mtu);
		if (etp_fsm_smss(tcb) >= old)
			break;
		etp_count(act, ETP_CNT_PMTU);
		if (tcb->snd_una != tcb->snd_max &&
		    tcb->state >= ETP_STATE_ESTABLISHED) {
			/* What was sent larger is lost: resend it now. */
			tcb->snd_nxt = tcb->snd_una;
			etp_flush(tcb, ev, act);
		}
		break;
	}
}

/* --- segments: CLOSED, LISTEN, SYN_SENT ---------------------------------- */

/* RFC 9293 3.10.7.1; also the reply for a segment matching nothing. */
bool etp_fsm_reset_for(const struct etp_seg *seg, struct etp_seg *rst)
{
	if (seg->flags & ETP_FLAG_RST)
		return false;
	memset(rst, 0, sizeof(*rst));
	rst->sport = seg->dport;
	rst->dport = seg->sport;
	rst->version = ETP_VERSION;
	rst->hdr_len = ETP_HDR_LEN;
	if (seg->flags & ETP_FLAG_ACK) {
		rst->seq = seg->ack;
		rst->flags = ETP_FLAG_RST;
	} else {
		rst->ack = seg->seq + etp_seg_len(seg);
		rst->flags = ETP_FLAG_RST | ETP_FLAG_ACK;
	}
	return true;
}

static void seg_closed(struct etp_tcb *tcb, const struct etp_ev *ev,
		       const struct etp_seg *seg, struct etp_actions *act)
{
	reset_reply(seg, act, ETP_DROP_NO_CONN);
}

static void seg_listen(struct etp_tcb *tcb, const struct etp_ev *ev,
		       const struct etp_seg *seg, struct etp_actions *act)
{
	etp_fsm_listen(seg, act);
}

/* Our SYN is acknowledged: how long it took is the first measurement. */
static void syn_acked(struct etp_tcb *tcb, const struct etp_ev *ev,
		      const struct etp_seg *seg, struct etp_actions *act)
{
	tcb->snd_una = seg->ack;
	tcb->retries = 0;
	if (tcb->rtt_pending)
		etp_rtt_sample(tcb, ev, etp_rtt_now(ev) - tcb->rtt_start);
	else
		tcb->rto_ms = etp_rto_base(tcb, ev->p);
	tcb->rtt_pending = false;
	take_window(tcb, seg);
	etp_cancel(act, ETP_T_RETX);
}

/* RFC 9293 3.10.7.3. */
static void seg_syn_sent(struct etp_tcb *tcb, const struct etp_ev *ev,
			 const struct etp_seg *seg, struct etp_actions *act)
{
	bool has_ack = seg->flags & ETP_FLAG_ACK;

	if (has_ack && (!etp_after(seg->ack, tcb->iss) ||
			etp_after(seg->ack, tcb->snd_nxt))) {
		if (seg->flags & ETP_FLAG_RST)
			act->drop = ETP_DROP_BAD_ACK;
		else
			reset_reply(seg, act, ETP_DROP_BAD_ACK);
		return;
	}
	if (seg->flags & ETP_FLAG_RST) {
		/* Without an ACK of our SYN it could be blind (RFC 5961). */
		if (!has_ack) {
			act->drop = ETP_DROP_RST_INVALID;
			return;
		}
		etp_count(act, ETP_CNT_RST_IN);
		finish(tcb, act, ETP_STATE_CLOSED, ETP_CAUSE_RST,
		       ETP_ERR_REFUSED);
		return;
	}
	if (!(seg->flags & ETP_FLAG_SYN)) {
		act->drop = ETP_DROP_NO_SYN;
		return;
	}
	take_peer_syn(tcb, ev, seg);
	if (has_ack) {
		syn_acked(tcb, ev, seg, act);
		set_state(tcb, ev, act, ETP_STATE_ESTABLISHED,
			  ETP_CAUSE_SYNACK);
		act->ack = true;
		etp_flush(tcb, ev, act);
		return;
	}
	/* Simultaneous open. */
	take_window(tcb, seg);
	emit(tcb, act, ETP_FLAG_SYN | ETP_FLAG_ACK, tcb->iss);
	set_state(tcb, ev, act, ETP_STATE_SYN_RCVD, ETP_CAUSE_SYN);
	syn_sent(tcb, ev, act);
}

/* --- segments: synchronized states, RFC 9293 3.10.7.4 -------------------- */

/*
 * The peer's SYN again, in SYN_RCVD. Without ACK it is a retransmission
 * because our SYN|ACK was lost: answer with the SYN|ACK at once rather than
 * the RFC's bare ACK, which a SYN_SENT peer ignores. With ACK it is the
 * peer's SYN|ACK of a simultaneous open (RFC 9293 figure 7): its SYN is
 * already counted, so strip it and let the ACK complete the handshake.
 * Returns true when the segment has been fully handled; otherwise *segp
 * is what the remaining steps should process.
 */
static bool syn_rcvd_peer_syn(struct etp_tcb *tcb, const struct etp_ev *ev,
			      const struct etp_seg **segp,
			      struct etp_seg *trimmed, struct etp_actions *act)
{
	const struct etp_seg *seg = *segp;

	if (tcb->state != ETP_STATE_SYN_RCVD || !(seg->flags & ETP_FLAG_SYN) ||
	    (seg->flags & ETP_FLAG_RST) || seg->seq != tcb->irs)
		return false;
	if (!(seg->flags & ETP_FLAG_ACK)) {
		emit(tcb, act, ETP_FLAG_SYN | ETP_FLAG_ACK, tcb->iss);
		etp_count(act, ETP_CNT_RETRANSMIT);
		if (tcb->retrans != ~0u)
			tcb->retrans++;
		return true;
	}
	*trimmed = *seg;
	trimmed->flags &= ~ETP_FLAG_SYN;
	trimmed->seq++;
	trimmed->payload_len = 0;
	*segp = trimmed;
	return false;
}

/*
 * Step one. A zero receive window still admits a segment at exactly
 * RCV.NXT for its control bits (RFC 9293: "special allowance should be
 * made to accept valid ACKs ... and RSTs"); *text_ok says whether its
 * text and FIN may be taken too.
 */
static bool check_seq(struct etp_tcb *tcb, const struct etp_ev *ev,
		      const struct etp_seg *seg, struct etp_actions *act,
		      bool *text_ok)
{
	u32 len = etp_seg_len(seg);

	*text_ok = true;
	if (etp_seq_acceptable(tcb->rcv_nxt, tcb->rcv_wnd, seg->seq, len))
		return true;
	if (!tcb->rcv_wnd && seg->seq == tcb->rcv_nxt) {
		*text_ok = false;
		return true;
	}
	if (seg->flags & ETP_FLAG_RST) {
		act->drop = ETP_DROP_RST_INVALID;
		return false;
	}
	if (seg->flags & ETP_FLAG_SYN) {
		challenge_ack(tcb, ev, seg, act, ETP_DROP_SYN_SYNCED);
		return false;
	}
	answer_ack(tcb, ev, seg, act, ETP_DROP_OUT_OF_WINDOW);
	/* The peer's FIN again: our ACK of it was lost, so stay 2 MSL more. */
	if (tcb->state == ETP_STATE_TIME_WAIT && (seg->flags & ETP_FLAG_FIN) &&
	    seg->seq + len == tcb->rcv_nxt) {
		act->drop = ETP_DROP_NONE;
		act->cause = ETP_CAUSE_FIN;
		etp_arm(act, ETP_T_TIME_WAIT, twice_msl(ev->p));
	}
	return false;
}

/* Step two, for an in-window RST (RFC 5961 3.2, RFC 1337). */
static void on_rst(struct etp_tcb *tcb, const struct etp_ev *ev,
		   const struct etp_seg *seg, struct etp_actions *act)
{
	if (tcb->state == ETP_STATE_TIME_WAIT) {
		act->drop = ETP_DROP_RST_TIME_WAIT;
		return;
	}
	if (seg->seq != tcb->rcv_nxt) {
		challenge_ack(tcb, ev, seg, act, ETP_DROP_RST_INVALID);
		return;
	}
	etp_count(act, ETP_CNT_RST_IN);
	switch (tcb->state) {
	case ETP_STATE_SYN_RCVD:
		if (tcb->passive)
			finish(tcb, act, ETP_STATE_LISTEN, ETP_CAUSE_RST,
			       ETP_ERR_RESET);
		else
			finish(tcb, act, ETP_STATE_CLOSED, ETP_CAUSE_RST,
			       ETP_ERR_REFUSED);
		break;
	case ETP_STATE_CLOSING:
	case ETP_STATE_LAST_ACK:
		finish(tcb, act, ETP_STATE_CLOSED, ETP_CAUSE_RST, ETP_ERR_NONE);
		break;
	default:
		finish(tcb, act, ETP_STATE_CLOSED, ETP_CAUSE_RST, ETP_ERR_RESET);
		break;
	}
}

/*
 * Step four, an in-window SYN. RFC 9293 returns a passive SYN_RCVD to
 * LISTEN (the peer evidently restarted); everywhere else RFC 5961 4.2 asks
 * for a challenge ACK.
 */
static void on_syn(struct etp_tcb *tcb, const struct etp_ev *ev,
		   const struct etp_seg *seg, struct etp_actions *act)
{
	if (tcb->state == ETP_STATE_SYN_RCVD && tcb->passive) {
		finish(tcb, act, ETP_STATE_LISTEN, ETP_CAUSE_SYN, ETP_ERR_RESET);
		act->drop = ETP_DROP_SYN_SYNCED;
		return;
	}
	challenge_ack(tcb, ev, seg, act, ETP_DROP_SYN_SYNCED);
}

static bool ack_syn_rcvd(struct etp_tcb *tcb, const struct etp_ev *ev,
			 const struct etp_seg *seg, struct etp_actions *act)
{
	if (!etp_after(seg->ack, tcb->snd_una) ||
	    etp_after(seg->ack, tcb->snd_max)) {
		reset_reply(seg, act, ETP_DROP_BAD_ACK);
		return false;
	}
	syn_acked(tcb, ev, seg, act);
	set_state(tcb, ev, act, ETP_STATE_ESTABLISHED, ETP_CAUSE_ACK);
	if (tcb->close_pending) {
		tcb->fin_queued = true;
		set_state(tcb, ev, act, ETP_STATE_FIN_WAIT_1, ETP_CAUSE_ACK);
		etp_cancel(act, ETP_T_KEEPALIVE);
	}
	return true;
}

/* What an ACK of our FIN does, per state. False: processing ends. */
static bool ack_of_fin(struct etp_tcb *tcb, const struct etp_ev *ev,
		       struct etp_actions *act)
{
	if (!our_fin_acked(tcb))
		return true;
	switch (tcb->state) {
	case ETP_STATE_FIN_WAIT_1:
		set_state(tcb, ev, act, ETP_STATE_FIN_WAIT_2, ETP_CAUSE_ACK);
		etp_cancel(act, ETP_T_RETX);
		if (ev->p->fin_wait2_ms)
			etp_arm(act, ETP_T_FIN_WAIT_2, ev->p->fin_wait2_ms);
		return true;
	case ETP_STATE_CLOSING:
		enter_time_wait(tcb, ev, act, ETP_CAUSE_ACK);
		return true;
	case ETP_STATE_LAST_ACK:
		finish(tcb, act, ETP_STATE_CLOSED, ETP_CAUSE_ACK, ETP_ERR_NONE);
		return false;
	default:
		return true;
	}
}

/* SND.UNA moves on to ack: the send queue lets go of what was acked. */
static void new_ack(struct etp_tcb *tcb, const struct etp_ev *ev, u32 ack,
		    struct etp_actions *act)
{
	u32 acked = ack - tcb->snd_una;
	u32 data_end = etp_before(ack, tcb->write_seq) ? ack : tcb->write_seq;
	struct etp_stream *st = ev->st;

	if (st && etp_after(data_end, st->sq_head)) {
		st->bytes_acked += data_end - st->sq_head;
		etp_bufq_release(&st->sq, st->sq_head, data_end);
		st->sq_head = data_end;
		if (data_end == tcb->write_seq)
			etp_bufq_drop_head(&st->sq, data_end);
		act->notify |= ETP_NOTE_WRITABLE;
	}
	tcb->snd_una = ack;
	if (etp_before(tcb->snd_nxt, ack))
		tcb->snd_nxt = ack;
	if (tcb->rtt_pending && !etp_before(ack, tcb->rtt_seq)) {
		tcb->rtt_pending = false;
		etp_rtt_sample(tcb, ev, etp_rtt_now(ev) - tcb->rtt_start);
	} else {
		/* Progress ends the backoff (RFC 6298 5.7 allows it). */
		tcb->rto_ms = etp_rto_base(tcb, ev->p);
	}
	tcb->retries = 0;
	etp_cc_ack(tcb, ev, acked, act);
	/* RFC 6298 5.2 and 5.3. */
	if (tcb->snd_una == tcb->snd_max)
		etp_cancel(act, ETP_T_RETX);
	else if (!tcb->persisting)
		etp_arm(act, ETP_T_RETX, tcb->rto_ms);
}

/*
 * A duplicate ACK in RFC 5681's sense: it acknowledges nothing new, carries
 * no data, no SYN or FIN, leaves the window as it was, while data is
 * outstanding.
 */
static bool is_dupack(const struct etp_tcb *tcb, const struct etp_seg *seg)
{
	return seg->ack == tcb->snd_una && !etp_seg_len(seg) &&
	       seg_window(tcb, seg) == tcb->snd_wnd &&
	       tcb->snd_una != tcb->snd_max;
}

/* The window update rule of RFC 9293 3.10.7.4 step 5. */
static void update_window(struct etp_tcb *tcb, const struct etp_seg *seg,
			  struct etp_actions *act)
{
	if (etp_before(seg->ack, tcb->snd_una) ||
	    !(etp_before(tcb->snd_wl1, seg->seq) ||
	      (tcb->snd_wl1 == seg->seq &&
	       !etp_before(seg->ack, tcb->snd_wl2))))
		return;
	take_window(tcb, seg);
	if (tcb->persisting && tcb->snd_wnd) {
		/* The window opened: the probes' job is done. */
		tcb->persisting = false;
		etp_cancel(act, ETP_T_PERSIST);
		if (tcb->snd_una != tcb->snd_max)
			etp_arm(act, ETP_T_RETX, tcb->rto_ms);
	}
}

/*
 * Step five. Acceptable ACKs lie in [SND.UNA - MAX.SND.WND, SND.MAX]
 * (RFC 5961 5.2, with SND.MAX for SND.NXT: after a timeout SND.NXT is
 * back at SND.UNA while later data may still be acknowledged); below
 * SND.UNA they are duplicates and carry nothing new.
 */
static bool on_ack(struct etp_tcb *tcb, const struct etp_ev *ev,
		   const struct etp_seg *seg, struct etp_actions *act)
{
	if (!(seg->flags & ETP_FLAG_ACK)) {
		act->drop = ETP_DROP_NO_ACK;
		return false;
	}
	if (tcb->state == ETP_STATE_SYN_RCVD)
		return ack_syn_rcvd(tcb, ev, seg, act);
	if (etp_after(seg->ack, tcb->snd_max)) {
		answer_ack(tcb, ev, seg, act, ETP_DROP_BAD_ACK);
		return false;
	}
	if (etp_before(seg->ack, tcb->snd_una - tcb->max_snd_wnd)) {
		challenge_ack(tcb, ev, seg, act, ETP_DROP_BAD_ACK);
		return false;
	}
	/*
	 * In TIME_WAIT everything is sent and acknowledged: the ACK field
	 * has nothing to move, the window nothing to govern (RFC 9293
	 * 3.10.7.4 step five has only the FIN to acknowledge there). So
	 * the compact TIME_WAIT entry (tw.h) need keep no window state.
	 */
	if (tcb->state == ETP_STATE_TIME_WAIT)
		return true;
	/* The peer answers: zero-window and keepalive probes start over. */
	tcb->probes = 0;
	if (is_dupack(tcb, seg))
		etp_cc_dupack(tcb, ev, act);
	else if (seg->ack == tcb->snd_una && !etp_seg_len(seg))
		tcb->dupacks = 0;
	update_window(tcb, seg, act);
	if (etp_after(seg->ack, tcb->snd_una))
		new_ack(tcb, ev, seg->ack, act);
	return ack_of_fin(tcb, ev, act);
}

/*
 * Where the next received octet goes and what an ACK of it costs: one ACK
 * every second full-sized segment, or within delack_ms (RFC 9293 3.8.6.3,
 * RFC 5681 4.2); data that fills a hole is acknowledged at once.
 */
static void took_in_order(struct etp_tcb *tcb, const struct etp_ev *ev,
			  u32 n, bool filled_hole, struct etp_actions *act)
{
	tcb->rcv_nxt += n;
	tcb->rcv_wnd -= etp_min(n, tcb->rcv_wnd);
	ev->st->bytes_received += n;
	act->data_in += n;
	act->notify |= ETP_NOTE_READABLE;
	tcb->rcv_unacked += n;
	if (tcb->rcv_unacked >= 2u * tcb->mss || filled_hole) {
		act->ack = true;
	} else if (!tcb->delack) {
		tcb->delack = true;
		etp_arm(act, ETP_T_DELACK, ev->p->delack_ms);
	}
}

/*
 * Data beyond RCV.NXT: kept, within the window and ETP_OOO_MAX pieces, and
 * acknowledged at once with a duplicate ACK (RFC 5681 4.2).
 */
static void took_out_of_order(struct etp_tcb *tcb, const struct etp_ev *ev,
			      const struct etp_seg *seg, u32 from, u32 to,
			      struct etp_actions *act)
{
	struct etp_stream *st = ev->st;
	u32 n;

	act->ack = true;
	n = etp_bufq_write(&st->rq, from, ev->data, from - seg->seq,
			   to - from);
	if (n != to - from) {
		act->drop = ETP_DROP_NO_MEMORY;
		return;
	}
	if (!etp_ooo_add(st, from, to)) {
		act->drop = ETP_DROP_OOO_FULL;
		return;
	}
	etp_count(act, ETP_CNT_OOO);
}

/*
 * Step seven. The octets within [RCV.NXT, RCV.NXT + RCV.WND) go into the
 * receive queue: in order, they advance RCV.NXT (over any pieces held out
 * of order that they reach); beyond RCV.NXT, they are held. Returns true
 * when everything before the segment's FIN has been taken.
 */
static bool on_text(struct etp_tcb *tcb, const struct etp_ev *ev,
		    const struct etp_seg *seg, struct etp_actions *act,
		    bool text_ok)
{
	struct etp_stream *st = ev->st;
	u32 from, to, end = seg->seq + seg->payload_len, n, joined;

	if (!text_ok) {
		act->drop = ETP_DROP_OUT_OF_WINDOW;
		act->ack = true;
		return false;
	}
	if (!seg->payload_len)
		return seg->seq == tcb->rcv_nxt;
	if (!state_receives_text(tcb->state)) {
		act->drop = ETP_DROP_AFTER_FIN;
		return false;
	}
	from = etp_after(seg->seq, tcb->rcv_nxt) ? seg->seq : tcb->rcv_nxt;
	to = tcb->rcv_nxt + tcb->rcv_wnd;
	to = etp_before(end, to) ? end : to;
	if (!etp_after(to, from)) {
		/* Old octets (a FIN after them may be new), or no window. */
		act->ack = true;
		return tcb->rcv_nxt == end;
	}
	if (!st || !ev->data) {
		act->drop = ETP_DROP_NO_MEMORY;
		act->ack = true;
		return false;
	}
	if (from != tcb->rcv_nxt) {
		took_out_of_order(tcb, ev, seg, from, to, act);
		return false;
	}
	n = etp_bufq_write(&st->rq, from, ev->data, from - seg->seq, to - from);
	if (n != to - from)
		act->drop = ETP_DROP_NO_MEMORY;
	joined = etp_ooo_advance(st, from + n) - (from + n);
	took_in_order(tcb, ev, n + joined, joined || st->nooo, act);
	return tcb->rcv_nxt == end;
}

/* Step eight: where the peer's FIN takes each state. */
static const u8 fin_next[__ETP_STATE_MAX] = {
	[ETP_STATE_ESTABLISHED]	= ETP_STATE_CLOSE_WAIT,
	[ETP_STATE_FIN_WAIT_1]	= ETP_STATE_CLOSING,
	[ETP_STATE_FIN_WAIT_2]	= ETP_STATE_TIME_WAIT,
};

static void on_fin(struct etp_tcb *tcb, const struct etp_ev *ev,
		   struct etp_actions *act, bool fin_ok)
{
	enum etp_conn_state next = fin_next[tcb->state];

	act->ack = true;
	if (tcb->state == ETP_STATE_TIME_WAIT) {
		/*
		 * A FIN again. If this segment's ACK of our FIN just took
		 * CLOSING here, that ACK is the transition's cause.
		 */
		if (act->old_state == ETP_STATE_TIME_WAIT)
			act->cause = ETP_CAUSE_FIN;
		etp_arm(act, ETP_T_TIME_WAIT, twice_msl(ev->p));
		return;
	}
	if (!next) {
		act->drop = ETP_DROP_AFTER_FIN;
		act->ack = false;
		return;
	}
	if (!fin_ok) {
		if (!act->drop)
			act->drop = ETP_DROP_OUT_OF_ORDER;
		return;
	}
	tcb->rcv_nxt++;
	tcb->fin_rcvd = true;
	/*
	 * Pieces still held out of order lie beyond the FIN: never to be
	 * read, they are forgotten (as Linux's tcp_fin() purges them).
	 */
	if (ev->st)
		ev->st->nooo = 0;
	act->notify |= ETP_NOTE_READABLE;
	if (next == ETP_STATE_TIME_WAIT)
		enter_time_wait(tcb, ev, act, ETP_CAUSE_FIN);
	else
		set_state(tcb, ev, act, next, ETP_CAUSE_FIN);
}

static void seg_synced(struct etp_tcb *tcb, const struct etp_ev *ev,
		       const struct etp_seg *seg, struct etp_actions *act)
{
	struct etp_seg trimmed;
	bool text_ok, fin_ok;

	/* Any segment, even an old one, says the peer is there. */
	tcb->last_rcv_ms = etp_now_ms(ev);
	if (syn_rcvd_peer_syn(tcb, ev, &seg, &trimmed, act))
		return;
	if (!check_seq(tcb, ev, seg, act, &text_ok))
		return;
	if (seg->flags & ETP_FLAG_RST) {
		on_rst(tcb, ev, seg, act);
		return;
	}
	if (seg->flags & ETP_FLAG_SYN) {
		on_syn(tcb, ev, seg, act);
		return;
	}
	if (!on_ack(tcb, ev, seg, act))
		return;
	fin_ok = on_text(tcb, ev, seg, act, text_ok);
	if (seg->flags & ETP_FLAG_FIN)
		on_fin(tcb, ev, act, fin_ok);
}

typedef void (*etp_seg_fn)(struct etp_tcb *tcb, const struct etp_ev *ev,
			   const struct etp_seg *seg, struct etp_actions *act);

static const etp_seg_fn seg_handlers[__ETP_STATE_MAX] = {
	[ETP_STATE_CLOSED]	= seg_closed,
	[ETP_STATE_LISTEN]	= seg_listen,
	[ETP_STATE_SYN_SENT]	= seg_syn_sent,
	[ETP_STATE_SYN_RCVD]	= seg_synced,
	[ETP_STATE_ESTABLISHED]	= seg_synced,
	[ETP_STATE_FIN_WAIT_1]	= seg_synced,
	[ETP_STATE_FIN_WAIT_2]	= seg_synced,
	[ETP_STATE_CLOSE_WAIT]	= seg_synced,
	[ETP_STATE_CLOSING]	= seg_synced,
	[ETP_STATE_LAST_ACK]	= seg_synced,
	[ETP_STATE_TIME_WAIT]	= seg_synced,
};

void etp_fsm_segment(struct etp_tcb *tcb, const struct etp_ev *ev,
		     const struct etp_seg *seg, struct etp_actions *act)
{
	act_begin(tcb, act);
	if ((unsigned int)tcb->state >= __ETP_STATE_MAX ||
	    !seg_handlers[tcb->state]) {
		reset_reply(seg, act, ETP_DROP_NO_CONN);
		return;
	}
	if (tcb->segs_in != ~0u)
		tcb->segs_in++;
	seg_handlers[tcb->state](tcb, ev, seg, act);
	if (act->drop && tcb->drops != ~0u)
		tcb->drops++;
	if (tcb->state >= ETP_STATE_SYN_RCVD)
		etp_flush(tcb, ev, act);
	else
		act->ack = false;
}
