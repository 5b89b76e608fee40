// SPDX-License-Identifier: GPL-2.0
/*
 * Byte queues in chunks (stream.h). A sequence number seq lives at ring
 * position (seq - origin) mod size: the ring's size is a power of two, so
 * the position survives the wrap of sequence space. The ring is at least
 * one chunk larger than the queue may hold, so no chunk ever holds octets
 * of two laps: when the last octet a chunk can hold is consumed, the chunk
 * is empty and goes back.
 */
#include "seq.h"
#include "stream.h"

static_assert(ETP_CHUNK_SIZE == 1u << ETP_CHUNK_SHIFT, "chunk size");

/*
 * Bit 0 of a slot: the chunk was lent by a segment's payload (etp_data),
 * came full and must not be written: its page may be read elsewhere.
 */
#define ETP_CHUNK_LENT		1ul

static u8 *etp_chunk_at(const u8 *slot)
{
	return (u8 *)((unsigned long)slot & ~ETP_CHUNK_LENT);
}

static bool etp_chunk_lent(const u8 *slot)
{
	return (unsigned long)slot & ETP_CHUNK_LENT;
}

/* Give back the chunk in *slot, if any. */
static void etp_bufq_put(struct etp_bufq *q, u8 **slot)
{
	if (*slot)
		etp_chunk_free(q->owner, etp_chunk_at(*slot));
	*slot = NULL;
}

static u32 etp_chunks_for(u32 bytes)
{
	u32 n = 1;

	while ((n << ETP_CHUNK_SHIFT) < bytes && n < (1u << 20))
		n <<= 1;
	return n;
}

static u32 etp_ring_chunks(u32 bytes)
{
	return etp_chunks_for(bytes + ETP_CHUNK_SIZE);
}

u32 etp_stream_size(u32 sndbuf, u32 rcvbuf)
{
	return sizeof(struct etp_stream) +
	       (etp_ring_chunks(sndbuf) + etp_ring_chunks(rcvbuf)) *
	       sizeof(u8 *);
}

/* st is zeroed, etp_stream_size() octets long. */
void etp_stream_init(struct etp_stream *st, void *owner, u32 sndbuf,
		     u32 rcvbuf, u32 snd_seq, u32 rcv_seq)
{
	st->sq.owner = owner;
	st->rq.owner = owner;
	st->sq.nchunks = etp_ring_chunks(sndbuf);
	st->sq.chunks = st->chunk_ptrs;
	st->sq.origin = snd_seq;
	st->rq.nchunks = etp_ring_chunks(rcvbuf);
	st->rq.chunks = st->chunk_ptrs + st->sq.nchunks;
	st->rq.origin = rcv_seq;
	st->sq_head = snd_seq;
	st->read_seq = rcv_seq;
	st->bytes_acked = 0;
	st->bytes_received = 0;
}

static void etp_bufq_free_all(struct etp_bufq *q)
{
	u32 i;

	for (i = 0; i < q->nchunks; i++)
		etp_bufq_put(q, &q->chunks[i]);
}

void etp_stream_release(struct etp_stream *st)
{
	etp_bufq_free_all(&st->sq);
	etp_bufq_free_all(&st->rq);
	st->nooo = 0;
}

/* Ring position of seq, and the octets left in its chunk from there. */
static u32 etp_bufq_pos(const struct etp_bufq *q, u32 seq, u32 *room)
{
	u32 pos = (seq - q->origin) & (etp_bufq_size(q) - 1);

	*room = ETP_CHUNK_SIZE - (pos & (ETP_CHUNK_SIZE - 1));
	return pos;
}

/*
 * An empty slot about to take a whole chunk's octets, at payload offset
 * off: filled with the payload's own chunk if d lends one.
 */
static void etp_bufq_borrow(struct etp_bufq *q, u8 **slot,
			    const struct etp_data *d, u32 off)
{
	u8 *c = d->lend ? d->lend(d->src, off, q->owner) : NULL;

	if (c)
		*slot = (u8 *)((unsigned long)c | ETP_CHUNK_LENT);
}

u32 etp_bufq_write(struct etp_bufq *q, u32 seq, const struct etp_data *d,
		   u32 off, u32 len)
{
	u32 done = 0;

	while (done < len) {
		u32 room, pos = etp_bufq_pos(q, seq + done, &room);
		u32 n = len - done < room ? len - done : room;
		u8 **slot = &q->chunks[pos >> ETP_CHUNK_SHIFT];

		if (!*slot && n == ETP_CHUNK_SIZE)
			etp_bufq_borrow(q, slot, d, off + done);
		if (!*slot)
			*slot = etp_chunk_alloc(q->owner);
		if (!*slot)
			break;
		if (!etp_chunk_lent(*slot))
			d->copy(d->src, off + done,
				*slot + (pos & (ETP_CHUNK_SIZE - 1)), n);
		done += n;
	}
	return done;
}

