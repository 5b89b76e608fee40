// SPDX-License-Identifier: GPL-2.0
/*
 * etp_explore: every interleaving of two etp endpoints and a faulty
 * network, breadth first to a depth bound, with state hashing; the checks
 * of world.c on every step, the deadlock and livelock checks on the graph,
 * and the shortest counterexample as a ladder (docs/verification.md).
 *
 * Also: the transition table of docs/protocol.md 4.2 generated from
 * module/core/transitions.c (--table, --write-doc, --check-doc), and the
 * graph of one endpoint's states as Graphviz (--dot).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "names.h"
#include "world.h"

static struct w_config cfg;
static unsigned int depth_max = 14;
static unsigned long max_states = 20000000;
static unsigned int completion_max = 4000;
static const char *expect_prop;
static bool continue_all;

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "etp_explore: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(2);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p && n)
		die("out of memory (%s)", "realloc");
	return p;
}

/* ---- hashing states ----------------------------------------------------- */

static u64 mix(u64 h, u64 v)
{
	h ^= v * 0x9e3779b97f4a7c15ull;
	h = (h ^ (h >> 31)) * 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 29);
}

struct key {
	u64 a, b;
};

static struct key hash_blob(const u8 *p, u32 len)
{
	struct key k = { 0x243f6a8885a308d3ull ^ len, 0x13198a2e03707344ull };
	u32 i;
	u64 v;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&v, p + i, 8);
		k.a = mix(k.a, v);
		k.b = mix(k.b ^ 0xa4093822299f31d0ull, v + i);
	}
	v = 0;
	memcpy(&v, p + i, len - i);
	k.a = mix(k.a, v);
	k.b = mix(k.b ^ 0xa4093822299f31d0ull, v + i);
	if (!k.a && !k.b)
		k.a = 1;
	return k;
}

#define NO_ID		0xffffffffu
#define F_COMPLETES	1u	/* a fair run from it reaches no connection */

struct slot {
	struct key k;
	u32 id;			/* BFS state, or NO_ID: seen by a check only */
	u32 flags;
};

static struct slot *table;
static size_t table_size, table_used;

static struct slot *lookup(struct key k, bool insert);

static void table_grow(void)
{
	struct slot *old = table;
	size_t n = table_size, i;

	table_size = n ? n * 2 : 1 << 20;
	table = calloc(table_size, sizeof(*table));
	if (!table)
		die("out of memory (%s)", "state table");
	table_used = 0;
	for (i = 0; i < n; i++)
		if (old[i].k.a || old[i].k.b)
			*lookup(old[i].k, true) = old[i];
	free(old);
}

static struct slot *lookup(struct key k, bool insert)
{
	size_t i;

	if (insert && (table_used + 1) * 2 > table_size)
		table_grow();
	if (!table_size)
		return NULL;
	for (i = k.a & (table_size - 1);; i = (i + 1) & (table_size - 1)) {
		struct slot *s = &table[i];

		if (s->k.a == k.a && s->k.b == k.b)
			return s;
		if (!s->k.a && !s->k.b) {
			if (!insert)
				return NULL;
			s->k = k;
			s->id = NO_ID;
			s->flags = 0;
			table_used++;
			return s;
		}
	}
}

/* ---- the states found ---------------------------------------------------- */

struct node {
	u32 parent;
	struct w_event ev;
	u8 depth;
};

static struct node *nodes;
static size_t nnodes, nodes_cap;

static u32 node_add(u32 parent, const struct w_event *ev, u8 depth)
{
	if (nnodes == nodes_cap) {
		nodes_cap = nodes_cap ? nodes_cap * 2 : 1 << 16;
		nodes = xrealloc(nodes, nodes_cap * sizeof(*nodes));
	}
	nodes[nnodes].parent = parent;
	if (ev)
		nodes[nnodes].ev = *ev;
	nodes[nnodes].depth = depth;
	return nnodes++;
}

/* A layer of states to expand: their ids and canonical forms. */
struct layer {
	u32 *ids;
	u32 *off;
	u8 *bytes;
	size_t n, cap, used, bytes_cap;
};

static void layer_add(struct layer *l, u32 id, const u8 *blob, u32 len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->ids = xrealloc(l->ids, l->cap * sizeof(*l->ids));
		l->off = xrealloc(l->off, (l->cap + 1) * sizeof(*l->off));
	}
	if (l->used + len > l->bytes_cap) {
		l->bytes_cap = (l->bytes_cap + len) * 2;
		l->bytes = xrealloc(l->bytes, l->bytes_cap);
	}
	if (!l->n)
		l->off[0] = 0;
	memcpy(l->bytes + l->used, blob, len);
	l->used += len;
	l->ids[l->n++] = id;
	l->off[l->n] = l->used;
}

