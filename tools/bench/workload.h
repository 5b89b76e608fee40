/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The workloads, written once and included once per implementation so
 * both get the same code with direct (inlinable) calls; an indirect call
 * per operation would blur the very differences being measured.
 *
 * The includer defines IMPL (name suffix), TIMER, CTX, and X_INIT,
 * X_TIMER_INIT, X_ARM, X_CANCEL, X_ADVANCE, X_FINI.
 */
#define PASTE2(a, b)	a ## _ ## b
#define PASTE(a, b)	PASTE2(a, b)
#define F(name)		PASTE(name, IMPL)

/* A connection: the timer and what its callback needs, in one place */
struct F(conn) {
	TIMER t;
	u32 rto;
};

static CTX F(ctx);
static struct F(conn) *F(conns);

static void F(count_fire)(TIMER *t)
{
	fires++;
}

/* A retransmission: the RTO is armed again, as TCP would. */
static void F(rto_fire)(TIMER *t)
{
	struct F(conn) *c = (struct F(conn) *)t;

	fires++;
	X_ARM(&F(ctx), t, cur_now + c->rto);
}

static void F(setup)(u32 n, void (*fn)(TIMER *t))
{
	u32 i;

	X_INIT(&F(ctx), n + ARM_BATCH);
	for (i = 0; i < n + ARM_BATCH; i++) {
		X_TIMER_INIT(&F(conns)[i].t, fn);
		F(conns)[i].rto = rto[i];
	}
	cur_now = START;
	fires = 0;
}

/* (a) and (b): arm a batch next to n pending timers, then cancel it. */
static void F(arm_cancel)(u32 n, double *arm_ns, double *cancel_ns)
{
	u32 k = n < ARM_BATCH ? n : ARM_BATCH, rounds = ARM_OPS / k;
	struct F(conn) *batch;
	double ta = 0, tc = 0, t0;
	u32 i, r, d = 0;

	F(setup)(n, F(count_fire));
	batch = F(conns) + n;
	for (i = 0; i < n; i++)
		X_ARM(&F(ctx), &F(conns)[i].t, cur_now + delays[d++ & DMASK]);
	for (r = 0; r < rounds; r++) {
		t0 = now_ns();
		for (i = 0; i < k; i++)
			X_ARM(&F(ctx), &batch[i].t, cur_now + delays[d++ & DMASK]);
		ta += since(t0);
		t0 = now_ns();
		for (i = 0; i < k; i++)
			X_CANCEL(&F(ctx), &batch[corder[i]].t);
		tc += since(t0);
	}
	*arm_ns = ta / ((double)rounds * k);
	*cancel_ns = tc / ((double)rounds * k);
	X_FINI(&F(ctx));
}

/*
 * (c): every connection has its RTO pending; each tick some connections
 * get an ACK, which re-arms the RTO a full RTO ahead. The ACK rate is set
 * so that about 1% of RTOs ever expire. The first TCP_WARMUP ticks, which
 * start from a guessed state, are not timed.
 */
static double F(tcp_mix)(u32 n, const u32 *acks, u32 per_tick, u32 ticks,
			 double *fire_pct)
{
	u32 i, tk, a = 0, acked = 0;
	double t0 = 0, t;
	u64 fired = 0;

	F(setup)(n, F(rto_fire));
	for (i = 0; i < n; i++)
		X_ARM(&F(ctx), &F(conns)[i].t,
		      cur_now + rto[i] - (rto[i] * (u64)rnd[i & RMASK] >> 22));
	for (tk = 0; tk < TCP_WARMUP + ticks; tk++) {
		if (tk == TCP_WARMUP) {
			fired = fires;
			acked = a;
			t0 = now_ns();
		}
		for (i = 0; i < per_tick; i++, a++) {
			struct F(conn) *c = &F(conns)[acks[a]];

			X_ARM(&F(ctx), &c->t, cur_now + c->rto);
		}
		X_ADVANCE(&F(ctx), cur_now);
		cur_now++;
	}
	t = since(t0);
	fired = fires - fired;
	acked = a - acked;
	*fire_pct = 100.0 * fired / acked;
	X_FINI(&F(ctx));
	return t / (acked + fired);
}

/* (d): n timers due within one second, run tick by tick. */
static double F(storm)(u32 n)
{
	u32 i, end;
	double t0, t;

	F(setup)(n, F(count_fire));
	for (i = 0; i < n; i++)
		X_ARM(&F(ctx), &F(conns)[i].t,
		      cur_now + 2000 + (u32)((u64)rnd[i & RMASK] * 1000 >> 20));
	end = cur_now + 3100;
	t0 = now_ns();
	for (; cur_now != end; cur_now++)
		X_ADVANCE(&F(ctx), cur_now);
	t = since(t0);
	if (fires != n)
		abort();
	X_FINI(&F(ctx));
	return t / n;
}

/* An advance that finds nothing due, n timers pending far out. */
static double F(empty_advance)(u32 n)
{
	u32 i;
	double t0, t;

	F(setup)(n, F(count_fire));
	for (i = 0; i < n; i++)
		X_ARM(&F(ctx), &F(conns)[i].t,
		      cur_now + EMPTY_CALLS + 1 + delays[i & DMASK]);
	t0 = now_ns();
	for (i = 0; i < EMPTY_CALLS; i++)
		X_ADVANCE(&F(ctx), ++cur_now);
	t = since(t0);
	if (fires)
		abort();
	X_FINI(&F(ctx));
	return t / EMPTY_CALLS;
}

#undef F
#undef PASTE
#undef PASTE2
