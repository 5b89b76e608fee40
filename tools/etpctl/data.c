// SPDX-License-Identifier: GPL-2.0
/*
 * etpctl send, recv, cat: a connection's bytes (docs/etpctl.md, "Data").
 * SEND and RECV move up to 64 KiB a request; when the send queue is full
 * or nothing is there to read, the kernel says so and sends a data event
 * once that changes, so these wait on the "data" group rather than poll.
 * State events on the same socket tell them when the connection ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/genetlink.h>
#include <linux/etp.h>

#include "etpctl.h"
#include "print.h"

#define ATTR_MAX	65531		/* one ETP_A_DATA, one RECV */
#define WAIT_MS		1000		/* ask again even without an event */

struct link {
	struct etp_nl *req;		/* requests and their replies */
	struct etp_nl *ev;		/* data and state events */
	uint32_t id;
	bool ended;			/* the connection is gone */
	unsigned int err;		/* its errno when it ended, if any */
	bool verbose;
	uint64_t bytes;			/* moved so far */
	struct timespec start, last;
};

static double secs(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

static int link_open(struct link *l, struct etp_nl *nl, uint32_t id)
{
	int err;

	memset(l, 0, sizeof(*l));
	l->id = id;
	l->req = nl;
	err = etpctl_open(nl);
	if (err)
		return err;
	/* Subscribe before the first request: no event can be missed. */
	err = events_open(&l->ev, EV_STATE | EV_DATA, "subscribe");
	if (err)
		return err;
	clock_gettime(CLOCK_MONOTONIC, &l->start);
	l->last = l->start;
	return 0;
}

static uint8_t genl_cmd(const struct nlmsghdr *nlh)
{
	return ((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd;
}

/* An event of our connection: note its end. */
static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1];
	struct link *l = data;

	/* Not etp's (nlctrl's, which a batch's connect wait joined). */
	if (nlh->nlmsg_type != l->ev->family)
		return MNL_CB_OK;
	if (nl_parse(nlh, tb, ETP_A_MAX) || !tb[ETP_A_CONN_ID] ||
	    mnl_attr_get_u32(tb[ETP_A_CONN_ID]) != l->id)
		return MNL_CB_OK;
	if (genl_cmd(nlh) == ETP_CMD_STATE_EVENT && tb[ETP_A_STATE] &&
	    mnl_attr_get_u8(tb[ETP_A_STATE]) == ETP_STATE_CLOSED) {
		l->ended = true;
		if (tb[ETP_A_ERRNO])
			l->err = mnl_attr_get_u32(tb[ETP_A_ERRNO]);
	}
	return MNL_CB_OK;
}

/*
 * Wait until an event of our connection arrives, or ms pass (events are
 * the fast way, asking again is the safe one), or fd is readable.
 * Returns 1 if fd is readable, 0 otherwise, or EXIT_KERNEL.
 */
static int link_wait_ms(struct link *l, int fd, int ms)
{
	struct pollfd p[2] = {
		{ .fd = mnl_socket_get_fd(l->ev->sock), .events = POLLIN },
		{ .fd = fd, .events = POLLIN },
	};
	int n, err;

	n = poll(p, fd >= 0 ? 2 : 1, ms);
	if (n < 0 && errno != EINTR)
		return kernel_error(NULL, -errno, "poll");
	/* Only what is queued: other connections' events wake us too. */
	if (n > 0 && (p[0].revents & POLLIN)) {
		err = nl_drain(l->ev, event_cb, l);
		if (err && err != -ENOBUFS)
			return kernel_error(l->ev, err, "events");
	}
	return fd >= 0 && n > 0 && (p[1].revents & (POLLIN | POLLHUP));
}

static int link_wait(struct link *l, int fd)
{
	return link_wait_ms(l, fd, WAIT_MS);
}

/* The connection has gone (ENOENT): read its last state event, queued. */
static void link_drain(struct link *l)
{
	nl_drain(l->ev, event_cb, l);
}

/* "connection 4 ended: Connection timed out", EXIT_KERNEL. */
static int link_ended(struct link *l, const char *op)
{
	link_drain(l);
	return errmsg(EXIT_KERNEL, "%s: connection %u ended%s%s", op, l->id,
		      l->err ? ": " : "", l->err ? strerror(l->err) : "");
}

static void progress(struct link *l, const char *what, bool last)
{
	struct timespec now;
	double t;

	if (!l->verbose)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!last && secs(&l->last, &now) < 1)
		return;
	l->last = now;
	t = secs(&l->start, &now);
	errmsg(0, "%s: %" PRIu64 " bytes in %.1f s, %.2f MB/s, retransmits %s",
	       what, l->bytes, t, t > 0 ? l->bytes / t / 1e6 : 0.0,
	       conn_retransmits(l->req, l->id));
}