/* Segment deliveries between states: where a livelock would be. */
struct edge {
	u32 src, dst;
	struct w_event ev;
};

static struct edge *edges;
static size_t nedges, edges_cap;

static void edge_add(u32 src, u32 dst, const struct w_event *ev)
{
	if (nedges == edges_cap) {
		edges_cap = edges_cap ? edges_cap * 2 : 1 << 16;
		edges = xrealloc(edges, edges_cap * sizeof(*edges));
	}
	edges[nedges].src = src;
	edges[nedges].dst = dst;
	edges[nedges].ev = *ev;
	nedges++;
}

/* ---- counterexamples ----------------------------------------------------- */

struct path {
	struct w_event *ev;
	size_t n, cap;
	size_t cycle;		/* a livelock: events from here on repeat */
};

static void path_push(struct path *p, const struct w_event *ev)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->ev = xrealloc(p->ev, p->cap * sizeof(*p->ev));
	}
	p->ev[p->n++] = *ev;
}

/* The events from the first state to id, in order. */
static void path_to(struct path *p, u32 id)
{
	size_t n = 0, i;
	u32 v;

	for (v = id; v; v = nodes[v].parent)
		n++;
	p->n = 0;
	p->cycle = ~(size_t)0;
	for (i = 0; i < n; i++)
		path_push(p, &nodes[0].ev);
	for (v = id, i = n; v; v = nodes[v].parent)
		p->ev[--i] = nodes[v].ev;
}

struct cex {
	bool found;
	struct path path;
	char why[256];
};

static struct cex cexs[P_MAX];

/* ---- the ladder ---------------------------------------------------------- */

#define COL	22
#define MID	46

struct ladder {
	struct etp_seg flight[64];
	int label[64];
	int nflight, next_label;
	char a[128], b[128];	/* what each column says this line */
	bool wrote;
};

static void ladder_line(const char *step, const char *a, const char *mid,
			const char *b)
{
	printf("%5s  %-*s %-*s %s\n", step, COL, a, MID, mid, b);
}

static int flight_label(struct ladder *l, const struct etp_seg *s, bool take)
{
	int i, label;

	for (i = 0; i < l->nflight; i++) {
		if (memcmp(&l->flight[i], s, sizeof(*s)))
			continue;
		label = l->label[i];
		if (take) {
			l->flight[i] = l->flight[--l->nflight];
			l->label[i] = l->label[l->nflight];
		}
		return label;
	}
	return 0;
}

static void ladder_note(void *ctx, const struct w_note *n)
{
	struct ladder *l = ctx;
	char seg[96], mid[160];

	switch (n->kind) {
	case N_SEND:
		w_seg_name(&n->seg, seg, sizeof(seg));
		if (n->lost) {
			snprintf(mid, sizeof(mid), "%s (network full: lost)",
				 seg);
		} else {
			struct etp_seg key = n->seg;

			memset(&key, 0, sizeof(key));
			key = n->seg;
			if (l->nflight < 64) {
				l->flight[l->nflight] = key;
				l->label[l->nflight++] = ++l->next_label;
			}
			if (n->end == W_A)
				snprintf(mid, sizeof(mid), "[%d] %s -->",
					 l->next_label, seg);
			else
				snprintf(mid, sizeof(mid), "%*s<-- %s [%d]",
					 0, "", seg, l->next_label);
		}
		if (n->end == W_A)
			ladder_line("", "", mid, "");
		else
			printf("%5s  %-*s %*s\n", "", COL, "", MID, mid);
		break;
	case N_STATE:
		snprintf(n->end == W_A ? l->a : l->b, sizeof(l->a), "%s%s%s",
			 n->listener ? "listener " : "",
			 etp_state_name(n->new_state),
			 n->destroy ? (n->new_state == ETP_STATE_LISTEN ?
				       " (embryo freed)" : " (freed)") : "");
		ladder_line("", n->end == W_A ? l->a : "", "",
			    n->end == W_B ? l->b : "");
		break;
	case N_READ:
	case N_WRITE:
		snprintf(seg, sizeof(seg), "%s %u%s",
			 n->kind == N_READ ? "read" : "wrote", n->n,
			 n->kind == N_READ && n->destroy ? " + end" : "");
		ladder_line("", n->end == W_A ? seg : "", "",
			    n->end == W_B ? seg : "");
		break;
	}
}

