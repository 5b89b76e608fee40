// SPDX-License-Identifier: GPL-2.0
/*
 * Timer wheel vs binary heap, same process, same workloads, same random
 * streams. `wheel_bench table` prints the markdown table of medians;
 * `wheel_bench cg IMPL OP` runs one operation kind for callgrind, with the
 * operations inside a cg_phase_* function (see run-userspace).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wheel.h"
#include "heap.h"
#include "median.h"

#define START		1000U
#define ARM_BATCH	10000U
#define ARM_OPS		1000000U
#define EMPTY_CALLS	1000000U
#define TCP_OPS		2000000U
#define TCP_WARMUP	450U
#define RBITS		20
#define RMASK		((1U << RBITS) - 1)
#define DMASK		RMASK

static u32 cur_now;
static u64 fires;
static u32 *rto;	/* per connection, 200..400 ticks */
static u32 *delays;	/* a mix of TCP timer delays */
static u32 *rnd;	/* uniform in [0, 2^20) */
static u32 *corder;	/* cancel order: a permutation of the arm batch */
static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rng(void)
{
	u64 x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static u32 rng_below(u32 n)
{
	return (u32)((rng() >> 32) * n >> 32);
}

/*
 * The benchmark thread's CPU time: on an idle machine the same as wall
 * time (the thread never sleeps), but it does not count the time other
 * processes take the CPU away, which on a shared or loaded host would
 * otherwise land at random in either column. Reading it is a system call
 * of a few hundred ns; since() takes that cost, measured once by
 * calibrate_clock(), out of every interval.
 */
static double clock_cost;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double since(double t0)
{
	return now_ns() - t0 - clock_cost;
}

/* ---- the two implementations, one workload source --------------------- */

#define IMPL		wheel
#define TIMER		struct etp_timer
#define CTX		struct etp_wheel
static struct etp_wheel_slot wheel_slots[ETP_WHEEL_SLOTS];
#define X_INIT(c, cap)	etp_wheel_init(c, START, wheel_slots)
#define X_TIMER_INIT	etp_timer_init
#define X_ARM		etp_wheel_arm
#define X_CANCEL	etp_wheel_cancel
#define X_ADVANCE	etp_wheel_advance
#define X_FINI(c)	do { } while (0)
#include "workload.h"
#undef IMPL
#undef TIMER
#undef CTX
#undef X_INIT
#undef X_TIMER_INIT
#undef X_ARM
#undef X_CANCEL
#undef X_ADVANCE
#undef X_FINI

#define IMPL		heap
#define TIMER		struct heap_timer
#define CTX		struct heap
#define X_INIT(c, cap)	do { if (heap_init(c, cap)) abort(); } while (0)
#define X_TIMER_INIT	heap_timer_init
#define X_ARM		heap_arm
#define X_CANCEL	heap_cancel
#define X_ADVANCE	heap_advance
#define X_FINI		heap_free
#include "workload.h"

/*
 * The TCP mix's floor: each ACK stores the new expiry into its connection's
 * timer (the wheel's layout) and nothing else. Whatever keeps the timers
 * must at least touch the ACKed connection, a random one of n: at 1e6 that
 * is a cache miss, and no timer structure can be cheaper than this loop.
 */
static double tcp_floor(u32 n, const u32 *acks, u32 per_tick, u32 ticks)
{
	u32 i, tk, a = 0, a0 = 0;
	double t0 = 0;

	setup_wheel(n, rto_fire_wheel);
	for (tk = 0; tk < TCP_WARMUP + ticks; tk++) {
		if (tk == TCP_WARMUP) {
			a0 = a;
			t0 = now_ns();
		}
		for (i = 0; i < per_tick; i++, a++) {
			struct conn_wheel *c = &conns_wheel[acks[a]];

			c->t.expires = cur_now + c->rto;
		}
		cur_now++;
	}
	return since(t0) / (a - a0);
}

/* ---- inputs ------------------------------------------------------------- */

/* RTOs, delayed ACKs, TIME_WAIT and keepalives, as a host would carry. */
static u32 tcp_delay(void)
{
	u32 p = rng_below(100);

	if (p < 50)
		return 200 + rng_below(800);
	if (p < 70)
		return 40;
	if (p < 90)
		return 60000;
	return 7200000;
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);

	if (!p) {
		perror("calloc");
		exit(1);
	}
	return p;
}

