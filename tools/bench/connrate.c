// SPDX-License-Identifier: GPL-2.0
/*
 * etp_connrate: how many connections per second one client opens and closes
 * between two network namespaces, etp or Linux TCP, measured the same way.
 * tools/bench/run-connrate sets up the namespaces and runs both.
 *
 *   etp_connrate --proto etp|tcp --ns-client NS --ns-server NS
 *                [--addr A] [--port P] [--duration S] [--msl-ms N] [--steps]
 *
 * One connection, the same exchange for both protocols, one at a time:
 *   client: open, wait until established, close its side, wait for the
 *           server's FIN (TCP: connect, shutdown(SHUT_WR), read to EOF,
 *           close; etp: CONNECT, ESTABLISHED event, CLOSE, TIME_WAIT or
 *           CLOSED event);
 *   server: accept, close when the client's FIN arrives (TCP: accept, read
 *           to EOF, close; etp: the kernel accepts, a thread sends CLOSE
 *           when the connection reaches CLOSE_WAIT).
 * So each count is a full handshake plus a full FIN exchange, and the rate
 * is the inverse of its latency. The etp client drives its connections over
 * generic netlink (a request and a reply per CONNECT and CLOSE, one event
 * per state change), which is part of what is measured.
 *
 * Prints one line: proto=etp conns=N failed=F seconds=S rate=R
 * With --steps, then one line per step of a connection, the median over
 * all connections: step=NAME proto=etp us=MICROSECONDS (struct steps).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/etp.h>

#include "median.h"
#include "nl.h"

#define EVENT_TIMEOUT_MS	5000	/* client: no event for this long: ask */
#define EVENT_ASKS		12	/* ... and give up after this many asks */
#define SERVER_POLL_MS		100	/* server: how often it checks for the end */
#define MAX_FAIL_STREAK		1000

struct opts {
	const char *proto;
	const char *ns_client;
	const char *ns_server;
	struct in_addr addr;
	unsigned int port;
	double duration;
	unsigned int msl_ms;
};

struct result {
	unsigned long conns;
	unsigned long failed;
	int first_err;
	double seconds;
};

static atomic_bool stopping;

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "etp_connrate: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Move this thread into NAME (ip netns) or the namespace file at a path. */
static void enter_ns(const char *name)
{
	char path[4096];
	int fd;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	if (setns(fd, CLONE_NEWNET))
		die("setns %s: %s", path, strerror(errno));
	close(fd);
}

static void fail(struct result *r, int err)
{
	if (!r->failed++)
		r->first_err = err;
}

/*
 * Where one connection's time goes, as the client (and, for etp, the
 * server thread) sees it. The etp steps also use the kernel's timestamps
 * of the state events (CLOCK_MONOTONIC, as now()), so they split each
 * wait into the protocol's part in the kernel and the event's way to the
 * program. Steps that start on one side and end on the other are
 * causally ordered: the client sees TIME_WAIT only after the server
 * thread saw CLOSE_WAIT and sent CLOSE.
 */
enum step {
	STEP_OPEN,		/* until the client knows it is connected */
	STEP_CONNECT_CALL,	/* etp: CONNECT request to its reply */
	STEP_HANDSHAKE,		/* etp: CONNECT request to ESTABLISHED */
	STEP_EST_EVENT,		/* etp: ESTABLISHED to the client seeing it */
	STEP_CLOSE,		/* close to the server's FIN, seen */
	STEP_CLOSE_CALL,	/* etp: CLOSE request to its reply */
	STEP_FIN_OUT,		/* etp: CLOSE request to server's CLOSE_WAIT */
	STEP_SERVER_WAKE,	/* etp: CLOSE_WAIT to the server seeing it */
	STEP_FIN_BACK,		/* etp: the server seeing it to TIME_WAIT */
	STEP_TW_EVENT,		/* etp: TIME_WAIT to the client seeing it */
	STEP_TOTAL,		/* one connection, open to close */
	NR_STEPS
};

