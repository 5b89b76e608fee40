/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the state machine tests share: their parameters, a payload whose
 * every octet is known by its sequence number, queues for a tcb, and an
 * in-memory wire between two ends (A and B) that encodes and decodes every
 * segment, can lose segments on demand and plays the kernel glue's part:
 * timers, the push loop, accept. Include it once, after
 * kselftest_harness.h.
 */
#ifndef _ETP_TEST_TWOEND_H
#define _ETP_TEST_TWOEND_H

#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "fsm.h"
#include "names.h"

/*
 * The harness compares through __typeof__ copies, so an enum constant (int)
 * against an enum field (unsigned here) trips -Wsign-compare although every
 * value involved is small and non-negative.
 */
#pragma GCC diagnostic ignored "-Wsign-compare"

#define ISS		1000u
#define IRS		5000u
#define LPORT		4000
#define RPORT		7
#define P_RCVBUF	1000

static struct etp_params P = {
	.msl_ms = 1000, .rto_initial_ms = 100, .rto_max_ms = 800,
	.fin_wait2_ms = 5000, .mss = 1400, .rcvbuf = P_RCVBUF, .sndbuf = 4096,
	.syn_retries = 3, .retries = 4, .rto_min_ms = 50, .delack_ms = 40,
};

/* The octet every test payload carries at sequence number seq. */
static inline u8 pattern_byte(u32 seq)
{
	return (u8)(seq * 7 + (seq >> 8));
}

struct payload {
	u32 seq;		/* of the payload's first octet */
	const u8 *bytes;	/* NULL: the pattern */
};

static void payload_copy(const void *src, u32 off, void *dst, u32 len)
{
	const struct payload *pl = src;
	u8 *d = dst;
	u32 i;

	if (pl->bytes) {
		memcpy(dst, pl->bytes + off, len);
		return;
	}
	for (i = 0; i < len; i++)
		d[i] = pattern_byte(pl->seq + off + i);
}

static struct payload PAYLOAD;
static const struct etp_data DATA = { .copy = payload_copy, .src = &PAYLOAD };
static struct etp_ev EV = { .p = &P, .data = &DATA };

/* The queues of the tcb under test (the table's fixtures). */
static struct etp_stream *ST __attribute__((unused));

static inline struct etp_stream *stream_new(struct etp_tcb *t)
{
	struct etp_stream *st = calloc(1, etp_stream_size(t->sndbuf,
							  t->rcvbuf));

	etp_fsm_attach(t, st, NULL);
	return st;
}

static inline void stream_free(struct etp_stream *st)
{
	if (!st)
		return;
	etp_stream_release(st);
	free(st);
}

/* One segment into t: its payload follows the pattern from seg->seq on. */
static inline void segment(struct etp_tcb *t, struct etp_stream *st,
			   const struct etp_seg *seg, struct etp_actions *a)
{
	PAYLOAD.seq = seg->seq;
	PAYLOAD.bytes = NULL;
	EV.st = st;
	etp_fsm_segment(t, &EV, seg, a);
}

/* ---- an in-memory wire between two ends ---------------------------------- */

#define A	0
#define B	1
#define QMAX	512
#define LOGMAX	64

struct end {
	struct etp_tcb t;
	struct etp_stream *st;
	u32 iss;
	bool armed[ETP_T_MAX];
	u32 ms[ETP_T_MAX];
	u64 due[ETP_T_MAX];	/* EV.now_us when it fires */
	bool gone;
	enum etp_error error;
	u32 counts;
	u32 delivered;
	u32 sent;		/* segments */
	enum etp_conn_state trail[16];
	int ntrail;
};

struct pkt {
	int to;
	u32 len;
	u8 bytes[ETP_HDR_MAX + 2048];
};

struct net {
	struct end e[2];
	struct pkt q[QMAX];
	int head, tail;
	bool drop_next[2];	/* lose the next segment this end sends */
	bool blackhole[2];	/* lose everything this end sends */
	/* every segment sent, lost or not (the first LOGMAX of them) */
	struct etp_seg log[LOGMAX];
	int from[LOGMAX];
	int nlog;
};

static inline void net_init(struct net *n, u32 iss_a, u32 iss_b)
{
	int i;

	memset(n, 0, sizeof(*n));
	etp_fsm_init(&n->e[A].t, &P, LPORT, RPORT);
	etp_fsm_init(&n->e[B].t, &P, RPORT, LPORT);
	n->e[A].iss = iss_a;
	n->e[B].iss = iss_b;
	for (i = 0; i < 2; i++) {
		n->e[i].trail[0] = ETP_STATE_CLOSED;
		n->e[i].ntrail = 1;
	}
}

