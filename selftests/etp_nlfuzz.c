// SPDX-License-Identifier: GPL-2.0
/*
 * etp_nlfuzz: random requests to every command of the etp generic netlink
 * family, SEND and RECV included: random commands, header fields and
 * flags, attribute sets, types, lengths and values, nests, and framing
 * that is not even well formed. Checks, for each request:
 *
 * - a refusal carries an extack message, unless the generic netlink core
 *   refused it before etp's code ran (unknown command, dump of an op
 *   without one, an admin op without CAP_NET_ADMIN: 6.1's core gives no
 *   message there); those must have exactly the errno the core gives;
 * - a refusal changes nothing: the connections (as CONN_GET dumps them,
 *   time left on timers aside), the parameters and the counters (the timer
 *   wheel's bookkeeping aside) are the same before and after, and no state
 *   or data event is multicast. A difference is checked again with the
 *   same request before it counts, so a change the kernel made on its own
 *   (a timer) is not blamed on the request;
 * - without privileges (-u: nobody; -U: root of a fresh user namespace,
 *   which does not own the netns) no admin op is ever accepted.
 *
 * What an accepted request changes is undone where it would go on
 * changing things: parameters are set back, a new connection is aborted,
 * data is read back out of the receive queues, and the next baseline is
 * taken once the namespace is quiet again. -n skips the "nothing changes"
 * checks, for a namespace that is busy anyway (etp_torture.sh).
 *
 * -N (the selftest's proof that the checks bite) keeps root's privileges
 * but judges as if it had none: admin ops the kernel accepts are reported.
 *
 * usage: etp_nlfuzz [-u|-U|-N] [-n] [-t SECONDS] [-c COUNT] [-s SEED] [-v]
 * Prints one JSON line of figures; exits 0, 1 on a violation, 2 when the
 * family is gone (etp.ko unloaded).
 */
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/etp.h>
#include <linux/genetlink.h>

#include "helpers.h"
#include "nl.h"

#define BUF_SIZE	(1 << 17)
#define SNAP_SIZE	(1 << 20)
#define MAX_IDS		64
#define MAX_SHOWN	8
/* Quiet tries before a refused request that changed things is a violation */
#define QUIET_TRIES	3

/* PRIV_PRETEND: root that calls itself unprivileged, to test the checks. */
enum priv { PRIV_ROOT, PRIV_NOBODY, PRIV_USERNS, PRIV_PRETEND };

static struct etp_nl nl, ev;	/* requests; events */
static enum priv priv = PRIV_ROOT;
static bool check_state = true, verbose;
static uint32_t ids[MAX_IDS];
static int n_ids;
static char params0[4096];	/* the parameters to set back */
static size_t params0_len;

static struct {
	unsigned long requests, accepted, refused, core, msg, changed_bg;
	unsigned long violations, by_errno[256], accepted_by_cmd[256];
} fig;

/* --- the request being built ------------------------------------------- */

struct req {
	uint8_t *buf;
	struct nlmsghdr *nlh;
	uint8_t cmd;
	bool dump, bad_hdr;
};

static void *put(struct req *r, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (void *)((uint8_t *)r->nlh +
				    NLMSG_ALIGN(r->nlh->nlmsg_len));
	size_t room = BUF_SIZE - ((uint8_t *)a - r->buf);

	if (NLA_ALIGN(NLA_HDRLEN + len) > room || NLA_HDRLEN + len > 0xffff)
		return NULL;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (data)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	else
		memset((uint8_t *)a + NLA_HDRLEN, below(256), len);
	memset((uint8_t *)a + NLA_HDRLEN + len, 0,
	       NLA_ALIGN(len) - len);
	r->nlh->nlmsg_len = NLMSG_ALIGN(r->nlh->nlmsg_len) +
			    NLA_ALIGN(NLA_HDRLEN + len);
	return a;
}

/* Values worth trying, for an attribute of width w. */
static uint64_t value(int w)
{
	static const uint64_t some[] = {
		0, 1, 2, 7, 11, 12, 127, 128, 255, 256, 1023, 4096, 7000,
		7001, 32768, 65495, 65531, 65535, 65536, 0x7fffffff,
		0x80000000, 0xffffffff,
	};
	uint64_t v;

	switch (below(4)) {
	case 0:
		v = rnd();
		break;
	case 1:
		v = n_ids ? ids[below(n_ids)] : 1;
		break;
	default:
		v = some[below(sizeof(some) / sizeof(some[0]))];
	}
	if (w == 8)
		v |= chance(20) ? (uint64_t)rnd() << 32 : 0;
	return v;
}

