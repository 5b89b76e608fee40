// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the byte stream (docs/protocol.md section 8): whole
 * transfers between two tcbs over the in-memory wire of twoend.h, with
 * segments lost, duplicated and reordered at random and the timers fired in
 * the order a clock would fire them, every octet checked at the receiver;
 * and the pieces one at a time: window edges, delayed ACK, Nagle, zero
 * windows and their probes, keepalive, ICMP.
 */
#include <stdio.h>

#include "kselftest_harness.h"
#include "twoend.h"

#define C(c)		ETP_CNT_BIT(ETP_CNT_##c)

/* A small deterministic generator, so a failing seed can be replayed. */
static u32 rnd_state;

static u32 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static bool chance(u32 pct)
{
	return pct && rnd() % 100 < pct;
}

/* The earliest armed timer of end i (or of both, i < 0); -1 if none. */
static int next_timer(struct net *n, int only, int *end, u64 *due)
{
	int i, id, bid = -1;

	for (i = 0; i < 2; i++)
		for (id = 0; id < ETP_T_MAX; id++)
			if ((only < 0 || i == only) && !n->e[i].gone &&
			    n->e[i].armed[id] &&
			    (bid < 0 || n->e[i].due[id] < *due)) {
				*due = n->e[i].due[id];
				*end = i;
				bid = id;
			}
	return bid;
}

/*
 * The earliest armed timer of either end: fire it, the clock moves there.
 * With skew_us, the other end's next timer fires too if it is due within
 * skew_us, before anything the first sent is delivered: two ends whose
 * timeouts cross on a real wire.
 */
static bool fire_next(struct __test_metadata *_metadata, struct net *n,
		      u64 skew_us)
{
	int bi = 0, bid, oi = 0, oid;
	u64 best = 0, other = 0;

	bid = next_timer(n, -1, &bi, &best);
	if (bid < 0)
		return false;
	if (best > EV.now_us)
		EV.now_us = best;
	fire(_metadata, n, bi, bid);
	oid = next_timer(n, !bi, &oi, &other);
	if (skew_us && oid >= 0 && other <= best + skew_us) {
		if (other > EV.now_us)
			EV.now_us = other;
		fire(_metadata, n, oi, oid);
	}
	return true;
}

struct xfer {
	u32 total[2];		/* octets each end sends */
	bool close[2];		/* then closes */
	bool close_first_at_eof;	/* B sends only after A's EOF */
	u32 loss, dup, reorder;	/* percent of segments */
	u32 reads_paused_until;	/* us: B does not read before */
	u64 skew_us;		/* fire_next(): timeouts that cross */
	/* results */
	u32 written[2], got[2];
	bool eof[2];
	u32 steps;
};

/* Take the next segment off the wire, maybe swapped with the one after. */
static bool deliver_one(struct __test_metadata *_metadata, struct net *n,
			struct xfer *x)
{
	struct pkt *p, tmp;
	struct etp_seg s;

	if (n->head == n->tail)
		return false;
	if (n->tail - n->head > 1 && chance(x->reorder)) {
		tmp = n->q[n->head % QMAX];
		n->q[n->head % QMAX] = n->q[(n->head + 1) % QMAX];
		n->q[(n->head + 1) % QMAX] = tmp;
	}
	p = &n->q[n->head++ % QMAX];
	if (chance(x->loss)) {
		if (getenv("TRACE"))
			fprintf(stderr, "   lost to %c\n", p->to ? 'B' : 'A');
		return true;
	}
	ASSERT_EQ(ETP_WIRE_OK, (int)etp_wire_decode(p->bytes, p->len, &s));
	tmp = *p;
	receive(_metadata, n, tmp.to, &s, tmp.bytes + s.hdr_len);
	if (chance(x->dup) && !n->e[tmp.to].gone) {
		ASSERT_EQ(ETP_WIRE_OK,
			  (int)etp_wire_decode(tmp.bytes, tmp.len, &s));
		receive(_metadata, n, tmp.to, &s, tmp.bytes + s.hdr_len);
	}
	return true;
}

static void user_step(struct __test_metadata *_metadata, struct net *n,
		      struct xfer *x, int i)
{
	struct end *e = &n->e[i];
	u32 left = x->total[i] - x->written[i];
	s32 w;

