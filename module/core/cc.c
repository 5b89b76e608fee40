// SPDX-License-Identifier: GPL-2.0
/*
 * How long to wait and how much to send: the retransmission timeout from
 * measured round trips (RFC 6298), and the congestion window of RFC 5681
 * (slow start, congestion avoidance) with NewReno's fast retransmit and
 * fast recovery (RFC 6582). Windows and thresholds count octets.
 */
#include "tcb.h"

/* RFC 6928's initial window: min(10 * SMSS, max(2 * SMSS, 14600)). */
static u32 etp_initial_window(u32 smss)
{
	return etp_min(10 * smss, etp_max(2 * smss, 14600));
}

/*
 * RFC 6298 2.2 and 2.3: RTO = SRTT + max(G, 4 RTTVAR), at least rto_min_ms
 * and at most rto_max_ms; before any measurement, rto_initial_ms.
 */
u32 etp_rto_base(const struct etp_tcb *tcb, const struct etp_params *p)
{
	u32 us, ms;

	if (!tcb->srtt_us)
		return p->rto_initial_ms;
	us = tcb->srtt_us + etp_max(ETP_CLOCK_G_US, 4 * tcb->rttvar_us);
	ms = (us + 999) / 1000;
	return etp_min(etp_max(ms, p->rto_min_ms), p->rto_max_ms);
}

/* One measurement, r_us, of a segment sent once (Karn's rule). */
void etp_rtt_sample(struct etp_tcb *tcb, const struct etp_ev *ev, u32 r_us)
{
	u32 delta;

	/* 0 means "no measurement yet": a round trip is at least 1 us. */
	r_us = etp_max(r_us, 1);
	if (!tcb->srtt_us) {
		tcb->srtt_us = r_us;
		tcb->rttvar_us = r_us / 2;
	} else {
		delta = tcb->srtt_us > r_us ? tcb->srtt_us - r_us :
					      r_us - tcb->srtt_us;
		tcb->rttvar_us = (3 * tcb->rttvar_us + delta) / 4;
		tcb->srtt_us = etp_max((7 * tcb->srtt_us + r_us) / 8, 1);
	}
	tcb->rto_ms = etp_rto_base(tcb, ev->p);
}

/* Entering ESTABLISHED: the window starts over, the threshold is open. */
void etp_cc_init(struct etp_tcb *tcb)
{
	tcb->cwnd = etp_initial_window(etp_fsm_smss(tcb));
	tcb->ssthresh = 0x7fffffff;
	/* RFC 6582 3.2: as ISS, so the very first hole may be recovered. */
	tcb->recover = tcb->snd_una - 1;
	tcb->in_recovery = false;
	tcb->dupacks = 0;
}

/* RFC 5681 (4): after a loss, half of what was in flight, at least two. */
static u32 etp_half_flight(const struct etp_tcb *tcb)
{
	return etp_max(etp_flight(tcb) / 2, 2 * etp_fsm_smss(tcb));
}

/*
 * An ACK that advanced SND.UNA by acked octets. Outside recovery the
 * window grows: by up to one SMSS per ACK below ssthresh (slow start, RFC
 * 5681 (2)), by about one SMSS per round trip above it (congestion
 * avoidance, (3)). In recovery (RFC 6582 3.2): a full ACK ends it, a
 * partial one retransmits the next hole at once.
 */
void etp_cc_ack(struct etp_tcb *tcb, const struct etp_ev *ev, u32 acked,
		struct etp_actions *act)
{
	u32 smss = etp_fsm_smss(tcb);

	tcb->dupacks = 0;
	if (tcb->in_recovery) {
		if (!etp_before(tcb->snd_una, tcb->recover)) {
			/* Step 3, option 1. */
			tcb->cwnd = etp_min(tcb->ssthresh,
					    etp_max(etp_flight(tcb), smss) +
					    smss);
			tcb->in_recovery = false;
			return;
		}
		/* Step 4: deflate by what was acked, add back one SMSS. */
		tcb->cwnd -= etp_min(acked, tcb->cwnd - smss);
		if (acked >= smss)
			tcb->cwnd += smss;
		etp_resend_first(tcb, ev, act);
		return;
	}
	/*
	 * RFC 7661 (and RFC 5681 section 3.1's note): a window the sender
	 * did not fill was not tested by the network; it does not grow.
	 */
	if (etp_flight(tcb) + acked + smss < tcb->cwnd)
		return;
	if (tcb->cwnd < tcb->ssthresh)
		tcb->cwnd += etp_min(acked, smss);
	else
		tcb->cwnd += etp_max(smss * smss / tcb->cwnd, 1);
	if (tcb->cwnd > 0x7fffffff)
		tcb->cwnd = 0x7fffffff;
}

/*
 * A duplicate ACK (RFC 5681 section 2): the third starts fast retransmit
 * (RFC 6582 3.2 step 2) unless the hole is older than the last recovery;
 * in recovery, each one more means a segment has left the network.
 */
void etp_cc_dupack(struct etp_tcb *tcb, const struct etp_ev *ev,
		   struct etp_actions *act)
{
	u32 smss = etp_fsm_smss(tcb);

	etp_count(act, ETP_CNT_DUPACK);
	if (tcb->dupacks < 255)
		tcb->dupacks++;
	if (tcb->in_recovery) {
		tcb->cwnd += smss;
		return;
	}
	if (tcb->dupacks != 3 || !etp_after(tcb->snd_una, tcb->recover))
		return;
	tcb->ssthresh = etp_half_flight(tcb);
	tcb->recover = tcb->snd_max;
	tcb->in_recovery = true;
	etp_count(act, ETP_CNT_FAST_RETX);
	etp_resend_first(tcb, ev, act);
	tcb->cwnd = tcb->ssthresh + 3 * smss;
}

/* RFC 5681 (4) and section 3.1: a timeout leaves a loss window. */
void etp_cc_timeout(struct etp_tcb *tcb)
{
	tcb->ssthresh = etp_half_flight(tcb);
	tcb->cwnd = etp_fsm_smss(tcb);
	tcb->in_recovery = false;
	tcb->dupacks = 0;
	/* RFC 6582 section 4: no fast retransmit for what was in flight. */
	tcb->recover = tcb->snd_max;
}
