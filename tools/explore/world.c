// SPDX-License-Identifier: GPL-2.0
/*
 * Two endpoints, the network, the glue's part and the per-step checks
 * (world.h). What the kernel glue does is mirrored from module/input.c,
 * exec.c, user.c and conn.c: the lookup order (connection, listener,
 * nothing), accept, queues made when data first flows, timers in slots,
 * the push loop, unread data left to linger when a connection ends.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "world.h"

#define LPORT_A		4000
#define LPORT_B		7
/* Normalised now: far from 0, so no time field reads as "never". */
#define T0_US		(1000000ull * 1000000ull)

const char * const w_prop_names[P_MAX] = {
	[P_TABLE]	= "transition-table",
	[P_ACTIONS]	= "actions",
	[P_RST_RST]	= "rst-for-rst",
	[P_SEQ]		= "sequence-monotonic",
	[P_TIME_WAIT]	= "time-wait-exit",
	[P_ISN]		= "isn-agreement",
	[P_DATA]	= "data-exactly-once",
	[P_STUCK]	= "no-deadlock",
	[P_LIVELOCK]	= "no-livelock",
};

/* The octet at sequence number seq of every stream (as twoend.h's). */
u8 w_pattern(u32 seq)
{
	return (u8)(seq * 7 + (seq >> 8));
}

/* module/core's environment: queue chunks (as selftests/core/env.c). */
void *etp_chunk_alloc(void *owner)
{
	return malloc(ETP_CHUNK_SIZE);
}

void etp_chunk_free(void *owner, void *chunk)
{
	free(chunk);
}

static void fail(struct w_result *res, enum w_prop p, const char *fmt, ...)
{
	va_list ap;

	if (!(res->violated & (1u << p))) {
		va_start(ap, fmt);
		vsnprintf(res->why[p], sizeof(res->why[p]), fmt, ap);
		va_end(ap);
	}
	res->violated |= 1u << p;
}

static void pattern_copy(const void *src, u32 off, void *dst, u32 len)
{
	u32 seq = *(const u32 *)src, i;
	u8 *d = dst;

	for (i = 0; i < len; i++)
		d[i] = w_pattern(seq + off + i);
}

/* ---- setting up and copying -------------------------------------------- */

static u16 lport(int end)
{
	return end == W_A ? LPORT_A : LPORT_B;
}

void w_init(struct world *w, const struct w_config *cfg)
{
	memset(w, 0, sizeof(*w));
	w->now_us = T0_US;
	w->loss = cfg->loss;
	w->dup = cfg->dup;
	w->forge = cfg->forge;
	etp_fsm_init(&w->e[W_A].lt, &cfg->p, LPORT_A, LPORT_B);
	etp_fsm_init(&w->e[W_B].lt, &cfg->p, LPORT_B, LPORT_A);
}

static void conn_drop_stream(struct w_conn *c)
{
	if (!c->st)
		return;
	etp_stream_release(c->st);
	free(c->st);
	c->st = NULL;
}

void w_free(struct world *w)
{
	conn_drop_stream(&w->e[W_A].c);
	conn_drop_stream(&w->e[W_B].c);
}

static struct etp_stream *stream_new(struct etp_tcb *t)
{
	struct etp_stream *st = calloc(1, etp_stream_size(t->sndbuf,
							  t->rcvbuf));

	if (!st)
		abort();
	etp_fsm_attach(t, st, NULL);
	return st;
}

/* Write what [from, to) of q must hold: the pattern. */
static void fill(struct etp_bufq *q, u32 from, u32 to)
{
	u8 buf[512];

	while (etp_before(from, to)) {
		u32 n = to - from < sizeof(buf) ? to - from : sizeof(buf), i;

		for (i = 0; i < n; i++)
			buf[i] = w_pattern(from + i);
		if (etp_bufq_write_buf(q, from, buf, n) != n)
			abort();
		from += n;
	}
}

/* The octets a stream holds, written anew into a fresh one. */
static struct etp_stream *stream_rebuild(struct etp_tcb *t,
					 const struct etp_stream *old)
{
	struct etp_stream *st = stream_new(t);
	u32 i;

	st->sq.origin = old->sq.origin;
	st->rq.origin = old->rq.origin;
	st->sq_head = old->sq_head;
	st->read_seq = old->read_seq;
	st->bytes_acked = old->bytes_acked;
	st->bytes_received = old->bytes_received;
	st->nooo = old->nooo;
	memcpy(st->ooo, old->ooo, sizeof(st->ooo));
	fill(&st->sq, st->sq_head, t->write_seq);
	fill(&st->rq, st->read_seq, t->rcv_nxt - !!t->fin_rcvd);
	for (i = 0; i < st->nooo; i++)
		fill(&st->rq, st->ooo[i].start, st->ooo[i].end);
	return st;
}

void w_copy(struct world *dst, const struct world *src)
{
	int i;

	*dst = *src;
	for (i = 0; i < 2; i++)
		if (src->e[i].c.st)
			dst->e[i].c.st = stream_rebuild(&dst->e[i].c.t,
							src->e[i].c.st);
}

