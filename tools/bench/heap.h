/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The baseline the wheel is measured against: a binary min-heap in an
 * array, as in libuv's timers, with each node's array index stored in the
 * node so a cancel or a re-arm is O(log n) without a search. Ties break on
 * arming order, as libuv's start_id does.
 */
#ifndef _ETP_BENCH_HEAP_H
#define _ETP_BENCH_HEAP_H

#include "etp_types.h"

#define HEAP_NONE	0xffffffffU

struct heap_timer;
typedef void (*heap_timer_fn)(struct heap_timer *t);

struct heap_timer {
	u64 expires;
	u64 seq;
	u32 idx;	/* position in the array, HEAP_NONE when not pending */
	heap_timer_fn fn;
};

struct heap {
	struct heap_timer **a;
	u32 n, cap;
	u64 seq;
};

int heap_init(struct heap *h, u32 cap);
void heap_free(struct heap *h);
void heap_timer_init(struct heap_timer *t, heap_timer_fn fn);
bool heap_arm(struct heap *h, struct heap_timer *t, u64 expires);
bool heap_cancel(struct heap *h, struct heap_timer *t);
struct heap_timer *heap_pop_expired(struct heap *h, u64 now);
u32 heap_advance(struct heap *h, u64 now);

#endif /* _ETP_BENCH_HEAP_H */