static void make_inputs(u32 max_n)
{
	u32 i;

	rto = xcalloc(max_n + ARM_BATCH, sizeof(*rto));
	delays = xcalloc(DMASK + 1, sizeof(*delays));
	rnd = xcalloc(RMASK + 1, sizeof(*rnd));
	corder = xcalloc(ARM_BATCH, sizeof(*corder));
	conns_wheel = xcalloc(max_n + ARM_BATCH, sizeof(*conns_wheel));
	conns_heap = xcalloc(max_n + ARM_BATCH, sizeof(*conns_heap));
	for (i = 0; i < max_n + ARM_BATCH; i++)
		rto[i] = 200 + rng_below(201);
	for (i = 0; i <= DMASK; i++)
		delays[i] = tcp_delay();
	for (i = 0; i <= RMASK; i++)
		rnd[i] = rng_below(1U << RBITS);
}

static void make_cancel_order(u32 k)
{
	u32 i, j, x;

	for (i = 0; i < k; i++)
		corder[i] = i;
	for (i = k - 1; i > 0; i--) {
		j = rng_below(i + 1);
		x = corder[i];
		corder[i] = corder[j];
		corder[j] = x;
	}
}

/* ---- table -------------------------------------------------------------- */

enum { ARM, CANCEL, TCP, STORM, NR_OPS };

static const char * const op_names[NR_OPS] = {
	"arm", "cancel", "TCP mix", "expire storm",
};

#define MAX_REPS 15

/* What one reading adds to an interval: the median of back-to-back pairs */
static void calibrate_clock(void)
{
	double v[101], t0;
	int i;

	for (i = 0; i < 101; i++) {
		t0 = now_ns();
		v[i] = now_ns() - t0;
	}
	clock_cost = median(v, 101);
}

struct result {
	double w[NR_OPS][MAX_REPS], h[NR_OPS][MAX_REPS], floor[MAX_REPS];
	double fire_pct, heap_fire_pct;
};

static void run_size(u32 n, int reps, struct result *res)
{
	u32 per_tick = n / 60 ? n / 60 : 1;
	u32 ticks = TCP_OPS / per_tick < 120 ? 120 : TCP_OPS / per_tick;
	size_t nacks = (size_t)per_tick * (TCP_WARMUP + ticks);
	u32 *acks = xcalloc(nacks, sizeof(*acks));
	u32 k = n < ARM_BATCH ? n : ARM_BATCH;
	double pct;
	size_t i;
	int r;

	for (i = 0; i < nacks; i++)
		acks[i] = rng_below(n);
	make_cancel_order(k);
	for (r = 0; r < reps; r++) {
		arm_cancel_wheel(n, &res->w[ARM][r], &res->w[CANCEL][r]);
		arm_cancel_heap(n, &res->h[ARM][r], &res->h[CANCEL][r]);
		res->floor[r] = tcp_floor(n, acks, per_tick, ticks);
		res->w[TCP][r] = tcp_mix_wheel(n, acks, per_tick, ticks, &pct);
		res->fire_pct = pct;
		/* Rounding up lets a few more ACKs beat the wheel's RTO */
		res->h[TCP][r] = tcp_mix_heap(n, acks, per_tick, ticks,
					      &res->heap_fire_pct);
		res->w[STORM][r] = storm_wheel(n);
		res->h[STORM][r] = storm_heap(n);
	}
	free(acks);
}