static void put_int(struct req *r, uint16_t type, int w, uint64_t v)
{
	uint8_t b[8];

	switch (w) {
	case 1: b[0] = v; break;
	case 2: { uint16_t x = v; memcpy(b, &x, 2); break; }
	case 4: { uint32_t x = v; memcpy(b, &x, 4); break; }
	default: memcpy(b, &v, 8); w = 8;
	}
	put(r, type, b, w);
}

/* The width an attribute has in etp's policies; 0: binary; -1: nest. */
static int width(uint16_t type)
{
	switch (type) {
	case ETP_A_PROTOCOL: case ETP_A_STATE: case ETP_A_OLD_STATE:
		return 1;
	case ETP_A_LOCAL_PORT: case ETP_A_REMOTE_PORT:
		return 2;
	case ETP_A_TIMESTAMP_NS:
		return 8;
	case ETP_A_PARAMS: case ETP_A_STATS: case ETP_A_STAT:
	case ETP_A_TIMERS: case ETP_A_TIMER: case ETP_A_SEQ:
	case ETP_A_PARAM_INFO: case ETP_A_PARAM_DESC: case ETP_A_INFO:
	case ETP_A_SEGMENT: case ETP_A_FAULT:
		return -1;
	case ETP_A_VERSION: case ETP_A_CAUSE: case ETP_A_DATA:
	case ETP_A_EOF:
		return 0;
	default:
		return 4;
	}
}

/* The attributes each command takes: most draws use them. */
static const uint16_t cmd_attrs[][5] = {
	[ETP_CMD_PARAM_SET]	= { ETP_A_PARAMS },
	[ETP_CMD_LISTEN]	= { ETP_A_LOCAL_PORT, ETP_A_BACKLOG },
	[ETP_CMD_UNLISTEN]	= { ETP_A_LOCAL_PORT },
	[ETP_CMD_CONNECT]	= { ETP_A_REMOTE_ADDR, ETP_A_REMOTE_PORT,
				    ETP_A_LOCAL_ADDR, ETP_A_LOCAL_PORT },
	[ETP_CMD_CLOSE]		= { ETP_A_CONN_ID },
	[ETP_CMD_ABORT]		= { ETP_A_CONN_ID },
	[ETP_CMD_CONN_GET]	= { ETP_A_CONN_ID, ETP_A_STATE,
				    ETP_A_LOCAL_PORT },
	[ETP_CMD_SEND]		= { ETP_A_CONN_ID, ETP_A_DATA, ETP_A_DATA },
	[ETP_CMD_RECV]		= { ETP_A_CONN_ID, ETP_A_BYTES },
	[ETP_CMD_FAULT_ADD]	= { ETP_A_FAULT },
	[ETP_CMD_FAULT_DEL]	= { ETP_A_FAULT },
	[ETP_CMD_FAULT_RELEASE]	= { ETP_A_FAULT },
};

static uint16_t pick_type(uint8_t cmd)
{
	const uint16_t *own = cmd < ETP_CMD_MAX + 1 ? cmd_attrs[cmd] : NULL;
	int n = 0;

	while (own && n < 5 && own[n])
		n++;
	if (n && chance(70))
		return own[below(n)];
	if (chance(85))
		return 1 + below(ETP_A_MAX + 2);
	return rnd();		/* NLA_F_NESTED, NLA_F_NET_BYTEORDER too */
}

/* The width of an attribute nested in ETP_A_FAULT. */
static int fault_width(uint16_t type)
{
	switch (type) {
	case ETP_A_FAULT_ACTION: case ETP_A_FAULT_DIR:
	case ETP_A_FAULT_FLAGS: case ETP_A_FAULT_STATE:
		return 1;
	default:
		return 4;
	}
}

