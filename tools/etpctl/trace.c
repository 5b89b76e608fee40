// SPDX-License-Identifier: GPL-2.0
/*
 * etpctl trace: every segment and timer of a namespace's connections, from
 * the kernel's "segments" multicast group, drawn as a ladder diagram. With
 * `peer NETNS` the other end's namespace is watched too and drawn on the
 * right, each segment from its sending to its receiving; otherwise the
 * right column is the peer. Text is drawn a burst at a time, once the
 * exchange has been quiet for QUIET_MS; -j prints each event at once as a
 * JSON line; --svg and --pcap write files when the trace ends (count N,
 * duration SECONDS, or an interrupt).
 */
#define _GNU_SOURCE		/* setns */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/etp.h>

#include "etpctl.h"
#include "print.h"
#include "csum.h"
#include "trace.h"

#define QUIET_MS	300	/* a burst ends when nothing comes for this */
#define BURST_MAX	400	/* or when it has this many events */
#define FLIGHT_MS	2000	/* but waits this long for segments in flight */

struct trace {
	struct etp_nl nl[2];
	int nsides;
	/* filters: 0 / INADDR_ANY means any */
	uint32_t id;
	uint16_t port;
	struct in_addr addr;
	uint32_t count;		/* stop after this many segments; 0: never */
	unsigned int secs;
	uint32_t segments;
	struct ladder burst;	/* text: the events not drawn yet */
	struct ladder all;	/* --svg and --pcap: every event */
	bool keep_all;
	FILE *pcap;
	uint64_t t0;		/* when trace began to listen: time zero */
};

static volatile sig_atomic_t stop;
static volatile sig_atomic_t stop_signal;	/* the one that stopped it */

static void on_signal(int sig)
{
	stop = 1;
	stop_signal = sig;
}

