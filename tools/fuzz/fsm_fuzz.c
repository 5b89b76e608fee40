// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the state machine of module/core. The input
 * (fsm_ops.h) is a sequence of user calls (connect, listen, close, abort,
 * write, read), timer expiries, ICMP errors, the clock moving on, the
 * network's deliveries, losses and duplicates, and segments of any shape
 * injected through the wire decoder, applied to the tcbs of the
 * explorer's world (tools/explore/world.c: one tcb under the fuzzer's
 * segments alone, or two ends talking). After every step the explorer's
 * checks must hold (a transition in docs/protocol.md 4.2, no RST for a
 * RST, sequence variables never moving back, TIME_WAIT left only by its
 * timer or abort, ISN agreement, the bytes read in order and exactly
 * once), and so must this file's: every state valid, nothing sent that
 * was never written or that the decoder would refuse, queues within
 * their limits. A violation aborts with its reason.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fsm_ops.h"
#include "names.h"

struct fz {
	bool trace;		/* FSM_FUZZ_TRACE set: each step on stderr */
	struct world w;
	struct w_config cfg;
	struct w_result res;
};

static struct fz FZ;

#define VIOLATION(...)							\
	do {								\
		fprintf(stderr, "fsm_fuzz: " __VA_ARGS__);		\
		fputc('\n', stderr);					\
		abort();						\
	} while (0)

static bool seq_le(u32 a, u32 b)
{
	return !etp_after(a, b);
}

/* Every segment the core sends is one the decoder takes back as it is. */
static void check_sent(void *ctx, const struct w_note *n)
{
	const struct etp_seg *s = &n->seg;
	const struct world *w = ctx;
	u8 buf[ETP_HDR_MAX + 8];
	struct etp_seg d;
	u32 hl;

	if (n->kind != N_SEND || n->forged)
		return;
	hl = etp_wire_encode(s, buf, sizeof(buf));
	if (!hl || hl != s->hdr_len)
		VIOLATION("end %c sent a segment of header length %u, encoded %u",
			  'A' + n->end, s->hdr_len, hl);
	if (etp_wire_decode(buf, hl, &d) != ETP_WIRE_OK ||
	    d.seq != s->seq || d.ack != s->ack || d.flags != s->flags ||
	    d.window != s->window || d.mss != s->mss ||
	    d.ws_present != s->ws_present || d.wscale != s->wscale)
		VIOLATION("end %c sent flags 0x%x seq %u: the decoder does not take it back",
			  'A' + n->end, s->flags, s->seq);
	if (s->payload_len &&
	    (s->flags & (ETP_FLAG_SYN | ETP_FLAG_RST)))
		VIOLATION("end %c sent %u octets on a SYN or RST", 'A' + n->end,
			  s->payload_len);
	if (w->e[n->end].live && s->payload_len >
	    etp_fsm_smss(&w->e[n->end].c.t))
		VIOLATION("end %c sent %u octets, its SMSS is %u",
			  'A' + n->end, s->payload_len,
			  etp_fsm_smss(&w->e[n->end].c.t));
}

static const struct w_observer OBS = { .note = check_sent, .ctx = &FZ.w };

/* What must hold of a live connection between any two events. */
static void check_conn(int end, const struct w_conn *c)
{
	const struct etp_tcb *t = &c->t;
	const struct etp_stream *st = c->st;
	u32 i;

	if (t->state < ETP_STATE_SYN_SENT || t->state >= __ETP_STATE_MAX)
		VIOLATION("end %c: a connection in state %d", 'A' + end,
			  t->state);
	if (!seq_le(t->snd_una, t->snd_nxt) || !seq_le(t->snd_nxt, t->snd_max))
		VIOLATION("end %c: SND.UNA %u SND.NXT %u SND.MAX %u out of order",
			  'A' + end, t->snd_una, t->snd_nxt, t->snd_max);
	if (!seq_le(t->snd_max, t->write_seq + t->fin_queued))
		VIOLATION("end %c: sent up to %u, written up to %u",
			  'A' + end, t->snd_max, t->write_seq);
	if (!st)
		return;
	if (t->write_seq - st->sq_head > t->sndbuf)
		VIOLATION("end %c: %u octets queued to send, sndbuf %u",
			  'A' + end, t->write_seq - st->sq_head, t->sndbuf);
	if (t->state < ETP_STATE_SYN_RCVD)
		return;
	/* What the peer may send, read or not, fits the receive queue. */
	if (t->rcv_nxt - !!t->fin_rcvd + t->rcv_wnd - st->read_seq >
	    t->rcvbuf)
		VIOLATION("end %c: window edge %u octets past the reader, rcvbuf %u",
			  'A' + end,
			  t->rcv_nxt - !!t->fin_rcvd + t->rcv_wnd - st->read_seq,
			  t->rcvbuf);
	if (st->nooo > ETP_OOO_MAX)
		VIOLATION("end %c: %u out-of-order pieces", 'A' + end,
			  st->nooo);
	for (i = 0; i < st->nooo; i++) {
		const struct etp_range *r = &st->ooo[i];

		if (!etp_after(r->end, r->start) ||
		    !etp_after(r->start, i ? st->ooo[i - 1].end : t->rcv_nxt) ||
		    r->end - st->read_seq > t->rcvbuf)
			VIOLATION("end %c: out-of-order piece %u [%u, %u) after RCV.NXT %u",
				  'A' + end, i, r->start, r->end, t->rcv_nxt);
	}
}

static void check(struct fz *f, const char *what)
{
	int p;

	for (p = 0; p < P_MAX; p++)
		if (f->res.violated & (1u << p))
			VIOLATION("%s: %s: %s", what, w_prop_names[p],
				  f->res.why[p]);
	for (p = 0; p < 2; p++)
		if (f->w.e[p].live)
			check_conn(p, &f->w.e[p].c);
}