/* A nest of small values: parameters, or a fault's description. */
static void put_params(struct req *r, uint16_t type)
{
	bool fault = (type & NLA_TYPE_MASK) == ETP_A_FAULT;
	uint16_t max = fault ? ETP_A_FAULT_MAX : ETP_PARAM_MAX;
	static const uint32_t edge[] = {
		0, 1, 9, 10, 63, 64, 99, 100, 255, 256, 500, 501, 1000,
		60000, 60001, 65495, 65496, 120000, 600000, 600001,
		1 << 20, (1 << 20) + 1, 16 << 20, (16 << 20) + 1, 7200000,
		0xffffffff,
	};
	struct nlattr *nest;
	int i, n = below(6);

	if (chance(85))
		type |= NLA_F_NESTED;
	nest = put(r, type, NULL, 0);
	if (!nest)
		return;
	if (fault && chance(40)) {	/* a plausible fault, to get past */
		put_int(r, ETP_A_FAULT_ACTION, 1, below(ETP_FAULT_MAX + 2));
		if (chance(50))
			put_int(r, ETP_A_FAULT_DIR, 1, below(4));
		if (chance(50))
			put_int(r, ETP_A_FAULT_COUNT, 4, below(5));
		if (chance(30))
			put_int(r, ETP_A_FAULT_DELAY_MS, 4, below(2000));
		n = 0;
	}
	for (i = 0; i < n; i++) {
		uint16_t t = chance(90) ? 1 + below(max) : below(max + 4);
		uint32_t v = chance(60) ? edge[below(sizeof(edge) / 4)] :
			     fault && chance(50) ? below(8) : rnd() % 200000;
		int w = fault ? fault_width(t) : 4;

		put_int(r, t, chance(90) ? w : 1 << below(4), v);
	}
	nest->nla_len = (uint8_t *)r->nlh + r->nlh->nlmsg_len -
			(uint8_t *)nest;
}

static void put_random_attr(struct req *r)
{
	uint16_t type = pick_type(r->cmd);
	int w = width(type & NLA_TYPE_MASK);
	size_t len;

	if (chance(15)) {		/* any length at all */
		put(r, type, NULL, below(4) ? below(24) : below(70000));
		return;
	}
	if (w < 0) {
		put_params(r, type);
	} else if (w == 0) {
		len = below(5) ? below(2000) : below(4) ? 65531 + below(8) :
		      below(70000);
		put(r, type, NULL, len);
	} else {
		put_int(r, type, w, value(w));
	}
}

/* Bytes on the wire that do not parse as attributes. */
static void mangle(struct req *r)
{
	uint8_t *start = (uint8_t *)r->nlh + NLMSG_HDRLEN + GENL_HDRLEN;
	size_t len = r->buf + r->nlh->nlmsg_len - start;
	struct nlattr *a = (struct nlattr *)start;

	switch (below(3)) {
	case 0:		/* a length that lies */
		if (len >= NLA_HDRLEN)
			a->nla_len = below(4) ? below(8) : rnd();
		break;
	case 1:		/* cut in the middle */
		if (len)
			r->nlh->nlmsg_len -= 1 + below(len);
		break;
	default:	/* trailing junk */
		memset(r->buf + r->nlh->nlmsg_len, 0xa5, 3);
		r->nlh->nlmsg_len += 1 + below(3);
	}
}

static void build(struct req *r)
{
	struct genlmsghdr *g;
	uint16_t flags = 0;
	int i, n;

	if (chance(88))
		r->cmd = 1 + below(ETP_CMD_MAX);
	else
		r->cmd = below(4) ? below(ETP_CMD_MAX + 3) : rnd();
	if (chance(6))
		flags |= NLM_F_DUMP;
	if (chance(2))		/* maybe flags the core does not allow */
		flags |= 1u << (5 + below(11));
	/* What genl_header_check() and genl_family_rcv_msg() make of them. */
	r->dump = (flags & NLM_F_DUMP) == NLM_F_DUMP;
	r->bad_hdr = (flags & ~(r->dump ? NLM_F_DUMP : 0)) &
		     ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO);
	r->nlh = nl_msg(&nl, r->buf, r->cmd, flags);
	g = (struct genlmsghdr *)((uint8_t *)r->nlh + NLMSG_HDRLEN);
	if (chance(2)) {
		g->reserved = 1 + below(0xffff);
		r->bad_hdr = true;
	}
	if (chance(3))
		g->version = rnd();
	n = chance(10) ? below(40) : below(6);
	for (i = 0; i < n; i++)
		put_random_attr(r);
	if (chance(3))
		mangle(r);
}