/* Replay p from the first state, printing each step as a ladder. */
static void print_ladder(const struct path *p, u32 prop)
{
	struct ladder l = { .nflight = 0 };
	struct w_observer obs = { .note = ladder_note, .ctx = &l };
	struct w_result res;
	struct world w;
	char step[24], ev[64], mid[160], seg[96];
	size_t i;

	w_init(&w, &cfg);
	printf("\n");
	ladder_line("step", "A", "network", "B");
	ladder_line("", "CLOSED", "", "CLOSED");
	for (i = 0; i < p->n; i++) {
		const struct w_event *e = &p->ev[i];
		int end = e->end;

		if (i == p->cycle)
			printf("%5s  ---- from here the exchange repeats for ever ----\n",
			       "");
		snprintf(step, sizeof(step), "%zu", i + 1);
		w_event_name(e, ev, sizeof(ev));
		mid[0] = '\0';
		if (e->kind >= W_DELIVER && e->kind <= W_DUP) {
			int label = flight_label(&l, &w.bag[e->arg].s,
						 e->kind != W_DUP);

			w_seg_name(&w.bag[e->arg].s, seg, sizeof(seg));
			if (e->kind == W_DELIVER && end == W_B)
				snprintf(mid, sizeof(mid), "--> [%d] %s",
					 label, seg);
			else if (e->kind == W_DELIVER)
				snprintf(mid, sizeof(mid), "[%d] %s <--",
					 label, seg);
			else if (e->kind == W_LOSE)
				snprintf(mid, sizeof(mid), "[%d] %s  X lost",
					 label, seg);
			else
				snprintf(mid, sizeof(mid), "[%d] %s  duplicated",
					 label, seg);
			if (e->kind == W_DUP && l.nflight < 64) {
				l.flight[l.nflight] = w.bag[e->arg].s;
				l.label[l.nflight++] = label;
			}
			ladder_line(step, "", mid, "");
		} else if (e->kind == W_FORGE) {
			snprintf(mid, sizeof(mid), "(the network forges a segment in %c's name)",
				 'A' + end);
			ladder_line(step, "", mid, "");
		} else {
			ladder_line(step, end == W_A ? ev + 2 : "", "",
				    end == W_B ? ev + 2 : "");
		}
		w_step(&w, &cfg, e, &obs, &res);
		for (int q = 0; q < P_MAX; q++)
			if (res.violated & prop & (1u << q))
				printf("%5s  !! %s\n", "", res.why[q]);
	}
	w_free(&w);
}

static void report_cex(enum w_prop prop)
{
	struct cex *c = &cexs[prop];

	printf("\nVIOLATION %s: %s\n", w_prop_names[prop], c->why);
	printf("shortest counterexample, %zu events:\n", c->path.n);
	print_ladder(&c->path, 1u << prop);
}

static void record(enum w_prop prop, const struct path *p, const char *why)
{
	struct cex *c = &cexs[prop];

	if (c->found)
		return;
	c->found = true;
	c->path.n = 0;
	c->path.cycle = p->cycle;
	for (size_t i = 0; i < p->n; i++)
		path_push(&c->path, &p->ev[i]);
	snprintf(c->why, sizeof(c->why), "%s", why);
}

static void record_step(u32 parent, const struct w_event *ev,
			const struct w_result *res)
{
	struct path p = { 0 };
	int prop;

	path_to(&p, parent);
	path_push(&p, ev);
	for (prop = 0; prop < P_MAX; prop++)
		if (res->violated & (1u << prop))
			record(prop, &p, res->why[prop]);
	free(p.ev);
}

/* ---- no deadlock: a fair run from every state ends every connection -------- */

/*
 * The network delivers what is in flight, in order; users read what came
 * and close once; timers fire, the earliest first. From every reachable
 * state this must end with no connection on either end. Every state such
 * a run passes through is remembered as completing, so runs are short.
 */
static int fair_event(const struct world *w, struct w_event *ev)
{
	u64 best = ~0ull;
	int i, id;

	if (w->nbag) {
		*ev = (struct w_event){ W_DELIVER, w->bag[0].to, 0 };
		return 1;
	}
	for (i = 0; i < 2; i++) {
		const struct w_conn *c = &w->e[i].c;

		if (w->e[i].live && (etp_fsm_readable(&c->t, c->st) ||
				     (c->t.fin_rcvd && !c->eof))) {
			*ev = (struct w_event){ W_READ, i, 0 };
			return 1;
		}
	}
	for (i = 0; i < 2; i++) {
		const struct w_conn *c = &w->e[i].c;
		enum etp_conn_state s = c->t.state;

		if (w->e[i].live && !c->closed &&
		    (s == ETP_STATE_SYN_SENT || s == ETP_STATE_SYN_RCVD ||
		     s == ETP_STATE_ESTABLISHED || s == ETP_STATE_CLOSE_WAIT)) {
			*ev = (struct w_event){ W_CLOSE, i, 0 };
			return 1;
		}
	}
	for (i = 0; i < 2; i++) {
		const struct w_conn *c = &w->e[i].c;

		if (!w->e[i].live)
			continue;
		for (id = 0; id < ETP_T_MAX; id++)
			if ((c->armed & ETP_T_BIT(id)) && c->due[id] < best) {
				best = c->due[id];
				*ev = (struct w_event){ W_TIMER, i, id };
			}
	}
	return best != ~0ull;
}