	/* What a dead connection received is still there to read. */
	if (!x->eof[i] && (i == A || EV.now_us >= x->reads_paused_until))
		x->got[i] += rd(_metadata, n, i, 5000, &x->eof[i]);
	if (e->gone)
		return;
	if (i == B && x->close_first_at_eof && !x->eof[B])
		return;
	if (left && etp_fsm_may_write(&e->t)) {
		w = wr(_metadata, n, i, left < 3000 ? left : 3000);
		ASSERT_GE(w, 0);
		x->written[i] += w;
	} else if (!left && x->close[i] && etp_fsm_may_write(&e->t)) {
		user(_metadata, n, i, 'x');
	}
}

/*
 * Run a transfer to its end: both ends have read all the other sent (and
 * its EOF, if it closed). Fails if it takes more than max_steps.
 */
static void run(struct __test_metadata *_metadata, struct net *n,
		struct xfer *x, u32 max_steps)
{
	int i;

	for (x->steps = 0; x->steps < max_steps; x->steps++) {
		bool done = true;

		for (i = 0; i < 2; i++) {
			user_step(_metadata, n, x, i);
			if (x->got[i] != x->total[!i] ||
			    (x->close[!i] && !x->eof[i]))
				done = false;
		}
		if (done)
			return;
		if (deliver_one(_metadata, n, x))
			continue;
		if (!fire_next(_metadata, n, x->skew_us))
			break;
	}
	TH_LOG("stuck after %u steps: A got %u of %u (eof %d), B got %u of %u (eof %d); A %s (%s) B %s (%s)",
	       x->steps, x->got[A], x->total[B], x->eof[A], x->got[B],
	       x->total[A], x->eof[B], etp_state_name(n->e[A].t.state),
	       etp_error_name(n->e[A].error), etp_state_name(n->e[B].t.state),
	       etp_error_name(n->e[B].error));
	ASSERT_TRUE(false);
}

static void reset_params(void)
{
	P.msl_ms = 1000;
	P.fin_wait2_ms = 5000;
	P.rcvbuf = P_RCVBUF;
	P.sndbuf = 4096;
	P.mss = 1400;
	P.retries = 4;
	P.rto_max_ms = 800;
	P.keepalive_ms = 0;
	EV.now_us = 1000000;
}

FIXTURE(xfer)
{
	struct net n;
};

FIXTURE_SETUP(xfer)
{
	reset_params();
	/*
	 * TIME_WAIT outlasts the other end's retransmissions of its FIN, and
	 * the FIN_WAIT_2 limit the longest silence a sender's backoff makes.
	 */
	P.msl_ms = 10000;
	P.fin_wait2_ms = 60000;
	P.rcvbuf = 65536;
	P.sndbuf = 65536;
	P.retries = 12;
	P.rto_max_ms = 3200;
	net_init(&self->n, ISS, IRS);
}

FIXTURE_TEARDOWN(xfer)
{
	net_free(&self->n);
	reset_params();
	EXPECT_EQ(0, env_chunks);
}

TEST_F(xfer, one_way_in_order)
{
	struct xfer x = { .total = { 200000, 0 }, .close = { true, true } };

	connect_pair(_metadata, &self->n);
	run(_metadata, &self->n, &x, 100000);
	ASSERT_EQ(200000u, x.got[B]);
	ASSERT_EQ(0u, self->n.e[A].t.retrans);
	/* The sender never had more in flight than the peer allowed. */
	ASSERT_LE(self->n.e[A].t.max_snd_wnd, P.rcvbuf);
	run(_metadata, &self->n, &x, 1000);
}

TEST_F(xfer, both_ways_at_once)
{
	struct xfer x = { .total = { 150000, 170000 },
			  .close = { true, true } };

	connect_pair(_metadata, &self->n);
	run(_metadata, &self->n, &x, 200000);
}

/* The lesson of the four-way close: B keeps sending after A's FIN. */
TEST_F(xfer, half_close_then_reply_from_close_wait)
{
	struct xfer x = { .total = { 100000, 100000 },
			  .close = { true, true }, .close_first_at_eof = true };

	connect_pair(_metadata, &self->n);
	run(_metadata, &self->n, &x, 200000);
	ASSERT_TRUE(x.eof[B]);
	ASSERT_TRUE(x.eof[A]);
}