/* --- what the kernel says ---------------------------------------------- */

static bool is_admin(uint8_t cmd)
{
	switch (cmd) {
	case ETP_CMD_PARAM_SET: case ETP_CMD_LISTEN: case ETP_CMD_UNLISTEN:
	case ETP_CMD_CONNECT: case ETP_CMD_CLOSE: case ETP_CMD_ABORT:
	case ETP_CMD_SEND: case ETP_CMD_RECV:
	case ETP_CMD_FAULT_ADD: case ETP_CMD_FAULT_DEL: case ETP_CMD_FAULT_GET:
	case ETP_CMD_FAULT_FLUSH: case ETP_CMD_FAULT_RELEASE:
		return true;
	default:
		return false;
	}
}

static bool is_op(uint8_t cmd)
{
	return cmd >= ETP_CMD_INFO && cmd <= ETP_CMD_MAX &&
	       cmd != ETP_CMD_STATE_EVENT && cmd != ETP_CMD_DATA_EVENT &&
	       cmd != ETP_CMD_SEGMENT_EVENT && cmd != ETP_CMD_TIMER_EVENT;
}

/* Ops with a dumpit; FAULT_GET has nothing else. */
static bool has_dump(uint8_t cmd)
{
	return cmd == ETP_CMD_CONN_GET || cmd == ETP_CMD_FAULT_GET;
}

static bool has_do(uint8_t cmd)
{
	return cmd != ETP_CMD_FAULT_GET;
}

/*
 * The errno with which the generic netlink core itself refuses r, before
 * etp's code or policies see it, and without a message; 0 if it does not.
 */
static int core_refusal(const struct req *r)
{
	if (r->bad_hdr)
		return 0;	/* refused by the core, with a message */
	if (!is_op(r->cmd))
		return EOPNOTSUPP;
	/* -N: the kernel judges root; only the verdict below pretends. */
	if (is_admin(r->cmd) && priv != PRIV_ROOT && priv != PRIV_PRETEND)
		return EPERM;
	if (r->dump ? !has_dump(r->cmd) : !has_do(r->cmd))
		return EOPNOTSUPP;
	return 0;
}

static void hexdump(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len && i < 96; i++)
		fprintf(stderr, "%02x%s", b[i], i % 32 == 31 ? "\n  " : " ");
	fprintf(stderr, "%s\n", len > 96 ? "..." : "");
}

static void violation(const struct req *r, const char *fmt, const char *s)
{
	fig.violations++;
	if (fig.violations > MAX_SHOWN)
		return;
	fprintf(stderr, "etp_nlfuzz: VIOLATION: cmd %u%s: ", r->cmd,
		r->dump ? " (dump)" : "");
	fprintf(stderr, fmt, s);
	fprintf(stderr, "\n  request (%u octets):\n  ", r->nlh->nlmsg_len);
	hexdump(r->nlh, r->nlh->nlmsg_len);
}

/* --- the namespace's state, as text ------------------------------------ */

struct snap {
	char *s;
	size_t len;
};