/* ---- the canonical form --------------------------------------------------- */

struct canon_conn {
	struct etp_tcb t;
	u64 due[ETP_T_MAX];
	u8 armed, inc, writes, closed, eof, has_st;
	u32 nread;
	u32 sq_origin, rq_origin, sq_head, read_seq, nooo;
};

struct canon_end {
	u8 live, listening, listens, ninc, lt_state;
	struct w_inc inc[W_MAXINC];
};

struct canon_head {
	u8 nbag, loss, dup, forge, forged;
};

static u32 clamp_age(u32 age, u32 limit)
{
	return age > limit ? limit : age;
}

/* Times as ages (the core compares only differences), stats left out. */
static void canon_tcb(struct etp_tcb *t, const struct world *w,
		      const struct w_config *cfg)
{
	u32 now_ms = (u32)(w->now_us / 1000);
	u32 idle_max = cfg->p.fin_wait2_ms > cfg->p.keepalive_ms ?
		       cfg->p.fin_wait2_ms : cfg->p.keepalive_ms;

	t->segs_in = 0;
	t->segs_out = 0;
	t->retrans = 0;
	t->drops = 0;
	t->rtt_start = t->rtt_pending ? (u32)w->now_us - t->rtt_start : 0;
	t->last_rcv_ms = clamp_age(now_ms - t->last_rcv_ms, idle_max + 1);
	if (t->last_oow_ms)
		t->last_oow_ms = clamp_age(now_ms - t->last_oow_ms,
					   cfg->p.invalid_ratelimit_ms) + 1;
}

static void uncanon_tcb(struct etp_tcb *t, u64 now_us)
{
	u32 now_ms = (u32)(now_us / 1000);

	if (t->rtt_pending)
		t->rtt_start = (u32)now_us - t->rtt_start;
	t->last_rcv_ms = now_ms - t->last_rcv_ms;
	if (t->last_oow_ms)
		t->last_oow_ms = now_ms - (t->last_oow_ms - 1);
}

#define PUT(p, x)	do { memcpy(p, &(x), sizeof(x)); p += sizeof(x); } while (0)
#define GET(p, x)	do { memcpy(&(x), p, sizeof(x)); p += sizeof(x); } while (0)

static int seg_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct w_seg));
}

u32 w_save(const struct world *w, const struct w_config *cfg, u8 *buf)
{
	struct canon_head h = {
		w->nbag, w->loss, w->dup, w->forge, w->forged,
	};
	struct w_seg bag[W_BAG];
	u8 *p = buf;
	int i, id;

	PUT(p, h);
	for (i = 0; i < 2; i++) {
		const struct w_end *e = &w->e[i];
		struct canon_end ce;

		memset(&ce, 0, sizeof(ce));
		ce.live = e->live;
		ce.listening = e->listening;
		ce.listens = e->listens;
		ce.ninc = e->ninc;
		ce.lt_state = e->lt.state;
		memcpy(ce.inc, e->inc, sizeof(ce.inc));
		PUT(p, ce);
		if (e->live) {
			const struct w_conn *c = &e->c;
			struct canon_conn cc;

			memset(&cc, 0, sizeof(cc));
			memcpy(&cc.t, &c->t, sizeof(cc.t));
			canon_tcb(&cc.t, w, cfg);
			for (id = 0; id < ETP_T_MAX; id++)
				if (c->armed & ETP_T_BIT(id))
					cc.due[id] = c->due[id] > w->now_us ?
						     c->due[id] - w->now_us : 0;
			cc.armed = c->armed;
			cc.inc = c->inc;
			cc.writes = c->writes;
			cc.closed = c->closed;
			cc.eof = c->eof;
			cc.nread = c->nread;
			cc.has_st = !!c->st;
			if (c->st) {
				cc.sq_origin = c->st->sq.origin;
				cc.rq_origin = c->st->rq.origin;
				cc.sq_head = c->st->sq_head;
				cc.read_seq = c->st->read_seq;
				cc.nooo = c->st->nooo;
			}
			PUT(p, cc);
			if (c->st && c->st->nooo) {
				memcpy(p, c->st->ooo,
				       c->st->nooo * sizeof(c->st->ooo[0]));
				p += c->st->nooo * sizeof(c->st->ooo[0]);
			}
		}
	}
	memcpy(bag, w->bag, w->nbag * sizeof(bag[0]));
	qsort(bag, w->nbag, sizeof(bag[0]), seg_cmp);
	memcpy(p, bag, w->nbag * sizeof(bag[0]));
	p += w->nbag * sizeof(bag[0]);
	return p - buf;
}

