// SPDX-License-Identifier: GPL-2.0
/*
 * The compact TIME_WAIT tcb (module/core/tw.c) against the whole one: a
 * TIME_WAIT entry keeps only what tw.h lists and unpacks it for each
 * event. Differential: tcbs brought to TIME_WAIT by varied conversations
 * (data both ways, window scaling or none, closing first or at once,
 * across the 2^32 wrap) each see a random run of events (segments of
 * every kind and acceptability, the TIME_WAIT expiry, ICMP, close and
 * abort, the clock moving), once on the whole tcb and once unpacked from
 * the compact one before every event and packed after it, as the kernel
 * glue does. Every event must give the same actions, and the compact
 * state must stay what packing the whole tcb gives.
 */
#include <stdio.h>

#include "kselftest_harness.h"
#include "twoend.h"
#include "tw.h"

#define HISTORIES	400
#define EVENTS		200

static u64 rng_next(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static u32 below(u64 *s, u32 n)
{
	return (u32)(rng_next(s) % n);
}

/* Deliver and read until nothing moves (a small window needs readers). */
static void drain(struct __test_metadata *_metadata, struct net *n)
{
	bool eof;
	u32 moved;

	do {
		moved = pump(_metadata, n);
		moved += rd(_metadata, n, A, 1 << 20, &eof);
		moved += rd(_metadata, n, B, 1 << 20, &eof);
	} while (moved);
}

/* A's tcb after a random conversation that leaves it in TIME_WAIT. */
static void reach_time_wait(struct __test_metadata *_metadata, u64 *rng,
			    struct etp_tcb *out)
{
	static const u32 rcvbufs[] = { 1000, 65535, 70000, 1 << 20 };
	static struct net n;
	u32 i, rounds = below(rng, 4);

	P.rcvbuf = rcvbufs[below(rng, 4)];
	net_init(&n, rng_next(rng), rng_next(rng));
	EV.now_us = 1000000ull * below(rng, 1000);
	connect_pair(_metadata, &n);
	for (i = 0; i < rounds; i++) {
		wr(_metadata, &n, A, below(rng, 3000));
		wr(_metadata, &n, B, below(rng, 3000));
		drain(_metadata, &n);
	}
	if (below(rng, 2)) {
		/* A closes first: FIN_WAIT_1, FIN_WAIT_2, then B's FIN. */
		user(_metadata, &n, A, 'x');
		drain(_metadata, &n);
		user(_metadata, &n, B, 'x');
	} else {
		/* Both at once: CLOSING, then the ACK of A's FIN. */
		user(_metadata, &n, A, 'x');
		user(_metadata, &n, B, 'x');
	}
	drain(_metadata, &n);
	ASSERT_EQ(ETP_STATE_TIME_WAIT, n.e[A].t.state);
	*out = n.e[A].t;
	net_free(&n);
	P.rcvbuf = P_RCVBUF;
}

/* Near x: the edges the acceptability tests care about, or anywhere. */
static u32 near(u64 *rng, u32 x, u32 wnd)
{
	switch (below(rng, 6)) {
	case 0:
		return x;
	case 1:
		return x - 1 - below(rng, 3);
	case 2:
		return x + 1 + below(rng, 3);
	case 3:
		return x + wnd - 1 + below(rng, 3);
	case 4:
		return x - wnd - below(rng, 3);
	default:
		return (u32)rng_next(rng);
	}
}

static struct etp_seg random_seg(u64 *rng, const struct etp_tcb *t)
{
	static const u8 flags[] = {
		ETP_FLAG_ACK, ETP_FLAG_ACK, ETP_FLAG_FIN | ETP_FLAG_ACK,
		ETP_FLAG_FIN | ETP_FLAG_ACK, ETP_FLAG_RST,
		ETP_FLAG_RST | ETP_FLAG_ACK, ETP_FLAG_SYN,
		ETP_FLAG_SYN | ETP_FLAG_ACK, 0, ETP_FLAG_FIN,
		ETP_FLAG_PSH | ETP_FLAG_ACK,
	};
	struct etp_seg s = {
		.sport = RPORT, .dport = LPORT, .version = ETP_VERSION,
		.hdr_len = ETP_HDR_LEN,
	};

	s.flags = flags[below(rng, sizeof(flags))];
	s.payload_len = below(rng, 3) ? 0 : 1 + below(rng, 1400);
	/* A retransmitted FIN ends at RCV.NXT. */
	s.seq = near(rng, t->rcv_nxt - (s.flags & ETP_FLAG_FIN ? 1 : 0) -
		     (below(rng, 2) ? s.payload_len : 0), t->rcv_wnd);
	s.ack = near(rng, t->snd_nxt, t->max_snd_wnd);
	s.window = below(rng, 2) ? 0xffff : below(rng, 0x10000);
	if (s.flags & ETP_FLAG_SYN)
		s.mss = 1000;
	return s;
}

enum ev_kind { EV_SEGMENT, EV_TIMER, EV_ICMP, EV_CLOSE, EV_ABORT };

static enum ev_kind random_kind(u64 *rng)
{
	u32 p = below(rng, 100);

	if (p < 90)
		return EV_SEGMENT;
	if (p < 93)
		return EV_TIMER;
	if (p < 97)
		return EV_ICMP;
	return p < 99 ? EV_CLOSE : EV_ABORT;
}

/* One event on tcb t; false if the state machine refused it (a user call). */
static bool run(struct etp_tcb *t, enum ev_kind k, const struct etp_seg *s,
		u32 icmp_seq, u32 mtu, bool frag, struct etp_actions *a)
{
	memset(a, 0, sizeof(*a));
	EV.st = NULL;
	switch (k) {
	case EV_SEGMENT:
		PAYLOAD.seq = s->seq;
		PAYLOAD.bytes = NULL;
		etp_fsm_segment(t, &EV, s, a);
		return true;
	case EV_TIMER:
		etp_fsm_timer(t, &EV, ETP_T_TIME_WAIT, a);
		return true;
	case EV_ICMP:
		etp_fsm_icmp(t, &EV, frag ? ETP_ICMP_FRAG_NEEDED :
			     ETP_ICMP_PROTO_UNREACH, icmp_seq, mtu, a);
		return true;
	case EV_CLOSE:
		return etp_fsm_close(t, &EV, a);
	default:
		return etp_fsm_abort(t, a);
	}
}

static void packed(struct etp_tw_tcb *tw, const struct etp_tcb *t)
{
	memset(tw, 0, sizeof(*tw));
	etp_tw_pack(tw, t);
}

TEST(compact_time_wait_behaves_as_whole)
{
	u64 rng = 0x7157a17e5eedull;
	u32 h, i, events = 0, answers = 0;

	for (h = 0; h < HISTORIES; h++) {
		struct etp_tcb whole, t;
		struct etp_tw_tcb tw, want;

		reach_time_wait(_metadata, &rng, &whole);
		ASSERT_TRUE(etp_tw_packable(&whole));
		packed(&tw, &whole);
		for (i = 0; i < EVENTS; i++) {
			enum ev_kind k = random_kind(&rng);
			struct etp_seg s = random_seg(&rng, &whole);
			u32 iseq = near(&rng, whole.snd_nxt, 2);
			u32 mtu = 500 + below(&rng, 1500);
			bool frag = below(&rng, 2), ok1, ok2;
			struct etp_actions a1, a2;

			EV.now_us += 1000ull * below(&rng, 300);
			ok1 = run(&whole, k, &s, iseq, mtu, frag, &a1);
			etp_tw_unpack(&t, &tw, LPORT, RPORT);
			ok2 = run(&t, k, &s, iseq, mtu, frag, &a2);
			events++;
			answers += a1.send;
			ASSERT_EQ(ok1, ok2);
			ASSERT_EQ(0, memcmp(&a1, &a2, sizeof(a1)))
				TH_LOG("history %u event %u (kind %d, flags %#x seq %u ack %u len %u): actions differ: send %d/%d drop %d/%d arm %#x/%#x count %#x/%#x state %d/%d",
				       h, i, k, s.flags, s.seq, s.ack,
				       s.payload_len, a1.send, a2.send,
				       a1.drop, a2.drop, a1.arm, a2.arm,
				       a1.count, a2.count, a1.new_state,
				       a2.new_state);
			if (a1.destroy)
				break;
			ASSERT_TRUE(etp_tw_packable(&t));
			packed(&tw, &t);
			packed(&want, &whole);
			ASSERT_EQ(0, memcmp(&tw, &want, sizeof(tw)))
				TH_LOG("history %u event %u: compact state drifted",
				       h, i);
		}
	}
	TH_LOG("%u TIME_WAIT histories, %u events, %u answers alike", HISTORIES,
	       events, answers);
}

/* What the compact tcb costs: the kernel's etp_tw object is built on it. */
TEST(compact_size)
{
	EXPECT_LE(sizeof(struct etp_tw_tcb), 32u);
	TH_LOG("struct etp_tw_tcb: %zu octets (struct etp_tcb: %zu)",
	       sizeof(struct etp_tw_tcb), sizeof(struct etp_tcb));
}

TEST_HARNESS_MAIN