static void sput(struct snap *sn, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sput(struct snap *sn, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sn->len >= SNAP_SIZE - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(sn->s + sn->len, SNAP_SIZE - sn->len, fmt, ap);
	va_end(ap);
	sn->len = n < 0 ? sn->len : sn->len + n;
	if (sn->len > SNAP_SIZE - 1)
		sn->len = SNAP_SIZE - 1;
}

static bool is_nest(int depth, uint16_t type)
{
	switch (depth) {
	case 0:
		return type == ETP_A_TIMERS || type == ETP_A_SEQ ||
		       type == ETP_A_INFO;
	case 1:
		return type == ETP_A_TIMER;
	default:
		return false;
	}
}

/* Every attribute as type=hex, time left on timers left out. */
static void sput_attrs(struct snap *sn, const struct nlattr *first,
		       size_t len, int depth, bool timer)
{
	const struct nlattr *a;
	int rem = len;

	for (a = first; mnl_attr_ok(a, rem); a = mnl_attr_next(a)) {
		uint16_t t = mnl_attr_get_type(a);
		const uint8_t *p = mnl_attr_get_payload(a);
		uint16_t i, n = mnl_attr_get_payload_len(a);

		rem -= NLA_ALIGN(a->nla_len);
		if (timer && t == ETP_A_TIMER_REMAINING_MS)
			continue;
		sput(sn, " %u=", t);
		if (is_nest(depth, t)) {
			sput(sn, "{");
			sput_attrs(sn, (const void *)p, n, depth + 1,
				   t == ETP_A_TIMER);
			sput(sn, " }");
			continue;
		}
		for (i = 0; i < n; i++)
			sput(sn, "%02x", p[i]);
	}
}

static int conn_cb(const struct nlmsghdr *nlh, void *data)
{
	sput(data, "conn");
	sput_attrs(data, mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN),
		   mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN, 0, false);
	sput(data, "\n");
	return MNL_CB_OK;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1], *st[ETP_A_STAT_MAX + 1];
	const struct nlattr *a;

	if (nl_parse(nlh, tb, ETP_A_MAX) || !tb[ETP_A_STATS])
		return MNL_CB_ERROR;
	mnl_attr_for_each_nested(a, tb[ETP_A_STATS]) {
		const char *name;

		if (nl_parse_nested(a, st, ETP_A_STAT_MAX) ||
		    !st[ETP_A_STAT_NAME] || !st[ETP_A_STAT_VALUE])
			continue;
		name = mnl_attr_get_str(st[ETP_A_STAT_NAME]);
		/* The wheel's own bookkeeping moves by itself. */
		if (!strncmp(name, "timer", 5))
			continue;
		sput(data, "%s %llu\n", name, (unsigned long long)
		     mnl_attr_get_u64(st[ETP_A_STAT_VALUE]));
	}
	return MNL_CB_OK;
}

static int params_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1];
	struct snap *sn = data;

	if (nl_parse(nlh, tb, ETP_A_MAX) || !tb[ETP_A_PARAMS])
		return MNL_CB_ERROR;
	sput(sn, "params");
	sput_attrs(sn, mnl_attr_get_payload(tb[ETP_A_PARAMS]),
		   mnl_attr_get_payload_len(tb[ETP_A_PARAMS]), 2, false);
	sput(sn, "\n");
	if (!params0_len) {	/* the first look: what to set back */
		params0_len = mnl_attr_get_payload_len(tb[ETP_A_PARAMS]);
		if (params0_len > sizeof(params0))
			params0_len = sizeof(params0);
		memcpy(params0, mnl_attr_get_payload(tb[ETP_A_PARAMS]),
		       params0_len);
	}
	return MNL_CB_OK;
}

static int talk(uint8_t cmd, uint16_t flags, mnl_cb_t cb, void *data)
{
	char buf[256];
	struct nlmsghdr *nlh = nl_msg(&nl, buf, cmd, flags);

	return nl_talk(&nl, nlh, cb, data);
}

/*
 * A refusal without a message that may mean the family is gone (etp.ko
 * unloaded): then there is nothing left to test.
 */
static void gone(int err)
{
	if (err != -ENOENT || nl.extack[0])
		return;
	if (nl_open(&ev, ETP_GENL_NAME) == 0) {
		nl_close(&ev);
		return;
	}
	fprintf(stderr, "etp_nlfuzz: the etp family is gone\n");
	exit(2);
}

static int snapshot(struct snap *sn)
{
	int err;

	sn->len = 0;
	err = talk(ETP_CMD_PARAM_GET, 0, params_cb, sn) ?:
	      talk(ETP_CMD_STATS_GET, 0, stats_cb, sn) ?:
	      talk(ETP_CMD_CONN_GET, NLM_F_DUMP, conn_cb, sn);
	/* The faults are the admin's to see. */
	if (!err && (priv == PRIV_ROOT || priv == PRIV_PRETEND))
		err = talk(ETP_CMD_FAULT_GET, NLM_F_DUMP, conn_cb, sn);
	if (err) {
		gone(err);
		fprintf(stderr, "etp_nlfuzz: snapshot: %s\n", strerror(-err));
		exit(1);
	}
	sn->s[sn->len] = '\0';
	return 0;
}

/* Events since the last call: state changes, data readiness. */
static unsigned long events;

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	events++;
	return MNL_CB_OK;
}

static unsigned long drain_events(void)
{
	unsigned long before = events;

	if (check_state)
		nl_drain(&ev, event_cb, NULL);
	return events - before;
}

