// SPDX-License-Identifier: GPL-2.0
/*
 * etpctl listen, unlisten, connect, close, abort, show, monitor: the
 * connection commands of docs/netlink.md. A connection message is printed by
 * print_conn() and a state event by print_event(), each once for text and
 * JSON.
 */
#define _GNU_SOURCE		/* strerrorname_np */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <linux/genetlink.h>
#include <linux/etp.h>

#include "etpctl.h"
#include "names.h"
#include "print.h"

/* The state names are module/core/names.c's, linked in. */
const char *state_name(unsigned int state)
{
	static char buf[24];

	if (state && state <= ETP_STATE_MAX)
		return etp_state_name(state);
	snprintf(buf, sizeof(buf), "UNKNOWN_%u", state);
	return buf;
}

/* Case-insensitive, and '-' may stand for '_': "time_wait", "Time-Wait". */
int state_by_name(const char *name)
{
	char buf[16];
	size_t i;
	int s;

	for (i = 0; name[i] && i < sizeof(buf) - 1; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	if (name[i])
		return -1;
	buf[i] = '\0';
	for (s = 1; s <= ETP_STATE_MAX; s++)
		if (!strcasecmp(buf, etp_state_name(s)))
			return s;
	return -1;
}

static bool synchronized(unsigned int state)
{
	return state >= ETP_STATE_ESTABLISHED && state <= ETP_STATE_TIME_WAIT;
}

/* "ECONNREFUSED"; a number if the C library has no name for it. */
static const char *errno_name(unsigned int err)
{
	static char buf[16];
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "%u", err);
	return buf;
}

/* Attribute types the kernel sends; one that does not match is ignored. */
static const enum mnl_attr_data_type conn_types[ETP_A_MAX + 1] = {
	[ETP_A_CONN_ID]		= MNL_TYPE_U32,
	[ETP_A_STATE]		= MNL_TYPE_U8,
	[ETP_A_OLD_STATE]	= MNL_TYPE_U8,
	[ETP_A_LOCAL_ADDR]	= MNL_TYPE_U32,
	[ETP_A_LOCAL_PORT]	= MNL_TYPE_U16,
	[ETP_A_REMOTE_ADDR]	= MNL_TYPE_U32,
	[ETP_A_REMOTE_PORT]	= MNL_TYPE_U16,
	[ETP_A_BACKLOG]		= MNL_TYPE_U32,
	[ETP_A_CAUSE]		= MNL_TYPE_NUL_STRING,
	[ETP_A_TIMESTAMP_NS]	= MNL_TYPE_U64,
	[ETP_A_ERRNO]		= MNL_TYPE_U32,
	[ETP_A_TIMERS]		= MNL_TYPE_NESTED,
	[ETP_A_SEQ]		= MNL_TYPE_NESTED,
	[ETP_A_QUEUE]		= MNL_TYPE_U32,
	[ETP_A_LISTENER_ID]	= MNL_TYPE_U32,
	[ETP_A_INFO]		= MNL_TYPE_NESTED,
};

static uint8_t genl_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);

	return genl->cmd;
}

static int conn_parse(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	int i;

	if (nl_parse(nlh, tb, ETP_A_MAX))
		return -EINVAL;
	for (i = 1; i <= ETP_A_MAX; i++)
		if (tb[i] && conn_types[i] &&
		    mnl_attr_validate(tb[i], conn_types[i]) < 0)
			tb[i] = NULL;
	return 0;
}

static uint32_t get_u32(const struct nlattr *attr)
{
	return attr ? mnl_attr_get_u32(attr) : 0;
}

/* "198.18.0.1:7000" from a be32 address and a host-order port. */
static const char *addr_port(char *buf, size_t len, const struct nlattr *addr,
			     const struct nlattr *port)
{
	struct in_addr a = { .s_addr = get_u32(addr) };
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	snprintf(buf, len, "%s:%u", ip, port ? mnl_attr_get_u16(port) : 0);
	return buf;
}