static const struct sigaction on_stop = {
	.sa_handler = on_signal,
	.sa_flags = SA_RESTART,
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* --- events ------------------------------------------------------------------ */

static const enum mnl_attr_data_type seg_types[ETP_A_SEGMENT_MAX + 1] = {
	[ETP_A_SEGMENT_DIR]	= MNL_TYPE_U8,
	[ETP_A_SEGMENT_FLAGS]	= MNL_TYPE_U8,
	[ETP_A_SEGMENT_SEQ]	= MNL_TYPE_U32,
	[ETP_A_SEGMENT_ACK]	= MNL_TYPE_U32,
	[ETP_A_SEGMENT_REL_SEQ]	= MNL_TYPE_U32,
	[ETP_A_SEGMENT_REL_ACK]	= MNL_TYPE_U32,
	[ETP_A_SEGMENT_LEN]	= MNL_TYPE_U32,
	[ETP_A_SEGMENT_WIN]	= MNL_TYPE_U32,
	[ETP_A_SEGMENT_DROP]	= MNL_TYPE_NUL_STRING,
	[ETP_A_SEGMENT_FAULT]	= MNL_TYPE_NUL_STRING,
	[ETP_A_SEGMENT_FAULT_ID] = MNL_TYPE_U32,
	[ETP_A_SEGMENT_MSS]	= MNL_TYPE_U16,
	[ETP_A_SEGMENT_WSCALE]	= MNL_TYPE_U8,
};

static const enum mnl_attr_data_type top_types[ETP_A_MAX + 1] = {
	[ETP_A_CONN_ID]		= MNL_TYPE_U32,
	[ETP_A_TIMESTAMP_NS]	= MNL_TYPE_U64,
	[ETP_A_LOCAL_ADDR]	= MNL_TYPE_U32,
	[ETP_A_LOCAL_PORT]	= MNL_TYPE_U16,
	[ETP_A_REMOTE_ADDR]	= MNL_TYPE_U32,
	[ETP_A_REMOTE_PORT]	= MNL_TYPE_U16,
	[ETP_A_OLD_STATE]	= MNL_TYPE_U8,
	[ETP_A_STATE]		= MNL_TYPE_U8,
	[ETP_A_SEGMENT]		= MNL_TYPE_NESTED,
	[ETP_A_TIMER]		= MNL_TYPE_NESTED,
};

static uint32_t u32_of(const struct nlattr *a)
{
	return a ? mnl_attr_get_u32(a) : 0;
}

static uint8_t u8_of(const struct nlattr *a)
{
	return a ? mnl_attr_get_u8(a) : 0;
}

static void str_of(char *dst, size_t len, const struct nlattr *a)
{
	snprintf(dst, len, "%s", a ? mnl_attr_get_str(a) : "");
}

static void tev_segment(struct tev *e, const struct nlattr *nest)
{
	const struct nlattr *tb[ETP_A_SEGMENT_MAX + 1];

	if (nl_parse_typed(NULL, nest, tb, ETP_A_SEGMENT_MAX, seg_types))
		return;
	e->dir = u8_of(tb[ETP_A_SEGMENT_DIR]);
	e->flags = u8_of(tb[ETP_A_SEGMENT_FLAGS]);
	e->seq = u32_of(tb[ETP_A_SEGMENT_SEQ]);
	e->ack = u32_of(tb[ETP_A_SEGMENT_ACK]);
	e->has_rel_seq = tb[ETP_A_SEGMENT_REL_SEQ];
	e->rel_seq = u32_of(tb[ETP_A_SEGMENT_REL_SEQ]);
	e->has_rel_ack = tb[ETP_A_SEGMENT_REL_ACK];
	e->rel_ack = u32_of(tb[ETP_A_SEGMENT_REL_ACK]);
	e->len = u32_of(tb[ETP_A_SEGMENT_LEN]);
	e->win = u32_of(tb[ETP_A_SEGMENT_WIN]);
	e->mss = tb[ETP_A_SEGMENT_MSS] ?
		 mnl_attr_get_u16(tb[ETP_A_SEGMENT_MSS]) : -1;
	e->wscale = tb[ETP_A_SEGMENT_WSCALE] ?
		    u8_of(tb[ETP_A_SEGMENT_WSCALE]) : -1;
	str_of(e->drop, sizeof(e->drop), tb[ETP_A_SEGMENT_DROP]);
	str_of(e->fault, sizeof(e->fault), tb[ETP_A_SEGMENT_FAULT]);
}

static void tev_timer(struct tev *e, const struct nlattr *nest)
{
	const struct nlattr *tb[ETP_A_TIMER_MAX + 1];

	if (nl_parse_nested(nest, tb, ETP_A_TIMER_MAX))
		return;
	if (tb[ETP_A_TIMER_NAME] &&
	    !mnl_attr_validate(tb[ETP_A_TIMER_NAME], MNL_TYPE_NUL_STRING))
		str_of(e->timer, sizeof(e->timer), tb[ETP_A_TIMER_NAME]);
	if (tb[ETP_A_TIMER_BACKOFF] &&
	    !mnl_attr_validate(tb[ETP_A_TIMER_BACKOFF], MNL_TYPE_U32))
		e->backoff = mnl_attr_get_u32(tb[ETP_A_TIMER_BACKOFF]);
}

/* A SEGMENT_EVENT or TIMER_EVENT as a struct tev; false if it is neither. */
static bool tev_parse(const struct nlmsghdr *nlh, int side, struct tev *e)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[ETP_A_MAX + 1];

	if (g->cmd != ETP_CMD_SEGMENT_EVENT && g->cmd != ETP_CMD_TIMER_EVENT)
		return false;
	if (nl_parse_typed(nlh, NULL, tb, ETP_A_MAX, top_types))
		return false;
	memset(e, 0, sizeof(*e));
	e->side = side;
	e->kind = g->cmd == ETP_CMD_TIMER_EVENT ? TEV_TIMER : TEV_SEGMENT;
	e->ts = tb[ETP_A_TIMESTAMP_NS] ?
		mnl_attr_get_u64(tb[ETP_A_TIMESTAMP_NS]) : 0;
	e->id = u32_of(tb[ETP_A_CONN_ID]);
	e->laddr.s_addr = u32_of(tb[ETP_A_LOCAL_ADDR]);
	e->raddr.s_addr = u32_of(tb[ETP_A_REMOTE_ADDR]);
	e->lport = tb[ETP_A_LOCAL_PORT] ?
		   mnl_attr_get_u16(tb[ETP_A_LOCAL_PORT]) : 0;
	e->rport = tb[ETP_A_REMOTE_PORT] ?
		   mnl_attr_get_u16(tb[ETP_A_REMOTE_PORT]) : 0;
	e->old_state = u8_of(tb[ETP_A_OLD_STATE]);
	e->state = u8_of(tb[ETP_A_STATE]);
	e->mss = e->wscale = -1;
	e->pair = -1;
	if (e->kind == TEV_SEGMENT && tb[ETP_A_SEGMENT])
		tev_segment(e, tb[ETP_A_SEGMENT]);
	else if (e->kind == TEV_TIMER && tb[ETP_A_TIMER])
		tev_timer(e, tb[ETP_A_TIMER]);
	return true;
}