static int bytes_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1];

	if (nl_parse(nlh, tb, ETP_A_MAX) || !tb[ETP_A_BYTES])
		return MNL_CB_ERROR;
	*(uint32_t *)data = mnl_attr_get_u32(tb[ETP_A_BYTES]);
	return MNL_CB_OK;
}

/* One SEND message at a time: its header; the data goes from where it is. */
static struct {
	struct nlmsghdr nlh;	/* aligns what follows */
	char rest[MNL_ALIGN(sizeof(struct genlmsghdr)) +
		  MNL_ATTR_HDRLEN + MNL_ALIGN(sizeof(uint32_t)) +
		  MNL_ATTR_HDRLEN];
} send_msg;

/* One SEND of up to ATTR_MAX octets from data: octets queued, or -errno. */
static int send_some(struct link *l, const char *data, uint32_t len)
{
	struct nlmsghdr *nlh = nl_msg(l->req, &send_msg, ETP_CMD_SEND, 0);
	uint32_t queued = 0;
	int err;

	nl_reply_only(nlh);
	mnl_attr_put_u32(nlh, ETP_A_CONN_ID, l->id);
	err = nl_talk_data(l->req, nlh, ETP_A_DATA, data, len, bytes_cb,
			   &queued);
	if (err == -EAGAIN)
		return 0;
	return err ? err : (int)queued;
}

/*
 * All len octets from data, up to ATTR_MAX a SEND, waiting for room as
 * long as the connection lives.
 */
static int send_all(struct link *l, const char *data, size_t len)
{
	uint32_t want;
	int n, err;

	while (len) {
		want = len < ATTR_MAX ? len : ATTR_MAX;
		n = send_some(l, data, want);
		/*
		 * Ended while we sent (timed out, reset): the state event
		 * that says why is queued by now, and a connection that
		 * has just ended may still refuse with EPIPE, not ENOENT.
		 */
		if (n == -ENOENT || n == -EPIPE)
			link_drain(l);
		if (n == -ENOENT || (n == -EPIPE && l->ended))
			return link_ended(l, "send");
		if (n < 0)
			return kernel_error(l->req, n, "send");
		data += n;
		len -= n;
		l->bytes += n;
		progress(l, "send", false);
		if (!len)
			break;
		if (l->ended)
			return link_ended(l, "send");
		if ((uint32_t)n == want)
			continue;
		/* Short or none: the queue is full until a data event. */
		err = link_wait(l, -1);
		if (err > 1)
			return err;
	}
	return 0;
}

struct recv_out {
	int fd;
	bool eof;
	uint32_t got;
	int werr;
};

static int recv_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1];
	struct recv_out *o = data;
	const char *p;
	ssize_t w;
	uint32_t n;

	if (nl_parse(nlh, tb, ETP_A_MAX))
		return MNL_CB_ERROR;
	o->eof = tb[ETP_A_EOF];
	if (!tb[ETP_A_DATA])
		return MNL_CB_OK;
	p = mnl_attr_get_payload(tb[ETP_A_DATA]);
	n = mnl_attr_get_payload_len(tb[ETP_A_DATA]);
	o->got = n;
	while (n) {
		w = write(o->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			o->werr = errno;
			return MNL_CB_ERROR;
		}
		p += w;
		n -= w;
	}
	return MNL_CB_OK;
}