static unsigned long completion_runs, completion_steps;

static void check_completes(const struct world *start, u32 id)
{
	static struct key *trail;
	static size_t trail_cap;
	static u8 blob[W_BLOB_MAX];
	struct path p = { 0 };
	struct w_result res;
	struct w_event ev;
	struct world w;
	size_t n = 0, i, base;
	bool ok = false;
	char why[256] = "";

	if (!trail) {
		trail_cap = completion_max + 1;
		trail = xrealloc(NULL, trail_cap * sizeof(*trail));
	}
	completion_runs++;
	w_copy(&w, start);
	path_to(&p, id);
	base = p.n;
	for (;;) {
		struct key k = hash_blob(blob, w_save(&w, &cfg, blob));
		struct slot *s = lookup(k, false);

		if (w_quiet(&w) || (s && (s->flags & F_COMPLETES))) {
			ok = true;
			break;
		}
		for (i = 0; i < n; i++)
			if (trail[i].a == k.a && trail[i].b == k.b)
				break;
		if (i < n) {
			/* Back where it was: a loop, for ever. */
			bool deliveries = true;

			p.cycle = base + i;
			for (i = p.cycle; i < p.n; i++)
				deliveries &= p.ev[i].kind == W_DELIVER;
			if (deliveries) {
				record(P_LIVELOCK, &p, "a cycle of segment exchanges with no timer, no user call and no fault repeats for ever");
				ok = true;	/* reported as what it is */
			} else {
				snprintf(why, sizeof(why), "a fair run loops for ever without ending a connection");
			}
			break;
		}
		trail[n++] = k;
		if (n > completion_max) {
			snprintf(why, sizeof(why), "no connection ended after %u fair steps (a livelock, or a loop of timers)",
				 completion_max);
			break;
		}
		if (!fair_event(&w, &ev)) {
			snprintf(why, sizeof(why), "deadlock: nothing in flight, no timer, no user call left, and A is %s, B is %s",
				 w.e[W_A].live ? etp_state_name(w.e[W_A].c.t.state) : "gone",
				 w.e[W_B].live ? etp_state_name(w.e[W_B].c.t.state) : "gone");
			break;
		}
		path_push(&p, &ev);
		w_step(&w, &cfg, &ev, NULL, &res);
		completion_steps++;
		if (res.violated) {
			for (int prop = 0; prop < P_MAX; prop++)
				if (res.violated & (1u << prop))
					record(prop, &p, res.why[prop]);
			ok = true;	/* reported as what it is */
			break;
		}
	}
	if (ok) {
		for (i = 0; i < n; i++)
			lookup(trail[i], true)->flags |= F_COMPLETES;
	} else if (!why[0]) {
		/* nothing */
	} else {
		record(P_STUCK, &p, why);
	}
	w_free(&w);
	free(p.ev);
}

/* ---- no livelock: no cycle of deliveries alone ------------------------------ */

static int edge_cmp(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	return x->src < y->src ? -1 : x->src > y->src;
}

/*
 * A cycle in the graph of segment deliveries (no timer, no user call, no
 * fault) is an exchange that goes on for ever by itself. Found with an
 * iterative Tarjan over the delivery edges; the shortest way into it and
 * the cycle itself are the counterexample.
 */