/*
 * The filters. id names a connection of the left side; its peer's events
 * on the right pass by their ports. port and addr match either end.
 */
static bool tev_wanted(const struct trace *t, const struct tev *e)
{
	if (t->id && e->side == 0 && e->id != t->id)
		return false;
	if (t->port && e->lport != t->port && e->rport != t->port)
		return false;
	if (t->addr.s_addr && e->laddr.s_addr != t->addr.s_addr &&
	    e->raddr.s_addr != t->addr.s_addr)
		return false;
	return true;
}

static int ladder_add(struct ladder *l, const struct tev *e)
{
	struct tev *n;

	if (l->n == l->cap) {
		n = realloc(l->ev, (l->cap ? 2 * l->cap : 64) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->ev = n;
		l->cap = l->cap ? 2 * l->cap : 64;
	}
	l->ev[l->n++] = *e;
	return 0;
}

/* --- JSON lines ------------------------------------------------------------- */

static void addr_port(char *buf, size_t len, struct in_addr a, uint16_t p)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	snprintf(buf, len, "%s:%u", ip, p);
}

static void tev_json(const struct trace *t, const struct tev *e)
{
	char buf[32];

	print_obj_begin(NULL);
	snprintf(buf, sizeof(buf), "%.6f", (e->ts - t->t0) / 1e9);
	print_num("t", buf);
	print_u64("id", e->id);
	if (t->nsides > 1)
		print_str("side", e->side ? "peer" : "local");
	addr_port(buf, sizeof(buf), e->laddr, e->lport);
	print_str("local", buf);
	addr_port(buf, sizeof(buf), e->raddr, e->rport);
	print_str("remote", buf);
	if (e->kind == TEV_TIMER) {
		print_str("timer", e->timer);
		print_u64("backoff", e->backoff);
	} else {
		print_str("dir", e->dir == ETP_DIR_OUT ? "out" : "in");
		print_str("flags", flags_text(e->flags));
		print_u64("seq", e->seq);
		print_u64("ack", e->ack);
		if (e->has_rel_seq)
			print_u64("rel_seq", e->rel_seq);
		if (e->has_rel_ack)
			print_u64("rel_ack", e->rel_ack);
		print_u64("len", e->len);
		print_u64("win", e->win);
		if (e->drop[0])
			print_str("drop", e->drop);
		if (e->fault[0])
			print_str("fault", e->fault);
	}
	print_str("old_state", state_name(e->old_state));
	print_str("state", state_name(e->state));
	print_obj_end();
	print_flush();
}

/* --- pcap ------------------------------------------------------------------- */

/*
 * The segments as a capture on the left side: each rebuilt from its event
 * (IP and etp headers, options included) with its payload cut off, as a
 * snap length does: Wireshark shows the headers and "[Packet size
 * limited during capture]". A segment without payload gets its real
 * checksum (so a dissector follows the conversation); one with payload
 * cannot, and keeps 0 (Wireshark then checks no checksum of a segment it
 * did not capture whole).
 */
static void pcap_header(FILE *f)
{
	const uint32_t hdr[6] = { 0xa1b23c4d, 0x00040002, 0, 0, 65535, 228 };

	fwrite(hdr, sizeof(hdr), 1, f);	/* nanoseconds; LINKTYPE_IPV4 */
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v);
}

static void pcap_segment(FILE *f, const struct tev *e, uint8_t proto)
{
	uint8_t pkt[20 + 28] = { 0 }, *h = pkt + 20;
	struct in_addr src = e->dir == ETP_DIR_OUT ? e->laddr : e->raddr;
	struct in_addr dst = e->dir == ETP_DIR_OUT ? e->raddr : e->laddr;
	uint16_t sport = e->dir == ETP_DIR_OUT ? e->lport : e->rport;
	uint16_t dport = e->dir == ETP_DIR_OUT ? e->rport : e->lport;
	uint32_t hlen = 20, rec[4];

	if (e->mss >= 0) {
		h[hlen] = 2;
		h[hlen + 1] = 4;
		put_be16(h + hlen + 2, e->mss);
		hlen += 4;
	}
	if (e->wscale >= 0) {
		h[hlen] = 1;
		h[hlen + 1] = 3;
		h[hlen + 2] = 3;
		h[hlen + 3] = e->wscale;
		hlen += 4;
	}
	put_be16(h, sport);
	put_be16(h + 2, dport);
	put_be32(h + 4, e->seq);
	put_be32(h + 8, e->ack);
	h[12] = 1 << 4 | hlen / 4;	/* version 1, data offset */
	h[13] = e->flags;
	put_be16(h + 14, e->win);
	pkt[0] = 0x45;
	put_be16(pkt + 2, 20 + hlen + e->len);
	pkt[6] = 0x40;			/* DF */
	pkt[8] = 64;
	pkt[9] = proto;
	memcpy(pkt + 12, &src, 4);
	memcpy(pkt + 16, &dst, 4);
	if (!e->len)
		put_be16(h + 16, etp_csum(src, dst, h, hlen));
	rec[0] = e->ts / 1000000000;
	rec[1] = e->ts % 1000000000;
	rec[2] = 20 + hlen;
	rec[3] = 20 + hlen + e->len;
	fwrite(rec, sizeof(rec), 1, f);
	fwrite(pkt, 20 + hlen, 1, f);
}