/* One RECV into fd: octets written (0: none yet), or -errno. */
static int recv_some(struct link *l, struct recv_out *o)
{
	char msg[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	o->got = 0;
	nlh = nl_msg(l->req, msg, ETP_CMD_RECV, 0);
	nl_reply_only(nlh);
	mnl_attr_put_u32(nlh, ETP_A_CONN_ID, l->id);
	mnl_attr_put_u32(nlh, ETP_A_BYTES, ATTR_MAX);
	err = nl_talk(l->req, nlh, recv_cb, o);
	if (o->werr)
		return -o->werr;
	return err ? err : (int)o->got;
}

static int open_file(const char *path, int flags, int std)
{
	int fd;

	if (!path || !strcmp(path, "-"))
		return std;
	fd = open(path, flags | O_CLOEXEC, 0644);
	if (fd < 0)
		errmsg(0, "%s: %s", path, strerror(errno));
	return fd;
}

static int close_conn(struct etp_nl *nl, uint32_t id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = nl_msg(nl, buf, ETP_CMD_CLOSE, 0);
	mnl_attr_put_u32(nlh, ETP_A_CONN_ID, id);
	err = nl_talk(nl, nlh, NULL, NULL);
	return err ? kernel_error(nl, err, "close") : 0;
}

/* Input that is read, not mapped: a pipe, a terminal, what cat types. */
static char send_buf[ATTR_MAX];

#define MAP_WINDOW	(8u << 20)

/*
 * A regular file's octets from fd's offset to its size at the start, sent
 * from its pages mapped a window at a time: no read() copy on the way.
 * Returns 0 or an exit code; or -1 with fd's offset where mapping stopped
 * (not a regular file, it could not be mapped, or it grew meanwhile): the
 * rest is read.
 */
static int stream_out_mapped(struct link *l, int fd)
{
	long page = sysconf(_SC_PAGESIZE);
	struct stat sb;
	off_t at, start;
	size_t len;
	char *map;
	int err;

	at = lseek(fd, 0, SEEK_CUR);
	if (at < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode))
		return -1;
	for (; at < sb.st_size; at = start + len) {
		start = at & ~(off_t)(page - 1);
		len = sb.st_size - start < MAP_WINDOW ? sb.st_size - start
						      : MAP_WINDOW;
		map = mmap(NULL, len, PROT_READ, MAP_SHARED | MAP_POPULATE, fd,
			   start);
		if (map == MAP_FAILED)
			break;
		err = send_all(l, map + (at - start), len - (at - start));
		munmap(map, len);
		if (err)
			return err;
	}
	return lseek(fd, at, SEEK_SET) < 0 ? kernel_error(NULL, -errno, "lseek")
					   : -1;
}

