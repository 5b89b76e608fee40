/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The byte queues of a connection (docs/protocol.md section 8): what the
 * user has written and the peer has not yet acknowledged, and what the
 * peer has sent and the user has not yet read, out-of-order pieces
 * included. Bytes are addressed by sequence number and kept in chunks of
 * ETP_CHUNK_SIZE octets taken from the environment as they fill and given
 * back as they empty, so a queue costs memory for what it holds, not for
 * its size. Nothing here knows netlink or sockets: any user interface can
 * sit on these queues.
 */
#ifndef _ETP_CORE_STREAM_H
#define _ETP_CORE_STREAM_H

#include "etp_types.h"

#define ETP_CHUNK_SHIFT		12
#define ETP_CHUNK_SIZE		4096u	/* 1 << ETP_CHUNK_SHIFT */
/* Out-of-order pieces kept at once; a segment making one more is dropped. */
#define ETP_OOO_MAX		32

/*
 * Provided by whoever links the core (the kernel glue, a test): one chunk
 * of ETP_CHUNK_SIZE octets, or NULL, charged to owner (the stream's, as
 * etp_stream_init() was given it). May be called in softirq context.
 */
void *etp_chunk_alloc(void *owner);
void etp_chunk_free(void *owner, void *chunk);

/*
 * Where a segment's payload is (an skb, a test's buffer): copy len octets
 * at offset off of the payload to dst. lend, if there is one, may instead
 * hand over the ETP_CHUNK_SIZE octets at off as a chunk of the payload's
 * own, charged to owner and given back with etp_chunk_free(), or say NULL
 * (copy them). A lent chunk is full when it comes and is never written
 * after: whoever lent it may still read it.
 */
struct etp_data {
	void (*copy)(const void *src, u32 off, void *dst, u32 len);
	void *(*lend)(const void *src, u32 off, void *owner);
	const void *src;
};

/*
 * A ring of size = nchunks * ETP_CHUNK_SIZE octets, nchunks a power of 2.
 * Chunks are at least 2-aligned: bit 0 of a slot marks a lent one.
 */
struct etp_bufq {
	u8 **chunks;		/* NULL while a chunk holds nothing */
	u32 nchunks;
	u32 origin;		/* the sequence number at ring position 0 */
	void *owner;		/* who its chunks are charged to */
};

struct etp_range {
	u32 start;		/* [start, end) of sequence space */
	u32 end;
};

struct etp_stream {
	struct etp_bufq sq;	/* send queue: [sq_head, tcb->write_seq) */
	struct etp_bufq rq;	/* receive queue: [read_seq, rcv end), ooo */
	u32 sq_head;		/* first byte still held: not yet acked */
	u32 read_seq;		/* next byte the user reads */
	u32 nooo;
	u64 bytes_acked;	/* data octets the peer acknowledged */
	u64 bytes_received;	/* data octets taken in order */
	struct etp_range ooo[ETP_OOO_MAX];	/* sorted, disjoint */
	u8 *chunk_ptrs[];	/* sq's pointers, then rq's */
};

/* Octets etp_stream_init() needs for queues of sndbuf and rcvbuf octets. */
u32 etp_stream_size(u32 sndbuf, u32 rcvbuf);
void etp_stream_init(struct etp_stream *st, void *owner, u32 sndbuf,
		     u32 rcvbuf, u32 snd_seq, u32 rcv_seq);
/* Give every chunk back: the stream is not used again. */
void etp_stream_release(struct etp_stream *st);

static inline u32 etp_bufq_size(const struct etp_bufq *q)
{
	return q->nchunks << ETP_CHUNK_SHIFT;
}

/*
 * Copy in and out by sequence number. etp_bufq_write() takes chunks as it
 * needs them (or, for a whole chunk, what d lends) and returns how many
 * octets it stored (fewer when a chunk could not be had); octets that
 * land in a lent chunk are there already. etp_bufq_read() expects every
 * octet to be there.
 */
u32 etp_bufq_write(struct etp_bufq *q, u32 seq, const struct etp_data *d,
		   u32 off, u32 len);
u32 etp_bufq_write_buf(struct etp_bufq *q, u32 seq, const void *buf,
		       u32 len);
void etp_bufq_read(const struct etp_bufq *q, u32 seq, void *dst, u32 len);
/*
 * Where the octet at seq is held, and how many of the len octets from there
 * lie in the same chunk (*len is cut to that): to lend a chunk to a segment
 * rather than copy it. Those octets stay as they are while queued: a write
 * never lands in a chunk that holds octets of the previous lap.
 */
const u8 *etp_bufq_peek(const struct etp_bufq *q, u32 seq, u32 *len);
/*
 * Where octets read out of a queue go: take() gets them in order, one
 * chunk's piece at a time. A copy into a buffer is one such sink; the
 * kernel's RECV lends the pieces to its reply instead (etp_bufq_peek()'s
 * promise holds for them too: a chunk is written again only after it has
 * been given back and taken anew).
 */
struct etp_sink {
	void (*take)(void *ctx, const u8 *src, u32 len);
	void *ctx;
};

void etp_bufq_read_to(const struct etp_bufq *q, u32 seq, u32 len,
		      const struct etp_sink *out);
/* The copying sink: ctx is a u8 ** cursor, moved past what it copied. */
void etp_sink_copy(void *ctx, const u8 *src, u32 len);
/* The octets [from, to) are consumed: give back chunks they alone held. */
void etp_bufq_release(struct etp_bufq *q, u32 from, u32 to);
/*
 * The queue is empty, its next octet at seq: give back the chunk that
 * held the last octets (the only one left), so an idle queue holds none.
 */
void etp_bufq_drop_head(struct etp_bufq *q, u32 seq);

/*
 * Receive side: record [start, end) as held out of order. False when that
 * would need more than ETP_OOO_MAX pieces (the caller drops it).
 */
bool etp_ooo_add(struct etp_stream *st, u32 start, u32 end);
/* Move rcv_nxt over every held piece that now joins it. */
u32 etp_ooo_advance(struct etp_stream *st, u32 rcv_nxt);
/* Octets held beyond the in-order point. */
u32 etp_ooo_bytes(const struct etp_stream *st);

#endif /* _ETP_CORE_STREAM_H */
