/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel side of the core timer wheel: one wheel per netns, driven by
 * one hrtimer that is armed only for the wheel's next expiry, so an idle
 * wheel causes no wakeups at all. "ktimer" names the glue; the wheel itself
 * and struct etp_timer are module/core/wheel.h's.
 */
#ifndef _ETP_TIMER_H
#define _ETP_TIMER_H

#include <linux/hrtimer.h>
#include <linux/lockdep.h>
#include <linux/spinlock.h>

#include "core/wheel.h"

struct etp_ktimers {
	spinlock_t lock;		/* wheel, running, dead, hrt_* */
	struct etp_wheel wheel;
	struct hrtimer hrt;
	struct etp_timer *running;	/* callback in progress, for sync cancel */
	u32 hrt_tick;			/* tick the hrtimer is programmed for */
	bool hrt_armed;
	bool dead;			/* shutting down: arming is refused */
#ifdef CONFIG_LOCKDEP
	/* Held across callbacks: cancel_sync under a lock they take deadlocks. */
	struct lockdep_map running_map;
#endif
};

int etp_ktimers_init(struct etp_ktimers *b);
void etp_ktimers_shutdown(struct etp_ktimers *b);
void etp_ktimers_destroy(struct etp_ktimers *b);

u32 etp_ktimer_now(void);
u32 etp_ktimer_deadline(u32 delay_ms);
s32 etp_ktimer_left(u32 expires);
int etp_ktimer_mod_at(struct etp_ktimers *b, struct etp_timer *t,
		      u32 expires);
int etp_ktimer_mod(struct etp_ktimers *b, struct etp_timer *t, u32 delay_ms);
bool etp_ktimer_cancel(struct etp_ktimers *b, struct etp_timer *t);
bool etp_ktimer_cancel_sync(struct etp_ktimers *b, struct etp_timer *t);
bool etp_ktimer_pending(struct etp_ktimers *b, const struct etp_timer *t);
s32 etp_ktimer_remaining(struct etp_ktimers *b, const struct etp_timer *t);

#endif /* _ETP_TIMER_H */
