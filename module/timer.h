/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ETP_TIMER_H
#define _ETP_TIMER_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>

#include "core/wheel.h"

/*
 * One wheel per netns, driven by one hrtimer that is armed only for the
 * wheel's next expiry: an idle wheel causes no wakeups at all.
 */
struct etp_timer_base {
	spinlock_t lock;		/* wheel, running, dead, hrt_* */
	struct etp_wheel wheel;
	struct hrtimer hrt;
	struct etp_timer *running;	/* callback in progress, for sync cancel */
	u32 hrt_tick;			/* tick the hrtimer is programmed for */
	bool hrt_armed;
	bool dead;			/* shutting down: arming is refused */
};

void etp_timer_base_init(struct etp_timer_base *b);
void etp_timer_base_shutdown(struct etp_timer_base *b);
void etp_timer_base_destroy(struct etp_timer_base *b);

u32 etp_timer_now(void);
int etp_timer_mod(struct etp_timer_base *b, struct etp_timer *t, u32 delay_ms);
bool etp_timer_arm(struct etp_timer_base *b, struct etp_timer *t, u32 delay_ms);
bool etp_timer_cancel(struct etp_timer_base *b, struct etp_timer *t);
bool etp_timer_is_pending(struct etp_timer_base *b, const struct etp_timer *t);
bool etp_timer_cancel_sync(struct etp_timer_base *b, struct etp_timer *t);
s32 etp_timer_remaining(struct etp_timer_base *b, const struct etp_timer *t);

#endif /* _ETP_TIMER_H */