/* Where a and b first differ, for the report. */
static const char *diff(const struct snap *a, const struct snap *b)
{
	static char out[400];
	size_t i = 0, s;

	while (i < a->len && i < b->len && a->s[i] == b->s[i])
		i++;
	s = i;
	while (s > 0 && a->s[s - 1] != '\n')
		s--;
	snprintf(out, sizeof(out), "state changed: before '%.120s' after '%.120s'",
		 a->s + s, b->s + s);
	for (i = 0; out[i]; i++)
		if (out[i] == '\n')
			out[i] = '|';
	return out;
}

/* --- undoing what an accepted request did ------------------------------ */

struct conn_brief {
	uint32_t id[MAX_IDS * 4], recv_q[MAX_IDS * 4];
	int n;
};

static int brief_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1], *info[ETP_A_INFO_MAX + 1];
	struct conn_brief *b = data;

	if (nl_parse(nlh, tb, ETP_A_MAX) || !tb[ETP_A_CONN_ID] ||
	    b->n == MAX_IDS * 4)
		return MNL_CB_OK;
	b->id[b->n] = mnl_attr_get_u32(tb[ETP_A_CONN_ID]);
	b->recv_q[b->n] = 0;
	if (tb[ETP_A_INFO] &&
	    !nl_parse_nested(tb[ETP_A_INFO], info, ETP_A_INFO_MAX) &&
	    info[ETP_A_INFO_RECV_Q])
		b->recv_q[b->n] = mnl_attr_get_u32(info[ETP_A_INFO_RECV_Q]);
	b->n++;
	return MNL_CB_OK;
}

static int id_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1];

	if (!nl_parse(nlh, tb, ETP_A_MAX) && tb[ETP_A_CONN_ID])
		*(uint32_t *)data = mnl_attr_get_u32(tb[ETP_A_CONN_ID]);
	return MNL_CB_OK;
}

static void conn_op(uint8_t cmd, uint32_t id, uint32_t bytes)
{
	char buf[256];
	struct nlmsghdr *nlh = nl_msg(&nl, buf, cmd, 0);

	mnl_attr_put_u32(nlh, ETP_A_CONN_ID, id);
	if (bytes)
		mnl_attr_put_u32(nlh, ETP_A_BYTES, bytes);
	nl_talk(&nl, nlh, NULL, NULL);
}