#define ADDR_PORT_LEN	sizeof("255.255.255.255:65535")

/* What connect needs to remember of a connection message or an event. */
struct conn_info {
	uint32_t id;
	unsigned int state;
	unsigned int err;	/* ERRNO, 0 if none */
	char local[ADDR_PORT_LEN];
	char remote[ADDR_PORT_LEN];
	char cause[32];
	bool valid;
};

static void conn_info_fill(struct conn_info *ci, const struct nlattr **tb)
{
	ci->id = get_u32(tb[ETP_A_CONN_ID]);
	ci->state = tb[ETP_A_STATE] ? mnl_attr_get_u8(tb[ETP_A_STATE]) : 0;
	ci->err = get_u32(tb[ETP_A_ERRNO]);
	addr_port(ci->local, sizeof(ci->local), tb[ETP_A_LOCAL_ADDR],
		  tb[ETP_A_LOCAL_PORT]);
	addr_port(ci->remote, sizeof(ci->remote), tb[ETP_A_REMOTE_ADDR],
		  tb[ETP_A_REMOTE_PORT]);
	snprintf(ci->cause, sizeof(ci->cause), "%s",
		 tb[ETP_A_CAUSE] ? mnl_attr_get_str(tb[ETP_A_CAUSE]) : "");
	ci->valid = true;
}

static const char *const seq_names[ETP_A_SEQ_MAX + 1] = {
	[ETP_A_SEQ_ISS]		= "iss",
	[ETP_A_SEQ_SND_UNA]	= "snd_una",
	[ETP_A_SEQ_SND_NXT]	= "snd_nxt",
	[ETP_A_SEQ_IRS]		= "irs",
	[ETP_A_SEQ_RCV_NXT]	= "rcv_nxt",
	[ETP_A_SEQ_SND_WND]	= "snd_wnd",
	[ETP_A_SEQ_RCV_WND]	= "rcv_wnd",
};

static void print_seq(const struct nlattr *nest)
{
	const struct nlattr *tb[ETP_A_SEQ_MAX + 1];
	int i;

	if (nl_parse_nested(nest, tb, ETP_A_SEQ_MAX))
		return;
	print_json_obj_begin("seq");
	for (i = 1; i <= ETP_A_SEQ_MAX; i++)
		if (tb[i] && seq_names[i] &&
		    !mnl_attr_validate(tb[i], MNL_TYPE_U32))
			print_u64(seq_names[i], mnl_attr_get_u32(tb[i]));
	print_obj_end();
}

/*
 * Text like `ss -o`: timer:(retx,812ms,2), one per pending timer. JSON
 * always has the array, empty when nothing is pending.
 */
static void print_timers(const struct nlattr *nest)
{
	const struct nlattr *tb[ETP_A_TIMER_MAX + 1], *timer;
	const char *name;
	int i;

	print_json_arr_begin("timers");
	if (!nest)
		goto out;
	mnl_attr_for_each_nested(timer, nest) {
		if (mnl_attr_get_type(timer) != ETP_A_TIMER ||
		    nl_parse_nested(timer, tb, ETP_A_TIMER_MAX))
			continue;
		for (i = ETP_A_TIMER_REMAINING_MS; i <= ETP_A_TIMER_MAX; i++)
			if (tb[i] && mnl_attr_validate(tb[i], MNL_TYPE_U32))
				tb[i] = NULL;
		name = "?";
		if (tb[ETP_A_TIMER_NAME] &&
		    !mnl_attr_validate(tb[ETP_A_TIMER_NAME],
				       MNL_TYPE_NUL_STRING))
			name = mnl_attr_get_str(tb[ETP_A_TIMER_NAME]);
		print_json_obj_begin(NULL);
		print_str_fmt("name", " timer:(%s", name);
		print_u64_fmt("remaining_ms", ",%" PRIu64 "ms",
			      get_u32(tb[ETP_A_TIMER_REMAINING_MS]));
		print_u64_fmt("backoff", ",%" PRIu64 ")",
			      get_u32(tb[ETP_A_TIMER_BACKOFF]));
		print_obj_end();
	}
out:
	print_arr_end();
}