/* --- the trace ---------------------------------------------------------------- */

static void burst_names(struct trace *t, struct ladder *l)
{
	int i;

	for (i = 0; i < l->n; i++) {
		const struct tev *e = &l->ev[i];

		if (e->side || !e->lport)
			continue;
		addr_port(l->side_name[0], sizeof(l->side_name[0]), e->laddr,
			  e->lport);
		if (t->nsides > 1)
			addr_port(l->side_name[1], sizeof(l->side_name[1]),
				  e->raddr, e->rport);
		else
			snprintf(l->side_name[1], sizeof(l->side_name[1]),
				 "peer %s", inet_ntoa(e->raddr));
		break;
	}
	for (i = 0; i < l->n; i++)
		if (!l->first_state[l->ev[i].side])
			l->first_state[l->ev[i].side] = l->ev[i].old_state;
}

static void burst_draw(struct trace *t)
{
	struct ladder *l = &t->burst;

	if (!l->n)
		return;
	l->two_sided = t->nsides > 1;
	l->t0 = t->t0;
	burst_names(t, l);
	ladder_layout(l);
	ladder_text(l, stdout);
	putchar('\n');
	fflush(stdout);
	l->n = 0;
	memset(l->first_state, 0, sizeof(l->first_state));
}

/* What nl_drain() hands trace_event(): which side the socket watches. */
struct trace_side {
	struct trace *t;
	int side;
};

static int trace_event(const struct nlmsghdr *nlh, void *data)
{
	const struct trace_side *ts = data;
	struct trace *t = ts->t;
	struct tev e;

	if (!tev_parse(nlh, ts->side, &e) || !tev_wanted(t, &e))
		return MNL_CB_OK;
	if (e.kind == TEV_SEGMENT)
		t->segments++;
	if (print_is_json())
		tev_json(t, &e);
	else if (ladder_add(&t->burst, &e))
		return MNL_CB_ERROR;
	if (t->keep_all && ladder_add(&t->all, &e))
		return MNL_CB_ERROR;
	if (t->pcap && e.kind == TEV_SEGMENT && e.side == 0)
		pcap_segment(t->pcap, &e, ETP_PROTO_DEFAULT);
	if (t->count && t->segments >= t->count)
		stop = 1;
	return MNL_CB_OK;
}

/* A socket of the "segments" group in the current netns, or in peer's. */
static int trace_open(struct etp_nl *nl, const char *peer)
{
	int self = -1, err;

	if (peer) {
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0)
			return kernel_error(NULL, -errno, "trace: /proc/self/ns/net");
		err = netns_enter(peer);
		if (err) {
			close(self);
			return err;
		}
	}
	err = nl_open(nl, ETP_GENL_NAME);
	if (!err) {
		nl_set_rcvbuf(nl, 4 << 20);
		err = nl_subscribe(nl, ETP_MCGRP_SEGMENTS);
	}
	if (self >= 0) {
		if (setns(self, CLONE_NEWNET))
			err = err ?: -errno;
		close(self);
	}
	return err ? kernel_error(nl, err, "trace: subscribe") : 0;
}

/*
 * A burst is drawn once nothing came for QUIET_MS, unless a segment in it
 * is still on its way (a fault delays it) to arrive on the other side: an
 * arrow is drawn whole or, after FLIGHT_MS, as lost.
 */
static bool burst_done(struct trace *t, uint64_t last)
{
	uint64_t now = mono_ns(), flying;

	if (t->burst.n >= BURST_MAX)
		return true;
	if (!t->burst.n || now - last < QUIET_MS * 1000000ull)
		return false;
	t->burst.two_sided = t->nsides > 1;
	flying = ladder_in_flight(&t->burst);
	return !flying || now - flying > FLIGHT_MS * 1000000ull;
}