/* Read what sits in the receive queues: no window closes for good. */
static void drain_queues(void)
{
	struct conn_brief b = { .n = 0 };
	int i, round;

	for (round = 0; round < 8; round++) {
		b.n = 0;
		if (talk(ETP_CMD_CONN_GET, NLM_F_DUMP, brief_cb, &b))
			return;
		for (i = 0; i < b.n; i++)
			if (b.recv_q[i])
				break;
		if (i == b.n)
			return;
		for (i = 0; i < b.n; i++)
			if (b.recv_q[i])
				conn_op(ETP_CMD_RECV, b.id[i], 65531);
	}
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Until two looks 20 ms apart agree (at most 3 s): the new baseline. */
static void settle(struct snap *base, struct snap *tmp)
{
	int i;

	snapshot(base);
	for (i = 0; i < 150; i++) {
		sleep_ms(20);
		snapshot(tmp);
		drain_events();
		if (tmp->len == base->len && !memcmp(tmp->s, base->s, base->len))
			return;
		memcpy(base->s, tmp->s, tmp->len + 1);
		base->len = tmp->len;
	}
}

static void undo(const struct req *r, uint32_t new_id)
{
	char buf[8192];
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	if (r->cmd == ETP_CMD_PARAM_SET && params0_len) {
		nlh = nl_msg(&nl, buf, ETP_CMD_PARAM_SET, 0);
		nest = mnl_attr_nest_start(nlh, ETP_A_PARAMS);
		memcpy(mnl_nlmsg_get_payload_tail(nlh), params0, params0_len);
		nlh->nlmsg_len += MNL_ALIGN(params0_len);
		mnl_attr_nest_end(nlh, nest);
		if (nl_talk(&nl, nlh, NULL, NULL))
			fprintf(stderr, "etp_nlfuzz: setting parameters back: %s\n",
				nl.extack);
	}
	if (r->cmd == ETP_CMD_CONNECT && new_id)
		conn_op(ETP_CMD_ABORT, new_id, 0);
	if (r->cmd == ETP_CMD_FAULT_ADD) {
		nlh = nl_msg(&nl, buf, ETP_CMD_FAULT_FLUSH, 0);
		nl_talk(&nl, nlh, NULL, NULL);
	}
	drain_queues();
}

/* --- one request ------------------------------------------------------- */

static int send_req(struct req *r, uint32_t *new_id)
{
	int err;

	*new_id = 0;
	err = nl_talk(&nl, r->nlh, r->cmd == ETP_CMD_CONNECT && !r->dump ?
		      id_cb : NULL, new_id);
	return -err;
}

static void judge(struct req *r, struct snap *s0, struct snap *s1)
{
	int core = core_refusal(r), err, again, tries;
	uint32_t new_id;
	bool priv_op = is_admin(r->cmd);

	if (check_state)
		drain_events();
	err = send_req(r, &new_id);
	fig.requests++;
	gone(-err);
	if (!err) {
		fig.accepted++;
		fig.accepted_by_cmd[r->cmd]++;
		if (priv != PRIV_ROOT && priv_op)
			violation(r, "%s", "accepted without CAP_NET_ADMIN");
		else if (core)
			violation(r, "accepted, but the core refuses it with %s",
				  strerrorname_np(core));
		if (priv == PRIV_ROOT || priv == PRIV_PRETEND) {
			undo(r, new_id);
			if (check_state)
				settle(s0, s1);
		}
		return;
	}
	fig.refused++;
	fig.by_errno[err & 0xff]++;
	if (core) {
		fig.core++;
		if (err != core)
			violation(r, "refused with %s where the core says something else",
				  strerrorname_np(err));
	} else if (nl.extack[0]) {
		fig.msg++;
	} else {
		violation(r, "refused with %s and no extack message",
			  strerrorname_np(err));
	}
	if (verbose)
		fprintf(stderr, "cmd %u: %s: %s\n", r->cmd,
			strerrorname_np(err), nl.extack);
	if (!check_state)
		return;
	snapshot(s1);
	if (!drain_events() && s1->len == s0->len &&
	    !memcmp(s1->s, s0->s, s0->len))
		return;
	/*
	 * Again from a quiet start, up to QUIET_TRIES times: a request that
	 * changes things does so every time, while the namespace's own
	 * connections (a retransmission, a TIME_WAIT ending) change them only
	 * now and then. Under minutes of load on the debug kernel one try
	 * was seen to meet such a change twice in a row.
	 */
	for (tries = 0; tries < QUIET_TRIES; tries++) {
		settle(s0, s1);
		again = send_req(r, &new_id);
		snapshot(s1);
		if (!again)
			break;
		if (!drain_events() && s1->len == s0->len &&
		    !memcmp(s1->s, s0->s, s0->len)) {
			fig.changed_bg++;
			return;
		}
	}
	if (again)
		violation(r, "%s", diff(s0, s1));
	else if (priv == PRIV_ROOT)
		undo(r, new_id);
	settle(s0, s1);
}

/* --- who we are -------------------------------------------------------- */

static void drop_privileges(void)
{
	if (priv == PRIV_NOBODY) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534)) {
			perror("etp_nlfuzz: becoming nobody");
			exit(1);
		}
	} else if (priv == PRIV_USERNS && unshare(CLONE_NEWUSER)) {
		perror("etp_nlfuzz: unshare(CLONE_NEWUSER)");
		exit(4);
	}
}

static void learn_ids(void)
{
	struct conn_brief b = { .n = 0 };
	int i;

	if (talk(ETP_CMD_CONN_GET, NLM_F_DUMP, brief_cb, &b))
		return;
	for (i = 0; i < b.n && n_ids < MAX_IDS; i++)
		ids[n_ids++] = b.id[i];
}