/*
 * What `ss -i` shows, flat in the connection's JSON object (`cwnd`,
 * `bytes_sent`, ...) and on a second, indented text line.
 */
static const struct {
	const char *key;
	const char *fmt;		/* text */
	enum mnl_attr_data_type type;
} info_fields[ETP_A_INFO_MAX + 1] = {
	[ETP_A_INFO_CWND]	= { "cwnd", "\n\tcwnd:%" PRIu64, MNL_TYPE_U32 },
	[ETP_A_INFO_SSTHRESH]	= { "ssthresh", " ssthresh:%" PRIu64, MNL_TYPE_U32 },
	[ETP_A_INFO_SRTT_US]	= { "srtt_us", " srtt:%" PRIu64 "us", MNL_TYPE_U32 },
	[ETP_A_INFO_RTTVAR_US]	= { "rttvar_us", " rttvar:%" PRIu64 "us", MNL_TYPE_U32 },
	[ETP_A_INFO_RTO_MS]	= { "rto_ms", " rto:%" PRIu64 "ms", MNL_TYPE_U32 },
	[ETP_A_INFO_IN_FLIGHT]	= { "in_flight", " in_flight:%" PRIu64, MNL_TYPE_U32 },
	[ETP_A_INFO_SND_MSS]	= { "snd_mss", " mss:%" PRIu64, MNL_TYPE_U32 },
	[ETP_A_INFO_RCV_MSS]	= { "rcv_mss", " rcvmss:%" PRIu64, MNL_TYPE_U32 },
	[ETP_A_INFO_SND_WSCALE]	= { "snd_wscale", " wscale:%" PRIu64, MNL_TYPE_U8 },
	[ETP_A_INFO_RCV_WSCALE]	= { "rcv_wscale", ",%" PRIu64, MNL_TYPE_U8 },
	[ETP_A_INFO_SEND_Q]	= { "send_q", " send_q:%" PRIu64, MNL_TYPE_U32 },
	[ETP_A_INFO_RECV_Q]	= { "recv_q", " recv_q:%" PRIu64, MNL_TYPE_U32 },
	[ETP_A_INFO_BYTES_SENT]	= { "bytes_sent", " bytes_sent:%" PRIu64, MNL_TYPE_U64 },
	[ETP_A_INFO_BYTES_RECEIVED] = { "bytes_received", " bytes_received:%" PRIu64, MNL_TYPE_U64 },
	[ETP_A_INFO_SEGS_IN]	= { "segs_in", " segs_in:%" PRIu64, MNL_TYPE_U32 },
	[ETP_A_INFO_SEGS_OUT]	= { "segs_out", " segs_out:%" PRIu64, MNL_TYPE_U32 },
	[ETP_A_INFO_RETRANSMITS] = { "retransmits", " retrans:%" PRIu64, MNL_TYPE_U32 },
	[ETP_A_INFO_DROPS]	= { "drops", " drops:%" PRIu64, MNL_TYPE_U32 },
};

static uint64_t info_value(const struct nlattr *a, enum mnl_attr_data_type t)
{
	switch (t) {
	case MNL_TYPE_U8:
		return mnl_attr_get_u8(a);
	case MNL_TYPE_U64:
		return mnl_attr_get_u64(a);
	default:
		return mnl_attr_get_u32(a);
	}
}

/* The fields of an ETP_A_INFO nest, in their enum order; tb[] filled. */
static int info_parse(const struct nlattr *nest, const struct nlattr **tb)
{
	int i;

	if (!nest || nl_parse_nested(nest, tb, ETP_A_INFO_MAX))
		return -EINVAL;
	for (i = 1; i <= ETP_A_INFO_MAX; i++)
		if (tb[i] && (!info_fields[i].key ||
			      mnl_attr_validate(tb[i], info_fields[i].type)))
			tb[i] = NULL;
	return 0;
}