static void lossy_sized(struct __test_metadata *_metadata, struct net *n,
			u32 seed, u32 loss, u32 dup, u32 reorder, u32 a, u32 b,
			u64 skew_us)
{
	struct xfer x = { .total = { a, b }, .close = { true, true },
			  .loss = loss, .dup = dup, .reorder = reorder,
			  .skew_us = skew_us };

	rnd_state = seed;
	connect_pair(_metadata, n);
	run(_metadata, n, &x, 500000);
	TH_LOG("seed %u: %u steps, A retransmitted %u, B %u", seed, x.steps,
	       n->e[A].t.retrans, n->e[B].t.retrans);
}

static void lossy(struct __test_metadata *_metadata, struct net *n,
		  u32 seed, u32 loss, u32 dup, u32 reorder)
{
	lossy_sized(_metadata, n, seed, loss, dup, reorder, 60000, 40000, 0);
}

TEST_F(xfer, loss_1_percent)
{
	lossy(_metadata, &self->n, 1, 1, 0, 0);
}

TEST_F(xfer, loss_10_percent)
{
	lossy(_metadata, &self->n, 2, 10, 0, 0);
}

TEST_F(xfer, loss_30_percent)
{
	lossy(_metadata, &self->n, 3, 30, 0, 0);
}

TEST_F(xfer, reorder_25_percent)
{
	lossy(_metadata, &self->n, 4, 0, 0, 25);
}

TEST_F(xfer, duplicate_10_percent)
{
	lossy(_metadata, &self->n, 5, 0, 10, 0);
}

TEST_F(xfer, all_together_many_seeds)
{
	u32 seed;

	for (seed = 10; seed < 40; seed++) {
		net_free(&self->n);
		net_init(&self->n, ISS + seed * 7777, IRS - seed * 999);
		lossy(_metadata, &self->n, seed, 10, 10, 25);
	}
}

/*
 * Both ends time out with data in flight that the other has already
 * taken: their ACKs must still be heard (they carry the highest sequence
 * number sent, not the SND.NXT a timeout pulled back), or each end drops
 * the other's as old and both give up.
 */
TEST_F(xfer, both_ways_lossy_after_timeouts)
{
	u32 seed;

	for (seed = 100; seed < 120; seed++) {
		net_free(&self->n);
		net_init(&self->n, ISS + seed * 3331, IRS - seed * 1777);
		lossy_sized(_metadata, &self->n, seed, 10, 0, 0, 300000,
			    300000, 200000);
	}
}

/* Every sequence number wraps during the transfer, both directions. */
TEST_F(xfer, across_the_wrap)
{
	struct xfer x = { .total = { 100000, 100000 },
			  .close = { true, true }, .loss = 5, .reorder = 10 };

	rnd_state = 99;
	net_init(&self->n, 0xffffffff - 30000, 0xffffffff - 50000);
	connect_pair(_metadata, &self->n);
	run(_metadata, &self->n, &x, 500000);
}

/* A receiver that stops reading: the window closes, probes, then it opens. */
TEST_F(xfer, zero_window_probes_then_resume)
{
	struct xfer x = { .total = { 200000, 0 }, .close = { true, true },
			  .close_first_at_eof = true,
			  .reads_paused_until = 1000000 + 3000000 };
	struct end *a = &self->n.e[A];

	connect_pair(_metadata, &self->n);
	/* Until B reads, nothing beyond its queue is sent: no loss at all. */
	while (EV.now_us < x.reads_paused_until && x.steps++ < 100000) {
		user_step(_metadata, &self->n, &x, A);
		user_step(_metadata, &self->n, &x, B);
		if (!deliver_one(_metadata, &self->n, &x) &&
		    !fire_next(_metadata, &self->n, 0))
			break;
	}
	ASSERT_EQ(0u, self->n.e[B].t.rcv_wnd);
	ASSERT_TRUE(!!a->t.persisting);
	ASSERT_TRUE(a->counts & C(PERSIST_PROBE));
	ASSERT_EQ(ETP_STATE_ESTABLISHED, a->t.state);
	/* Probes back off: the timer's value doubled at least twice. */
	ASSERT_GE(a->ms[ETP_T_PERSIST], 4 * P.rto_min_ms);
	ASSERT_EQ(P.rcvbuf, etp_fsm_readable(&self->n.e[B].t,
					      self->n.e[B].st));
	run(_metadata, &self->n, &x, 200000);
}

