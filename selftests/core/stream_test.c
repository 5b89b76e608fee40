// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of module/core/stream.c: the chunked queues across the wrap
 * of sequence space, chunks taken and given back, and reassembly of random
 * overlapping pieces against a reference that is a plain array.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "env.h"
#include "seq.h"
#include "stream.h"

#pragma GCC diagnostic ignored "-Wsign-compare"

static u32 rnd_state = 1;

static u32 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static struct etp_stream *new_stream(u32 sndbuf, u32 rcvbuf, u32 sseq,
				     u32 rseq)
{
	struct etp_stream *st = calloc(1, etp_stream_size(sndbuf, rcvbuf));

	etp_stream_init(st, NULL, sndbuf, rcvbuf, sseq, rseq);
	return st;
}

static void free_stream(struct etp_stream *st)
{
	etp_stream_release(st);
	free(st);
}

/* Writes and reads through many laps of the ring and the 2^32 wrap. */
TEST(queue_laps_and_wrap)
{
	u32 head = 0xfffff000, tail = head, k, n;
	struct etp_stream *st = new_stream(20000, 4096, head, 0);
	u8 in[7000], out[7000];

	for (k = 0; k < 2000; k++) {
		n = rnd() % sizeof(in) + 1;
		if (tail - head + n <= 20000) {
			u32 i;

			for (i = 0; i < n; i++)
				in[i] = (u8)(tail + i);
			ASSERT_EQ(n, etp_bufq_write_buf(&st->sq, tail, in, n));
			tail += n;
		}
		n = rnd() % (tail - head + 1);
		if (n > sizeof(out))
			n = sizeof(out);
		if (n) {
			u32 i;

			etp_bufq_read(&st->sq, head, out, n);
			for (i = 0; i < n; i++)
				ASSERT_EQ((u8)(head + i), out[i]);
			etp_bufq_release(&st->sq, head, head + n);
			head += n;
		}
		/* At most what is held, plus the chunk head and tail share. */
		ASSERT_LE(env_chunks,
			  (long)((tail - head) / ETP_CHUNK_SIZE + 2));
	}
	ASSERT_TRUE(etp_before(0xfffff000, head) || head < 0x1000000);
	etp_bufq_release(&st->sq, head, tail);
	etp_bufq_drop_head(&st->sq, tail);
	ASSERT_EQ(0, env_chunks);
	free_stream(st);
}

/*
 * A segment lends the queue's chunks rather than copying them: what
 * etp_bufq_peek() points at is the queued data, in pieces that end at a
 * chunk's end, and it stays as it is while later writes fill the queue to
 * its size, through laps of the ring.
 */
TEST(peek_lends_what_writes_leave_alone)
{
	u32 head = 0xffff0000, tail = head, k, n, i;
	struct etp_stream *st = new_stream(4 * ETP_CHUNK_SIZE, 4096, head, 0);
	u8 in[5000];

	for (k = 0; k < 3000; k++) {
		const u8 *p[8];
		u32 len[8], seq = head, np = 0;

		/* Lend all that is queued, a chunk's piece at a time. */
		while (seq != tail && np < 8) {
			len[np] = tail - seq;
			p[np] = etp_bufq_peek(&st->sq, seq, &len[np]);
			ASSERT_GE(len[np], 1);
			ASSERT_LE(len[np], ETP_CHUNK_SIZE);
			for (i = 0; i < len[np]; i++)
				ASSERT_EQ((u8)(seq + i), p[np][i]);
			seq += len[np++];
		}
		/* Fill the queue up to its size. */
		n = 4 * ETP_CHUNK_SIZE - (tail - head);
		if (n > sizeof(in))
			n = sizeof(in);
		for (i = 0; i < n; i++)
			in[i] = (u8)(tail + i);
		ASSERT_EQ(n, etp_bufq_write_buf(&st->sq, tail, in, n));
		tail += n;
		/* What was lent is unchanged. */
		for (seq = head, i = 0; i < np; seq += len[i++]) {
			u32 j;

			for (j = 0; j < len[i]; j++)
				ASSERT_EQ((u8)(seq + j), p[i][j]);
		}
		n = rnd() % (tail - head + 1);
		etp_bufq_release(&st->sq, head, head + n);
		head += n;
	}
	free_stream(st);
}

/* What read_to's sink was given: the pieces, in order. */
struct pieces {
	u8 bytes[4 * ETP_CHUNK_SIZE];
	u32 len, n;
	u32 pos;		/* ring position of the next octet */
	bool crossed;		/* a piece ran past its chunk's end */
};

static void pieces_take(void *ctx, const u8 *src, u32 len)
{
	struct pieces *p = ctx;

	if ((p->pos + p->len) % ETP_CHUNK_SIZE + len > ETP_CHUNK_SIZE)
		p->crossed = true;
	memcpy(p->bytes + p->len, src, len);
	p->len += len;
	p->n++;
}