void w_load(struct world *w, const struct w_config *cfg, const u8 *buf,
	    u32 len)
{
	const u8 *p = buf;
	struct canon_head h;
	int i, id;

	w_init(w, cfg);
	GET(p, h);
	w->nbag = h.nbag;
	w->loss = h.loss;
	w->dup = h.dup;
	w->forge = h.forge;
	w->forged = h.forged;
	for (i = 0; i < 2; i++) {
		struct w_end *e = &w->e[i];
		struct canon_end ce;

		GET(p, ce);
		e->live = ce.live;
		e->listening = ce.listening;
		e->listens = ce.listens;
		e->ninc = ce.ninc;
		e->lt.state = ce.lt_state;
		memcpy(e->inc, ce.inc, sizeof(e->inc));
		if (e->live) {
			struct w_conn *c = &e->c;
			struct canon_conn cc;
			struct etp_stream old;

			GET(p, cc);
			memset(c, 0, sizeof(*c));
			c->t = cc.t;
			uncanon_tcb(&c->t, w->now_us);
			for (id = 0; id < ETP_T_MAX; id++)
				if (cc.armed & ETP_T_BIT(id))
					c->due[id] = w->now_us + cc.due[id];
			c->armed = cc.armed;
			c->inc = cc.inc;
			c->writes = cc.writes;
			c->closed = cc.closed;
			c->eof = cc.eof;
			c->nread = cc.nread;
			if (cc.has_st) {
				memset(&old, 0, sizeof(old));
				old.sq.origin = cc.sq_origin;
				old.rq.origin = cc.rq_origin;
				old.sq_head = cc.sq_head;
				old.read_seq = cc.read_seq;
				old.nooo = cc.nooo;
				memcpy(old.ooo, p, cc.nooo * sizeof(old.ooo[0]));
				p += cc.nooo * sizeof(old.ooo[0]);
				c->st = stream_rebuild(&c->t, &old);
			}
		}
	}
	memcpy(w->bag, p, w->nbag * sizeof(w->bag[0]));
	p += w->nbag * sizeof(w->bag[0]);
	if ((u32)(p - buf) != len)
		abort();
}

/* ---- what may happen ------------------------------------------------------ */

static bool synced(enum etp_conn_state s)
{
	return s >= ETP_STATE_SYN_RCVD;
}

static bool add(struct w_event *ev, int *n, u8 kind, u8 end, u8 arg)
{
	if (*n >= W_EVENTS_MAX)
		return false;
	ev[*n].kind = kind;
	ev[*n].end = end;
	ev[*n].arg = arg;
	(*n)++;
	return true;
}

int w_enabled(const struct world *w, const struct w_config *cfg,
	      struct w_event *ev)
{
	int n = 0, i, id;

	for (i = 0; i < 2; i++) {
		const struct w_end *e = &w->e[i];
		const struct w_conn *c = &e->c;
		enum etp_conn_state s = c->t.state;

		if (!e->live && !e->listening && e->ninc < cfg->max_conns[i] &&
		    (i == W_A || (cfg->b_connects && !e->listens)))
			add(ev, &n, W_CONNECT, i, 0);
		if (i == W_B && cfg->b_listens && !e->listens && !e->ninc)
			add(ev, &n, W_LISTEN, i, 0);
		if (i == W_B && cfg->unlisten && e->listening)
			add(ev, &n, W_UNLISTEN, i, 0);
		if (!e->live)
			continue;
		if (!c->closed && (s == ETP_STATE_SYN_SENT ||
				   s == ETP_STATE_SYN_RCVD ||
				   s == ETP_STATE_ESTABLISHED ||
				   s == ETP_STATE_CLOSE_WAIT))
			add(ev, &n, W_CLOSE, i, 0);
		add(ev, &n, W_ABORT, i, 0);
		if (c->writes < cfg->writes && etp_fsm_may_write(&c->t))
			add(ev, &n, W_WRITE, i, 0);
		if (etp_fsm_readable(&c->t, c->st) ||
		    (c->t.fin_rcvd && !c->eof))
			add(ev, &n, W_READ, i, 0);
		for (id = 0; id < ETP_T_MAX; id++)
			if (c->armed & ETP_T_BIT(id))
				add(ev, &n, W_TIMER, i, id);
		if (w->forge && c->t.state >= ETP_STATE_ESTABLISHED &&
		    c->t.state != ETP_STATE_TIME_WAIT)
			add(ev, &n, W_FORGE, i, 0);
	}
	for (i = 0; i < w->nbag; i++) {
		/* Two equal segments: delivering either is the same. */
		if (i && !memcmp(&w->bag[i], &w->bag[i - 1], sizeof(w->bag[i])))
			continue;
		add(ev, &n, W_DELIVER, w->bag[i].to, i);
		if (w->loss)
			add(ev, &n, W_LOSE, w->bag[i].to, i);
		if (w->dup && w->nbag < W_BAG)
			add(ev, &n, W_DUP, w->bag[i].to, i);
	}
	return n;
}

/* ---- the glue's part ------------------------------------------------------ */

struct step {
	struct world *w;
	const struct w_config *cfg;
	const struct w_observer *obs;
	struct w_result *res;
	enum etp_trigger trig;
	u8 seg_flags;
	bool sent_rst;
};

static void note(struct step *s, const struct w_note *n)
{
	if (s->obs && s->obs->note)
		s->obs->note(s->obs->ctx, n);
}