static const char *const cmd_names[ETP_CMD_MAX + 1] = {
	[ETP_CMD_INFO] = "INFO", [ETP_CMD_STATS_GET] = "STATS_GET",
	[ETP_CMD_PARAM_GET] = "PARAM_GET", [ETP_CMD_PARAM_SET] = "PARAM_SET",
	[ETP_CMD_LISTEN] = "LISTEN", [ETP_CMD_UNLISTEN] = "UNLISTEN",
	[ETP_CMD_CONNECT] = "CONNECT", [ETP_CMD_CLOSE] = "CLOSE",
	[ETP_CMD_ABORT] = "ABORT", [ETP_CMD_CONN_GET] = "CONN_GET",
	[ETP_CMD_STATE_EVENT] = "STATE_EVENT", [ETP_CMD_SEND] = "SEND",
	[ETP_CMD_RECV] = "RECV", [ETP_CMD_DATA_EVENT] = "DATA_EVENT",
	[ETP_CMD_SEGMENT_EVENT] = "SEGMENT_EVENT",
	[ETP_CMD_TIMER_EVENT] = "TIMER_EVENT",
	[ETP_CMD_FAULT_ADD] = "FAULT_ADD", [ETP_CMD_FAULT_DEL] = "FAULT_DEL",
	[ETP_CMD_FAULT_GET] = "FAULT_GET", [ETP_CMD_FAULT_FLUSH] = "FAULT_FLUSH",
	[ETP_CMD_FAULT_RELEASE] = "FAULT_RELEASE",
};

static void report(void)
{
	const char *sep = "";
	int i;

	printf("{\"requests\":%lu,\"accepted\":%lu,\"refused\":%lu,"
	       "\"refused_by_core\":%lu,\"refused_with_message\":%lu,"
	       "\"changed_by_itself\":%lu,\"violations\":%lu,\"errno\":{",
	       fig.requests, fig.accepted, fig.refused, fig.core, fig.msg,
	       fig.changed_bg, fig.violations);
	for (i = 1; i < 256; i++) {
		if (!fig.by_errno[i])
			continue;
		printf("%s\"%s\":%lu", sep, strerrorname_np(i),
		       fig.by_errno[i]);
		sep = ",";
	}
	printf("},\"accepted_by_cmd\":{");
	for (i = 1, sep = ""; i <= ETP_CMD_MAX; i++) {
		if (!fig.accepted_by_cmd[i])
			continue;
		printf("%s\"%s\":%lu", sep, cmd_names[i],
		       fig.accepted_by_cmd[i]);
		sep = ",";
	}
	printf("}}\n");
}

int main(int argc, char **argv)
{
	static uint8_t reqbuf[BUF_SIZE];
	struct snap s0 = { malloc(SNAP_SIZE), 0 }, s1 = { malloc(SNAP_SIZE), 0 };
	unsigned long count = 0;
	unsigned int secs = 10;
	struct req r = { .buf = reqbuf };
	time_t end;
	int c, err;

	rng = time(NULL) ^ getpid();
	while ((c = getopt(argc, argv, "uUNnt:c:s:v")) != -1) {
		switch (c) {
		case 'u': priv = PRIV_NOBODY; break;
		case 'U': priv = PRIV_USERNS; break;
		case 'N': priv = PRIV_PRETEND; check_state = false; break;
		case 'n': check_state = false; break;
		case 't': secs = strtoul(optarg, NULL, 0); break;
		case 'c': count = strtoul(optarg, NULL, 0); break;
		case 's': rng = strtoull(optarg, NULL, 0); break;
		case 'v': verbose = true; break;
		default:
			fprintf(stderr, "usage: etp_nlfuzz [-u|-U|-N] [-n] [-t SECONDS] [-c COUNT] [-s SEED] [-v]\n");
			return 1;
		}
	}
	if (!rng)
		rng = 1;
	fprintf(stderr, "etp_nlfuzz: seed %llu\n", (unsigned long long)rng);
	drop_privileges();
	err = nl_open(&nl, ETP_GENL_NAME);
	if (!err && check_state) {
		err = nl_open(&ev, ETP_GENL_NAME) ?: nl_subscribe(&ev, "state");
		/* The data group is for admins: only root hears it. */
		if (!err && priv == PRIV_ROOT)
			err = nl_subscribe(&ev, "data");
		if (!err)
			nl_set_rcvbuf(&ev, 1 << 20);
	}
	if (err) {
		fprintf(stderr, "etp_nlfuzz: %s\n", strerror(-err));
		return err == -ENOENT ? 2 : 1;
	}
	learn_ids();
	snapshot(&s0);		/* also keeps the parameters to set back */
	end = time(NULL) + secs;
	while (count ? fig.requests < count : time(NULL) < end) {
		build(&r);
		judge(&r, &s0, &s1);
	}
	report();
	return fig.violations ? 1 : 0;
}