/* A peer that vanishes: backoff, then "timed out" after `retries`. */
TEST_F(xfer, vanished_peer_times_out)
{
	struct end *a = &self->n.e[A];
	u32 k, last = 0;

	connect_pair(_metadata, &self->n);
	self->n.blackhole[B] = true;
	self->n.blackhole[A] = true;
	ASSERT_EQ(3000, wr(_metadata, &self->n, A, 3000));
	for (k = 0; k < P.retries; k++) {
		ASSERT_TRUE(a->armed[ETP_T_RETX]);
		ASSERT_GE(a->ms[ETP_T_RETX], last);
		last = a->ms[ETP_T_RETX];
		fire(_metadata, &self->n, A, ETP_T_RETX);
		ASSERT_FALSE(a->gone);
	}
	ASSERT_EQ(P.rto_max_ms, last);
	fire(_metadata, &self->n, A, ETP_T_RETX);
	ASSERT_TRUE(a->gone);
	ASSERT_EQ(ETP_ERR_TIMEDOUT, a->error);
}

/* Deliver everything, fire every timer: until both ends are gone. */
static void settle(struct __test_metadata *_metadata, struct net *n)
{
	int k = 0;

	while (k++ < 100000 && (pump_max(_metadata, n, 100000) ||
				fire_next(_metadata, n, 0)))
		;
	ASSERT_TRUE(n->e[A].gone && n->e[B].gone);
}

TEST(stream_memory_returns)
{
	struct net n;
	struct xfer x = { .total = { 50000, 50000 }, .close = { true, true } };

	reset_params();
	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	run(_metadata, &n, &x, 100000);
	settle(_metadata, &n);
	/* Everything read and acked: no chunk is held any more. */
	ASSERT_EQ(0, env_chunks) TH_LOG("%ld chunks held", env_chunks);
	net_free(&n);
}

TEST(delayed_ack_every_second_full_segment)
{
	struct net n;
	struct end *b = &n.e[B];

	reset_params();
	P.rcvbuf = P.sndbuf = 65536;
	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	n.nlog = 0;
	/* One full segment: B's ACK waits for the timer. */
	ASSERT_EQ(1400, wr(_metadata, &n, A, 1400));
	pump(_metadata, &n);
	ASSERT_EQ(1, n.nlog);
	ASSERT_TRUE(b->armed[ETP_T_DELACK]);
	ASSERT_EQ(P.delack_ms, b->ms[ETP_T_DELACK]);
	/* The second: ACKed at once, the timer cancelled. */
	ASSERT_EQ(1400, wr(_metadata, &n, A, 1400));
	pump(_metadata, &n);
	ASSERT_EQ(3, n.nlog);
	ASSERT_EQ(B, n.from[2]);
	ASSERT_EQ(ISS + 1 + 2800, n.log[2].ack);
	ASSERT_FALSE(b->armed[ETP_T_DELACK]);
	net_free(&n);
	reset_params();
}

/*
 * Nagle: a small write waits while data is in flight, and goes at once
 * when nothing is; a FIN flushes it.
 */
TEST(nagle_holds_small_segments_while_in_flight)
{
	struct net n;

	reset_params();
	P.sndbuf = 65536;
	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	n.nlog = 0;
	ASSERT_EQ(100, wr(_metadata, &n, A, 100));	/* nothing in flight */
	ASSERT_EQ(1, n.nlog);
	ASSERT_EQ(100u, n.log[0].payload_len);
	ASSERT_EQ(100, wr(_metadata, &n, A, 100));	/* held */
	ASSERT_EQ(200, wr(_metadata, &n, A, 200));	/* held, coalesced */
	ASSERT_EQ(1, n.nlog);
	pump(_metadata, &n);				/* B delays its ACK */
	fire(_metadata, &n, B, ETP_T_DELACK);
	pump(_metadata, &n);
	ASSERT_EQ(3, n.nlog);
	ASSERT_EQ(300u, n.log[2].payload_len);		/* one segment */
	ASSERT_EQ(10, wr(_metadata, &n, A, 10));	/* held again */
	ASSERT_EQ(3, n.nlog);
	user(_metadata, &n, A, 'x');			/* the FIN flushes */
	ASSERT_EQ(4, n.nlog);
	ASSERT_EQ(10u, n.log[3].payload_len);
	ASSERT_TRUE(n.log[3].flags & ETP_FLAG_FIN);
	net_free(&n);
	reset_params();
}