static void check_livelock(void)
{
	u32 *start, *index, *low, *stack, *cstack, *eidx, *comp;
	u32 n = nnodes, idx = 0, sp = 0, csp = 0, v, w;
	bool *on;
	size_t i;
	u32 found = NO_ID;

	if (!nedges)
		return;
	qsort(edges, nedges, sizeof(*edges), edge_cmp);
	start = calloc(n + 1, sizeof(*start));
	index = malloc(n * sizeof(*index));
	low = malloc(n * sizeof(*low));
	stack = malloc(n * sizeof(*stack));
	cstack = malloc(n * sizeof(*cstack));
	eidx = malloc(n * sizeof(*eidx));
	comp = malloc(n * sizeof(*comp));
	on = calloc(n, sizeof(*on));
	if (!start || !index || !low || !stack || !cstack || !eidx || !comp ||
	    !on)
		die("out of memory (%s)", "livelock check");
	for (i = 0; i < nedges; i++)
		start[edges[i].src + 1]++;
	for (v = 0; v < n; v++)
		start[v + 1] += start[v];
	for (v = 0; v < n; v++) {
		index[v] = NO_ID;
		comp[v] = NO_ID;
	}
	for (v = 0; v < n && found == NO_ID; v++) {
		if (index[v] != NO_ID || start[v] == start[v + 1])
			continue;
		/* iterative Tarjan from v */
		cstack[csp++] = v;
		index[v] = low[v] = idx++;
		eidx[v] = start[v];
		stack[sp++] = v;
		on[v] = true;
		while (csp && found == NO_ID) {
			u32 u = cstack[csp - 1];

			if (eidx[u] < start[u + 1]) {
				const struct edge *e = &edges[eidx[u]++];

				w = e->dst;
				if (w == u) {
					found = u;
				} else if (index[w] == NO_ID) {
					index[w] = low[w] = idx++;
					eidx[w] = start[w];
					stack[sp++] = w;
					on[w] = true;
					cstack[csp++] = w;
				} else if (on[w] && index[w] < low[u]) {
					low[u] = index[w];
				}
				continue;
			}
			csp--;
			if (csp) {
				u32 parent = cstack[csp - 1];

				if (low[u] < low[parent])
					low[parent] = low[u];
			}
			if (low[u] == index[u]) {
				u32 size = 0, x;

				do {
					x = stack[--sp];
					on[x] = false;
					comp[x] = u;
					size++;
				} while (x != u);
				if (size > 1)
					found = u;
			}
		}
	}
	if (found != NO_ID) {
		/* The shortest cycle through found, inside its component. */
		u32 *prev = malloc(n * sizeof(*prev)), *queue = stack;
		struct w_event *pev = malloc(n * sizeof(*pev));
		u32 head = 0, tail = 0, target = found;
		struct path p = { 0 };
		size_t k, m;

		if (!prev || !pev)
			die("out of memory (%s)", "livelock path");
		for (v = 0; v < n; v++)
			prev[v] = NO_ID;
		queue[tail++] = found;
		while (head < tail) {
			u32 u = queue[head++];

			for (i = start[u]; i < start[u + 1]; i++) {
				w = edges[i].dst;
				if (comp[found] != NO_ID && comp[w] != comp[found])
					continue;
				if (w == target) {
					prev[w] = u;
					pev[w] = edges[i].ev;
					head = tail;
					break;
				}
				if (prev[w] == NO_ID && w != found) {
					prev[w] = u;
					pev[w] = edges[i].ev;
					queue[tail++] = w;
				}
			}
		}
		path_to(&p, found);
		p.cycle = p.n;
		m = 0;
		for (v = target;; v = prev[v]) {
			m++;
			if (prev[v] == found)
				break;
		}
		k = p.n;
		for (i = 0; i < m; i++)
			path_push(&p, &pev[found]);
		for (v = target, i = 0; i < m; i++, v = prev[v])
			p.ev[k + m - 1 - i] = pev[v];
		record(P_LIVELOCK, &p, "a cycle of segment exchanges with no timer, no user call and no fault repeats for ever");
		free(prev);
		free(pev);
		free(p.ev);
	}
	free(start);
	free(index);
	free(low);
	free(stack);
	free(cstack);
	free(eidx);
	free(comp);
	free(on);
}

/* ---- what the endpoint graph and the table's rows saw ---------------------- */

static unsigned long row_hits[W_ROWS_MAX];
static u16 edge_rows[__ETP_STATE_MAX][__ETP_STATE_MAX][4];

static void on_transition(void *ctx, int end, const struct etp_actions *act,
			  enum etp_trigger trig, u8 seg_flags, int row,
			  const struct etp_seg *sent)
{
	u16 *r = edge_rows[act->old_state][act->new_state];

	if (row < 0 || row >= 64)
		return;
	row_hits[row]++;
	/* the rows seen per pair of states: a bit set of 64 */
	r[row / 16] |= 1u << (row % 16);
}