static void print_table(int reps)
{
	static const u32 sizes[] = { 1000, 10000, 100000, 1000000 };
	static struct result res[4];
	double ew[2][MAX_REPS], eh[2][MAX_REPS];
	int s, o, r;

	calibrate_clock();
	make_inputs(1000000);
	for (s = 0; s < 4; s++)
		run_size(sizes[s], reps, &res[s]);
	for (r = 0; r < reps; r++) {
		ew[0][r] = empty_advance_wheel(1000);
		eh[0][r] = empty_advance_heap(1000);
		ew[1][r] = empty_advance_wheel(1000000);
		eh[1][r] = empty_advance_heap(1000000);
	}

	printf("| pending | operation | wheel ns/op | heap ns/op | wheel/heap |\n");
	printf("|--------:|-----------|------------:|-----------:|-----------:|\n");
	for (s = 0; s < 4; s++) {
		for (o = 0; o < NR_OPS; o++) {
			double w = median(res[s].w[o], reps);
			double h = median(res[s].h[o], reps);

			printf("| %u | %s | %.1f | %.1f | %.2f (%.1fx %s) |\n",
			       sizes[s], op_names[o], w, h, w / h,
			       w < h ? h / w : w / h,
			       w < h ? "faster" : "slower");
		}
	}
	printf("\nTCP mix, RTO expiries per ACK (wheel/heap): ");
	for (s = 0; s < 4; s++)
		printf("%s%.2f%%/%.2f%% at %u", s ? ", " : "",
		       res[s].fire_pct, res[s].heap_fire_pct, sizes[s]);
	printf("\n\n| TCP mix | floor ns/ACK | wheel/floor | heap/floor |\n");
	printf("|--------:|-------------:|------------:|-----------:|\n");
	for (s = 0; s < 4; s++) {
		double f = median(res[s].floor, reps);

		printf("| %u | %.1f | %.2f | %.2f |\n", sizes[s], f,
		       median(res[s].w[TCP], reps) / f,
		       median(res[s].h[TCP], reps) / f);
	}
	printf("\nThe floor stores each ACK's expiry into its connection and keeps\n"
	       "no timers: the least any timer structure must cost per ACK.");
	printf("\n\n| empty advance | wheel ns | heap ns |\n");
	printf("|---------------|---------:|--------:|\n");
	printf("| 1e3 pending | %.1f | %.1f |\n",
	       median(ew[0], reps), median(eh[0], reps));
	printf("| 1e6 pending | %.1f | %.1f |\n",
	       median(ew[1], reps), median(eh[1], reps));
	printf("\n| memory | wheel | heap |\n|---|---:|---:|\n");
	printf("| bytes per timer | %zu | %zu (node %zu + array slot %zu) |\n",
	       sizeof(struct etp_timer),
	       sizeof(struct heap_timer) + sizeof(struct heap_timer *),
	       sizeof(struct heap_timer), sizeof(struct heap_timer *));
	printf("| bytes per instance | %zu (%zu + slots %zu) | %zu + 8 per capacity slot |\n",
	       sizeof(struct etp_wheel) + ETP_WHEEL_SLOTS_SIZE,
	       sizeof(struct etp_wheel), ETP_WHEEL_SLOTS_SIZE,
	       sizeof(struct heap));
	printf("\n%d repetitions, medians; sizes are pending timers. Times are the\n"
	       "benchmark thread's CPU time, less %.0f ns per clock reading.\n",
	       reps, clock_cost);
}

/* ---- callgrind phases --------------------------------------------------- */

#define CG_PENDING	10000U
#define CG_OPS		100000U

static u64 cg_sink;

/* Each phase is what --toggle-collect counts; setup stays outside. */
static __attribute__((noinline)) void cg_phase_arm_wheel(void)
{
	u32 i;

	for (i = 0; i < CG_OPS; i++)
		etp_wheel_arm(&ctx_wheel, &conns_wheel[CG_PENDING + i].t,
			      cur_now + delays[i & DMASK]);
}

static __attribute__((noinline)) void cg_phase_cancel_wheel(void)
{
	u32 i;

	for (i = 0; i < CG_OPS; i++)
		etp_wheel_cancel(&ctx_wheel, &conns_wheel[CG_PENDING + i].t);
}

/* TCP ACKs: re-arm a pending RTO a full RTO ahead, one tick per 100 */
static __attribute__((noinline)) void cg_phase_rearm_wheel(void)
{
	u32 i;

	for (i = 0; i < CG_OPS; i++) {
		u32 c = rnd[i] % CG_PENDING;

		if (i % 100 == 0)
			etp_wheel_advance(&ctx_wheel, ++cur_now);
		etp_wheel_arm(&ctx_wheel, &conns_wheel[c].t,
			      cur_now + conns_wheel[c].rto);
	}
}