static void print_info(const struct nlattr *nest)
{
	const struct nlattr *tb[ETP_A_INFO_MAX + 1];
	int i;

	if (info_parse(nest, tb))
		return;
	for (i = 1; i <= ETP_A_INFO_MAX; i++)
		if (tb[i])
			print_u64_fmt(info_fields[i].key, info_fields[i].fmt,
				      info_value(tb[i], info_fields[i].type));
}

static int retransmits_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1], *info[ETP_A_INFO_MAX + 1];

	if (genl_cmd(nlh) != ETP_CMD_STATE_EVENT && !conn_parse(nlh, tb) &&
	    !info_parse(tb[ETP_A_INFO], info) && info[ETP_A_INFO_RETRANSMITS])
		snprintf(data, 16, "%u",
			 mnl_attr_get_u32(info[ETP_A_INFO_RETRANSMITS]));
	return MNL_CB_OK;
}

/* "retransmits" of connection id, for progress lines; "?" if unknown. */
const char *conn_retransmits(struct etp_nl *nl, uint32_t id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	static char out[16];
	struct nlmsghdr *nlh;

	strcpy(out, "?");
	nlh = nl_msg(nl, buf, ETP_CMD_CONN_GET, 0);
	mnl_attr_put_u32(nlh, ETP_A_CONN_ID, id);
	nl_talk(nl, nlh, retransmits_cb, out);
	return out;
}

static void print_show_header(void)
{
	print_text("%-6s %-11s %-21s %s", "ID", "State", "Local", "Remote");
	print_nl();
}

/* One connection message: an ss-like line, or one JSON object. */
static void print_conn(const struct nlattr **tb)
{
	char local[ADDR_PORT_LEN], remote[ADDR_PORT_LEN];
	unsigned int state;

	state = tb[ETP_A_STATE] ? mnl_attr_get_u8(tb[ETP_A_STATE]) : 0;
	addr_port(local, sizeof(local), tb[ETP_A_LOCAL_ADDR],
		  tb[ETP_A_LOCAL_PORT]);
	addr_port(remote, sizeof(remote), tb[ETP_A_REMOTE_ADDR],
		  tb[ETP_A_REMOTE_PORT]);

	print_obj_begin(NULL);
	print_u64_fmt("id", "%-6" PRIu64, get_u32(tb[ETP_A_CONN_ID]));
	print_str_fmt("state", " %-11s", state_name(state));
	print_str_fmt("local", " %-21s", local);
	print_str_fmt("remote", " %-21s", remote);
	if (tb[ETP_A_BACKLOG])
		print_u64("backlog", get_u32(tb[ETP_A_BACKLOG]));
	if (tb[ETP_A_QUEUE])
		print_u64("queue", get_u32(tb[ETP_A_QUEUE]));
	if (tb[ETP_A_LISTENER_ID])
		print_u64("listener", get_u32(tb[ETP_A_LISTENER_ID]));
	if (tb[ETP_A_ERRNO])
		print_str("error", errno_name(get_u32(tb[ETP_A_ERRNO])));
	if (tb[ETP_A_SEQ])
		print_seq(tb[ETP_A_SEQ]);
	print_timers(tb[ETP_A_TIMERS]);
	print_info(tb[ETP_A_INFO]);
	print_obj_end();
	print_nl();
}

/*
 * One state event: `[  12.345678] 3 198.18.0.1:40000 198.18.0.2:7000
 * SYN_SENT -> ESTABLISHED (synack)` or one JSON object, on one line.
 */