static void write_dot(const char *file)
{
	FILE *f = fopen(file, "w");
	int from, to, row;

	if (!f)
		die("cannot write %s", file);
	fprintf(f, "// The states of one etp endpoint and every transition the explorer\n"
		   "// took, labelled with docs/protocol.md 4.2's rows. Generated by\n"
		   "// `make explore` (tools/explore); do not edit.\n"
		   "digraph etp {\n"
		   "\trankdir=TB;\n\tnewrank=true;\n"
		   "\tnode [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
		   "\tedge [fontname=\"Helvetica\", fontsize=9];\n"
		   "\t{ rank=same; LISTEN; SYN_SENT; }\n"
		   "\t{ rank=same; SYN_RCVD; ESTABLISHED; }\n"
		   "\t{ rank=same; FIN_WAIT_1; CLOSE_WAIT; }\n"
		   "\t{ rank=same; FIN_WAIT_2; CLOSING; LAST_ACK; }\n");
	for (from = ETP_STATE_CLOSED; from < __ETP_STATE_MAX; from++)
		fprintf(f, "\t%s;\n", etp_state_name(from));
	for (from = ETP_STATE_CLOSED; from < __ETP_STATE_MAX; from++)
		for (to = ETP_STATE_CLOSED; to < __ETP_STATE_MAX; to++) {
			const u16 *r = edge_rows[from][to];
			bool first = true;

			if (!r[0] && !r[1] && !r[2] && !r[3])
				continue;
			fprintf(f, "\t%s -> %s [label=\"", etp_state_name(from),
				etp_state_name(to));
			for (row = 0; row < 64; row++) {
				const struct etp_transition *t;

				if (!(r[row / 16] & (1u << (row % 16))))
					continue;
				t = &etp_transitions[row];
				fprintf(f, "%s%s", first ? "" : "\\n", t->event);
				if (t->sends)
					fprintf(f, " / %s", t->sends);
				first = false;
			}
			fprintf(f, "\"];\n");
		}
	fprintf(f, "}\n");
	fclose(f);
}

/* ---- docs/protocol.md 4.2 from the table ---------------------------------- */