static inline void net_free(struct net *n)
{
	stream_free(n->e[A].st);
	stream_free(n->e[B].st);
	n->e[A].st = NULL;
	n->e[B].st = NULL;
}

/*
 * The event context of end i, as the glue makes it: queues attached once
 * the tcb has its ISS (the glue does it when data first flows).
 */
static inline const struct etp_ev *end_ev(struct net *n, int i)
{
	struct end *e = &n->e[i];

	if (!e->st && e->t.state >= ETP_STATE_SYN_SENT && !e->gone)
		e->st = stream_new(&e->t);
	EV.st = e->st;
	return &EV;
}

static inline void transmit(struct __test_metadata *_metadata,
			    struct net *n, int from, const struct etp_seg *s)
{
	struct pkt *p;
	u32 hl;

	n->e[from].sent++;
	if (getenv("TRACE"))
		fprintf(stderr, "%8llu %c %02x seq %u ack %u len %u win %u%s\n", (unsigned long long)EV.now_us/1000, from ? 'B' : 'A', s->flags, s->seq, s->ack, s->payload_len, s->window, (n->blackhole[from] || n->drop_next[from]) ? " LOST" : "");
	if (n->nlog < LOGMAX) {
		n->log[n->nlog] = *s;
		n->from[n->nlog++] = from;
	}
	if (n->blackhole[from] || n->drop_next[from]) {
		n->drop_next[from] = false;
		return;
	}
	ASSERT_LT(n->tail - n->head, QMAX);
	p = &n->q[n->tail++ % QMAX];
	p->to = !from;
	hl = etp_wire_encode(s, p->bytes, sizeof(p->bytes));
	ASSERT_NE(0u, hl);
	ASSERT_LE(hl + s->payload_len, sizeof(p->bytes));
	if (s->payload_len)
		etp_bufq_read(&n->e[from].st->sq, s->seq, p->bytes + hl,
			      s->payload_len);
	p->len = hl + s->payload_len;
}

/* What the glue does with a decision: timers, send, and the push loop. */
static inline void apply(struct __test_metadata *_metadata, struct net *n,
			 int i, const struct etp_actions *act)
{
	struct end *e = &n->e[i];
	struct etp_actions more;
	int id, o;

	ASSERT_EQ(e->t.state, act->new_state);
	if (act->new_state != act->old_state) {
		ASSERT_LT(e->ntrail, 16);
		e->trail[e->ntrail++] = act->new_state;
	}
	for (id = 0; id < ETP_T_MAX; id++) {
		if (act->cancel & ETP_T_BIT(id))
			e->armed[id] = false;
		if (act->arm & ETP_T_BIT(id)) {
			/* As the glue's slots: one timer of a slot at a time. */
			for (o = 0; o < ETP_T_MAX; o++)
				if (etp_timer_slot(o) == etp_timer_slot(id))
					e->armed[o] = false;
			e->armed[id] = true;
			e->ms[id] = act->timer_ms[id];
			e->due[id] = EV.now_us + act->timer_ms[id] * 1000ull;
		}
	}
	if (act->destroy)
		e->gone = true;
	if (act->error)
		e->error = act->error;
	e->counts |= act->count;
	e->delivered += act->data_in;
	if (act->send)
		transmit(_metadata, n, i, &act->out);
	if (act->more && !e->gone) {
		etp_fsm_push(&e->t, end_ev(n, i), &more);
		apply(_metadata, n, i, &more);
	}
}

/* The receive path: what the kernel glue does with a decoded segment. */
static inline void receive(struct __test_metadata *_metadata, struct net *n,
			   int i, const struct etp_seg *s, const u8 *payload)
{
	struct end *e = &n->e[i];
	struct etp_actions act;
	struct etp_seg rst;

	/* No connection any more: the glue answers as RFC 9293 3.10.7.1. */
	if (e->gone && e->t.state == ETP_STATE_CLOSED) {
		if (etp_fsm_reset_for(s, &rst))
			transmit(_metadata, n, i, &rst);
		return;
	}
	PAYLOAD.seq = s->seq;
	PAYLOAD.bytes = payload;	/* NULL: the pattern */
	etp_fsm_segment(&e->t, end_ev(n, i), s, &act);
	apply(_metadata, n, i, &act);
	if (act.accept) {
		etp_fsm_init(&e->t, &P, e->t.lport, e->t.rport);
		e->gone = false;
		etp_fsm_open_passive(&e->t, end_ev(n, i), s, e->iss, &act);
		apply(_metadata, n, i, &act);
	}
}