/*
 * Reading to a sink (the kernel's RECV lends the pieces) hands over the
 * same octets as a copy, one piece per chunk they lie in, none crossing a
 * chunk's end, from anywhere in the ring.
 */
TEST(read_to_hands_over_chunk_pieces)
{
	u32 head = 0xfffff000 - 3, k, n, i;
	struct etp_stream *st = new_stream(4096, 3 * ETP_CHUNK_SIZE, 0, head);
	u8 in[3 * ETP_CHUNK_SIZE];

	for (k = 0; k < 2000; k++) {
		struct pieces p = { .pos = head - st->rq.origin };
		const struct etp_sink out = { .take = pieces_take, .ctx = &p };

		n = 1 + rnd() % sizeof(in);
		for (i = 0; i < n; i++)
			in[i] = (u8)(head + i);
		ASSERT_EQ(n, etp_bufq_write_buf(&st->rq, head, in, n));
		etp_bufq_read_to(&st->rq, head, n, &out);
		ASSERT_EQ(n, p.len);
		ASSERT_FALSE(p.crossed);
		ASSERT_EQ(p.n, (p.pos % ETP_CHUNK_SIZE + n + ETP_CHUNK_SIZE - 1) /
			       ETP_CHUNK_SIZE);
		ASSERT_EQ(0, memcmp(in, p.bytes, n));
		etp_bufq_release(&st->rq, head, head + n);
		head += n;
	}
	free_stream(st);
}

/*
 * A payload that lends every other whole chunk (as the kernel's receive
 * path lends a segment's page fragments), the rest to be copied; each
 * octet is the low byte of its sequence number plus salt.
 */
struct lender {
	u32 seq;		/* the payload's first octet */
	u8 salt;
	u32 lends;		/* lend() calls */
	u8 *lent[8];		/* what it lent, in order */
	u32 nlent;
};

static void lender_copy(const void *src, u32 off, void *dst, u32 len)
{
	const struct lender *l = src;
	u8 *d = dst;
	u32 i;

	for (i = 0; i < len; i++)
		d[i] = (u8)(l->seq + off + i + l->salt);
}

static void *lender_lend(const void *src, u32 off, void *owner)
{
	struct lender *l = (struct lender *)src;
	u8 *c;

	l->lends++;
	if ((off / ETP_CHUNK_SIZE) % 2 || l->nlent == 8)
		return NULL;
	c = etp_chunk_alloc(owner);
	lender_copy(l, off, c, ETP_CHUNK_SIZE);
	l->lent[l->nlent++] = c;
	return c;
}

/*
 * Whole chunks a payload lends are kept as they are, the rest copied;
 * nothing ever writes a lent chunk again, not even a later segment that
 * says something else about the same octets.
 */
TEST(lent_chunks_are_kept_and_never_written)
{
	u32 origin = 0xfffff000, i, n = 3 * ETP_CHUNK_SIZE + 100;
	struct etp_stream *st = new_stream(4096, 8 * ETP_CHUNK_SIZE, 0, origin);
	struct lender l = { .seq = origin };
	struct etp_data d = { .copy = lender_copy, .lend = lender_lend,
			      .src = &l };
	u8 out[4 * ETP_CHUNK_SIZE];

	/* Chunks 0 and 2 lent, 1 and the start of 3 copied. */
	ASSERT_EQ(n, etp_bufq_write(&st->rq, origin, &d, 0, n));
	ASSERT_EQ(3, l.lends);
	ASSERT_EQ(2, l.nlent);
	i = ETP_CHUNK_SIZE;
	ASSERT_EQ(l.lent[0], etp_bufq_peek(&st->rq, origin, &i));
	ASSERT_EQ(l.lent[1], etp_bufq_peek(&st->rq, origin + 2 * i, &i));
	etp_bufq_read(&st->rq, origin, out, n);
	for (i = 0; i < n; i++)
		ASSERT_EQ((u8)(origin + i), out[i]);

	/* The same octets again, different: only the copied chunks change. */
	l.salt = 1;
	ASSERT_EQ(n, etp_bufq_write(&st->rq, origin, &d, 0, n));
	ASSERT_EQ(2, l.nlent);
	etp_bufq_read(&st->rq, origin, out, n);
	for (i = 0; i < n; i++)
		ASSERT_EQ((u8)(origin + i + ((i / ETP_CHUNK_SIZE) % 2)), out[i]);

	/* Not on a chunk's start: nothing is asked for, all is copied. */
	l.seq = origin + n + 1;
	l.lends = 0;
	ASSERT_EQ(ETP_CHUNK_SIZE,
		  etp_bufq_write(&st->rq, l.seq, &d, 0, ETP_CHUNK_SIZE));
	ASSERT_EQ(0, l.lends);

	/* Lent chunks go back as any other. */
	etp_bufq_release(&st->rq, origin, origin + 3 * ETP_CHUNK_SIZE);
	ASSERT_EQ(2, env_chunks);
	free_stream(st);
	ASSERT_EQ(0, env_chunks);
}