static void transmit(struct step *s, int from, const struct etp_seg *seg,
		     bool forged)
{
	struct world *w = s->w;
	struct w_note n = {
		.kind = N_SEND, .end = from, .seg = *seg, .forged = forged,
	};
	struct w_seg *b;

	if (seg->flags & ETP_FLAG_RST)
		s->sent_rst = true;
	n.lost = w->nbag >= W_BAG;
	note(s, &n);
	if (n.lost)
		return;
	b = &w->bag[w->nbag++];
	memset(b, 0, sizeof(*b));
	b->s.sport = seg->sport;
	b->s.dport = seg->dport;
	b->s.seq = seg->seq;
	b->s.ack = seg->ack;
	b->s.version = seg->version;
	b->s.flags = seg->flags;
	b->s.hdr_len = seg->hdr_len;
	b->s.window = seg->window;
	b->s.mss = seg->mss;
	b->s.ws_present = seg->ws_present;
	b->s.wscale = seg->wscale;
	b->s.payload_len = seg->payload_len;
	b->to = !from;
	b->forged = forged;
}

static struct etp_ev make_ev(struct step *s, struct w_conn *c)
{
	struct etp_ev ev = {
		.p = &s->cfg->p, .now_us = s->w->now_us, .st = c ? c->st : NULL,
	};

	return ev;
}

static struct etp_stream *conn_stream(struct w_conn *c)
{
	if (!c->st)
		c->st = stream_new(&c->t);
	return c->st;
}

static u32 *peer_written(struct world *w, int end, u32 irs)
{
	struct w_end *p = &w->e[!end];
	int i;

	for (i = 0; i < p->ninc; i++)
		if (p->inc[i].iss == irs)
			return &p->inc[i].written;
	return NULL;
}

/*
 * The user reads up to len octets: each must be the next octet of the
 * peer's stream, once; at its end, all the peer wrote must have come.
 */
static u32 user_read(struct step *s, int end, u32 len,
		     struct etp_actions *act)
{
	struct w_conn *c = &s->w->e[end].c;
	struct etp_ev ev = make_ev(s, c);
	u32 expect = c->t.irs + 1 + c->nread, got, i, *written;
	struct w_note n = { .kind = N_READ, .end = end };
	u8 buf[1024];
	bool eof;

	/* (Before the peer's SYN, IRS and so expect mean nothing.) */
	if (c->st && synced(c->t.state) && c->st->read_seq != expect)
		fail(s->res, P_DATA, "end %c reads from %u, its user has read up to %u",
		     'A' + end, c->st->read_seq, expect);
	if (len > sizeof(buf))
		len = sizeof(buf);
	got = etp_fsm_read(&c->t, &ev, buf, len, &eof, act);
	for (i = 0; i < got; i++)
		if (buf[i] != w_pattern(expect + i)) {
			fail(s->res, P_DATA, "end %c read a wrong octet at stream offset %u",
			     'A' + end, c->nread + i);
			break;
		}
	c->nread += got;
	written = peer_written(s->w, end, c->t.irs);
	if (!s->w->forged && written && c->nread > *written)
		fail(s->res, P_DATA, "end %c read %u octets, its peer wrote %u",
		     'A' + end, c->nread, *written);
	if (eof && !c->eof) {
		c->eof = true;
		if (!s->w->forged && written && c->nread != *written)
			fail(s->res, P_DATA, "end %c read the end of the stream after %u octets, its peer wrote %u",
			     'A' + end, c->nread, *written);
	}
	n.n = got;
	n.destroy = eof;
	note(s, &n);
	return got;
}

static void apply(struct step *s, int end, struct etp_actions *act);

/* The connection ends: unread data lingers for its reader (exec.c). */
static void conn_end(struct step *s, int end, const struct etp_actions *act)
{
	struct w_end *e = &s->w->e[end];
	struct w_conn *c = &e->c;
	struct etp_actions ract;

	if (act->cause != ETP_CAUSE_ABORT && act->cause != ETP_CAUSE_RST &&
	    (etp_fsm_readable(&c->t, c->st) || (c->t.fin_rcvd && !c->eof)))
		user_read(s, end, ~0u, &ract);
	conn_drop_stream(c);
	e->live = false;
}

/* Sequence variables may only move forward (docs/verification.md). */
static void check_seq(struct step *s, int end, const struct etp_tcb *o,
		      const struct etp_tcb *t, bool retx)
{
	const char *what = NULL;

	if (o->state >= ETP_STATE_SYN_SENT && t->iss != o->iss)
		what = "ISS changed";
	else if (synced(o->state) && t->irs != o->irs)
		what = "IRS changed";
	else if (etp_before(t->snd_una, o->snd_una))
		what = "SND.UNA moved back";
	else if (etp_before(t->snd_max, o->snd_max))
		what = "SND.MAX moved back";
	else if (etp_before(t->write_seq, o->write_seq))
		what = "the write sequence moved back";
	else if (synced(o->state) && etp_before(t->rcv_nxt, o->rcv_nxt))
		what = "RCV.NXT moved back";
	else if (etp_before(t->snd_nxt, o->snd_nxt) && !retx)
		what = "SND.NXT moved back but for a retransmission timeout";
	else if (etp_before(t->snd_nxt, t->snd_una))
		what = "SND.NXT below SND.UNA";
	else if (etp_after(t->snd_nxt, t->snd_max) ||
		 etp_after(t->snd_una, t->snd_max))
		what = "SND.NXT or SND.UNA beyond SND.MAX";
	if (what)
		fail(s->res, P_SEQ, "end %c: %s (%s)", 'A' + end, what,
		     etp_state_name(t->state));
}

