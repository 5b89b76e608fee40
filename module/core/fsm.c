// SPDX-License-Identifier: GPL-2.0
/*
 * etp connection state machine. The structure follows RFC 9293 section
 * 3.10.7: one handler for CLOSED, LISTEN and SYN_SENT each, and one for the
 * synchronized states that runs the RFC's processing steps in order
 * (sequence, RST, SYN, ACK, text, FIN), each step a function of its own.
 * docs/protocol.md section 4 lists every deviation from the RFC and why.
 */
#include "fsm.h"

/* RFC 9293 3.7.1: what a peer that sent no MSS option can take. */
#define ETP_DEFAULT_PEER_MSS	536

void etp_fsm_init(struct etp_tcb *tcb, const struct etp_params *p,
		  u16 lport, u16 rport)
{
	memset(tcb, 0, sizeof(*tcb));
	tcb->state = ETP_STATE_CLOSED;
	tcb->lport = lport;
	tcb->rport = rport;
	tcb->rcv_wnd = p->rcvbuf;
	tcb->mss = p->mss;
	tcb->peer_mss = ETP_DEFAULT_PEER_MSS;
	tcb->rto_ms = p->rto_initial_ms;
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
	return tcb->snd_una == tcb->snd_nxt;
}

static u32 twice_msl(const struct etp_params *p)
{
	return p->msl_ms > 0x7fffffffu ? 0xffffffffu : 2 * p->msl_ms;
}

/* --- building actions --------------------------------------------------- */

static void act_begin(const struct etp_tcb *tcb, struct etp_actions *act)
{
	memset(act, 0, sizeof(*act));
	act->old_state = tcb->state;
	act->new_state = tcb->state;
}

static void count(struct etp_actions *act, enum etp_count c)
{
	act->count |= ETP_CNT_BIT(c);
}

static void set_state(struct etp_tcb *tcb, struct etp_actions *act,
		      enum etp_conn_state s, enum etp_cause cause)
{
	tcb->state = s;
	act->new_state = s;
	act->cause = cause;
	if (s == ETP_STATE_ESTABLISHED)
		count(act, ETP_CNT_ESTABLISHED);
}

static void arm(struct etp_actions *act, enum etp_timer_id id, u32 ms)
{
	act->arm |= ETP_T_BIT(id);
	act->cancel &= ~ETP_T_BIT(id);
	act->timer_ms[id] = ms;
}

static void cancel(struct etp_actions *act, enum etp_timer_id id)
{
	act->cancel |= ETP_T_BIT(id);
	act->arm &= ~ETP_T_BIT(id);
	act->timer_ms[id] = 0;
}

/*
 * The connection is over. Counters follow the MIB-II definitions
 * (RFC 1213 tcpAttemptFails, tcpEstabResets), which are defined by the
 * state left, whatever the cause.
 */
static void finish(struct etp_tcb *tcb, struct etp_actions *act,
		   enum etp_conn_state to, enum etp_cause cause, enum etp_error err)
{
	if (tcb->state == ETP_STATE_SYN_SENT || tcb->state == ETP_STATE_SYN_RCVD)
		count(act, ETP_CNT_ATTEMPT_FAIL);
	if (tcb->state == ETP_STATE_ESTABLISHED || tcb->state == ETP_STATE_CLOSE_WAIT)
		count(act, ETP_CNT_ESTAB_RESET);
	set_state(tcb, act, to, cause);
	tcb->error = err;
	act->error = err;
	act->destroy = true;
	act->arm = 0;
	act->cancel = ETP_T_ALL;
}

static void emit(const struct etp_tcb *tcb, struct etp_actions *act,
		 u8 flags, u32 seq)
{
	struct etp_seg *o = &act->out;

	memset(o, 0, sizeof(*o));
	o->sport = tcb->lport;
	o->dport = tcb->rport;
	o->seq = seq;
	o->ack = (flags & ETP_FLAG_ACK) ? tcb->rcv_nxt : 0;
	o->version = ETP_VERSION;
	o->flags = flags;
	o->window = tcb->rcv_wnd > 0xffff ? 0xffff : tcb->rcv_wnd;
	o->mss = (flags & ETP_FLAG_SYN) ? tcb->mss : 0;
	o->hdr_len = etp_wire_hdr_len(o);
	act->send = true;
}