static const char *const step_names[NR_STEPS] = {
	[STEP_OPEN] = "open",
	[STEP_CONNECT_CALL] = "open.connect_call",
	[STEP_HANDSHAKE] = "open.handshake",
	[STEP_EST_EVENT] = "open.event_to_client",
	[STEP_CLOSE] = "close",
	[STEP_CLOSE_CALL] = "close.close_call",
	[STEP_FIN_OUT] = "close.fin_to_close_wait",
	[STEP_SERVER_WAKE] = "close.event_to_server",
	[STEP_FIN_BACK] = "close.server_to_time_wait",
	[STEP_TW_EVENT] = "close.event_to_client",
	[STEP_TOTAL] = "total",
};

struct steps {
	bool on;		/* --steps */
	double *v[NR_STEPS];	/* seconds, one per connection */
	size_t n, cap;
	/* The server thread's last CLOSE_WAIT: kernel time, seen time. */
	_Atomic double server_close_wait, server_saw;
};

static struct steps steps;

/* A connection's steps before any is known. */
static void steps_clear(double *d)
{
	int i;

	for (i = 0; i < NR_STEPS; i++)
		d[i] = NAN;
}

/* Record one connection's steps; absent ones (NAN) are left out. */
static void steps_add(const double *d)
{
	int i;

	if (steps.n == steps.cap) {
		steps.cap = steps.cap ? 2 * steps.cap : 1024;
		for (i = 0; i < NR_STEPS; i++) {
			steps.v[i] = realloc(steps.v[i],
					     steps.cap * sizeof(double));
			if (!steps.v[i])
				die("out of memory");
		}
	}
	for (i = 0; i < NR_STEPS; i++)
		steps.v[i][steps.n] = d[i];
	steps.n++;
}

static void steps_print(const char *proto)
{
	size_t j;
	int i, k;

	for (i = 0; i < NR_STEPS; i++) {
		for (j = 0, k = 0; j < steps.n; j++)
			if (!isnan(steps.v[i][j]))
				steps.v[i][k++] = steps.v[i][j];
		if (k)
			printf("step=%s proto=%s us=%.1f\n", step_names[i],
			       proto, median(steps.v[i], k) * 1e6);
	}
}

/* --- Linux TCP ---------------------------------------------------------- */

static void *tcp_server(void *arg)
{
	int lfd = *(int *)arg, fd;
	char buf[256];

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (stopping)
				return NULL;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept: %s", strerror(errno));
		}
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
}

/* connect() returned at t1, the server's FIN was read (and closed) at t2. */
static void tcp_steps(double t0, double t1, double t2)
{
	double d[NR_STEPS];

	steps_clear(d);
	d[STEP_OPEN] = t1 - t0;
	d[STEP_CLOSE] = t2 - t1;
	d[STEP_TOTAL] = t2 - t0;
	steps_add(d);
}

static void run_tcp(const struct opts *o, struct result *r)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(o->port),
		.sin_addr = o->addr,
	};
	unsigned long streak = 0;
	int lfd, fd, one = 1;
	double start, end, t0, t1;
	pthread_t server;
	char buf[256];

	/* The listening socket belongs to the server netns for its life. */
	enter_ns(o->ns_server);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 128))
		die("listen on %s:%u in %s: %s", inet_ntoa(o->addr), o->port,
		    o->ns_server, strerror(errno));
	enter_ns(o->ns_client);
	if (pthread_create(&server, NULL, tcp_server, &lfd))
		die("pthread_create failed");

	start = now();
	end = start + o->duration;
	while ((t0 = now()) < end && streak < MAX_FAIL_STREAK) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			die("socket: %s", strerror(errno));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			fail(r, errno);
			streak++;
			close(fd);
			continue;
		}
		t1 = steps.on ? now() : 0;
		shutdown(fd, SHUT_WR);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		if (steps.on)
			tcp_steps(t0, t1, now());
		r->conns++;
		streak = 0;
	}
	r->seconds = now() - start;

	stopping = true;
	shutdown(lfd, SHUT_RDWR);	/* wakes accept() */
	pthread_join(server, NULL);
	close(lfd);
}

/* --- etp ---------------------------------------------------------------- */

/* One namespace's end: a request socket and a subscribed event socket. */
struct etp_side {
	const char *ns;
	struct etp_nl req;
	struct etp_nl ev;
	unsigned int old_msl;
	bool listener;		/* LISTEN was ours: UNLISTEN at the end */
};