/*
 * A change of state must be a row of docs/protocol.md 4.2, matched by
 * what the explorer did (the trigger, the segment's flags) and by what
 * the core says it did.
 */
static void check_transition(struct step *s, int end,
			     const struct etp_actions *act, bool listener)
{
	struct w_note n = {
		.kind = N_STATE, .end = end, .old_state = act->old_state,
		.new_state = act->new_state, .destroy = act->destroy,
		.listener = listener,
	};
	int row;

	if (act->old_state == act->new_state && !act->destroy)
		return;
	row = etp_transition_find(act, s->trig, s->seg_flags);
	if (row < 0)
		fail(s->res, P_TABLE, "end %c: %s -> %s%s (cause %s) is in no row of docs/protocol.md 4.2",
		     'A' + end, etp_state_name(act->old_state),
		     etp_state_name(act->new_state),
		     act->destroy ? " (freed)" : "",
		     etp_cause_name(act->cause));
	if (s->obs && s->obs->transition)
		s->obs->transition(s->obs->ctx, end, act, s->trig,
				   s->seg_flags, row,
				   act->send ? &act->out : NULL);
	note(s, &n);
}

/* What the glue does with a decision, and the checks on it. */
static void apply(struct step *s, int end, struct etp_actions *act)
{
	struct w_end *e = &s->w->e[end];
	struct w_conn *c = &e->c;
	struct etp_actions more;
	int id, o;

	if (c->t.state != act->new_state && !act->destroy)
		fail(s->res, P_ACTIONS, "end %c: actions say %s, the tcb %s",
		     'A' + end, etp_state_name(act->new_state),
		     etp_state_name(c->t.state));
	if (act->destroy && act->new_state != ETP_STATE_CLOSED &&
	    act->new_state != ETP_STATE_LISTEN)
		fail(s->res, P_ACTIONS, "end %c: freed in %s", 'A' + end,
		     etp_state_name(act->new_state));
	check_transition(s, end, act, false);
	for (id = 0; id < ETP_T_MAX; id++)
		if (act->cancel & ETP_T_BIT(id))
			c->armed &= ~ETP_T_BIT(id);
	for (id = 0; id < ETP_T_MAX; id++) {
		if (!(act->arm & ETP_T_BIT(id)))
			continue;
		/* One timer of a slot at a time, as conn.c's slots. */
		for (o = 0; o < ETP_T_MAX; o++)
			if (etp_timer_slot(o) == etp_timer_slot(id))
				c->armed &= ~ETP_T_BIT(o);
		c->armed |= ETP_T_BIT(id);
		c->due[id] = s->w->now_us + act->timer_ms[id] * 1000ull;
	}
	if (act->send)
		transmit(s, end, &act->out, false);
	if (act->destroy) {
		conn_end(s, end, act);
		return;
	}
	if (act->more) {
		struct etp_ev ev = make_ev(s, c);

		etp_fsm_push(&c->t, &ev, &more);
		apply(s, end, &more);
	}
}

static void new_conn(struct step *s, int end)
{
	struct w_end *e = &s->w->e[end];

	memset(&e->c, 0, sizeof(e->c));
	etp_fsm_init(&e->c.t, &s->cfg->p, lport(end), lport(!end));
	e->c.inc = e->ninc;
	e->inc[e->ninc].iss = s->cfg->iss[end][e->ninc];
	e->inc[e->ninc].written = 0;
	e->ninc++;
	e->live = true;
}

/* The receive path (input.c): connection, else listener, else nothing. */
static void receive(struct step *s, int to, const struct etp_seg *seg)
{
	struct w_end *e = &s->w->e[to];
	struct w_conn *c = &e->c;
	u32 seq = seg->seq;
	const struct etp_data data = { .copy = pattern_copy, .src = &seq };
	struct etp_actions act;
	struct etp_seg rst;
	struct etp_ev ev;

	s->trig = ETP_TRIG_SEGMENT;
	s->seg_flags = seg->flags;
	if (e->live) {
		if (seg->payload_len)
			conn_stream(c);
		ev = make_ev(s, c);
		ev.data = &data;
		etp_fsm_segment(&c->t, &ev, seg, &act);
		apply(s, to, &act);
	} else if (e->listening) {
		if (!etp_fsm_listen(seg, &act)) {
			if (act.send)
				transmit(s, to, &act.out, false);
			return;
		}
		/* Injected SYNs can ask for more: a full backlog. */
		if (e->ninc == W_MAXINC)
			return;
		new_conn(s, to);
		ev = make_ev(s, c);
		etp_fsm_open_passive(&c->t, &ev, seg, e->inc[c->inc].iss, &act);
		apply(s, to, &act);
	} else if (etp_fsm_reset_for(seg, &rst)) {
		transmit(s, to, &rst, false);
	}
}