/* The sender's window: never beyond SND.UNA + min(SND.WND, cwnd). */
TEST(sender_respects_the_peer_window)
{
	struct net n;
	struct end *a = &n.e[A];
	u32 k;

	reset_params();
	P.sndbuf = 65536;
	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	n.nlog = 0;
	ASSERT_EQ(10000, wr(_metadata, &n, A, 10000));
	/* B's window is P_RCVBUF (1000): one segment of 1000 octets. */
	ASSERT_EQ(1, n.nlog);
	ASSERT_EQ(P_RCVBUF, n.log[0].payload_len);
	ASSERT_EQ(a->t.snd_una + P_RCVBUF, a->t.snd_nxt);
	for (k = 0; k < n.nlog; k++)
		ASSERT_LE(n.log[k].seq + n.log[k].payload_len,
			  ISS + 1 + P_RCVBUF);
	net_free(&n);
	reset_params();
}

TEST(keepalive_probes_then_times_out)
{
	struct net n;
	struct end *a = &n.e[A];
	u32 k;

	reset_params();
	P.keepalive_ms = 10000;
	P.keepalive_intvl_ms = 1000;
	P.keepalive_probes = 3;
	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	ASSERT_TRUE(a->armed[ETP_T_KEEPALIVE]);
	ASSERT_EQ(P.keepalive_ms, a->ms[ETP_T_KEEPALIVE]);
	/* An answered probe: the peer ACKs SND.UNA - 1. */
	n.nlog = 0;
	EV.now_us += 10000000;
	fire(_metadata, &n, A, ETP_T_KEEPALIVE);
	ASSERT_EQ(1, n.nlog);
	ASSERT_EQ(a->t.snd_una - 1, n.log[0].seq);
	ASSERT_TRUE(a->counts & C(KEEPALIVE_PROBE));
	pump(_metadata, &n);
	ASSERT_EQ(0, a->t.probes);
	/* Then the peer is gone: probes_left unanswered ones end it. */
	n.blackhole[A] = true;
	for (k = 0; k <= P.keepalive_probes; k++) {
		EV.now_us += 20000000;
		fire(_metadata, &n, A, ETP_T_KEEPALIVE);
	}
	ASSERT_TRUE(a->gone);
	ASSERT_EQ(ETP_ERR_TIMEDOUT, a->error);
	net_free(&n);
	reset_params();
}

TEST(icmp_protocol_unreachable_fails_connect)
{
	struct etp_tcb t;
	struct etp_actions act;

	reset_params();
	etp_fsm_init(&t, &P, LPORT, RPORT);
	etp_fsm_open_active(&t, &EV, ISS, &act);
	/* RFC 5927: an error quoting a sequence number not in flight. */
	etp_fsm_icmp(&t, &EV, ETP_ICMP_PROTO_UNREACH, ISS + 7, 0, &act);
	ASSERT_TRUE(act.count & C(ICMP_IGNORED));
	ASSERT_EQ(ETP_STATE_SYN_SENT, t.state);
	etp_fsm_icmp(&t, &EV, ETP_ICMP_PROTO_UNREACH, ISS, 0, &act);
	ASSERT_TRUE(act.destroy);
	ASSERT_EQ(ETP_ERR_NOPROTO, act.error);
	ASSERT_EQ(ETP_CAUSE_ICMP, act.cause);
}

TEST(icmp_frag_needed_lowers_the_segment_size)
{
	struct net n;
	struct end *a = &n.e[A];
	struct etp_actions act;

	reset_params();
	P.rcvbuf = P.sndbuf = 65536;
	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	n.blackhole[A] = true;
	ASSERT_EQ(4000, wr(_metadata, &n, A, 4000));
	n.blackhole[A] = false;
	n.nlog = 0;
	etp_fsm_icmp(&a->t, end_ev(&n, A), ETP_ICMP_FRAG_NEEDED,
		     a->t.snd_una, 576, &act);
	ASSERT_TRUE(act.count & C(PMTU));
	ASSERT_EQ(536u, etp_fsm_smss(&a->t));
	apply(_metadata, &n, A, &act);
	/* Resent at once, in segments that fit. */
	ASSERT_GE(n.nlog, 1);
	ASSERT_EQ(ISS + 1, n.log[0].seq);
	ASSERT_EQ(536u, n.log[0].payload_len);
	net_free(&n);
	reset_params();
}

TEST_HARNESS_MAIN