/* Read fd to its end and send it all. */
static int stream_out(struct link *l, int fd)
{
	ssize_t n;
	int err;

	err = stream_out_mapped(l, fd);
	if (err >= 0)
		return err;
	for (;;) {
		n = read(fd, send_buf, sizeof(send_buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kernel_error(NULL, -errno, "read");
		if (!n)
			return 0;
		err = send_all(l, send_buf, n);
		if (err)
			return err;
	}
}

/*
 * Receive to fd until the end of the stream: 0, or EXIT_KERNEL if the
 * connection ended without it (reset, timed out).
 */
static int stream_in(struct link *l, int fd)
{
	struct recv_out o = { .fd = fd };
	int n, err;

	for (;;) {
		n = recv_some(l, &o);
		if (n == -ENOENT) {
			link_drain(l);
			/* Gone after an orderly end, all read: the end. */
			if (l->ended && !l->err)
				return 0;
			return link_ended(l, "recv");
		}
		if (n < 0)
			return kernel_error(l->req, n, "recv");
		l->bytes += n;
		progress(l, "recv", false);
		if (o.eof)
			return 0;
		if (n)
			continue;
		err = link_wait(l, -1);
		if (err > 1)
			return err;
	}
}

/* send and recv: one file, one connection, one direction. */
static int data_cmd(struct etp_nl *nl, int argc, char **argv, bool sending)
{
	const char *op = sending ? "send" : "recv";
	bool close_after = false, verbose = false;
	const char *file = NULL;
	struct link l;
	uint32_t id;
	int fd, std, err;
	struct arg args[] = {
		ARG_POS("ID", ARG_ID, &id),
		ARG_OPT("FILE", ARG_STR, &file),
		ARG_KW("-v", NULL, ARG_FLAG, &verbose),
		/* Last: recv takes no --close (args_parse stops at ARG_END). */
		ARG_KW("--close", NULL, ARG_FLAG, &close_after),
		ARG_END
	};

	if (!sending)
		args[3] = (struct arg)ARG_END;
	if (args_parse(op, argc, argv, args))
		return EXIT_USAGE;
	if (sending && (!file || !strcmp(file, "-")) && batch_stdin())
		return usage_error("send: stdin is the batch's (-batch -): give a FILE");
	std = sending ? STDIN_FILENO : STDOUT_FILENO;
	fd = open_file(file, sending ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC,
		       std);
	if (fd < 0)
		return EXIT_USAGE;
	err = link_open(&l, nl, id);
	if (!err) {
		l.verbose = verbose;
		err = sending ? stream_out(&l, fd) : stream_in(&l, fd);
		progress(&l, op, true);
	}
	if (!err && close_after)
		err = close_conn(l.req, id);
	if (fd != std)
		close(fd);
	return err;
}

int cmd_send(struct etp_nl *nl, int argc, char **argv)
{
	return data_cmd(nl, argc, argv, true);
}

int cmd_recv(struct etp_nl *nl, int argc, char **argv)
{
	return data_cmd(nl, argc, argv, false);
}

/*
 * cat ADDR PORT: nc's way. Connect, then copy stdin to the connection and
 * the connection to stdout at once; at the end of stdin, close (a
 * half-close: the peer may go on sending); done at the peer's end.
 */
int cmd_cat(struct etp_nl *nl, int argc, char **argv)
{
	struct recv_out o = { .fd = STDOUT_FILENO };
	bool in_open = true, peer_open = true;
	struct in_addr addr;
	struct link l;
	uint16_t port;
	uint32_t id;
	ssize_t n;
	int err, r;
	struct arg args[] = {
		ARG_POS("ADDR", ARG_ADDR, &addr),
		ARG_POS("PORT", ARG_PORT, &port),
		ARG_END
	};

	if (args_parse("cat", argc, argv, args))
		return EXIT_USAGE;
	if (batch_stdin())
		return usage_error("cat: stdin is the batch's (-batch -): cat needs its own");
	err = conn_open_wait(nl, "cat", addr, port, &id);
	if (err)
		return err;
	err = link_open(&l, nl, id);
	while (!err && (in_open || peer_open)) {
		/* What the peer sent, first: it never waits on stdin. */
		if (peer_open) {
			r = recv_some(&l, &o);
			if (r < 0) {
				err = kernel_error(l.req, r, "cat: recv");
				break;
			}
			peer_open = !o.eof;
			if (r)
				continue;
		}
		if (!in_open) {
			r = link_wait(&l, -1);
			err = r > 1 ? r : 0;
			continue;
		}
		r = link_wait(&l, STDIN_FILENO);
		if (r > 1) {
			err = r;
			break;
		}
		if (!r)
			continue;
		n = read(STDIN_FILENO, send_buf, sizeof(send_buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0) {
			err = send_all(&l, send_buf, n);
		} else {
			in_open = false;
			err = close_conn(l.req, id);
		}
	}
	return err;
}