static int trace_loop(struct trace *t)
{
	uint64_t end = t->secs ? mono_ns() + t->secs * 1000000000ull : 0;
	uint64_t last = mono_ns();
	struct trace_side sides[2] = { { t, 0 }, { t, 1 } };
	struct pollfd p[2];
	int i, n, err;

	for (i = 0; i < t->nsides; i++) {
		p[i].fd = mnl_socket_get_fd(t->nl[i].sock);
		p[i].events = POLLIN;
	}
	while (!stop) {
		n = poll(p, t->nsides, 100);
		if (n < 0 && errno != EINTR)
			return kernel_error(NULL, -errno, "trace: poll");
		for (i = 0; n > 0 && i < t->nsides; i++) {
			if (!(p[i].revents & POLLIN))
				continue;
			err = nl_drain(&t->nl[i], trace_event, &sides[i]);
			if (err == -ENOBUFS)
				errmsg(0, "trace: events lost (receive buffer overrun)");
			else if (err)
				return kernel_error(&t->nl[i], err, "trace");
			last = mono_ns();
		}
		if (burst_done(t, last))
			burst_draw(t);
		if (end && mono_ns() >= end)
			break;
	}
	burst_draw(t);
	return 0;
}

static int write_svg(struct trace *t, const char *path)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return errmsg(EXIT_USAGE, "trace: %s: %s", path,
			      strerror(errno));
	t->all.two_sided = t->nsides > 1;
	t->all.t0 = t->t0;
	burst_names(t, &t->all);
	ladder_layout(&t->all);
	err = ladder_svg(&t->all, f);
	if (fclose(f) || err)
		return errmsg(EXIT_KERNEL, "trace: writing %s failed", path);
	return 0;
}

/*
 * trace [id ID] [port P] [addr ADDR] [peer NETNS] [count N]
 *       [duration SECONDS] [--svg FILE] [--pcap FILE]
 */
int cmd_trace(struct etp_nl *unused, int argc, char **argv)
{
	const char *svg = NULL, *pcap = NULL, *peer = NULL;
	struct sigaction old_int, old_term;
	struct trace t = { .nsides = 1 };
	struct arg args[] = {
		ARG_KW("id", "ID", ARG_ID, &t.id),
		ARG_KW("port", "P", ARG_PORT, &t.port),
		ARG_KW("addr", "ADDR", ARG_ADDR, &t.addr),
		ARG_KW("peer", "NETNS", ARG_STR, &peer),
		ARG_KW("count", "N", ARG_U32, &t.count),
		ARG_KW("duration", "SECONDS", ARG_SECONDS, &t.secs),
		ARG_KW("--svg", "FILE", ARG_STR, &svg),
		ARG_KW("--pcap", "FILE", ARG_STR, &pcap),
		ARG_END
	};
	int err, i;

	if (args_parse("trace", argc, argv, args))
		return EXIT_USAGE;
	if (batch_line() && !t.count && !t.secs)
		return usage_error("trace: in a batch, give count N or duration SECONDS (it would run until interrupted)");
	if (pcap) {
		t.pcap = fopen(pcap, "w");
		if (!t.pcap)
			return errmsg(EXIT_USAGE, "trace: %s: %s", pcap,
				      strerror(errno));
		pcap_header(t.pcap);
	}
	t.keep_all = svg;
	err = trace_open(&t.nl[0], NULL);
	if (!err && peer) {
		err = trace_open(&t.nl[1], peer);
		t.nsides = 2;
	}
	if (!err) {
		stop = 0;
		stop_signal = 0;
		sigaction(SIGINT, &on_stop, &old_int);
		sigaction(SIGTERM, &on_stop, &old_term);
		/*
		 * Ready: a script may start the exchange once it reads this.
		 * Event times are CLOCK_MONOTONIC (ktime_get_ns()), as is t0.
		 */
		t.t0 = mono_ns();
		errmsg(0, "trace: listening");
		err = trace_loop(&t);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	if (!err && svg)
		err = write_svg(&t, svg);
	if (t.pcap && fclose(t.pcap) && !err)
		err = errmsg(EXIT_KERNEL, "trace: writing %s failed", pcap);
	for (i = 0; i < t.nsides; i++)
		nl_close(&t.nl[i]);
	free(t.burst.ev);
	free(t.all.ev);
	/* Interrupted in a batch: the batch ends too, as the signal meant. */
	if (stop_signal && batch_line())
		raise(stop_signal);
	return err;
}
