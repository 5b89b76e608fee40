/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hierarchical timer wheel: levels of 64 slots, each level 8x coarser than
 * the one below, a pending bitmap per level so the next expiry is found with
 * one bit scan per level, and no cascading. A timer is filed once, rounded up
 * to the granularity of the level its delay falls in, so it is never early
 * and at most etp_wheel_granularity(delay) - 1 ticks late. See
 * docs/timer-wheel.md for the figures.
 *
 * Ticks are u32 and wrap; every comparison is modular, so expiry times must
 * lie within 2^31 - 1 ticks of the wheel clock. The wheel does no locking:
 * the caller serialises every call on one wheel.
 */
#ifndef _ETP_CORE_WHEEL_H
#define _ETP_CORE_WHEEL_H

#include "etp_types.h"

#define ETP_WHEEL_LVL_BITS	6
#define ETP_WHEEL_LVL_MASK	((1U << ETP_WHEEL_LVL_BITS) - 1)
#define ETP_WHEEL_LVL_SIZE	(ETP_WHEEL_LVL_MASK + 1)
#define ETP_WHEEL_LVL_SHIFT	3
#define ETP_WHEEL_LEVELS	8
#define ETP_WHEEL_SLOTS		(ETP_WHEEL_LEVELS * ETP_WHEEL_LVL_SIZE)
/*
 * Each slot is LANES lists filled in turn, and due timers are handed out
 * from those lists in turn: walking one long list is a chain of dependent
 * cache misses, walking four interleaved keeps four in flight. The order
 * of timers due at the same tick is not defined.
 */
#define ETP_WHEEL_LANES		4U
#define ETP_WHEEL_EXP_LISTS	(ETP_WHEEL_LEVELS * ETP_WHEEL_LANES)

/* Granularity of the top level: 8^7 ticks */
#define ETP_WHEEL_MAX_GRAN \
	(1U << ((ETP_WHEEL_LEVELS - 1) * ETP_WHEEL_LVL_SHIFT))

/*
 * Longest delay the wheel files directly: 63 * 8^7 = 132120576 ticks
 * (36.7 h at 1 ms a tick). A longer delay is filed at this distance and
 * filed again when that slot comes due, so it is neither lost nor early.
 */
#define ETP_WHEEL_MAX_DELTA	(ETP_WHEEL_LVL_MASK * ETP_WHEEL_MAX_GRAN)

struct etp_timer;
typedef void (*etp_timer_fn)(struct etp_timer *t);

/* Embedded in its owner: arming never allocates. */
struct etp_timer {
	struct etp_timer *next;
	struct etp_timer **pprev;	/* NULL when not pending */
	u32 expires;			/* absolute tick requested */
	u32 idx;			/* level << 6 | slot */
	etp_timer_fn fn;
};

/* A slot: its lanes' list heads */
struct etp_wheel_slot {
	struct etp_timer *lane[ETP_WHEEL_LANES];
};

/*
 * The slots (16 KiB) are the caller's, apart from the rest (under 400
 * bytes), so a kernel owner can give them an allocation of their own
 * instead of making its whole structure a high-order one.
 */
#define ETP_WHEEL_SLOTS_SIZE	(ETP_WHEEL_SLOTS * sizeof(struct etp_wheel_slot))

struct etp_wheel {
	u32 clk;		/* next tick to process */
	u32 next_expiry;	/* see next_valid and next_exact */
	u32 count;		/* pending timers, due ones included */
	u8 next_valid;		/* next_expiry <= every filed timer's tick */
	u8 next_exact;		/* ... and some filed timer fires at it */
	u8 lane;		/* lane the next filed timer joins */
	u8 exp_cur;		/* exp[] list to hand out from next */
	u32 exp_map;		/* bit set <=> exp[] list may be non-empty */
	u64 pending[ETP_WHEEL_LEVELS];	/* bit set <=> slot non-empty */
	/* Due timers taken off their slots, handed out by pop_expired */
	struct etp_timer *exp[ETP_WHEEL_EXP_LISTS];
	struct etp_wheel_slot *slots;	/* ETP_WHEEL_SLOTS of them */
};

void etp_wheel_init(struct etp_wheel *w, u32 now,
		    struct etp_wheel_slot *slots);
void etp_timer_init(struct etp_timer *t, etp_timer_fn fn);

static inline bool etp_timer_pending(const struct etp_timer *t)
{
	return t->pprev;
}

bool etp_wheel_arm(struct etp_wheel *w, struct etp_timer *t, u32 expires);
void etp_wheel_refile(struct etp_wheel *w, struct etp_timer *t, u32 expires);
bool etp_wheel_may_defer(u32 idx, u32 cur, u32 expires, u32 now);
bool etp_wheel_cancel(struct etp_wheel *w, struct etp_timer *t);
struct etp_timer *etp_wheel_pop_expired(struct etp_wheel *w, u32 now);
u32 etp_wheel_advance(struct etp_wheel *w, u32 now);
bool etp_wheel_next_expiry(struct etp_wheel *w, u32 *when);
void etp_wheel_forward(struct etp_wheel *w, u32 now);
u32 etp_wheel_granularity(u32 delta);

static inline u32 etp_wheel_count(const struct etp_wheel *w)
{
	return w->count;
}

#endif /* _ETP_CORE_WHEEL_H */