static __attribute__((noinline)) void cg_phase_expire_wheel(u32 end)
{
	struct etp_timer *t;

	for (; cur_now != end; cur_now++)
		while ((t = etp_wheel_pop_expired(&ctx_wheel, cur_now)))
			cg_sink++;
}

static __attribute__((noinline)) void cg_phase_arm_heap(void)
{
	u32 i;

	for (i = 0; i < CG_OPS; i++)
		heap_arm(&ctx_heap, &conns_heap[CG_PENDING + i].t,
			 cur_now + delays[i & DMASK]);
}

static __attribute__((noinline)) void cg_phase_cancel_heap(void)
{
	u32 i;

	for (i = 0; i < CG_OPS; i++)
		heap_cancel(&ctx_heap, &conns_heap[CG_PENDING + i].t);
}

static __attribute__((noinline)) void cg_phase_rearm_heap(void)
{
	u32 i;

	for (i = 0; i < CG_OPS; i++) {
		u32 c = rnd[i] % CG_PENDING;

		if (i % 100 == 0)
			heap_advance(&ctx_heap, ++cur_now);
		heap_arm(&ctx_heap, &conns_heap[c].t, cur_now + conns_heap[c].rto);
	}
}

static __attribute__((noinline)) void cg_phase_expire_heap(u32 end)
{
	struct heap_timer *t;

	for (; cur_now != end; cur_now++)
		while ((t = heap_pop_expired(&ctx_heap, cur_now)))
			cg_sink++;
}

/*
 * CG_PENDING timers pending with TCP-like delays, then CG_OPS operations
 * of one kind. For expire, the CG_OPS timers are due within one second.
 */
static int run_cg(const char *impl, const char *op)
{
	bool wheel = !strcmp(impl, "wheel");
	bool expire = !strcmp(op, "expire");
	u32 i, n = CG_PENDING + CG_OPS;

	make_inputs(n);
	if (wheel)
		setup_wheel(n - ARM_BATCH, count_fire_wheel);
	else
		setup_heap(n - ARM_BATCH, count_fire_heap);
	for (i = 0; i < n; i++) {
		u32 e = cur_now + EMPTY_CALLS + delays[i & DMASK];

		if (expire && i >= CG_PENDING)
			e = cur_now + 2000 + (rnd[i & RMASK] * 1000ULL >> RBITS);
		if (!strcmp(op, "rearm"))
			e = cur_now + rto[i];
		if (i >= CG_PENDING && !expire && strcmp(op, "cancel"))
			continue;
		if (wheel)
			etp_wheel_arm(&ctx_wheel, &conns_wheel[i].t, e);
		else
			heap_arm(&ctx_heap, &conns_heap[i].t, e);
	}
	if (!strcmp(op, "arm"))
		wheel ? cg_phase_arm_wheel() : cg_phase_arm_heap();
	else if (!strcmp(op, "cancel"))
		wheel ? cg_phase_cancel_wheel() : cg_phase_cancel_heap();
	else if (!strcmp(op, "rearm"))
		wheel ? cg_phase_rearm_wheel() : cg_phase_rearm_heap();
	else if (expire)
		wheel ? cg_phase_expire_wheel(cur_now + 3100) :
			cg_phase_expire_heap(cur_now + 3100);
	else
		return 1;
	if (expire && cg_sink != CG_OPS)
		return 1;
	printf("%s %s: %u ops\n", impl, op, CG_OPS);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "table")) {
		int reps = argc >= 3 ? atoi(argv[2]) : 5;

		if (reps < 1 || reps > MAX_REPS)
			reps = 5;
		print_table(reps);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "cg"))
		return run_cg(argv[2], argv[3]);
	fprintf(stderr, "usage: %s table [REPS] | cg wheel|heap arm|cancel|rearm|expire\n",
		argv[0]);
	return 1;
}