static void print_event(const struct nlattr **tb)
{
	uint64_t ts = 0;
	char buf[ADDR_PORT_LEN];

	if (tb[ETP_A_TIMESTAMP_NS])
		ts = mnl_attr_get_u64(tb[ETP_A_TIMESTAMP_NS]);
	print_obj_begin(NULL);
	print_text("[%4" PRIu64 ".%06" PRIu64 "] ", ts / 1000000000,
		   ts % 1000000000 / 1000);
	print_u64_fmt("id", "%" PRIu64, get_u32(tb[ETP_A_CONN_ID]));
	print_str_fmt("local", " %s", addr_port(buf, sizeof(buf),
						tb[ETP_A_LOCAL_ADDR],
						tb[ETP_A_LOCAL_PORT]));
	print_str_fmt("remote", " %s", addr_port(buf, sizeof(buf),
						 tb[ETP_A_REMOTE_ADDR],
						 tb[ETP_A_REMOTE_PORT]));
	print_str_fmt("old", " %s", state_name(tb[ETP_A_OLD_STATE] ?
		      mnl_attr_get_u8(tb[ETP_A_OLD_STATE]) : 0));
	print_str_fmt("new", " -> %s", state_name(tb[ETP_A_STATE] ?
		      mnl_attr_get_u8(tb[ETP_A_STATE]) : 0));
	if (tb[ETP_A_CAUSE])
		print_str_fmt("cause", " (%s)",
			      mnl_attr_get_str(tb[ETP_A_CAUSE]));
	if (tb[ETP_A_ERRNO])
		print_str("error", errno_name(get_u32(tb[ETP_A_ERRNO])));
	print_u64_fmt("ts_ns", NULL, ts);
	print_obj_end();
	print_flush();
}

/* CLOSE, ABORT: ID; UNLISTEN: PORT. Silent on success. */
static int conn_op(struct etp_nl *nl, int argc, char **argv, uint8_t cmd,
		   const char *op)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	uint32_t id;
	uint16_t port;
	struct arg args[] = {
		cmd == ETP_CMD_UNLISTEN ? (struct arg)ARG_POS("PORT", ARG_PORT, &port) :
					  (struct arg)ARG_POS("ID", ARG_ID, &id),
		ARG_END
	};
	int err;

	if (args_parse(op, argc, argv, args))
		return EXIT_USAGE;
	err = etpctl_open(nl);
	if (err)
		return err;
	nlh = nl_msg(nl, buf, cmd, 0);
	if (cmd == ETP_CMD_UNLISTEN) {
		mnl_attr_put_u16(nlh, ETP_A_LOCAL_PORT, port);
		said(ETP_A_LOCAL_PORT, "port %u", port);
	} else {
		mnl_attr_put_u32(nlh, ETP_A_CONN_ID, id);
		said(ETP_A_CONN_ID, "connection %u", id);
	}
	err = nl_talk(nl, nlh, NULL, NULL);
	return err ? kernel_error(nl, err, op) : 0;
}

int cmd_unlisten(struct etp_nl *nl, int argc, char **argv)
{
	return conn_op(nl, argc, argv, ETP_CMD_UNLISTEN, "unlisten");
}

int cmd_close(struct etp_nl *nl, int argc, char **argv)
{
	return conn_op(nl, argc, argv, ETP_CMD_CLOSE, "close");
}

int cmd_abort(struct etp_nl *nl, int argc, char **argv)
{
	return conn_op(nl, argc, argv, ETP_CMD_ABORT, "abort");
}

int cmd_listen(struct etp_nl *nl, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	uint32_t backlog = 0;
	uint16_t port;
	struct arg args[] = {
		ARG_POS("PORT", ARG_PORT, &port),
		ARG_KW("backlog", "N", ARG_U32, &backlog),
		ARG_END
	};
	int err;

	if (args_parse("listen", argc, argv, args))
		return EXIT_USAGE;
	err = etpctl_open(nl);
	if (err)
		return err;
	nlh = nl_msg(nl, buf, ETP_CMD_LISTEN, 0);
	mnl_attr_put_u16(nlh, ETP_A_LOCAL_PORT, port);
	said(ETP_A_LOCAL_PORT, "port %u", port);
	if (args[1].seen) {
		mnl_attr_put_u32(nlh, ETP_A_BACKLOG, backlog);
		said(ETP_A_BACKLOG, "backlog %u", backlog);
	}
	err = nl_talk(nl, nlh, NULL, NULL);
	return err ? kernel_error(nl, err, "listen") : 0;
}