static void user_write(struct step *s, int end, u32 len,
		       struct etp_actions *act)
{
	struct w_conn *c = &s->w->e[end].c;
	struct w_note n = { .kind = N_WRITE, .end = end };
	struct etp_ev ev;
	u8 buf[256];
	u32 i;
	s32 r;

	conn_stream(c);
	ev = make_ev(s, c);
	for (i = 0; i < len && i < sizeof(buf); i++)
		buf[i] = w_pattern(c->t.write_seq + i);
	r = etp_fsm_write(&c->t, &ev, buf, i, act);
	c->writes++;
	if (r > 0)
		s->w->e[end].inc[c->inc].written += r;
	n.n = r > 0 ? r : 0;
	note(s, &n);
}

static void fire(struct step *s, int end, enum etp_timer_id id,
		 struct etp_actions *act)
{
	struct w_conn *c = &s->w->e[end].c;
	struct etp_ev ev;

	c->armed &= ~ETP_T_BIT(id);
	if (c->due[id] > s->w->now_us)
		s->w->now_us = c->due[id];
	ev = make_ev(s, c);
	etp_fsm_timer(&c->t, &ev, id, act);
}

/* A segment in end's name: ten octets at its SND.NXT, as etp_storm.sh's. */
static void forge(struct step *s, int end)
{
	const struct etp_tcb *t = &s->w->e[end].c.t;
	struct etp_seg seg = {
		.sport = t->lport, .dport = t->rport, .seq = t->snd_nxt,
		.ack = t->rcv_nxt, .version = ETP_VERSION,
		.flags = ETP_FLAG_ACK | ETP_FLAG_PSH, .hdr_len = ETP_HDR_LEN,
		.window = t->rcv_wnd > 0xffff ? 0xffff : t->rcv_wnd,
		.payload_len = s->cfg->forge_len,
	};

	s->w->forge--;
	s->w->forged = true;
	transmit(s, end, &seg, true);
}

/* The sequence number a W_ICMP quotes (world.h). */
static u32 icmp_seq(const struct etp_tcb *t, u8 arg)
{
	const u32 quoted[8] = {
		t->snd_una - 1, t->snd_una, t->snd_una + 1,
		t->snd_una + (t->snd_max - t->snd_una) / 2, t->snd_max - 1,
		t->snd_max, t->snd_nxt, t->iss,
	};

	return quoted[arg >> 1 & 7];
}

/* ---- the checks on the whole world --------------------------------------- */

/* Does q hold the pattern over [from, to)? If not, *bad is where not. */
static bool holds_pattern(const struct etp_bufq *q, u32 from, u32 to,
			  u32 *bad)
{
	u8 buf[256];
	u32 n, i;

	for (; etp_before(from, to); from += n) {
		n = to - from < sizeof(buf) ? to - from : sizeof(buf);
		etp_bufq_read(q, from, buf, n);
		for (i = 0; i < n; i++)
			if (buf[i] != w_pattern(from + i)) {
				*bad = from + i;
				return false;
			}
	}
	return true;
}

static void check_queues(struct step *s, int end)
{
	const struct w_conn *c = &s->w->e[end].c;
	const struct etp_stream *st = c->st;
	u32 *written;
	u32 seq, i;

	if (!st)
		return;
	if (!holds_pattern(&st->sq, st->sq_head, c->t.write_seq, &seq)) {
		fail(s->res, P_DATA, "end %c: send queue octet %u is not what was written",
		     'A' + end, seq - c->t.iss - 1);
		return;
	}
	if (!holds_pattern(&st->rq, st->read_seq,
			   c->t.rcv_nxt - !!c->t.fin_rcvd, &seq)) {
		fail(s->res, P_DATA, "end %c: receive queue octet %u is not the peer's",
		     'A' + end, seq - c->t.irs - 1);
		return;
	}
	for (i = 0; i < st->nooo; i++)
		if (!holds_pattern(&st->rq, st->ooo[i].start, st->ooo[i].end,
				   &seq)) {
			fail(s->res, P_DATA, "end %c: out-of-order octet %u is not the peer's",
			     'A' + end, seq - c->t.irs - 1);
			return;
		}
	if (s->w->forged || !synced(c->t.state))
		return;
	written = peer_written(s->w, end, c->t.irs);
	if (written && c->t.rcv_nxt - !!c->t.fin_rcvd - (c->t.irs + 1) >
		       *written)
		fail(s->res, P_DATA, "end %c took %u octets in order, its peer wrote %u",
		     'A' + end,
		     c->t.rcv_nxt - !!c->t.fin_rcvd - (c->t.irs + 1), *written);
}

