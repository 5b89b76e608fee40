// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of module/core/cc.c: the retransmission timeout against RFC
 * 6298's rules, the congestion window of RFC 5681 through slow start and
 * congestion avoidance, and NewReno (RFC 6582) on a worked example: ten
 * segments in flight, the third lost, three duplicate ACKs, a partial ACK,
 * the full ACK.
 */
#include "kselftest_harness.h"
#include "twoend.h"
#include "tcb.h"

#define C(c)		ETP_CNT_BIT(ETP_CNT_##c)

TEST(rto_follows_rfc_6298)
{
	struct etp_tcb t;
	int k;
	struct etp_ev ev = { .p = &P };

	etp_fsm_init(&t, &P, 1, 2);
	/* 2.1: before any measurement, the initial RTO. */
	ASSERT_EQ(P.rto_initial_ms, etp_rto_base(&t, &P));
	/* 2.2: the first R: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR. */
	etp_rtt_sample(&t, &ev, 40000);
	ASSERT_EQ(40000u, t.srtt_us);
	ASSERT_EQ(20000u, t.rttvar_us);
	ASSERT_EQ(120u, t.rto_ms);		/* 40 + 4 * 20 ms */
	/* 2.3: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'|, SRTT = 7/8 + 1/8. */
	etp_rtt_sample(&t, &ev, 80000);
	ASSERT_EQ((3 * 20000 + 40000) / 4u, t.rttvar_us);
	ASSERT_EQ((7 * 40000 + 80000) / 8u, t.srtt_us);
	ASSERT_EQ(145u, t.rto_ms);	/* 45 ms + 4 * 25 ms */
	/* 2.4 (floor, here rto_min_ms) and 2.5 (ceiling, rto_max_ms). */
	etp_fsm_init(&t, &P, 1, 2);
	etp_rtt_sample(&t, &ev, 100);
	ASSERT_EQ(P.rto_min_ms, t.rto_ms);
	etp_rtt_sample(&t, &ev, 10000000);
	ASSERT_EQ(P.rto_max_ms, t.rto_ms);
	/* G: the clock's 1 ms tick bounds 4 RTTVAR from below. */
	P.rto_min_ms = 1;
	etp_fsm_init(&t, &P, 1, 2);
	for (k = 0; k < 10; k++)
		etp_rtt_sample(&t, &ev, 3000);
	ASSERT_LT(4 * t.rttvar_us, (u32)ETP_CLOCK_G_US);
	ASSERT_EQ(4u, t.rto_ms);	/* 3 ms + max(G = 1 ms, 4 RTTVAR) */
	P.rto_min_ms = 50;
}

/* Karn: a retransmitted segment is never timed. */
TEST(karn_no_sample_from_a_retransmission)
{
	struct net n;
	struct end *a = &n.e[A];

	EV.now_us = 1000000;
	P.sndbuf = P.rcvbuf = 65536;
	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	ASSERT_EQ(1u, a->t.srtt_us);	/* the handshake, instant here */
	n.drop_next[A] = true;
	ASSERT_EQ(1000, wr(_metadata, &n, A, 1000));
	ASSERT_TRUE(!!a->t.rtt_pending);
	EV.now_us += 30000;
	fire(_metadata, &n, A, ETP_T_RETX);
	ASSERT_FALSE(!!a->t.rtt_pending);
	EV.now_us += 500000;		/* a slow ACK of the retransmission */
	pump(_metadata, &n);
	fire(_metadata, &n, B, ETP_T_DELACK);
	pump(_metadata, &n);
	ASSERT_EQ(a->t.snd_una, a->t.snd_max);
	ASSERT_EQ(1u, a->t.srtt_us);	/* not taken as a sample */
	net_free(&n);
	P.sndbuf = 4096;
	P.rcvbuf = P_RCVBUF;
}