static int msl_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1], *pt[ETP_PARAM_MAX + 1];

	if (nl_parse(nlh, tb, ETP_A_MAX) || !tb[ETP_A_PARAMS] ||
	    nl_parse_nested(tb[ETP_A_PARAMS], pt, ETP_PARAM_MAX) ||
	    !pt[ETP_PARAM_MSL_MS])
		return MNL_CB_OK;
	*(unsigned int *)data = mnl_attr_get_u32(pt[ETP_PARAM_MSL_MS]);
	return MNL_CB_OK;
}

static int set_msl(struct etp_nl *nl, unsigned int msl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = nl_msg(nl, buf, ETP_CMD_PARAM_SET, 0);
	nest = mnl_attr_nest_start(nlh, ETP_A_PARAMS);
	mnl_attr_put_u32(nlh, ETP_PARAM_MSL_MS, msl);
	mnl_attr_nest_end(nlh, nest);
	return nl_talk(nl, nlh, NULL, NULL);
}

static void etp_side_open(struct etp_side *s, const char *ns, unsigned int msl,
			  unsigned int timeout_ms)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct timeval tv = {
		.tv_sec = timeout_ms / 1000,
		.tv_usec = timeout_ms % 1000 * 1000,
	};
	int err;

	s->ns = ns;
	enter_ns(ns);
	err = nl_open(&s->req, ETP_GENL_NAME);
	if (!err)
		err = nl_open(&s->ev, ETP_GENL_NAME);
	if (err)
		die("%s: netlink family '%s': %s (is etp.ko loaded?)", ns,
		    ETP_GENL_NAME, strerror(-err));
	nl_set_rcvbuf(&s->ev, 4 << 20);
	err = nl_subscribe(&s->ev, ETP_MCGRP_STATE);
	if (err)
		die("%s: subscribe to '%s': %s", ns, ETP_MCGRP_STATE,
		    strerror(-err));
	setsockopt(mnl_socket_get_fd(s->ev.sock), SOL_SOCKET, SO_RCVTIMEO,
		   &tv, sizeof(tv));

	err = nl_talk(&s->req, nl_msg(&s->req, buf, ETP_CMD_PARAM_GET, 0),
		      msl_cb, &s->old_msl);
	if (!err)
		err = set_msl(&s->req, msl);
	if (err)
		die("%s: msl_ms %u: %s %s", ns, msl, strerror(-err),
		    s->req.extack);
}

static void etp_side_close(struct etp_side *s, unsigned int port)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (s->listener) {
		nlh = nl_msg(&s->req, buf, ETP_CMD_UNLISTEN, 0);
		mnl_attr_put_u16(nlh, ETP_A_LOCAL_PORT, port);
		nl_talk(&s->req, nlh, NULL, NULL);
	}
	if (s->old_msl)
		set_msl(&s->req, s->old_msl);
	nl_close(&s->ev);
	nl_close(&s->req);
}

/* The fields of a connection message or a state event that matter here. */
struct conn {
	uint32_t id;
	unsigned int state;
	unsigned int err;
	double ts;		/* an event's kernel time, NAN if none */
	bool valid;
};

static void conn_from(const struct nlmsghdr *nlh, struct conn *c)
{
	const struct nlattr *tb[ETP_A_MAX + 1];

	if (nl_parse(nlh, tb, ETP_A_MAX) || !tb[ETP_A_CONN_ID] ||
	    !tb[ETP_A_STATE])
		return;
	c->id = mnl_attr_get_u32(tb[ETP_A_CONN_ID]);
	c->state = mnl_attr_get_u8(tb[ETP_A_STATE]);
	c->err = tb[ETP_A_ERRNO] ? mnl_attr_get_u32(tb[ETP_A_ERRNO]) : 0;
	c->ts = tb[ETP_A_TIMESTAMP_NS] ?
		mnl_attr_get_u64(tb[ETP_A_TIMESTAMP_NS]) / 1e9 : NAN;
	c->valid = true;
}

