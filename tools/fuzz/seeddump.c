// SPDX-License-Identifier: GPL-2.0
/*
 * Linked into the unit tests of selftests/core (with ld's --wrap) to take
 * the seed corpora from them: every segment a test decodes, as its bytes
 * (the wire target's seeds, "w-HASH"), and every segment a test hands the
 * state machine, with the state of the tcb that gets it and its numbers
 * relative to that tcb (struct fz_seg: "f-STATE-HASH", for mkseeds.c).
 * Into the directory ETP_SEED_DIR names; without it, nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsm_ops.h"

enum etp_wire_err __real_etp_wire_decode(const u8 *buf, u32 len,
					 struct etp_seg *seg);
void __real_etp_fsm_segment(struct etp_tcb *tcb, const struct etp_ev *ev,
			    const struct etp_seg *seg,
			    struct etp_actions *act);
enum etp_wire_err __wrap_etp_wire_decode(const u8 *buf, u32 len,
					 struct etp_seg *seg);
void __wrap_etp_fsm_segment(struct etp_tcb *tcb, const struct etp_ev *ev,
			    const struct etp_seg *seg,
			    struct etp_actions *act);

static u32 fnv(u32 h, const void *bytes, u32 len)
{
	const u8 *b = bytes;
	u32 i;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/*
 * One seed per kind of segment: key says what makes two alike (flags,
 * options, sizes; not the numbers every connection has its own of).
 */
static void dump(const char *prefix, const void *key, u32 klen,
		 const void *bytes, u32 len)
{
	static u32 seen[1 << 16];
	const char *dir = getenv("ETP_SEED_DIR");
	u32 h = fnv(fnv(2166136261u, prefix, strlen(prefix)), key, klen);
	u32 slot = h & (ARRAY_SIZE(seen) - 1);
	char path[4096];
	FILE *f;

	if (!dir)
		return;
	while (seen[slot] && seen[slot] != (h | 1))
		slot = (slot + 1) & (ARRAY_SIZE(seen) - 1);
	if (seen[slot])
		return;
	seen[slot] = h | 1;
	snprintf(path, sizeof(path), "%s/%s-%08x", dir, prefix, h);
	f = fopen(path, "w");
	if (!f)
		return;
	fwrite(bytes, 1, len, f);
	fclose(f);
}

/* A size in eight classes: 0, 1, 2-3, 4-15, ... */
static u8 size_class(u32 n)
{
	u8 c = 0;

	while (n && c < 7) {
		n >>= 2;
		c++;
	}
	return c;
}

/* A sequence number difference as: 0, +-1, small, large, either way. */
static u8 diff_class(u32 d)
{
	s32 x = (s32)d;
	u8 c = x == 0 ? 0 : (x == 1 || x == -1) ? 1 :
	       (x > -65536 && x < 65536) ? 2 : 3;

	return c << 1 | (x < 0);
}

enum etp_wire_err __wrap_etp_wire_decode(const u8 *buf, u32 len,
					 struct etp_seg *seg)
{
	u8 key[ETP_HDR_MAX + 1] = { 0 };
	u32 hl = len >= ETP_HDR_LEN ? 4 * (buf[12] & 15) : len;

	/* Offset, flags and options as they are; numbers and payload not. */
	if (hl > len)
		hl = len;
	memcpy(key, buf, hl);
	if (hl >= ETP_HDR_LEN)
		memset(key, 0, 12);
	key[ETP_HDR_MAX] = size_class(len - hl) << 4 | size_class(len);
	dump("w", key, sizeof(key), buf, len);
	return __real_etp_wire_decode(buf, len, seg);
}

/* d as v << shift for the smallest shift that says it (or comes near). */
static u8 relative(u32 d, u8 v[2])
{
	u8 k;

	for (k = 0; k < 4; k++) {
		s32 x = (s32)d >> fz_shift(k);

		if ((x >= -32768 && x < 32768 &&
		     (u32)x << fz_shift(k) == d) || k == 3) {
			v[0] = (u16)x >> 8;
			v[1] = (u8)x;
			return k;
		}
	}
	return 0;
}

void __wrap_etp_fsm_segment(struct etp_tcb *tcb, const struct etp_ev *ev,
			    const struct etp_seg *seg,
			    struct etp_actions *act)
{
	struct fz_seg z = {
		.flags = seg->flags,
		.window = { seg->window >> 8, (u8)seg->window },
	};
	char prefix[16];
	u8 key[5], m = 0;

	z.scale = relative(seg->seq - tcb->rcv_nxt, z.seq);
	z.scale |= relative(seg->ack - tcb->snd_una, z.ack) << 2;
	while (m < 3 && seg->payload_len >> m > 255)
		m++;
	z.len = seg->payload_len >> m > 255 ? 255 : seg->payload_len >> m;
	z.scale |= m << 4;
	if (seg->mss) {
		z.opts |= FZ_OPT_MSS;
		if (seg->mss > 256) {
			z.opts |= FZ_OPT_MSS_BIG;
			z.mss = seg->mss / 64 > 256 ? 255 : seg->mss / 64 - 1;
		} else {
			z.mss = seg->mss - 1;
		}
	}
	if (seg->ws_present)
		z.opts |= FZ_OPT_WS | seg->wscale << 2;
	snprintf(prefix, sizeof(prefix), "f-%02d", tcb->state);
	key[0] = z.flags;
	key[1] = z.opts & (FZ_OPT_MSS | FZ_OPT_WS);
	key[2] = diff_class(seg->seq - tcb->rcv_nxt) << 4 |
		 diff_class(seg->ack - tcb->snd_una) >> 1;
	key[3] = size_class(seg->payload_len) > 4 ? 4 :
		 size_class(seg->payload_len);
	key[4] = !seg->window;
	dump(prefix, key, sizeof(key), &z, sizeof(z));
	__real_etp_fsm_segment(tcb, ev, seg, act);
}