static void trace(const struct fz *f, const struct w_event *ev)
{
	char name[80];

	if (!f->trace)
		return;
	w_event_name(ev, name, sizeof(name));
	if (ev->kind == W_DELIVER || ev->kind == W_LOSE || ev->kind == W_DUP) {
		fprintf(stderr, "%s: ", name);
		w_seg_name(&f->w.bag[ev->arg].s, name, sizeof(name));
	} else if (ev->kind == W_WRITE || ev->kind == W_READ ||
		   ev->kind == W_WAIT || ev->kind == W_ICMP) {
		snprintf(name + strlen(name), sizeof(name) - strlen(name),
			 " %u", ev->arg);
	}
	fprintf(stderr, "%s\n", name);
}

/* A segment to end `to`, its numbers relative to that end's tcb. */
static void inject(struct fz *f, int to, const struct fz_seg *z)
{
	const struct etp_tcb *t = &f->w.e[to].c.t;
	struct etp_seg s = {
		.sport = to == W_A ? 7 : 4000, .dport = to == W_A ? 4000 : 7,
		.flags = z->flags & ETP_FLAGS_KNOWN, .version = ETP_VERSION,
		.window = (u16)(z->window[0] << 8 | z->window[1]),
	};
	u8 buf[ETP_HDR_MAX + FZ_PAYLOAD_MAX];
	u32 seq = (u32)(int16_t)(z->seq[0] << 8 | z->seq[1]);
	u32 ack = (u32)(int16_t)(z->ack[0] << 8 | z->ack[1]);
	u32 n, len = (u32)z->len << FZ_SCALE_LEN(z->scale);
	struct etp_seg d;

	seq = (seq << fz_shift(FZ_SCALE_SEQ(z->scale))) + t->rcv_nxt;
	if (z->scale & FZ_SCALE_SEQ_EDGE)
		seq += t->rcv_wnd;
	ack = (ack << fz_shift(FZ_SCALE_ACK(z->scale))) +
	      (z->scale & FZ_SCALE_ACK_MAX ? t->snd_max : t->snd_una);
	s.seq = seq;
	s.ack = ack;
	if (z->opts & FZ_OPT_MSS)
		s.mss = (z->mss + 1) * (z->opts & FZ_OPT_MSS_BIG ? 64 : 1);
	s.ws_present = !!(z->opts & FZ_OPT_WS);
	s.wscale = s.ws_present ? FZ_OPT_WS_SHIFT(z->opts) : 0;
	n = etp_wire_encode(&s, buf, sizeof(buf));
	/* Encoded as it is: a shift of 15 is the decoder's to clamp. */
	memset(buf + n, 0, len);	/* the payload is w_pattern()'s */
	if (etp_wire_decode(buf, n + len, &d) != ETP_WIRE_OK)
		return;
	if (f->trace) {
		char name[80];

		w_seg_name(&d, name, sizeof(name));
		fprintf(stderr, "inject %s to %c (%s)\n", name, 'A' + to,
			etp_state_name(f->w.e[to].live ? t->state :
				       f->w.e[to].listening ?
				       ETP_STATE_LISTEN : ETP_STATE_CLOSED));
	}
	w_inject(&f->w, &f->cfg, to, &d, &OBS, &f->res);
	check(f, "an injected segment");
}

/* An op of 0x80-0xbf (fsm_ops.h), where it makes sense now. */
static void special(struct fz *f, u8 op, u8 arg)
{
	int end = op >> 2 & 1;
	const struct w_conn *c = &f->w.e[end].c;
	struct w_event ev = { .end = end, .arg = arg };

	switch (op & 3) {
	case FZ_WRITE:
		if (!f->w.e[end].live || !etp_fsm_may_write(&c->t) || !arg)
			return;
		ev.kind = W_WRITE;
		break;
	case FZ_READ:
		if (!f->w.e[end].live || !arg)
			return;
		ev.kind = W_READ;
		break;
	case FZ_WAIT:
		ev.kind = W_WAIT;
		break;
	default:
		if (!f->w.e[end].live)
			return;
		ev.kind = W_ICMP;
		break;
	}
	trace(f, &ev);
	w_step(&f->w, &f->cfg, &ev, &OBS, &f->res);
	check(f, "a fuzzer's event");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct w_event evs[W_EVENTS_MAX];
	struct fz *f = &FZ;
	size_t i = FZ_CONFIG_LEN;
	int steps = 0, n;

	if (size < FZ_CONFIG_LEN)
		return 0;
	f->trace = getenv("FSM_FUZZ_TRACE");
	fz_config(&f->cfg, data);
	w_init(&f->w, &f->cfg);
	while (i < size && steps++ < FZ_STEPS_MAX) {
		u8 b = data[i++];

		if (b >= FZ_INJECT) {
			struct fz_seg z = { 0 };

			memcpy(&z, data + i, size - i < FZ_SEG_LEN ?
			       size - i : FZ_SEG_LEN);
			i += size - i < FZ_SEG_LEN ? size - i : FZ_SEG_LEN;
			inject(f, b & 1, &z);
		} else if (b >= FZ_SPECIAL) {
			special(f, b, i < size ? data[i] : 0);
			i++;
		} else {
			n = w_enabled(&f->w, &f->cfg, evs);
			if (!n)
				continue;
			trace(f, &evs[b % n]);
			w_step(&f->w, &f->cfg, &evs[b % n], &OBS, &f->res);
			check(f, "an event");
		}
	}
	w_free(&f->w);
	return 0;
}