/* An ACK rides on whatever is already going out (a FIN|ACK). */
static void send_ack(const struct etp_tcb *tcb, struct etp_actions *act)
{
	if (!act->send)
		emit(tcb, act, ETP_FLAG_ACK, tcb->snd_nxt);
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
	u32 now = (u32)(ev->now_us / 1000), limit = ev->p->invalid_ratelimit_ms;

	if (!limit || (etp_seg_len(seg) && !(seg->flags & ETP_FLAG_SYN)))
		return true;
	if (tcb->last_oow_ms && now - tcb->last_oow_ms < limit) {
		count(act, ETP_CNT_RATELIMITED);
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
		send_ack(tcb, act);
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
	emit(tcb, act, ETP_FLAG_ACK, tcb->snd_nxt);
	count(act, ETP_CNT_CHALLENGE_ACK);
}

static void reset_reply(const struct etp_seg *seg, struct etp_actions *act,
			enum etp_drop why)
{
	act->send = etp_fsm_reset_for(seg, &act->out);
	act->drop = why;
}

/* A new segment goes into flight: retransmission state starts over. */
static void retx_start(struct etp_tcb *tcb, const struct etp_ev *ev,
		       struct etp_actions *act)
{
	tcb->retries = 0;
	tcb->rto_ms = ev->p->rto_initial_ms;
	arm(act, ETP_T_RETX, tcb->rto_ms);
}

static void send_fin(struct etp_tcb *tcb, const struct etp_ev *ev,
		     struct etp_actions *act, enum etp_conn_state next,
		     enum etp_cause cause)
{
	emit(tcb, act, ETP_FLAG_FIN | ETP_FLAG_ACK, tcb->snd_nxt);
	tcb->snd_nxt++;
	set_state(tcb, act, next, cause);
	retx_start(tcb, ev, act);
}

static void enter_time_wait(struct etp_tcb *tcb,
			    const struct etp_ev *ev,
			    struct etp_actions *act, enum etp_cause cause)
{
	set_state(tcb, act, ETP_STATE_TIME_WAIT, cause);
	cancel(act, ETP_T_RETX);
	cancel(act, ETP_T_FIN_WAIT_2);
	arm(act, ETP_T_TIME_WAIT, twice_msl(ev->p));
}

static void take_peer_syn(struct etp_tcb *tcb, const struct etp_seg *seg)
{
	tcb->irs = seg->seq;
	tcb->rcv_nxt = seg->seq + 1;
	tcb->peer_mss = seg->mss ? seg->mss : ETP_DEFAULT_PEER_MSS;
}

static void take_window(struct etp_tcb *tcb, const struct etp_seg *seg)
{
	tcb->snd_wnd = seg->window;
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
	emit(tcb, act, ETP_FLAG_SYN, iss);
	set_state(tcb, act, ETP_STATE_SYN_SENT, ETP_CAUSE_CONNECT);
	count(act, ETP_CNT_ACTIVE_OPEN);
	retx_start(tcb, ev, act);
}

void etp_fsm_open_listen(struct etp_tcb *tcb, struct etp_actions *act)
{
	act_begin(tcb, act);
	if (tcb->state == ETP_STATE_CLOSED)
		set_state(tcb, act, ETP_STATE_LISTEN, ETP_CAUSE_LISTEN);
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
	take_peer_syn(tcb, syn);
	tcb->snd_wnd = syn->window;
	tcb->max_snd_wnd = syn->window;
	emit(tcb, act, ETP_FLAG_SYN | ETP_FLAG_ACK, iss);
	set_state(tcb, act, ETP_STATE_SYN_RCVD, ETP_CAUSE_SYN);
	count(act, ETP_CNT_PASSIVE_OPEN);
	retx_start(tcb, ev, act);
}

/*
 * RFC 9293 3.10.4. Closing in SYN_RCVD is deferred until the handshake
 * completes: a FIN sent now could not be retransmitted together with the
 * unacknowledged SYN|ACK (SYN+FIN is not a valid segment here).
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
		send_fin(tcb, ev, act, ETP_STATE_FIN_WAIT_1, ETP_CAUSE_CLOSE);
		return true;
	case ETP_STATE_CLOSE_WAIT:
		send_fin(tcb, ev, act, ETP_STATE_LAST_ACK, ETP_CAUSE_CLOSE);
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
		emit(tcb, act, ETP_FLAG_RST, tcb->snd_nxt);
		break;
	default:
		break;
	}
	finish(tcb, act, ETP_STATE_CLOSED, ETP_CAUSE_ABORT, ETP_ERR_RESET);
	return true;
}

/* --- timers ------------------------------------------------------------- */

/*
 * What the retransmission timer resends in each state, and how often.
 * False: nothing is in flight in this state.
 */
static bool retx_what(const struct etp_tcb *tcb,
		      const struct etp_ev *ev, u8 *flags, u32 *seq,
		      u32 *limit)
{
	switch (tcb->state) {
	case ETP_STATE_SYN_SENT:
	case ETP_STATE_SYN_RCVD:
		*flags = tcb->state == ETP_STATE_SYN_SENT ? ETP_FLAG_SYN :
			 ETP_FLAG_SYN | ETP_FLAG_ACK;
		*seq = tcb->iss;
		*limit = ev->p->syn_retries;
		return true;
	case ETP_STATE_FIN_WAIT_1:
	case ETP_STATE_CLOSING:
	case ETP_STATE_LAST_ACK:
		*flags = ETP_FLAG_FIN | ETP_FLAG_ACK;
		*seq = tcb->snd_nxt - 1;
		*limit = ev->p->retries;
		return true;
	default:
		return false;
	}
}

static void on_retx(struct etp_tcb *tcb, const struct etp_ev *ev,
		    struct etp_actions *act)
{
	u32 seq, limit;
	u8 flags;

	if (!retx_what(tcb, ev, &flags, &seq, &limit))
		return;
	if (tcb->retries >= limit) {
		count(act, ETP_CNT_TIMEOUT);
		finish(tcb, act,
		       tcb->passive && tcb->state == ETP_STATE_SYN_RCVD ?
		       ETP_STATE_LISTEN : ETP_STATE_CLOSED,
		       ETP_CAUSE_TIMEOUT, ETP_ERR_TIMEDOUT);
		return;
	}
	tcb->retries++;
	if (tcb->rto_ms > ev->p->rto_max_ms / 2)
		tcb->rto_ms = ev->p->rto_max_ms;
	else
		tcb->rto_ms *= 2;
	emit(tcb, act, flags, seq);
	count(act, ETP_CNT_RETRANSMIT);
	arm(act, ETP_T_RETX, tcb->rto_ms);
}

/*
 * Sent as a courtesy: the peer is in CLOSE_WAIT, and without the RST
 * would keep its half of the connection until its user closes.
 */
static void on_fin_wait_2(struct etp_tcb *tcb, struct etp_actions *act)
{
	if (tcb->state != ETP_STATE_FIN_WAIT_2)
		return;
	emit(tcb, act, ETP_FLAG_RST, tcb->snd_nxt);
	/* Timed out like a retransmission giving up: counted alike. */
	count(act, ETP_CNT_TIMEOUT);
	finish(tcb, act, ETP_STATE_CLOSED, ETP_CAUSE_FIN_WAIT_2_TIMEOUT,
	       ETP_ERR_TIMEDOUT);
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
	case ETP_T_FIN_WAIT_2:
		on_fin_wait_2(tcb, act);
		break;
	case ETP_T_TIME_WAIT:
		if (tcb->state == ETP_STATE_TIME_WAIT)
			finish(tcb, act, ETP_STATE_CLOSED, ETP_CAUSE_TIME_WAIT_DONE,
			       ETP_ERR_NONE);
		break;
	default:
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
		count(act, ETP_CNT_RST_IN);
		finish(tcb, act, ETP_STATE_CLOSED, ETP_CAUSE_RST, ETP_ERR_REFUSED);
		return;
	}
	if (!(seg->flags & ETP_FLAG_SYN)) {
		act->drop = ETP_DROP_NO_SYN;
		return;
	}
	take_peer_syn(tcb, seg);
	if (has_ack) {
		tcb->snd_una = seg->ack;
		take_window(tcb, seg);
		cancel(act, ETP_T_RETX);
		set_state(tcb, act, ETP_STATE_ESTABLISHED, ETP_CAUSE_SYNACK);
		send_ack(tcb, act);
		return;
	}
	/* Simultaneous open. */
	tcb->snd_wnd = seg->window;
	tcb->max_snd_wnd = seg->window;
	emit(tcb, act, ETP_FLAG_SYN | ETP_FLAG_ACK, tcb->iss);
	set_state(tcb, act, ETP_STATE_SYN_RCVD, ETP_CAUSE_SYN);
	retx_start(tcb, ev, act);
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
static bool syn_rcvd_peer_syn(struct etp_tcb *tcb, const struct etp_seg **segp,
			      struct etp_seg *trimmed, struct etp_actions *act)
{
	const struct etp_seg *seg = *segp;

	if (tcb->state != ETP_STATE_SYN_RCVD || !(seg->flags & ETP_FLAG_SYN) ||
	    (seg->flags & ETP_FLAG_RST) || seg->seq != tcb->irs)
		return false;
	if (!(seg->flags & ETP_FLAG_ACK)) {
		emit(tcb, act, ETP_FLAG_SYN | ETP_FLAG_ACK, tcb->iss);
		count(act, ETP_CNT_RETRANSMIT);
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
		arm(act, ETP_T_TIME_WAIT, twice_msl(ev->p));
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
	count(act, ETP_CNT_RST_IN);
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
	    etp_after(seg->ack, tcb->snd_nxt)) {
		reset_reply(seg, act, ETP_DROP_BAD_ACK);
		return false;
	}
	tcb->snd_una = seg->ack;
	take_window(tcb, seg);
	cancel(act, ETP_T_RETX);
	set_state(tcb, act, ETP_STATE_ESTABLISHED, ETP_CAUSE_ACK);
	if (tcb->close_pending)
		send_fin(tcb, ev, act, ETP_STATE_FIN_WAIT_1, ETP_CAUSE_ACK);
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
		set_state(tcb, act, ETP_STATE_FIN_WAIT_2, ETP_CAUSE_ACK);
		cancel(act, ETP_T_RETX);
		if (ev->p->fin_wait2_ms)
			arm(act, ETP_T_FIN_WAIT_2, ev->p->fin_wait2_ms);
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

/*
 * Step five. Acceptable ACKs lie in [SND.UNA - MAX.SND.WND, SND.NXT]
 * (RFC 5961 5.2); below SND.UNA they are duplicates and carry nothing new.
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
	if (etp_after(seg->ack, tcb->snd_nxt)) {
		answer_ack(tcb, ev, seg, act, ETP_DROP_BAD_ACK);
		return false;
	}
	if (etp_before(seg->ack, tcb->snd_una - tcb->max_snd_wnd)) {
		challenge_ack(tcb, ev, seg, act, ETP_DROP_BAD_ACK);
		return false;
	}
	if (!etp_before(seg->ack, tcb->snd_una) &&
	    (etp_before(tcb->snd_wl1, seg->seq) ||
	     (tcb->snd_wl1 == seg->seq &&
	      !etp_before(seg->ack, tcb->snd_wl2))))
		take_window(tcb, seg);
	if (etp_after(seg->ack, tcb->snd_una)) {
		tcb->snd_una = seg->ack;
		tcb->retries = 0;
		tcb->rto_ms = ev->p->rto_initial_ms;
	}
	return ack_of_fin(tcb, ev, act);
}

static bool state_receives_text(enum etp_conn_state s)
{
	return s == ETP_STATE_ESTABLISHED || s == ETP_STATE_FIN_WAIT_1 ||
	       s == ETP_STATE_FIN_WAIT_2;
}

/*
 * Step seven. In-order bytes are accepted and reported for delivery;
 * without a reassembly queue (it comes with data transfer) bytes beyond
 * RCV.NXT are dropped and re-requested with a duplicate ACK. Returns true
 * when everything before the segment's FIN has been taken.
 */
static bool on_text(struct etp_tcb *tcb, const struct etp_seg *seg,
		    struct etp_actions *act, bool text_ok)
{
	u32 off, fresh, take;

	if (!text_ok) {
		act->drop = ETP_DROP_OUT_OF_WINDOW;
		send_ack(tcb, act);
		return false;
	}
	if (!seg->payload_len)
		return seg->seq == tcb->rcv_nxt;
	if (!state_receives_text(tcb->state)) {
		act->drop = ETP_DROP_AFTER_FIN;
		return false;
	}
	if (etp_after(seg->seq, tcb->rcv_nxt)) {
		act->drop = ETP_DROP_OUT_OF_ORDER;
		send_ack(tcb, act);
		return false;
	}
	off = tcb->rcv_nxt - seg->seq;
	fresh = off < seg->payload_len ? seg->payload_len - off : 0;
	take = fresh < tcb->rcv_wnd ? fresh : tcb->rcv_wnd;
	if (take) {
		act->deliver_off = off;
		act->deliver_len = take;
		tcb->rcv_nxt += take;
	}
	send_ack(tcb, act);
	return take == fresh;
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

	if (tcb->state == ETP_STATE_TIME_WAIT) {
		send_ack(tcb, act);
		act->cause = ETP_CAUSE_FIN;
		arm(act, ETP_T_TIME_WAIT, twice_msl(ev->p));
		return;
	}
	if (!next) {
		act->drop = ETP_DROP_AFTER_FIN;
		return;
	}
	if (!fin_ok) {
		if (!act->drop)
			act->drop = ETP_DROP_OUT_OF_ORDER;
		send_ack(tcb, act);
		return;
	}
	tcb->rcv_nxt++;
	send_ack(tcb, act);
	if (next == ETP_STATE_TIME_WAIT)
		enter_time_wait(tcb, ev, act, ETP_CAUSE_FIN);
	else
		set_state(tcb, act, next, ETP_CAUSE_FIN);
}

static void seg_synced(struct etp_tcb *tcb, const struct etp_ev *ev,
		       const struct etp_seg *seg, struct etp_actions *act)
{
	struct etp_seg trimmed;
	bool text_ok, fin_ok;

	if (syn_rcvd_peer_syn(tcb, &seg, &trimmed, act))
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
	fin_ok = on_text(tcb, seg, act, text_ok);
	if (seg->flags & ETP_FLAG_FIN)
		on_fin(tcb, ev, act, fin_ok);
	/* A FIN emitted early in this segment acknowledges all of it. */
	if (act->send && (act->out.flags & ETP_FLAG_ACK))
		act->out.ack = tcb->rcv_nxt;
}

typedef void (*etp_seg_fn)(struct etp_tcb *tcb,
			   const struct etp_ev *ev,
			   const struct etp_seg *seg, struct etp_actions *act);

static const etp_seg_fn seg_handlers[__ETP_STATE_MAX] = {
	[ETP_STATE_CLOSED]		= seg_closed,
	[ETP_STATE_LISTEN]		= seg_listen,
	[ETP_STATE_SYN_SENT]		= seg_syn_sent,
	[ETP_STATE_SYN_RCVD]		= seg_synced,
	[ETP_STATE_ESTABLISHED]	= seg_synced,
	[ETP_STATE_FIN_WAIT_1]	= seg_synced,
	[ETP_STATE_FIN_WAIT_2]	= seg_synced,
	[ETP_STATE_CLOSE_WAIT]	= seg_synced,
	[ETP_STATE_CLOSING]		= seg_synced,
	[ETP_STATE_LAST_ACK]		= seg_synced,
	[ETP_STATE_TIME_WAIT]		= seg_synced,
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
	seg_handlers[tcb->state](tcb, ev, seg, act);
}