/* A reply that is a connection message: remember it. */
static int conn_info_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1];

	if (genl_cmd(nlh) == ETP_CMD_STATE_EVENT || conn_parse(nlh, tb) ||
	    !tb[ETP_A_CONN_ID])
		return MNL_CB_OK;
	conn_info_fill(data, tb);
	return MNL_CB_OK;
}

static int conn_get(struct etp_nl *nl, uint32_t id, struct conn_info *ci)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nl_msg(nl, buf, ETP_CMD_CONN_GET, 0);
	mnl_attr_put_u32(nlh, ETP_A_CONN_ID, id);
	memset(ci, 0, sizeof(*ci));
	return nl_talk(nl, nlh, conn_info_cb, ci);
}

struct wait_ctx {
	struct conn_info *ci;
	const struct etp_nl *ev;
	bool gone;		/* etp.ko was unloaded */
};

/* Events of one connection until it is synchronized or CLOSED. */
static int connect_wait_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1];
	struct wait_ctx *w = data;
	struct conn_info *ci = w->ci;

	if (family_gone(w->ev, nlh)) {
		w->gone = true;
		return MNL_CB_STOP;
	}
	if (nlh->nlmsg_type != w->ev->family ||
	    genl_cmd(nlh) != ETP_CMD_STATE_EVENT || conn_parse(nlh, tb) ||
	    get_u32(tb[ETP_A_CONN_ID]) != ci->id || !tb[ETP_A_STATE])
		return MNL_CB_OK;
	conn_info_fill(ci, tb);
	if (synchronized(ci->state) || ci->state == ETP_STATE_CLOSED)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

/*
 * ev was subscribed before CONNECT was sent, so every event of the new
 * connection is queued on it, however early. If the queue overflowed, ask
 * for the state instead: a change after that answer is queued again.
 */
static int connect_wait(struct etp_nl *nl, struct etp_nl *ev,
			struct conn_info *ci)
{
	struct wait_ctx w = { ci, ev, false };
	struct conn_info now;
	int err;

	for (;;) {
		err = nl_listen(ev, connect_wait_cb, &w);
		if (!err && w.gone)
			return errmsg(EXIT_KERNEL,
				      "connect: etp.ko was unloaded");
		if (!err)
			return 0;
		if (err != -ENOBUFS)
			return kernel_error(ev, err, "connect");
		err = conn_get(nl, ci->id, &now);
		if (err == -ENOENT)
			return errmsg(EXIT_KERNEL,
				      "connect: connection %u is gone (its events were lost)",
				      ci->id);
		if (err)
			return kernel_error(nl, err, "connect");
		if (now.valid && (synchronized(now.state) ||
				  now.state == ETP_STATE_CLOSED)) {
			*ci = now;
			return 0;
		}
	}
}

/*
 * CONNECT, and with wait, until ESTABLISHED: 0 with ci filled, or the exit
 * code with the reason printed.
 */