/* Deliver what is on the wire, at most limit segments. */
static inline int pump_max(struct __test_metadata *_metadata, struct net *n,
			   int limit)
{
	int delivered = 0;

	while (n->head < n->tail) {
		struct pkt *p = &n->q[n->head++ % QMAX];
		struct etp_seg s;

		ASSERT_EQ(ETP_WIRE_OK,
			  (int)etp_wire_decode(p->bytes, p->len, &s));
		receive(_metadata, n, p->to, &s, p->bytes + s.hdr_len);
		ASSERT_LT(++delivered, limit);
	}
	return delivered;
}

static inline int pump(struct __test_metadata *_metadata, struct net *n)
{
	return pump_max(_metadata, n, 100);
}

static inline void fire(struct __test_metadata *_metadata, struct net *n,
			int i, enum etp_timer_id id)
{
	struct etp_actions act;

	ASSERT_TRUE(n->e[i].armed[id]) TH_LOG("%s not armed",
					      etp_timer_name(id));
	n->e[i].armed[id] = false;
	/* A timer fires when it is due: the clock moves on to then. */
	if (n->e[i].due[id] > EV.now_us)
		EV.now_us = n->e[i].due[id];
	if (getenv("TRACE"))
		fprintf(stderr, "%8llu %c fire %s\n", (unsigned long long)EV.now_us/1000, i ? 'B' : 'A', etp_timer_name(id));
	etp_fsm_timer(&n->e[i].t, end_ev(n, i), id, &act);
	apply(_metadata, n, i, &act);
}

static inline void user(struct __test_metadata *_metadata, struct net *n,
			int i, char what)
{
	struct etp_actions act;
	bool ok = true;

	switch (what) {
	case 'c':
		etp_fsm_open_active(&n->e[i].t, &EV, n->e[i].iss, &act);
		break;
	case 'l':
		etp_fsm_open_listen(&n->e[i].t, &act);
		break;
	case 'x':
		ok = etp_fsm_close(&n->e[i].t, end_ev(n, i), &act);
		break;
	case 'a':
		ok = etp_fsm_abort(&n->e[i].t, &act);
		break;
	}
	ASSERT_TRUE(ok);
	apply(_metadata, n, i, &act);
}

/*
 * End i writes len octets of the pattern (from its write_seq on): how many
 * were queued, or -1.
 */
static inline s32 wr(struct __test_metadata *_metadata, struct net *n,
		     int i, u32 len)
{
	struct end *e = &n->e[i];
	struct etp_actions act;
	u8 *buf = malloc(len + 1);
	u32 k;
	s32 r;

	for (k = 0; k < len; k++)
		buf[k] = pattern_byte(e->t.write_seq + k);
	r = etp_fsm_write(&e->t, end_ev(n, i), buf, len, &act);
	free(buf);
	apply(_metadata, n, i, &act);
	return r;
}

/*
 * End i reads up to len octets and checks each against the pattern:
 * how many it read; *eof as etp_fsm_read() says.
 */
static inline u32 rd(struct __test_metadata *_metadata, struct net *n,
		     int i, u32 len, bool *eof)
{
	struct end *e = &n->e[i];
	struct etp_actions act;
	u8 *buf = malloc(len + 1);
	u32 k, got, seq = e->st ? e->st->read_seq : 0;

	got = etp_fsm_read(&e->t, end_ev(n, i), buf, len, eof, &act);
	for (k = 0; k < got; k++)
		if (buf[k] != pattern_byte(seq + k)) {
			TH_LOG("octet %u of the stream is wrong",
			       seq + k - e->t.irs - 1);
			ASSERT_TRUE(false);
		}
	free(buf);
	apply(_metadata, n, i, &act);
	return got;
}

/* A connects to B listening; both ESTABLISHED. */
static inline void connect_pair(struct __test_metadata *_metadata,
				struct net *n)
{
	user(_metadata, n, B, 'l');
	user(_metadata, n, A, 'c');
	pump(_metadata, n);
	ASSERT_EQ(ETP_STATE_ESTABLISHED, n->e[A].t.state);
	ASSERT_EQ(ETP_STATE_ESTABLISHED, n->e[B].t.state);
}

#endif /* _ETP_TEST_TWOEND_H */