static void check_world(struct step *s)
{
	const struct w_end *a = &s->w->e[W_A], *b = &s->w->e[W_B];
	int i;

	for (i = 0; i < 2; i++)
		if (s->w->e[i].live)
			check_queues(s, i);
	if (s->w->forged || !a->live || !b->live ||
	    a->c.t.state != ETP_STATE_ESTABLISHED ||
	    b->c.t.state != ETP_STATE_ESTABLISHED)
		return;
	if (a->c.t.iss != b->c.t.irs || b->c.t.iss != a->c.t.irs)
		fail(s->res, P_ISN, "ESTABLISHED both, A has ISS %u IRS %u, B has ISS %u IRS %u",
		     a->c.t.iss, a->c.t.irs, b->c.t.iss, b->c.t.irs);
}

/* ---- one event --------------------------------------------------------- */

static void do_event(struct step *s, const struct w_event *ev)
{
	struct world *w = s->w;
	struct w_end *e = &w->e[ev->end];
	struct w_conn *c = &e->c;
	struct etp_actions act;
	struct etp_ev cev;
	struct w_seg seg;
	bool ok = true;

	switch (ev->kind) {
	case W_CONNECT:
		new_conn(s, ev->end);
		s->trig = ETP_TRIG_CONNECT;
		cev = make_ev(s, c);
		etp_fsm_open_active(&c->t, &cev, e->inc[c->inc].iss, &act);
		apply(s, ev->end, &act);
		break;
	case W_LISTEN:
		s->trig = ETP_TRIG_LISTEN;
		etp_fsm_open_listen(&e->lt, &act);
		check_transition(s, ev->end, &act, true);
		e->listening = true;
		e->listens++;
		break;
	case W_UNLISTEN:
		s->trig = ETP_TRIG_CLOSE;
		cev = make_ev(s, NULL);
		ok = etp_fsm_close(&e->lt, &cev, &act);
		check_transition(s, ev->end, &act, true);
		e->listening = false;
		/* user.c: the handshakes in progress are reset with it. */
		if (e->live && c->t.state == ETP_STATE_SYN_RCVD &&
		    c->t.passive) {
			s->trig = ETP_TRIG_ABORT;
			ok = etp_fsm_abort(&c->t, &act) && ok;
			apply(s, ev->end, &act);
		}
		break;
	case W_CLOSE:
		s->trig = ETP_TRIG_CLOSE;
		c->closed = true;
		cev = make_ev(s, c);
		ok = etp_fsm_close(&c->t, &cev, &act);
		apply(s, ev->end, &act);
		break;
	case W_ABORT:
		s->trig = ETP_TRIG_ABORT;
		ok = etp_fsm_abort(&c->t, &act);
		apply(s, ev->end, &act);
		break;
	case W_WRITE:
		s->trig = ETP_TRIG_MAX;		/* no row: no state may change */
		user_write(s, ev->end, ev->arg ? ev->arg : s->cfg->write_len,
			   &act);
		apply(s, ev->end, &act);
		break;
	case W_READ:
		s->trig = ETP_TRIG_MAX;
		user_read(s, ev->end, ev->arg ? ev->arg : ~0u, &act);
		apply(s, ev->end, &act);
		break;
	case W_TIMER:
		s->trig = ETP_TRIG_TIMER + ev->arg;
		fire(s, ev->end, ev->arg, &act);
		apply(s, ev->end, &act);
		break;
	case W_DELIVER:
		seg = w->bag[ev->arg];
		w->bag[ev->arg] = w->bag[--w->nbag];
		receive(s, seg.to, &seg.s);
		if ((seg.s.flags & ETP_FLAG_RST) && s->sent_rst)
			fail(s->res, P_RST_RST, "end %c answered a RST with a RST",
			     'A' + seg.to);
		break;
	case W_LOSE:
		w->bag[ev->arg] = w->bag[--w->nbag];
		w->loss--;
		break;
	case W_DUP:
		w->bag[w->nbag++] = w->bag[ev->arg];
		w->dup--;
		break;
	case W_FORGE:
		forge(s, ev->end);
		break;
	case W_WAIT:
		w->now_us += ev->arg * W_WAIT_MS * 1000ull;
		break;
	case W_ICMP:
		if (!e->live)
			break;
		s->trig = ETP_TRIG_ICMP;
		cev = make_ev(s, c);
		etp_fsm_icmp(&c->t, &cev, ev->arg & 1, icmp_seq(&c->t, ev->arg),
			     W_ICMP_MTU(ev->arg), &act);
		apply(s, ev->end, &act);
		break;
	}
	if (!ok)
		fail(s->res, P_ACTIONS, "end %c: a user call the explorer offered was refused",
		     'A' + ev->end);
}

/* The bag in its canonical order, so an index names the same segment. */
static void sort_bag(struct world *w)
{
	qsort(w->bag, w->nbag, sizeof(w->bag[0]), seg_cmp);
}

static void step_begin(struct step *s, struct world *w,
		       const struct w_config *cfg,
		       const struct w_observer *obs, struct w_result *res)
{
	memset(s, 0, sizeof(*s));
	s->w = w;
	s->cfg = cfg;
	s->obs = obs;
	s->res = res;
	memset(res, 0, sizeof(*res));
}