static uint8_t genl_cmd(const struct nlmsghdr *nlh)
{
	return ((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd;
}

static int conn_cb(const struct nlmsghdr *nlh, void *data)
{
	if (genl_cmd(nlh) != ETP_CMD_STATE_EVENT)
		conn_from(nlh, data);
	return MNL_CB_OK;
}

/* CONNECT, CLOSE, CONN_GET: 0 or -errno; c gets the reply, if any. */
static int conn_req(struct etp_nl *nl, uint8_t cmd, uint32_t id,
		    const struct opts *o, struct conn *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nl_msg(nl, buf, cmd, 0);
	/* CONNECT and CONN_GET answer with the entry: no ACK after it. */
	if (cmd != ETP_CMD_CLOSE)
		nl_reply_only(nlh);
	if (cmd == ETP_CMD_CONNECT) {
		mnl_attr_put_u32(nlh, ETP_A_REMOTE_ADDR, o->addr.s_addr);
		mnl_attr_put_u16(nlh, ETP_A_REMOTE_PORT, o->port);
	} else {
		mnl_attr_put_u32(nlh, ETP_A_CONN_ID, id);
	}
	memset(c, 0, sizeof(*c));
	c->ts = NAN;		/* only events carry a timestamp */
	return nl_talk(nl, nlh, conn_cb, c);
}

static bool synced_or_closed(unsigned int state)
{
	return state == ETP_STATE_CLOSED ||
	       (state >= ETP_STATE_ESTABLISHED &&
		state <= ETP_STATE_TIME_WAIT);
}

static bool done_or_closed(unsigned int state)
{
	return state == ETP_STATE_CLOSED || state == ETP_STATE_TIME_WAIT;
}

struct waiter {
	uint32_t id;
	bool (*reached)(unsigned int state);
	struct conn c;
};

static int wait_cb(const struct nlmsghdr *nlh, void *data)
{
	struct waiter *w = data;
	struct conn c = { 0 };

	if (genl_cmd(nlh) != ETP_CMD_STATE_EVENT)
		return MNL_CB_OK;
	conn_from(nlh, &c);
	if (!c.valid || c.id != w->id || !w->reached(c.state))
		return MNL_CB_OK;
	w->c = c;
	return MNL_CB_STOP;
}

/*
 * Wait on the event socket until connection id reaches a state `reached`
 * accepts; *out gets that event (or CONN_GET's answer). Events of the id
 * that came before its CONNECT reply are queued on the socket, so none is
 * missed. After an overflow, or EVENT_TIMEOUT_MS without an event (a
 * starved VM, or an event the kernel could not allocate), the current
 * state is asked for: a change after the answer is queued again. Only
 * EVENT_ASKS silent waits (a minute) end the run.
 */
static void wait_state(struct etp_side *s, uint32_t id,
		       bool (*reached)(unsigned int), struct conn *out)
{
	struct waiter w = { .id = id, .reached = reached };
	unsigned int silent = 0;
	int err;

	for (;;) {
		err = nl_listen(&s->ev, wait_cb, &w);
		if (!err) {
			*out = w.c;
			return;
		}
		if (err == -EAGAIN && ++silent >= EVENT_ASKS)
			die("%s: connection %u: no event in %d ms", s->ns, id,
			    EVENT_ASKS * EVENT_TIMEOUT_MS);
		if (err != -EAGAIN && err != -ENOBUFS)
			die("%s: events: %s", s->ns, strerror(-err));
		err = conn_req(&s->req, ETP_CMD_CONN_GET, id, NULL, out);
		if (err == -ENOENT) {
			out->id = id;
			out->state = ETP_STATE_CLOSED;
			return;
		}
		if (err)
			die("%s: get %u: %s", s->ns, id, strerror(-err));
		if (out->valid && reached(out->state))
			return;
	}
}

struct id_list {
	uint32_t *ids;
	size_t n, cap;
};

static int collect_cb(const struct nlmsghdr *nlh, void *data)
{
	struct id_list *l = data;
	struct conn c = { 0 };

	conn_from(nlh, &c);
	if (!c.valid)
		return MNL_CB_OK;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->ids = realloc(l->ids, l->cap * sizeof(*l->ids));
		if (!l->ids)
			die("out of memory");
	}
	l->ids[l->n++] = c.id;
	return MNL_CB_OK;
}

/* After lost events: close whatever waits in CLOSE_WAIT. */
static void server_sweep(struct etp_side *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct id_list l = { 0 };
	struct nlmsghdr *nlh;
	struct conn c;
	size_t i;
	int err;

	nlh = nl_msg(&s->req, buf, ETP_CMD_CONN_GET, NLM_F_DUMP);
	mnl_attr_put_u8(nlh, ETP_A_STATE, ETP_STATE_CLOSE_WAIT);
	err = nl_talk(&s->req, nlh, collect_cb, &l);
	if (err)
		die("%s: dump: %s", s->ns, strerror(-err));
	for (i = 0; i < l.n; i++)
		conn_req(&s->req, ETP_CMD_CLOSE, l.ids[i], NULL, &c);
	free(l.ids);
}

static int close_wait_cb(const struct nlmsghdr *nlh, void *data)
{
	struct conn *c = data;

	if (genl_cmd(nlh) != ETP_CMD_STATE_EVENT)
		return MNL_CB_OK;
	conn_from(nlh, c);
	return c->valid && c->state == ETP_STATE_CLOSE_WAIT ? MNL_CB_STOP :
							      MNL_CB_OK;
}

/* The server's half of accept+close: CLOSE every passive close. */
static void *etp_server(void *arg)
{
	struct etp_side *s = arg;
	struct conn c, ev;
	int err;

	while (!stopping) {
		memset(&ev, 0, sizeof(ev));
		err = nl_listen(&s->ev, close_wait_cb, &ev);
		if (err == -EAGAIN)
			continue;
		if (err == -ENOBUFS) {
			server_sweep(s);
			continue;
		}
		if (err)
			die("%s: events: %s", s->ns, strerror(-err));
		if (steps.on) {
			steps.server_close_wait = ev.ts;
			steps.server_saw = now();
		}
		conn_req(&s->req, ETP_CMD_CLOSE, ev.id, NULL, &c);
	}
	return NULL;
}

/*
 * t: CONNECT sent, its reply, ESTABLISHED seen (CLOSE sent), CLOSE's
 * reply, TIME_WAIT (or CLOSED) seen; est and tw: their kernel times.
 */
static void etp_steps(const double *t, double est, double tw)
{
	double cw = steps.server_close_wait, saw = steps.server_saw;
	double d[NR_STEPS];

	steps_clear(d);
	d[STEP_OPEN] = t[2] - t[0];
	d[STEP_CONNECT_CALL] = t[1] - t[0];
	d[STEP_HANDSHAKE] = est - t[0];
	d[STEP_EST_EVENT] = t[2] - est;
	d[STEP_CLOSE] = t[4] - t[2];
	d[STEP_CLOSE_CALL] = t[3] - t[2];
	/* Only if the server's last CLOSE_WAIT was this connection's. */
	if (cw >= t[2] && saw <= t[4]) {
		d[STEP_FIN_OUT] = cw - t[2];
		d[STEP_SERVER_WAKE] = saw - cw;
		d[STEP_FIN_BACK] = tw - saw;
	}
	d[STEP_TW_EVENT] = t[4] - tw;
	d[STEP_TOTAL] = t[4] - t[0];
	steps_add(d);
}

static void run_etp(const struct opts *o, struct result *r)
{
	struct etp_side srv = { 0 }, cli = { 0 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned long streak = 0;
	double start, end, t[5], established;
	struct nlmsghdr *nlh;
	pthread_t server;
	struct conn c;
	uint32_t id;
	int err;

	etp_side_open(&srv, o->ns_server, o->msl_ms, SERVER_POLL_MS);
	nlh = nl_msg(&srv.req, buf, ETP_CMD_LISTEN, 0);
	mnl_attr_put_u16(nlh, ETP_A_LOCAL_PORT, o->port);
	err = nl_talk(&srv.req, nlh, NULL, NULL);
	if (err && err != -EADDRINUSE)
		die("%s: listen %u: %s %s", srv.ns, o->port, strerror(-err),
		    srv.req.extack);
	srv.listener = !err;
	etp_side_open(&cli, o->ns_client, o->msl_ms, EVENT_TIMEOUT_MS);
	if (pthread_create(&server, NULL, etp_server, &srv))
		die("pthread_create failed");

	start = now();
	end = start + o->duration;
	while ((t[0] = now()) < end && streak < MAX_FAIL_STREAK) {
		err = conn_req(&cli.req, ETP_CMD_CONNECT, 0, o, &c);
		t[1] = steps.on ? now() : 0;
		if (!err && !c.valid)
			die("CONNECT reply without a connection");
		if (err) {
			fail(r, -err);
			streak++;
			continue;
		}
		id = c.id;
		wait_state(&cli, id, synced_or_closed, &c);
		if (c.state == ETP_STATE_CLOSED) {
			fail(r, c.err ? c.err : ECONNABORTED);
			streak++;
			continue;
		}
		t[2] = steps.on ? now() : 0;
		established = c.ts;
		err = conn_req(&cli.req, ETP_CMD_CLOSE, id, NULL, &c);
		if (err)
			die("%s: close %u: %s %s", cli.ns, id, strerror(-err),
			    cli.req.extack);
		t[3] = steps.on ? now() : 0;
		wait_state(&cli, id, done_or_closed, &c);
		if (steps.on) {
			t[4] = now();
			etp_steps(t, established, c.ts);
		}
		r->conns++;
		streak = 0;
	}
	r->seconds = now() - start;

	stopping = true;
	pthread_join(server, NULL);	/* within SERVER_POLL_MS */
	etp_side_close(&cli, o->port);
	etp_side_close(&srv, o->port);
}

/* ------------------------------------------------------------------------ */

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: etp_connrate --proto etp|tcp --ns-client NS --ns-server NS\n"
		"                    [--addr A] [--port P] [--duration S] [--msl-ms N]\n"
		"                    [--steps]\n"
		"defaults: --addr 198.18.0.2 --port 7000 --duration 10 --msl-ms 20\n");
	exit(1);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "proto", required_argument, NULL, 'P' },
		{ "ns-client", required_argument, NULL, 'c' },
		{ "ns-server", required_argument, NULL, 's' },
		{ "addr", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "msl-ms", required_argument, NULL, 'm' },
		{ "steps", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.port = 7000,
		.duration = 10,
		.msl_ms = 20,
	};
	struct result r = { 0 };
	int opt;

	inet_pton(AF_INET, "198.18.0.2", &o.addr);
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'P':
			o.proto = optarg;
			break;
		case 'c':
			o.ns_client = optarg;
			break;
		case 's':
			o.ns_server = optarg;
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &o.addr) != 1)
				die("--addr: '%s' is not an IPv4 address",
				    optarg);
			break;
		case 'p':
			o.port = strtoul(optarg, NULL, 0);
			if (!o.port || o.port > 65535)
				die("--port: '%s' is not in 1..65535", optarg);
			break;
		case 'd':
			o.duration = strtod(optarg, NULL);
			if (!(o.duration > 0))
				die("--duration: '%s' is not a positive number",
				    optarg);
			break;
		case 'S':
			steps.on = true;
			break;
		case 'm':
			o.msl_ms = strtoul(optarg, NULL, 0);
			if (!o.msl_ms)
				die("--msl-ms: '%s' is not a positive number",
				    optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !o.proto || !o.ns_client || !o.ns_server)
		usage();

	if (!strcmp(o.proto, "tcp"))
		run_tcp(&o, &r);
	else if (!strcmp(o.proto, "etp"))
		run_etp(&o, &r);
	else
		die("--proto: '%s' is neither etp nor tcp", o.proto);

	if (r.failed)
		fprintf(stderr, "etp_connrate: %s: %lu failed, first: %s\n",
			o.proto, r.failed, strerror(r.first_err));
	printf("proto=%s conns=%lu failed=%lu seconds=%.3f rate=%.1f\n",
	       o.proto, r.conns, r.failed, r.seconds,
	       r.seconds > 0 ? r.conns / r.seconds : 0.0);
	if (steps.on)
		steps_print(o.proto);
	return r.conns ? 0 : 1;
}
