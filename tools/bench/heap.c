// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>

#include "heap.h"

static inline bool heap_less(const struct heap_timer *a,
			     const struct heap_timer *b)
{
	if (a->expires != b->expires)
		return a->expires < b->expires;
	return a->seq < b->seq;
}

static inline void heap_put(struct heap *h, u32 i, struct heap_timer *t)
{
	h->a[i] = t;
	t->idx = i;
}

static void heap_sift_up(struct heap *h, u32 i, struct heap_timer *t)
{
	while (i) {
		u32 p = (i - 1) / 2;

		if (!heap_less(t, h->a[p]))
			break;
		heap_put(h, i, h->a[p]);
		i = p;
	}
	heap_put(h, i, t);
}

static void heap_sift_down(struct heap *h, u32 i, struct heap_timer *t)
{
	for (;;) {
		u32 c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && heap_less(h->a[c + 1], h->a[c]))
			c++;
		if (!heap_less(h->a[c], t))
			break;
		heap_put(h, i, h->a[c]);
		i = c;
	}
	heap_put(h, i, t);
}

/* Put @t, whose key changed, where it belongs from position @i. */
static void heap_fix(struct heap *h, u32 i, struct heap_timer *t)
{
	if (i && heap_less(t, h->a[(i - 1) / 2]))
		heap_sift_up(h, i, t);
	else
		heap_sift_down(h, i, t);
}

int heap_init(struct heap *h, u32 cap)
{
	h->a = calloc(cap, sizeof(*h->a));
	h->n = 0;
	h->cap = cap;
	h->seq = 0;
	return h->a ? 0 : -1;
}

void heap_free(struct heap *h)
{
	free(h->a);
	h->a = NULL;
}

void heap_timer_init(struct heap_timer *t, heap_timer_fn fn)
{
	t->expires = 0;
	t->seq = 0;
	t->idx = HEAP_NONE;
	t->fn = fn;
}

/* Re-arming moves the node in place: cheaper than libuv's stop + start. */
bool heap_arm(struct heap *h, struct heap_timer *t, u64 expires)
{
	t->expires = expires;
	t->seq = h->seq++;
	if (t->idx != HEAP_NONE) {
		heap_fix(h, t->idx, t);
		return true;
	}
	if (h->n == h->cap)
		abort();
	heap_sift_up(h, h->n++, t);
	return false;
}

bool heap_cancel(struct heap *h, struct heap_timer *t)
{
	struct heap_timer *last;
	u32 i = t->idx;

	if (i == HEAP_NONE)
		return false;
	t->idx = HEAP_NONE;
	last = h->a[--h->n];
	if (last != t)
		heap_fix(h, i, last);
	return true;
}

struct heap_timer *heap_pop_expired(struct heap *h, u64 now)
{
	struct heap_timer *t;

	if (!h->n || h->a[0]->expires > now)
		return NULL;
	t = h->a[0];
	heap_cancel(h, t);
	return t;
}

u32 heap_advance(struct heap *h, u64 now)
{
	struct heap_timer *t;
	u32 fired = 0;

	while ((t = heap_pop_expired(h, now))) {
		t->fn(t);
		fired++;
	}
	return fired;
}