static int conn_open(struct etp_nl *nl, const char *op, struct in_addr addr,
		     uint16_t port, uint16_t sport, bool wait,
		     struct conn_info *ci)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	char ip[INET_ADDRSTRLEN];
	struct etp_nl *ev = NULL;
	struct nlmsghdr *nlh;
	int err;

	memset(ci, 0, sizeof(*ci));
	err = etpctl_open(nl);
	if (err)
		return err;
	if (wait) {
		/* Subscribe first: no event of the new id can be missed. */
		err = events_open(&ev, EV_STATE | EV_FAMILY,
				  "connect: subscribe");
		if (err)
			return err;
	}

	nlh = nl_msg(nl, buf, ETP_CMD_CONNECT, 0);
	mnl_attr_put_u32(nlh, ETP_A_REMOTE_ADDR, addr.s_addr);
	mnl_attr_put_u16(nlh, ETP_A_REMOTE_PORT, port);
	inet_ntop(AF_INET, &addr, ip, sizeof(ip));
	said(ETP_A_REMOTE_ADDR, "%s", ip);
	said(ETP_A_REMOTE_PORT, "port %u", port);
	if (sport) {
		mnl_attr_put_u16(nlh, ETP_A_LOCAL_PORT, sport);
		said(ETP_A_LOCAL_PORT, "local port %u", sport);
	}
	err = nl_talk(nl, nlh, conn_info_cb, ci);
	if (err)
		return kernel_error(nl, err, op);
	if (!ci->valid)
		return errmsg(EXIT_KERNEL,
			      "%s: the kernel's reply has no connection id", op);
	if (!wait)
		return 0;
	err = connect_wait(nl, ev, ci);
	if (err)
		return err;
	if (ci->state != ETP_STATE_CLOSED)
		return 0;
	if (ci->err == ENOPROTOOPT)
		return errmsg(EXIT_KERNEL,
			      "%s: %s (ICMP protocol unreachable: the peer has no etp)",
			      op, strerror(ci->err));
	if (ci->err)
		return errmsg(EXIT_KERNEL, "%s: %s", op, strerror(ci->err));
	return errmsg(EXIT_KERNEL, "%s: connection closed (%s)", op,
		      ci->cause[0] ? ci->cause : "no reason given");
}

int conn_open_wait(struct etp_nl *nl, const char *op, struct in_addr addr,
		   uint16_t port, uint32_t *id)
{
	struct conn_info ci;
	int err;

	err = conn_open(nl, op, addr, port, 0, true, &ci);
	*id = ci.id;
	return err;
}

int cmd_connect(struct etp_nl *nl, int argc, char **argv)
{
	uint16_t port, sport = 0;
	struct conn_info ci;
	struct in_addr addr;
	bool wait = false;
	struct arg args[] = {
		ARG_POS("ADDR", ARG_ADDR, &addr),
		ARG_POS("PORT", ARG_PORT, &port),
		ARG_KW("sport", "P", ARG_PORT, &sport),
		ARG_KW("wait", NULL, ARG_FLAG, &wait),
		ARG_END
	};
	int err;

	if (args_parse("connect", argc, argv, args))
		return EXIT_USAGE;
	err = conn_open(nl, "connect", addr, port, sport, wait, &ci);
	if (err)
		return err;
	/* Text: the id alone, for scripts; JSON: what is known of it. */
	print_obj_begin(NULL);
	print_u64_fmt("id", "%" PRIu64, ci.id);
	print_str_fmt("state", NULL, state_name(ci.state));
	print_str_fmt("local", NULL, ci.local);
	print_str_fmt("remote", NULL, ci.remote);
	print_obj_end();
	print_flush();
	return 0;
}

struct show_filter {
	bool by_id;
	uint32_t id;
	int state;		/* 0: any */
	uint16_t port;		/* 0: any; matches local or remote */
	bool header_done;
};

static bool show_match(const struct show_filter *f, const struct nlattr **tb)
{
	uint16_t lport, rport;

	if (f->state && (!tb[ETP_A_STATE] ||
			 mnl_attr_get_u8(tb[ETP_A_STATE]) != f->state))
		return false;
	if (!f->port)
		return true;
	lport = tb[ETP_A_LOCAL_PORT] ? mnl_attr_get_u16(tb[ETP_A_LOCAL_PORT]) : 0;
	rport = tb[ETP_A_REMOTE_PORT] ?
		mnl_attr_get_u16(tb[ETP_A_REMOTE_PORT]) : 0;
	return lport == f->port || rport == f->port;
}

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1];
	struct show_filter *f = data;

	if (genl_cmd(nlh) == ETP_CMD_STATE_EVENT || conn_parse(nlh, tb))
		return MNL_CB_OK;
	/* The kernel filters dumps; this also covers `show ID state S`. */
	if (!show_match(f, tb))
		return MNL_CB_OK;
	if (!f->header_done)
		print_show_header();
	f->header_done = true;
	print_conn(tb);
	return MNL_CB_OK;
}

