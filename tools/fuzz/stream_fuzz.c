// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: module/core/stream.c, the byte queues and the
 * out-of-order bookkeeping, against plain references. The input picks a
 * queue size and a starting sequence number (near the wrap or not), then
 * ops: octets written anywhere within the queue's reach (appended, or
 * ahead as out-of-order data is; memory may run out on the way; whole
 * chunks lent by the payload, kept and never written again), read
 * back, consumed from the head; pieces held out of order added and
 * RCV.NXT moved over them. After every op the queue must read back what
 * the reference holds, hold no more chunks than its ring, a short write
 * must stop where a chunk was missing, and the pieces must be exactly
 * the runs of the reference's bitmap (sorted, disjoint, never touching;
 * an add that would make more than ETP_OOO_MAX refused and changing
 * nothing). An emptied queue must hold no chunk at all, a released
 * stream none either.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seq.h"
#include "stream.h"

#define CHECK(c)							\
	do {								\
		if (!(c)) {						\
			fprintf(stderr, "stream_fuzz: line %d: %s\n",	\
				__LINE__, #c);				\
			abort();					\
		}							\
	} while (0)

#define REF	32768u		/* > the largest queue, a power of 2 */
#define WIN	2048u		/* out-of-order bitmap, from RCV.NXT on */
#define LEN	4097u		/* lengths: 0 to a chunk, within the queue */

static long chunks_out;
static int chunks_left = -1;	/* allocations that succeed; -1: all */

void *etp_chunk_alloc(void *owner)
{
	if (!chunks_left)
		return NULL;
	if (chunks_left > 0)
		chunks_left--;
	chunks_out++;
	/* Aligned, so a chunk is known by any address peek gives in it. */
	return aligned_alloc(ETP_CHUNK_SIZE, ETP_CHUNK_SIZE);
}

/* Chunks a write's payload lent the queue (etp_data.lend), still held. */
static void *lent[64];
static int nlent;

static int lent_find(void *const *set, int n, const void *chunk)
{
	int i;

	for (i = 0; i < n; i++)
		if (set[i] == chunk)
			return i;
	return -1;
}

void etp_chunk_free(void *owner, void *chunk)
{
	int i = lent_find(lent, nlent, chunk);

	if (i >= 0)
		lent[i] = lent[--nlent];
	chunks_out--;
	free(chunk);
}

/* The reference of the queue: octets by sequence number, and which. */
static u8 ref[REF];
static bool valid[REF];
/* The reference of the pieces: held[i] is RCV.NXT + i; none from hi on. */
static bool held[WIN];
static u32 hi;

struct in {
	const u8 *p;
	size_t left;
};

static u32 take(struct in *in, int bytes)
{
	u32 v = 0;

	while (bytes--) {
		v = v << 8 | (in->left ? *in->p : 0);
		if (in->left) {
			in->p++;
			in->left--;
		}
	}
	return v;
}

/* Maximal runs of held[], as etp_ooo_add() keeps them. */
static u32 runs(u32 nxt, struct etp_range *r, u32 max)
{
	u32 i = 0, n = 0;

	while (i < hi) {
		u32 s;

		if (!held[i++])
			continue;
		s = i - 1;
		while (i < hi && held[i])
			i++;
		if (n < max) {
			r[n].start = nxt + s;
			r[n].end = nxt + i;
		}
		n++;
	}
	return n;
}

static void check_ooo(const struct etp_stream *st, u32 nxt)
{
	struct etp_range r[ETP_OOO_MAX];
	u32 n = runs(nxt, r, ETP_OOO_MAX);

	CHECK(n == st->nooo);
	CHECK(!memcmp(r, st->ooo, n * sizeof(r[0])));
}

static void ooo_add(struct etp_stream *st, u32 nxt, u32 off, u32 len,
		    bool small)
{
	bool save[WIN];
	u32 i, old_hi = hi;

	off = 1 + off % (WIN - 1);
	len = 1 + len % (small ? 16 : WIN - off);
	len = len > WIN - off ? WIN - off : len;
	memcpy(save, held, hi);
	for (i = off; i < off + len; i++)
		held[i] = true;
	if (off + len > hi)
		hi = off + len;
	if (runs(nxt, NULL, 0) > ETP_OOO_MAX) {
		memset(held + old_hi, 0, hi - old_hi);
		memcpy(held, save, old_hi);
		hi = old_hi;
		CHECK(!etp_ooo_add(st, nxt + off, nxt + off + len));
	} else {
		CHECK(etp_ooo_add(st, nxt + off, nxt + off + len));
	}
	check_ooo(st, nxt);
}

/* In-order data up to nxt + by: RCV.NXT moves over what joins it. */
static u32 ooo_advance(struct etp_stream *st, u32 nxt, u32 by)
{
	u32 n = by % WIN;

	while (n < hi && held[n])
		n++;
	if (n < hi) {
		memmove(held, held + n, hi - n);
		memset(held + hi - n, 0, n);
		hi -= n;
	} else {
		memset(held, 0, hi);
		hi = 0;
	}
	CHECK(etp_ooo_advance(st, nxt + by % WIN) == nxt + n);
	check_ooo(st, nxt + n);
	return nxt + n;
}

static void check_chunks(const struct etp_bufq *q)
{
	long in_ring = 0;
	u32 i;

	for (i = 0; i < q->nchunks; i++)
		in_ring += !!q->chunks[i];
	CHECK(in_ring == chunks_out);
}

/*
 * A write's payload, which lends whole chunks if op & 4: every one if op
 * & 0x40, else those at even chunk offsets of the payload.
 */
struct payload {
	const u8 *buf;
	u8 op;
};

static void payload_copy(const void *src, u32 off, void *dst, u32 len)
{
	memcpy(dst, ((const struct payload *)src)->buf + off, len);
}

static void *payload_lend(const void *src, u32 off, void *owner)
{
	const struct payload *pl = src;
	u8 *c;

	if (!(pl->op & 4) || (!(pl->op & 0x40) && off / ETP_CHUNK_SIZE % 2))
		return NULL;
	c = etp_chunk_alloc(owner);
	if (c) {
		memcpy(c, pl->buf + off, ETP_CHUNK_SIZE);
		CHECK(nlent < (int)(sizeof(lent) / sizeof(lent[0])));
		lent[nlent++] = c;
	}
	return c;
}

/* Was the octet at seq in a chunk of set (before this write)? */
static bool in_lent(const struct etp_bufq *q, u32 seq, void *const *set,
		    int n)
{
	u32 one = 1;
	const u8 *p;

	if (!q->chunks[((seq - q->origin) & (etp_bufq_size(q) - 1)) >>
		       ETP_CHUNK_SHIFT])
		return false;
	p = etp_bufq_peek(q, seq, &one);
	return lent_find(set, n, (const void *)((uintptr_t)p &
				 ~(uintptr_t)(ETP_CHUNK_SIZE - 1))) >= 0;
}

/*
 * Write [head + off, ... + len) within the queue: the new end. Octets in a
 * chunk lent before stay what they were: a lent chunk is never written.
 */
static u32 write_op(struct etp_bufq *q, u32 head, u32 end, u32 cap, u8 op,
		    u32 off, u32 len)
{
	u8 buf[REF];
	const struct payload pl = { .buf = buf, .op = op };
	const struct etp_data d = {
		.copy = payload_copy, .lend = payload_lend, .src = &pl,
	};
	void *before[64];
	int nbefore = nlent;
	u32 i;
	u32 n;

	memcpy(before, lent, sizeof(lent));
	len = len > cap - off ? cap - off : len;
	for (i = 0; i < len; i++)
		buf[i] = (u8)(op * 31 + i * 7 + (i >> 8));
	/* Memory runs out after (op >> 4) & 3 new chunks, if op & 8. */
	chunks_left = op & 8 ? op >> 4 & 3 : -1;
	n = etp_bufq_write(q, head + off, &d, 0, len);
	chunks_left = -1;
	/* Short only where a chunk could not be had: the octets before. */
	CHECK(n == len || (n < len && (op & 8) &&
			   !q->chunks[((head + off + n - q->origin) &
				       (etp_bufq_size(q) - 1)) >>
				      ETP_CHUNK_SHIFT]));
	len = n;
	for (i = 0; i < len; i++) {
		if (in_lent(q, head + off + i, before, nbefore))
			continue;
		ref[(head + off + i) % REF] = buf[i];
		valid[(head + off + i) % REF] = true;
	}
	return etp_after(head + off + len, end) ? head + off + len : end;
}

/* Read a run of written octets back. */
static void read_op(const struct etp_bufq *q, u32 head, u32 cap, u32 off,
		    u32 len)
{
	u8 buf[REF];
	u32 i;

	while (off < cap && !valid[(head + off) % REF])
		off++;
	for (i = 0; off + i < cap && i < len &&
	     valid[(head + off + i) % REF]; i++)
		;
	len = i;
	etp_bufq_read(q, head + off, buf, len);
	for (i = 0; i < len; i++)
		CHECK(buf[i] == ref[(head + off + i) % REF]);
}

/* The reader consumes len octets: the new head. */
static u32 consume_op(struct etp_bufq *q, u32 head, u32 *end, u32 len)
{
	u32 i;

	etp_bufq_release(q, head, head + len);
	for (i = 0; i < len; i++)
		valid[(head + i) % REF] = false;
	head += len;
	if (etp_after(head, *end))
		*end = head;
	if (head == *end)
		etp_bufq_drop_head(q, head);
	return head;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u32 caps[4] = { 256, 4096, 5000, 20000 };
	struct in in = { data, size };
	u8 first = take(&in, 1);
	u32 cap = caps[first & 3];
	u32 head = take(&in, 4), nxt = head, end = head;
	struct etp_stream *st;
	struct etp_bufq *q;
	int steps = 0;

	st = calloc(1, etp_stream_size(cap, cap));
	etp_stream_init(st, NULL, cap, cap, head, nxt);
	q = &st->rq;
	memset(valid, 0, sizeof(valid));
	memset(held, 0, sizeof(held));
	hi = 0;
	while (in.left && steps++ < 300) {
		u8 op = take(&in, 1);
		u32 off = take(&in, 2) % cap;
		u32 len = take(&in, 2) % (cap < LEN ? cap + 1 : LEN);

		switch (op & 3) {
		case 0:
			end = write_op(q, head, end, cap, op, off, len);
			break;
		case 1:
			read_op(q, head, cap, off, len);
			break;
		case 2:
			head = consume_op(q, head, &end, len);
			break;
		default:	/* out of order: a piece, or RCV.NXT moves */
			if (op & 4)
				ooo_add(st, nxt, off, len, op & 8);
			else
				nxt = ooo_advance(st, nxt, len);
			break;
		}
		check_chunks(q);
		CHECK(chunks_out <= q->nchunks);
	}
	/*
	 * Consumed to the end, an idle queue holds no chunk; or the stream
	 * goes as it is (a connection ending), and gives every chunk back.
	 */
	if (!(first & 0x80)) {
		etp_bufq_release(q, head, end);
		etp_bufq_drop_head(q, end);
		CHECK(chunks_out == 0);
	}
	etp_stream_release(st);
	CHECK(chunks_out == 0);
	free(st);
	return 0;
}