static void md_cell(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void write_table(FILE *f)
{
	unsigned int i;
	int s;

	fprintf(f, "| From | Event | To | Sends | Timers |\n|---|---|---|---|---|\n");
	for (i = 0; i < etp_transitions_count; i++) {
		const struct etp_transition *t = &etp_transitions[i];
		bool first = true;

		fprintf(f, "| ");
		for (s = ETP_STATE_CLOSED; s < __ETP_STATE_MAX; s++)
			if (t->from & ETP_STATE_BIT(s)) {
				fprintf(f, "%s%s", first ? "" : ", ",
					etp_state_name(s));
				first = false;
			}
		fprintf(f, " | ");
		md_cell(f, t->event);
		fprintf(f, " | %s%s", etp_state_name(t->to),
			t->destroy ? " → free" : "");
		if (t->to_note) {
			fprintf(f, ", ");
			md_cell(f, t->to_note);
		}
		fprintf(f, " | ");
		md_cell(f, t->sends ? t->sends : "—");
		fprintf(f, " | ");
		md_cell(f, t->timers ? t->timers : "—");
		fprintf(f, " |\n");
	}
}

#define DOC_BEGIN "<!-- transition table: generated from module/core/transitions.c by `make doc-table`; do not edit -->\n"
#define DOC_END "<!-- end of transition table -->\n"

static char *slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "r");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		die("cannot read %s", file);
	do {
		if (n + 4096 > cap) {
			cap = (cap + 4096) * 2;
			buf = xrealloc(buf, cap);
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* 0: the document's table is the generated one (rewritten if asked). */
static int doc_table(const char *file, bool rewrite)
{
	size_t len, glen;
	char *doc = slurp(file, &len), *b, *e, *gen = NULL;
	FILE *g = open_memstream(&gen, &glen);
	int rc = 0;

	b = strstr(doc, DOC_BEGIN);
	e = b ? strstr(b, DOC_END) : NULL;
	if (!b || !e)
		die("%s has no generated transition table markers", file);
	b += strlen(DOC_BEGIN);
	write_table(g);
	fclose(g);
	if ((size_t)(e - b) != glen || memcmp(b, gen, glen)) {
		if (rewrite) {
			FILE *f = fopen(file, "w");

			if (!f)
				die("cannot write %s", file);
			fwrite(doc, 1, b - doc, f);
			fwrite(gen, 1, glen, f);
			fputs(e, f);
			fclose(f);
			printf("%s: transition table rewritten\n", file);
		} else {
			fprintf(stderr, "%s: section 4.2's table differs from module/core/transitions.c; run `make doc-table`\n",
				file);
			rc = 1;
		}
	}
	free(doc);
	free(gen);
	return rc;
}

/* ---- the search ------------------------------------------------------------ */

static double seconds(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

static bool stop_now(void)
{
	int prop;

	if (continue_all)
		return false;
	for (prop = 0; prop < P_MAX; prop++)
		if (cexs[prop].found)
			return true;
	return false;
}

static void explore(void)
{
	struct layer cur = { 0 }, next = { 0 };
	struct w_observer obs = { .transition = on_transition };
	static u8 blob[W_BLOB_MAX];
	struct w_event evs[W_EVENTS_MAX];
	unsigned long transitions = 0, total_tr = 0;
	struct timespec t0;
	struct world w, w2;
	struct w_result res;
	unsigned int d;
	u32 len, id;
	size_t i;
	int n, k;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	w_init(&w, &cfg);
	len = w_save(&w, &cfg, blob);
	id = node_add(0, NULL, 0);
	lookup(hash_blob(blob, len), true)->id = id;
	layer_add(&cur, id, blob, len);
	check_completes(&w, id);
	w_free(&w);
	printf("# depth  new-states  total-states  transitions  seconds\n");
	printf("%7u  %10zu  %12zu  %11lu  %7.2f\n", 0, (size_t)1, nnodes, 0ul,
	       seconds(&t0));
	for (d = 0; d < depth_max && cur.n && !stop_now(); d++) {
		size_t before = nnodes;

		transitions = 0;
		for (i = 0; i < cur.n && !stop_now(); i++) {
			w_load(&w, &cfg, cur.bytes + cur.off[i],
			       cur.off[i + 1] - cur.off[i]);
			n = w_enabled(&w, &cfg, evs);
			for (k = 0; k < n; k++) {
				struct slot *s;
				struct key key;
				u32 sid;

				w_copy(&w2, &w);
				w_step(&w2, &cfg, &evs[k], &obs, &res);
				transitions++;
				if (res.violated) {
					record_step(cur.ids[i], &evs[k], &res);
					/* --all: what follows may break more */
					if (!continue_all) {
						w_free(&w2);
						continue;
					}
				}
				len = w_save(&w2, &cfg, blob);
				key = hash_blob(blob, len);
				s = lookup(key, true);
				sid = s->id;
				if (sid == NO_ID) {
					if (nnodes >= max_states)
						die("more than %s states: raise --max-states or lower --depth",
						    "the limit of");
					sid = node_add(cur.ids[i], &evs[k],
						       d + 1);
					s->id = sid;
					layer_add(&next, sid, blob, len);
					/* (it may move the table: s is stale) */
					if (!(s->flags & F_COMPLETES))
						check_completes(&w2, sid);
				}
				if (evs[k].kind == W_DELIVER)
					edge_add(cur.ids[i], sid, &evs[k]);
				w_free(&w2);
			}
			w_free(&w);
		}
		total_tr += transitions;
		printf("%7u  %10zu  %12zu  %11lu  %7.2f\n", d + 1,
		       nnodes - before, nnodes, transitions, seconds(&t0));
		fflush(stdout);
		free(cur.ids);
		free(cur.off);
		free(cur.bytes);
		cur = next;
		memset(&next, 0, sizeof(next));
	}
	if (!stop_now())
		check_livelock();
	printf("explored: %zu states, %lu transitions, depth %u%s, %.2f s; fair runs to CLOSED: %lu (%lu steps); delivery edges: %zu\n",
	       nnodes, total_tr, d, cur.n ? "" : " (no new states: complete)",
	       seconds(&t0), completion_runs, completion_steps, nedges);
	free(cur.ids);
	free(cur.off);
	free(cur.bytes);
}

static void print_rows(void)
{
	w_print_rows(stdout, row_hits);
}

static void usage(int rc)
{
	printf("usage: etp_explore [options]\n"
	       "  --depth N         events from the start (default 14)\n"
	       "  --loss N --dup N --forge N   the network's budgets (1 1 0)\n"
	       "  --writes N --write-len N     user writes per connection (1, 2 octets)\n"
	       "  --conns N         connections A may open in turn (2)\n"
	       "  --no-simultaneous B only listens (default: listens or connects)\n"
	       "  --unlisten        B's user may close its listener\n"
	       "  --ratelimit MS    invalid_ratelimit_ms (default: the parameter's)\n"
	       "  --rcvbuf N --mss N --retries N   parameters (256, 64, 1)\n"
	       "  --max-states N    give up beyond N states (20000000)\n"
	       "  --all             go on after a violation\n"
	       "  --expect PROP     a self-test: exit 0 only if PROP is violated\n"
	       "  --dot FILE        the endpoint's state graph as Graphviz\n"
	       "  --table           print docs/protocol.md 4.2's table\n"
	       "  --check-doc FILE  fail if FILE's table is not the generated one\n"
	       "  --write-doc FILE  rewrite FILE's table\n");
	exit(rc);
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s)
		die("not a number: %s", s);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "depth", 1, NULL, 'd' }, { "loss", 1, NULL, 'l' },
		{ "dup", 1, NULL, 'u' }, { "forge", 1, NULL, 'f' },
		{ "writes", 1, NULL, 'w' }, { "write-len", 1, NULL, 'W' },
		{ "conns", 1, NULL, 'c' }, { "no-simultaneous", 0, NULL, 'S' },
		{ "unlisten", 0, NULL, 'U' }, { "ratelimit", 1, NULL, 'r' },
		{ "rcvbuf", 1, NULL, 'R' }, { "mss", 1, NULL, 'm' },
		{ "retries", 1, NULL, 'y' }, { "max-states", 1, NULL, 'M' },
		{ "all", 0, NULL, 'a' }, { "expect", 1, NULL, 'e' },
		{ "dot", 1, NULL, 'D' }, { "table", 0, NULL, 't' },
		{ "check-doc", 1, NULL, 'C' }, { "write-doc", 1, NULL, 'X' },
		{ "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *dot = NULL;
	int c, prop, rc = 0, i;
	u32 violated = 0;

	etp_params_default(&cfg.p);
	/* Small numbers keep the space small; the logic is the same. */
	cfg.p.rcvbuf = 256;
	cfg.p.sndbuf = 256;
	cfg.p.mss = 64;
	cfg.p.syn_retries = 1;
	cfg.p.retries = 1;
	cfg.p.msl_ms = 1000;
	cfg.p.fin_wait2_ms = 5000;
	cfg.max_conns[W_A] = 2;
	cfg.max_conns[W_B] = 1;
	cfg.b_listens = true;
	cfg.b_connects = true;
	cfg.writes = 1;
	cfg.write_len = 2;
	cfg.loss = 1;
	cfg.dup = 1;
	cfg.forge_len = 10;
	/* A's second ISS lies in the window of its first (the hard case). */
	for (i = 0; i < W_MAXINC; i++) {
		cfg.iss[W_A][i] = 1000 + 64 * i;
		cfg.iss[W_B][i] = 5000 + 64 * i;
	}
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': depth_max = num(optarg); break;
		case 'l': cfg.loss = num(optarg); break;
		case 'u': cfg.dup = num(optarg); break;
		case 'f': cfg.forge = num(optarg); break;
		case 'w': cfg.writes = num(optarg); break;
		case 'W': cfg.write_len = num(optarg); break;
		case 'c':
			cfg.max_conns[W_A] = num(optarg);
			if (cfg.max_conns[W_A] > W_MAXINC)
				die("at most %s connections", "3");
			break;
		case 'S': cfg.b_connects = false; break;
		case 'U': cfg.unlisten = true; break;
		case 'r': cfg.p.invalid_ratelimit_ms = num(optarg); break;
		case 'R': cfg.p.rcvbuf = num(optarg); break;
		case 'm': cfg.p.mss = num(optarg); break;
		case 'y':
			cfg.p.retries = num(optarg);
			cfg.p.syn_retries = cfg.p.retries;
			break;
		case 'M': max_states = num(optarg); break;
		case 'a': continue_all = true; break;
		case 'e': expect_prop = optarg; break;
		case 'D': dot = optarg; break;
		case 't': write_table(stdout); return 0;
		case 'C': return doc_table(optarg, false);
		case 'X': return doc_table(optarg, true);
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	printf("# etp_explore: depth %u, loss %u, dup %u, forge %u, writes %u x %u octets, A opens %u, B %s%s; invalid_ratelimit_ms %u\n",
	       depth_max, cfg.loss, cfg.dup, cfg.forge, cfg.writes,
	       cfg.write_len, cfg.max_conns[W_A],
	       cfg.b_connects ? "listens or connects" : "listens",
	       cfg.unlisten ? " (may unlisten)" : "",
	       cfg.p.invalid_ratelimit_ms);
	explore();
	print_rows();
	if (dot)
		write_dot(dot);
	for (prop = 0; prop < P_MAX; prop++)
		if (cexs[prop].found) {
			violated |= 1u << prop;
			report_cex(prop);
		}
	if (expect_prop) {
		for (prop = 0; prop < P_MAX; prop++)
			if (!strcmp(expect_prop, w_prop_names[prop]))
				break;
		if (prop == P_MAX)
			die("no property %s", expect_prop);
		rc = violated & (1u << prop) ? 0 : 1;
		printf("self-test: %s %s\n", expect_prop,
		       rc ? "NOT found (the check cannot fail?)" :
		       "found, as it must be on this core");
		return rc;
	}
	printf("%s\n", violated ? "explore: FAILED" : "explore: all properties hold");
	return violated ? 1 : 0;
}