static int show_parse(int argc, char **argv, struct show_filter *f)
{
	struct arg args[] = {
		ARG_OPT("ID", ARG_ID, &f->id),
		ARG_KW("state", "STATE", ARG_STATE, &f->state),
		ARG_KW("port", "P", ARG_PORT, &f->port),
		ARG_END
	};

	if (args_parse("show", argc, argv, args))
		return EXIT_USAGE;
	f->by_id = args[0].seen;
	return 0;
}

/*
 * show ID: CONN_GET doit, one object in JSON. show [state S] [port P]: a
 * filtered dump, a JSON array.
 */
int cmd_show(struct etp_nl *nl, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct show_filter f = { 0 };
	struct nlmsghdr *nlh;
	int err;

	err = show_parse(argc, argv, &f);
	if (err)
		return err;
	err = etpctl_open(nl);
	if (err)
		return err;
	if (f.by_id) {
		nlh = nl_msg(nl, buf, ETP_CMD_CONN_GET, 0);
		mnl_attr_put_u32(nlh, ETP_A_CONN_ID, f.id);
		said(ETP_A_CONN_ID, "connection %u", f.id);
	} else {
		nlh = nl_msg(nl, buf, ETP_CMD_CONN_GET, NLM_F_DUMP);
		if (f.state)
			mnl_attr_put_u8(nlh, ETP_A_STATE, f.state);
		if (f.port)
			mnl_attr_put_u16(nlh, ETP_A_LOCAL_PORT, f.port);
	}
	/* A list has its header even when empty; show ID only with a line. */
	if (!f.by_id) {
		print_show_header();
		f.header_done = true;
		print_json_arr_begin(NULL);
	}
	err = nl_talk(nl, nlh, show_cb, &f);
	if (!f.by_id)
		print_arr_end();
	if (print_is_json() && (!f.by_id || f.header_done))
		print_flush();
	fflush(stdout);
	return err ? kernel_error(nl, err, "show") : 0;
}

static int monitor_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1];
	struct etp_nl *nl = data;

	if (family_gone(nl, nlh)) {
		nl->family = 0;
		return MNL_CB_STOP;
	}
	if (nlh->nlmsg_type == nl->family &&
	    genl_cmd(nlh) == ETP_CMD_STATE_EVENT && !conn_parse(nlh, tb))
		print_event(tb);
	return MNL_CB_OK;
}

/*
 * Events until interrupted, or until etp.ko goes away: nlctrl announces
 * that (CTRL_CMD_DELFAMILY on its "notify" group), and nothing else would
 * wake a reader whose family no longer exists.
 */
int cmd_monitor(struct etp_nl *nl, int argc, char **argv)
{
	struct arg args[] = { ARG_END };
	int err;

	if (args_parse("monitor", argc, argv, args))
		return EXIT_USAGE;
	/* It would take the batch's socket for its events, and never end. */
	if (batch_line())
		return usage_error("monitor: not in a batch: it runs until interrupted (run it as an etpctl of its own)");
	err = etpctl_open(nl);
	if (err)
		return err;
	nl_set_rcvbuf(nl, 1 << 20);
	err = nl_subscribe(nl, ETP_MCGRP_STATE);
	if (!err)
		err = subscribe_family_events(nl);
	if (err)
		return kernel_error(nl, err, "monitor: subscribe");
	for (;;) {
		err = nl_listen(nl, monitor_cb, nl);
		if (!err && !nl->family) {
			fflush(stdout);
			return errmsg(EXIT_KERNEL,
				      "monitor: etp.ko was unloaded (family '%s' removed)",
				      ETP_GENL_NAME);
		}
		if (err != -ENOBUFS)
			break;
		errmsg(0, "monitor: events lost (receive buffer overrun)");
	}
	return kernel_error(nl, err, "monitor");
}