/* No memory: a write stores what it could, and says so. */
TEST(queue_out_of_chunks)
{
	struct etp_stream *st = new_stream(65536, 4096, 0, 0);
	u8 buf[3 * ETP_CHUNK_SIZE] = { 0 };

	env_chunk_budget = 2;
	ASSERT_EQ(2 * ETP_CHUNK_SIZE,
		  etp_bufq_write_buf(&st->sq, 0, buf, sizeof(buf)));
	env_chunk_budget = -1;
	free_stream(st);
	ASSERT_EQ(0, env_chunks);
}

/*
 * Reassembly: pieces of a stream arrive at random, overlapping,
 * duplicated; what is in order advances RCV.NXT over the held pieces, and
 * what was held is what was sent, octet for octet.
 */
TEST(reassembly_against_a_reference)
{
	enum { LEN = 60000, WIN = 16384 };
	static u8 sent[LEN], got[LEN];
	u32 base = 0xffffc000, rcv_nxt, read = 0, round;

	for (round = 0; round < 20; round++) {
		struct etp_stream *st = new_stream(4096, WIN, 0, base);
		u32 i, guard = 0;

		for (i = 0; i < LEN; i++)
			sent[i] = (u8)rnd();
		rcv_nxt = base;
		read = 0;
		while (rcv_nxt - base < LEN && guard++ < 1000000) {
			/* A piece somewhere in [RCV.NXT - 100, read + WIN). */
			u32 lim = read + WIN < LEN ? read + WIN : LEN;
			u32 lo = rcv_nxt - base > 100 ? rcv_nxt - base - 100 :
							0;
			u32 from = lo + rnd() % (lim - lo);
			u32 len = 1 + rnd() % 3000, to;

			to = from + len < lim ? from + len : lim;
			if (from < rcv_nxt - base)
				from = rcv_nxt - base;
			if (to <= from)
				continue;
			ASSERT_EQ(to - from,
				  etp_bufq_write_buf(&st->rq, base + from,
						     sent + from, to - from));
			if (base + from == rcv_nxt)
				rcv_nxt = etp_ooo_advance(st, base + to);
			else if (!etp_ooo_add(st, base + from, base + to))
				continue;	/* too many pieces: dropped */
			ASSERT_LE(st->nooo, ETP_OOO_MAX);
			for (i = 1; i < st->nooo; i++)
				ASSERT_TRUE(etp_before(st->ooo[i - 1].end,
						       st->ooo[i].start));
			/* Read some of what is in order. */
			i = rnd() % (rcv_nxt - base - read + 1);
			etp_bufq_read(&st->rq, base + read, got + read, i);
			etp_bufq_release(&st->rq, base + read, base + read + i);
			read += i;
		}
		ASSERT_EQ(LEN, rcv_nxt - base);
		etp_bufq_read(&st->rq, base + read, got + read, LEN - read);
		ASSERT_EQ(0, memcmp(sent, got, LEN));
		ASSERT_EQ(0u, etp_ooo_bytes(st));
		free_stream(st);
		ASSERT_EQ(0, env_chunks);
		base += 0x12345;
	}
}

TEST(ooo_merges_and_limits)
{
	struct etp_stream *st = new_stream(4096, 4096, 0, 0);
	u32 i;

	ASSERT_TRUE(etp_ooo_add(st, 100, 200));
	ASSERT_TRUE(etp_ooo_add(st, 300, 400));
	ASSERT_TRUE(etp_ooo_add(st, 200, 300));		/* joins both */
	ASSERT_EQ(1u, st->nooo);
	ASSERT_EQ(100u, st->ooo[0].start);
	ASSERT_EQ(400u, st->ooo[0].end);
	ASSERT_TRUE(etp_ooo_add(st, 50, 450));		/* covers it */
	ASSERT_EQ(1u, st->nooo);
	ASSERT_EQ(400u, etp_ooo_bytes(st));
	for (i = 1; i < ETP_OOO_MAX; i++)
		ASSERT_TRUE(etp_ooo_add(st, 1000 * i, 1000 * i + 10));
	ASSERT_FALSE(etp_ooo_add(st, 900000, 900010));	/* one too many */
	ASSERT_TRUE(etp_ooo_add(st, 1005, 1020));	/* a merge is fine */
	ASSERT_EQ(450u, etp_ooo_advance(st, 50));
	ASSERT_EQ((u32)ETP_OOO_MAX - 1, st->nooo);
	free_stream(st);
}

TEST_HARNESS_MAIN