static void etp_copy_buf(const void *src, u32 off, void *dst, u32 len)
{
	memcpy(dst, (const u8 *)src + off, len);
}

u32 etp_bufq_write_buf(struct etp_bufq *q, u32 seq, const void *buf,
		       u32 len)
{
	const struct etp_data d = { .copy = etp_copy_buf, .src = buf };

	return etp_bufq_write(q, seq, &d, 0, len);
}

const u8 *etp_bufq_peek(const struct etp_bufq *q, u32 seq, u32 *len)
{
	u32 room, pos = etp_bufq_pos(q, seq, &room);

	if (*len > room)
		*len = room;
	return etp_chunk_at(q->chunks[pos >> ETP_CHUNK_SHIFT]) +
	       (pos & (ETP_CHUNK_SIZE - 1));
}

void etp_bufq_read_to(const struct etp_bufq *q, u32 seq, u32 len,
		      const struct etp_sink *out)
{
	const u8 *src;
	u32 done, n;

	for (done = 0; done < len; done += n) {
		n = len - done;
		src = etp_bufq_peek(q, seq + done, &n);
		out->take(out->ctx, src, n);
	}
}

void etp_sink_copy(void *ctx, const u8 *src, u32 len)
{
	u8 **dst = ctx;

	memcpy(*dst, src, len);
	*dst += len;
}

void etp_bufq_read(const struct etp_bufq *q, u32 seq, void *dst, u32 len)
{
	u8 *cur = dst;
	const struct etp_sink out = { .take = etp_sink_copy, .ctx = &cur };

	etp_bufq_read_to(q, seq, len, &out);
}

/*
 * A chunk is given back once the last octet it can hold is consumed: the
 * chunks whose end lies in (from, to].
 */
void etp_bufq_release(struct etp_bufq *q, u32 from, u32 to)
{
	u32 total = to - from, room, pos, d;

	if (!total)
		return;
	pos = etp_bufq_pos(q, from, &room);
	for (d = room; d <= total; d += ETP_CHUNK_SIZE) {
		etp_bufq_put(q, &q->chunks[((pos + d - 1) &
					    (etp_bufq_size(q) - 1)) >>
					   ETP_CHUNK_SHIFT]);
	}
}

void etp_bufq_drop_head(struct etp_bufq *q, u32 seq)
{
	u32 room, pos = etp_bufq_pos(q, seq, &room);

	etp_bufq_put(q, &q->chunks[pos >> ETP_CHUNK_SHIFT]);
}

/* --- out-of-order pieces --------------------------------------------------- */

bool etp_ooo_add(struct etp_stream *st, u32 start, u32 end)
{
	u32 i = 0, j, n = st->nooo;

	/* Skip the pieces wholly before this one (and not touching it). */
	while (i < n && etp_before(st->ooo[i].end, start))
		i++;
	/* Pieces from i to j - 1 overlap or touch it: merge them. */
	j = i;
	while (j < n && !etp_after(st->ooo[j].start, end)) {
		if (etp_before(st->ooo[j].start, start))
			start = st->ooo[j].start;
		if (etp_after(st->ooo[j].end, end))
			end = st->ooo[j].end;
		j++;
	}
	if (i == j) {
		if (n == ETP_OOO_MAX)
			return false;
		memmove(&st->ooo[i + 1], &st->ooo[i],
			(n - i) * sizeof(st->ooo[0]));
		st->nooo = n + 1;
	} else if (j > i + 1) {
		memmove(&st->ooo[i + 1], &st->ooo[j],
			(n - j) * sizeof(st->ooo[0]));
		st->nooo = n - (j - i - 1);
	}
	st->ooo[i].start = start;
	st->ooo[i].end = end;
	return true;
}

u32 etp_ooo_advance(struct etp_stream *st, u32 rcv_nxt)
{
	u32 i = 0;

	while (i < st->nooo && !etp_after(st->ooo[i].start, rcv_nxt)) {
		if (etp_after(st->ooo[i].end, rcv_nxt))
			rcv_nxt = st->ooo[i].end;
		i++;
	}
	if (i) {
		memmove(&st->ooo[0], &st->ooo[i],
			(st->nooo - i) * sizeof(st->ooo[0]));
		st->nooo -= i;
	}
	return rcv_nxt;
}

u32 etp_ooo_bytes(const struct etp_stream *st)
{
	u32 i, n = 0;

	for (i = 0; i < st->nooo; i++)
		n += st->ooo[i].end - st->ooo[i].start;
	return n;
}