TEST(slow_start_then_congestion_avoidance)
{
	struct etp_tcb t;
	struct etp_ev ev = { .p = &P };
	struct etp_actions act = { 0 };
	u32 smss = 1000, w;

	etp_fsm_init(&t, &P, 1, 2);
	t.peer_mss = t.mss = smss;
	etp_cc_init(&t);
	/* RFC 6928: min(10 SMSS, max(2 SMSS, 14600)). */
	ASSERT_EQ(10 * smss, t.cwnd);
	/* A window the sender did not fill does not grow (RFC 7661). */
	t.snd_una = 0;
	t.snd_max = 2 * smss;
	etp_cc_ack(&t, &ev, smss, &act);
	ASSERT_EQ(10 * smss, t.cwnd);
	/* Slow start: one SMSS per ACK of a full segment. */
	t.snd_max = 9 * smss;
	etp_cc_ack(&t, &ev, smss, &act);
	ASSERT_EQ(11 * smss, t.cwnd);
	etp_cc_ack(&t, &ev, 5 * smss, &act);	/* at most SMSS per ACK */
	ASSERT_EQ(12 * smss, t.cwnd);
	/* Above ssthresh: SMSS*SMSS/cwnd per ACK, about one SMSS per RTT. */
	t.ssthresh = 12 * smss;
	t.snd_max = 11 * smss;
	w = t.cwnd;
	etp_cc_ack(&t, &ev, smss, &act);
	ASSERT_EQ(w + smss * smss / w, t.cwnd);
	/* A timeout: ssthresh = max(flight / 2, 2 SMSS), cwnd = 1 SMSS. */
	t.snd_una = 0;
	t.snd_max = 20 * smss;
	etp_cc_timeout(&t);
	ASSERT_EQ(10 * smss, t.ssthresh);
	ASSERT_EQ(smss, t.cwnd);
	ASSERT_EQ(t.snd_max, t.recover);
}

/*
 * RFC 6582's example: ten segments of 1000 in flight (1..10), the third
 * lost. Segments 4 and 5 draw duplicate ACKs; the third duplicate starts
 * fast retransmit: ssthresh = 5000, cwnd = 5000 + 3000, recover = the end
 * of segment 10. Each further duplicate inflates cwnd by one SMSS. The ACK
 * of the retransmission acks through segment 10 (a full ACK: recovery
 * ends, cwnd = min(ssthresh, flight + SMSS)). A second loss in the same
 * window makes the first ACK partial: the next hole goes at once.
 */
TEST(newreno_worked_example)
{
	struct net n;
	struct end *a = &n.e[A];
	u32 k, una;

	EV.now_us = 1000000;
	P.sndbuf = P.rcvbuf = 65536;
	P.mss = 1000;
	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	/* Ten segments in flight; lose the third (and, below, the seventh). */
	ASSERT_EQ(10000, wr(_metadata, &n, A, 10000));
	ASSERT_EQ(ISS + 1 + 10000, a->t.snd_max);
	una = a->t.snd_una;
	/* Deliver by hand: 1, 2 in order; 3 lost; 4.. out of order. */
	for (k = 0; k < 10; k++) {
		struct pkt *p = &n.q[n.head++ % QMAX];
		struct etp_seg s;

		ASSERT_EQ(0, p->to == A);
		if (k == 2 || k == 6)
			continue;
		ASSERT_EQ(ETP_WIRE_OK, (int)etp_wire_decode(p->bytes, p->len,
							     &s));
		receive(_metadata, &n, B, &s, p->bytes + s.hdr_len);
	}
	/*
	 * B ACKs 1-2, then a duplicate for each of 4, 5, 6, 8, 9, 10. At the
	 * third, A retransmits 3; B's ACK of it is partial (7 is missing),
	 * A retransmits 7 at once; the ACK of 7 is full: recovery ends. All
	 * without a timeout.
	 */
	pump_max(_metadata, &n, 1000);
	ASSERT_TRUE(a->counts & C(FAST_RETX));
	ASSERT_TRUE(a->counts & C(DUPACK));
	ASSERT_FALSE(a->counts & C(RTO));
	ASSERT_EQ(2u, a->t.retrans);	/* 3 and 7, nothing else */
	ASSERT_EQ(una + 10000, a->t.recover);
	/* flight was 8000 at the third duplicate (1, 2 acked): 4000. */
	ASSERT_EQ(4000u, a->t.ssthresh);
	ASSERT_FALSE(!!a->t.in_recovery);
	/* Option 1 of step 3: min(ssthresh, max(flight, SMSS) + SMSS). */
	ASSERT_EQ(2000u, a->t.cwnd);
	ASSERT_EQ(a->t.snd_max, a->t.snd_una);
	ASSERT_EQ(10000u, n.e[B].delivered);
	net_free(&n);
	P.sndbuf = 4096;
	P.rcvbuf = P_RCVBUF;
	P.mss = 1400;
}

TEST_HARNESS_MAIN