void w_step(struct world *w, const struct w_config *cfg,
	    const struct w_event *ev, const struct w_observer *obs,
	    struct w_result *res)
{
	struct etp_tcb before[2];
	bool was_live[2];
	u8 was_inc[2];
	struct step s;
	int i;

	step_begin(&s, w, cfg, obs, res);
	for (i = 0; i < 2; i++) {
		before[i] = w->e[i].c.t;
		was_live[i] = w->e[i].live;
		was_inc[i] = w->e[i].c.inc;
	}
	do_event(&s, ev);
	for (i = 0; i < 2; i++) {
		const struct w_end *e = &w->e[i];
		bool same = was_live[i] && e->live && e->c.inc == was_inc[i];
		bool tw_ok = ev->end == i &&
			     ((ev->kind == W_TIMER &&
			       ev->arg == ETP_T_TIME_WAIT) ||
			      ev->kind == W_ABORT);

		if (same)
			check_seq(&s, i, &before[i], &e->c.t,
				  (ev->kind == W_TIMER &&
				   ev->arg == ETP_T_RETX) ||
				  ev->kind == W_ICMP);
		if (was_live[i] && before[i].state == ETP_STATE_TIME_WAIT &&
		    !(same && e->c.t.state == ETP_STATE_TIME_WAIT) && !tw_ok)
			fail(res, P_TIME_WAIT, "end %c left TIME_WAIT on %s",
			     'A' + i, ev->kind == W_DELIVER ? "a segment" :
			     "a user call or another timer");
	}
	check_world(&s);
	sort_bag(w);
}

void w_inject(struct world *w, const struct w_config *cfg, int to,
	      const struct etp_seg *seg, const struct w_observer *obs,
	      struct w_result *res)
{
	struct etp_tcb before = w->e[to].c.t;
	bool was_live = w->e[to].live;
	struct step s;

	step_begin(&s, w, cfg, obs, res);
	w->forged = true;
	receive(&s, to, seg);
	if ((seg->flags & ETP_FLAG_RST) && s.sent_rst)
		fail(res, P_RST_RST, "end %c answered a RST with a RST",
		     'A' + to);
	if (was_live && w->e[to].live)
		check_seq(&s, to, &before, &w->e[to].c.t, false);
	if (was_live && before.state == ETP_STATE_TIME_WAIT &&
	    !(w->e[to].live && w->e[to].c.t.state == ETP_STATE_TIME_WAIT))
		fail(res, P_TIME_WAIT, "end %c left TIME_WAIT on a segment",
		     'A' + to);
	check_world(&s);
	sort_bag(w);
}

bool w_quiet(const struct world *w)
{
	return !w->e[W_A].live && !w->e[W_B].live;
}

/* ---- names ------------------------------------------------------------- */

void w_print_rows(FILE *out, const unsigned long *hits)
{
	unsigned int i, taken = 0, n = etp_transitions_count;

	if (n > W_ROWS_MAX)
		n = W_ROWS_MAX;
	for (i = 0; i < n; i++)
		taken += hits[i] != 0;
	fprintf(out, "rows of docs/protocol.md 4.2 taken: %u of %u\n", taken,
		etp_transitions_count);
	for (i = 0; i < n; i++) {
		const struct etp_transition *t = &etp_transitions[i];

		if (hits[i] || (t->from == ETP_STATE_BIT(t->to)))
			continue;
		fprintf(out, "  not taken: -> %s: %s\n", etp_state_name(t->to),
			t->event);
	}
}

void w_seg_name(const struct etp_seg *s, char *buf, size_t room)
{
	char flags[ETP_FLAGS_NAME_MAX];

	etp_wire_flags_name(s->flags & ~ETP_FLAG_PSH, flags, sizeof(flags));
	if (s->payload_len)
		snprintf(buf, room, "%s %u:%u ack %u", flags, s->seq,
			 s->seq + s->payload_len, s->ack);
	else if (s->flags & ETP_FLAG_ACK)
		snprintf(buf, room, "%s %u ack %u", flags, s->seq, s->ack);
	else
		snprintf(buf, room, "%s %u", flags, s->seq);
}

void w_event_name(const struct w_event *ev, char *buf, size_t room)
{
	static const char * const kinds[W_KINDS] = {
		"connect", "listen", "unlisten", "close", "abort", "write",
		"read", "timer", "deliver", "lose", "duplicate", "forge",
		"inject", "wait", "icmp",
	};

	if (ev->kind == W_TIMER)
		snprintf(buf, room, "%c %s expires", 'A' + ev->end,
			 etp_timer_name(ev->arg));
	else if (ev->kind >= W_DELIVER && ev->kind <= W_DUP)
		snprintf(buf, room, "%s #%u to %c", kinds[ev->kind], ev->arg,
			 'A' + ev->end);
	else
		snprintf(buf, room, "%c %s", 'A' + ev->end, kinds[ev->kind]);
}
