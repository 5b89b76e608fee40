// SPDX-License-Identifier: GPL-2.0
/*
 * The "etp" generic netlink family. Every op has its own strict policy, so
 * an attribute an op does not expect is an error rather than ignored, and
 * every op that changes state requires CAP_NET_ADMIN in the netns' user
 * namespace.
 */
#include <linux/inetdevice.h>
#include <linux/mutex.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/etp.h>

#include "conn.h"
#include "core/names.h"
#include "main.h"
#include "netlink.h"
#include "output.h"
#include "user.h"

static struct genl_family etp_genl_family;

/* Ops that take no attributes still get a policy: strict mode rejects any. */
static const struct nla_policy etp_none_policy[ETP_A_MAX + 1] = {};

/*
 * Built from etp_param_descs[] at init. NLA_POLICY_RANGE takes s16 bounds;
 * u32 ranges need a validation struct each.
 */
static struct netlink_range_validation etp_param_ranges[ETP_PARAM_MAX + 1]
	__ro_after_init;
static struct nla_policy etp_param_policy[ETP_PARAM_MAX + 1] __ro_after_init;

static void __init etp_param_policy_init(void)
{
	unsigned int attr;

	for (attr = 1; attr <= ETP_PARAM_MAX; attr++) {
		etp_param_ranges[attr].min = etp_param_descs[attr].min;
		etp_param_ranges[attr].max = etp_param_descs[attr].max;
		/* What NLA_POLICY_FULL_RANGE(NLA_U32, range) writes. */
		etp_param_policy[attr].type = NLA_U32;
		etp_param_policy[attr].validation_type = NLA_VALIDATE_RANGE_PTR;
		etp_param_policy[attr].range = &etp_param_ranges[attr];
	}
}

static const struct nla_policy etp_param_set_policy[ETP_A_MAX + 1] = {
	[ETP_A_PARAMS] = NLA_POLICY_NESTED(etp_param_policy),
};

/*
 * A required attribute is missing: say which one, by name, in the extack
 * (GENL_REQ_ATTR_CHECK alone records only its number). True if missing.
 */
/* Multicast groups, in the order of etp_mcgrps[]. */
enum etp_nlgrp {
	ETP_NLGRP_STATE,
	ETP_NLGRP_DATA,
	ETP_NLGRP_SEGMENTS,
};

bool etp_nl_require(struct genl_info *info, int attr, const char *msg)
{
	if (info->attrs[attr])
		return false;
	/* NL_SET_ERR_MSG wants a literal; msg is one, built by the macro. */
	if (info->extack)
		info->extack->_msg = msg;
	NL_SET_ERR_ATTR_MISS(info->extack, NULL, attr);
	return true;
}

static struct etp_net *etp_info_net(struct genl_info *info)
{
	return etp_pernet(genl_info_net(info));
}

/* A reply to info in family's name (the test family's too). */
struct sk_buff *etp_nl_reply_new(const struct genl_family *family,
				 struct genl_info *info, void **hdr)
{
	struct sk_buff *skb;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put_reply(skb, info, family, 0, info->genlhdr->cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

/* Send it, unless filling it failed (err): then free it, return err. */
int etp_nl_reply_send(struct sk_buff *skb, void *hdr, struct genl_info *info,
		      int err)
{
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

/* --- module facts, counters, parameters ---------------------------------- */

static int etp_put_params(struct sk_buff *skb, const struct etp_net *en)
{
	struct nlattr *nest;
	unsigned int attr;

	nest = nla_nest_start(skb, ETP_A_PARAMS);
	if (!nest)
		return -EMSGSIZE;
	for (attr = 1; attr <= ETP_PARAM_MAX; attr++) {
		u32 *v = etp_param_field((struct etp_params *)&en->params, attr);

		if (nla_put_u32(skb, attr, READ_ONCE(*v))) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Names, ranges and defaults, so tools need no table of their own. */
static int etp_put_param_info(struct sk_buff *skb)
{
	struct nlattr *nest, *desc;
	unsigned int attr;

	nest = nla_nest_start(skb, ETP_A_PARAM_INFO);
	if (!nest)
		return -EMSGSIZE;
	for (attr = 1; attr <= ETP_PARAM_MAX; attr++) {
		const struct etp_param_desc *d = &etp_param_descs[attr];

		desc = nla_nest_start(skb, ETP_A_PARAM_DESC);
		if (!desc ||
		    nla_put_u16(skb, ETP_A_PARAM_DESC_ID, attr) ||
		    nla_put_string(skb, ETP_A_PARAM_DESC_NAME, d->name) ||
		    nla_put_u32(skb, ETP_A_PARAM_DESC_RANGE_MIN, d->min) ||
		    nla_put_u32(skb, ETP_A_PARAM_DESC_RANGE_MAX, d->max) ||
		    nla_put_u32(skb, ETP_A_PARAM_DESC_DEFAULT, d->def)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, desc);
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int etp_nl_info(struct sk_buff *unused, struct genl_info *info)
{
	struct etp_net *en = etp_info_net(info);
	struct sk_buff *skb;
	void *hdr;
	int err;

	skb = etp_nl_reply_new(&etp_genl_family, info, &hdr);
	if (!skb)
		return -ENOMEM;
	err = nla_put_string(skb, ETP_A_VERSION, ETP_VERSION_STR) ?:
	      nla_put_u8(skb, ETP_A_PROTOCOL, etp_proto) ?:
	      etp_put_params(skb, en) ?:
	      etp_put_param_info(skb);
	return etp_nl_reply_send(skb, hdr, info, err);
}

static int etp_put_stat(struct sk_buff *skb, const char *name, u64 value)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, ETP_A_STAT);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, ETP_A_STAT_NAME, name) ||
	    nla_put_u64_64bit(skb, ETP_A_STAT_VALUE, value, ETP_A_STAT_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int etp_put_stats(struct sk_buff *skb, const struct etp_net *en)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, ETP_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ETP_MIB_MAX; i++) {
		/* A counter added without a name is a bug, not a crash. */
		if (WARN_ON_ONCE(!etp_mib_names[i]))
			continue;
		if (etp_put_stat(skb, etp_mib_names[i],
				 etp_mib_read(en->mib, i))) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	/* Not a counter: what the queues hold now (docs/netlink.md). */
	if (etp_put_stat(skb, "queue_bytes",
			 atomic_long_read(&en->queue_mem))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int etp_nl_stats(struct sk_buff *unused, struct genl_info *info)
{
	struct sk_buff *skb;
	void *hdr;

	skb = etp_nl_reply_new(&etp_genl_family, info, &hdr);
	if (!skb)
		return -ENOMEM;
	return etp_nl_reply_send(skb, hdr, info,
			      etp_put_stats(skb, etp_info_net(info)));
}

static int etp_nl_param_get(struct sk_buff *unused, struct genl_info *info)
{
	struct etp_net *en = etp_info_net(info);
	struct sk_buff *skb;
	void *hdr;

	skb = etp_nl_reply_new(&etp_genl_family, info, &hdr);
	if (!skb)
		return -ENOMEM;
	return etp_nl_reply_send(skb, hdr, info,
			      etp_put_params(skb, en) ?:
			      etp_put_param_info(skb));
}

/*
 * The nest has been validated against etp_param_policy, so every present
 * value is in range and the update cannot fail half way.
 */
static int etp_nl_param_set(struct sk_buff *unused, struct genl_info *info)
{
	struct etp_net *en = etp_info_net(info);
	struct nlattr *tb[ETP_PARAM_MAX + 1];
	unsigned int attr;
	int err;

	if (ETP_REQUIRE(info, ETP_A_PARAMS))
		return -EINVAL;
	err = nla_parse_nested(tb, ETP_PARAM_MAX, info->attrs[ETP_A_PARAMS],
			       etp_param_policy, info->extack);
	if (err)
		return err;
	for (attr = 1; attr <= ETP_PARAM_MAX; attr++)
		if (tb[attr])
			WRITE_ONCE(*etp_param_field(&en->params, attr),
				   nla_get_u32(tb[attr]));
	return 0;
}

/* --- connections (docs/netlink.md) ------------------------------------------ */

static struct netlink_range_validation etp_range_backlog_attr = {
	.min = 1, .max = 65535,
};

static const struct nla_policy etp_listen_policy[ETP_A_MAX + 1] = {
	[ETP_A_LOCAL_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[ETP_A_BACKLOG]		=
		NLA_POLICY_FULL_RANGE(NLA_U32, &etp_range_backlog_attr),
};

static const struct nla_policy etp_unlisten_policy[ETP_A_MAX + 1] = {
	[ETP_A_LOCAL_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
};

static const struct nla_policy etp_connect_policy[ETP_A_MAX + 1] = {
	[ETP_A_REMOTE_ADDR]	= { .type = NLA_BE32 },
	[ETP_A_REMOTE_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[ETP_A_LOCAL_ADDR]	= { .type = NLA_BE32 },
	[ETP_A_LOCAL_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
};

static const struct nla_policy etp_conn_id_policy[ETP_A_MAX + 1] = {
	[ETP_A_CONN_ID]		= NLA_POLICY_MIN(NLA_U32, 1),
};

/* CONN_GET: by id (doit), or a dump filtered by state and port. */
static const struct nla_policy etp_conn_get_policy[ETP_A_MAX + 1] = {
	[ETP_A_CONN_ID]		= NLA_POLICY_MIN(NLA_U32, 1),
	[ETP_A_STATE]		= NLA_POLICY_RANGE(NLA_U8, ETP_STATE_CLOSED,
						   ETP_STATE_MAX),
	[ETP_A_LOCAL_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
};

/* What a user waiting on a connection is told (netlink says -errno). */
static int etp_errno(enum etp_error err)
{
	switch (err) {
	case ETP_ERR_REFUSED:
		return -ECONNREFUSED;
	case ETP_ERR_RESET:
		return -ECONNRESET;
	case ETP_ERR_TIMEDOUT:
		return -ETIMEDOUT;
	case ETP_ERR_NOPROTO:
		return -ENOPROTOOPT;	/* as TCP's: icmp_err_convert() */
	default:
		return 0;
	}
}

static int etp_put_addrs(struct sk_buff *skb, const struct etp_entry *e)
{
	return nla_put_in_addr(skb, ETP_A_LOCAL_ADDR, e->key.laddr) ?:
	       nla_put_u16(skb, ETP_A_LOCAL_PORT, ntohs(e->key.lport)) ?:
	       nla_put_in_addr(skb, ETP_A_REMOTE_ADDR, e->key.raddr) ?:
	       nla_put_u16(skb, ETP_A_REMOTE_PORT, ntohs(e->key.rport));
}

/* What etp_put_addrs() puts */
#define ETP_ADDRS_SIZE	(2 * nla_total_size(sizeof(__be32)) + \
			 2 * nla_total_size(sizeof(u16)))

/*
 * Events are sized to fit: netlink_broadcast() would otherwise copy each
 * one out of a page-sized skb into a smaller one (netlink_trim()).
 */
#define ETP_STR_SIZE(s)	nla_total_size(strlen(s) + 1)

static int etp_put_seq(struct sk_buff *skb, const struct etp_tcb *tcb)
{
	struct nlattr *nest = nla_nest_start(skb, ETP_A_SEQ);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, ETP_A_SEQ_ISS, tcb->iss) ||
	    nla_put_u32(skb, ETP_A_SEQ_SND_UNA, tcb->snd_una) ||
	    nla_put_u32(skb, ETP_A_SEQ_SND_NXT, tcb->snd_nxt) ||
	    nla_put_u32(skb, ETP_A_SEQ_IRS, tcb->irs) ||
	    nla_put_u32(skb, ETP_A_SEQ_RCV_NXT, tcb->rcv_nxt) ||
	    nla_put_u32(skb, ETP_A_SEQ_SND_WND, tcb->snd_wnd) ||
	    nla_put_u32(skb, ETP_A_SEQ_RCV_WND, tcb->rcv_wnd)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Each pending timer with its time left, as `ss -o` shows TCP's. */
static int etp_put_timers(struct sk_buff *skb, struct etp_entry *e,
			  const struct etp_tcb *tcb)
{
	struct nlattr *nest, *t;
	int id;

	nest = nla_nest_start(skb, ETP_A_TIMERS);
	if (!nest)
		return -EMSGSIZE;
	for (id = 0; id < ETP_T_MAX; id++) {
		s32 left = etp_entry_timer_left(e, id);
		/* A retired connection's only timer ends its lingering. */
		const char *name = e->retired ? "linger" : etp_timer_name(id);

		if (left < 0)
			continue;
		t = nla_nest_start(skb, ETP_A_TIMER);
		if (!t ||
		    nla_put_string(skb, ETP_A_TIMER_NAME, name) ||
		    nla_put_u32(skb, ETP_A_TIMER_REMAINING_MS, left) ||
		    nla_put_u32(skb, ETP_A_TIMER_BACKOFF,
				etp_timer_slot(id) == ETP_SLOT_XMIT ?
				tcb->retries : 0)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, t);
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* What `ss -i` shows, for a connection (e locked). */
static int etp_put_info(struct sk_buff *skb, struct etp_entry *e,
			const struct etp_tcb *t)
{
	struct etp_conn *c = etp_conn(e);
	struct etp_stream *st = c ? c->st : NULL;
	struct nlattr *nest = nla_nest_start(skb, ETP_A_INFO);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, ETP_A_INFO_CWND, t->cwnd) ||
	    nla_put_u32(skb, ETP_A_INFO_SSTHRESH, t->ssthresh) ||
	    nla_put_u32(skb, ETP_A_INFO_SRTT_US, t->srtt_us) ||
	    nla_put_u32(skb, ETP_A_INFO_RTTVAR_US, t->rttvar_us) ||
	    nla_put_u32(skb, ETP_A_INFO_RTO_MS, t->rto_ms) ||
	    nla_put_u32(skb, ETP_A_INFO_IN_FLIGHT, t->snd_max - t->snd_una) ||
	    nla_put_u32(skb, ETP_A_INFO_SND_MSS, etp_fsm_smss(t)) ||
	    nla_put_u32(skb, ETP_A_INFO_RCV_MSS, t->mss) ||
	    nla_put_u8(skb, ETP_A_INFO_SND_WSCALE, t->snd_wscale) ||
	    nla_put_u8(skb, ETP_A_INFO_RCV_WSCALE, t->rcv_wscale) ||
	    nla_put_u32(skb, ETP_A_INFO_SEND_Q,
			t->sndbuf - etp_fsm_send_space(t, st)) ||
	    nla_put_u32(skb, ETP_A_INFO_RECV_Q, etp_fsm_readable(t, st)) ||
	    nla_put_u64_64bit(skb, ETP_A_INFO_BYTES_SENT,
			      st ? st->bytes_acked : 0, ETP_A_INFO_PAD) ||
	    nla_put_u64_64bit(skb, ETP_A_INFO_BYTES_RECEIVED,
			      st ? st->bytes_received : 0, ETP_A_INFO_PAD) ||
	    nla_put_u32(skb, ETP_A_INFO_SEGS_IN, t->segs_in) ||
	    nla_put_u32(skb, ETP_A_INFO_SEGS_OUT, t->segs_out) ||
	    nla_put_u32(skb, ETP_A_INFO_RETRANSMITS, t->retrans) ||
	    nla_put_u32(skb, ETP_A_INFO_DROPS, t->drops)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int etp_put_kind(struct sk_buff *skb, struct etp_entry *e,
			const struct etp_tcb *t)
{
	struct etp_listener *l;
	struct etp_conn *c;

	switch (e->kind) {
	case ETP_KIND_LISTENER:
		l = container_of(e, struct etp_listener, e);
		return nla_put_u32(skb, ETP_A_BACKLOG, l->backlog) ?:
		       nla_put_u32(skb, ETP_A_QUEUE, atomic_read(&l->queue));
	case ETP_KIND_CONN:
		c = container_of(e, struct etp_conn, e);
		if (c->listener_id &&
		    nla_put_u32(skb, ETP_A_LISTENER_ID, c->listener_id))
			return -EMSGSIZE;
		return etp_put_seq(skb, t) ?: etp_put_timers(skb, e, t) ?:
		       etp_put_info(skb, e, t);
	default:
		/* TIME_WAIT keeps no more than this (core/tw.h), as ss shows. */
		return etp_put_seq(skb, t) ?: etp_put_timers(skb, e, t);
	}
}

/* One connection message; takes e->lock for a consistent snapshot. */
static int etp_fill_entry(struct sk_buff *skb, struct etp_entry *e)
{
	const struct etp_tcb *t;
	struct etp_tcb buf;
	int err;

	spin_lock_bh(&e->lock);
	t = etp_entry_tcb(e, &buf);
	err = nla_put_u32(skb, ETP_A_CONN_ID, e->id) ?:
	      nla_put_u8(skb, ETP_A_STATE, t->state) ?:
	      etp_put_addrs(skb, e) ?:
	      etp_put_kind(skb, e, t);
	if (!err && t->error)
		err = nla_put_u32(skb, ETP_A_ERRNO, -etp_errno(t->error));
	spin_unlock_bh(&e->lock);
	return err;
}

/* Reply with one connection message; consumes the reference on e. */
static int etp_reply_entry(struct etp_entry *e, struct genl_info *info)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	skb = etp_nl_reply_new(&etp_genl_family, info, &hdr);
	if (!skb) {
		etp_entry_put(e);
		return -ENOMEM;
	}
	err = etp_fill_entry(skb, e);
	etp_entry_put(e);
	return etp_nl_reply_send(skb, hdr, info, err);
}

/* The entry ETP_A_CONN_ID names, with a reference; NULL, extack set. */
static struct etp_entry *etp_entry_of(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[ETP_A_CONN_ID];
	struct etp_entry *e;

	e = etp_entry_get(etp_info_net(info), nla_get_u32(attr));
	if (!e)
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "ETP_A_CONN_ID: no such connection");
	return e;
}

static int etp_nl_listen(struct sk_buff *unused, struct genl_info *info)
{
	struct etp_net *en = etp_info_net(info);
	u32 backlog = READ_ONCE(en->params.backlog);
	struct etp_entry *e;
	int err;

	if (ETP_REQUIRE(info, ETP_A_LOCAL_PORT))
		return -EINVAL;
	if (info->attrs[ETP_A_BACKLOG])
		backlog = nla_get_u32(info->attrs[ETP_A_BACKLOG]);
	err = etp_user_listen(en, nla_get_u16(info->attrs[ETP_A_LOCAL_PORT]),
			      backlog, &e);
	switch (err) {
	case 0:
		return etp_reply_entry(e, info);
	case -EUSERS:
		NL_SET_ERR_MSG(info->extack,
			       "connection limit (max_conns) reached");
		break;
	case -EADDRINUSE:
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ETP_A_LOCAL_PORT],
				    "ETP_A_LOCAL_PORT already has a listener");
		break;
	}
	return err;
}

/*
 * 6.1 has no formatted extack messages, and extack keeps only a pointer:
 * one message per state, written at init.
 */
static char etp_refuse_msg[__ETP_STATE_MAX][48] __ro_after_init;

static void __init etp_refuse_msg_init(void)
{
	int s;

	for (s = 0; s < __ETP_STATE_MAX; s++)
		snprintf(etp_refuse_msg[s], sizeof(etp_refuse_msg[s]),
			 "ETP_A_CONN_ID: not valid in state %s",
			 etp_state_name(s));
}

/* CLOSE, ABORT, UNLISTEN: consumes the reference on e. */
static int etp_close_entry(struct etp_entry *e, bool abort,
			   struct genl_info *info, struct nlattr *attr)
{
	enum etp_conn_state state;
	int err;

	err = etp_user_close(e, abort, &state);
	etp_entry_put(e);
	if (err == -EINVAL) {
		if (info->extack && state < __ETP_STATE_MAX)
			info->extack->_msg = etp_refuse_msg[state];
		NL_SET_BAD_ATTR(info->extack, attr);
	}
	return err;
}

static int etp_nl_unlisten(struct sk_buff *unused, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[ETP_A_LOCAL_PORT];
	struct etp_entry *e;

	if (ETP_REQUIRE(info, ETP_A_LOCAL_PORT))
		return -EINVAL;
	e = etp_lookup(etp_info_net(info), 0, 0, htons(nla_get_u16(attr)), 0);
	if (!e) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "ETP_A_LOCAL_PORT has no listener");
		return -ENOENT;
	}
	return etp_close_entry(e, false, info, info->attrs[ETP_A_CONN_ID]);
}

static int etp_connect_refused(struct genl_info *info, int err)
{
	switch (err) {
	case -EUSERS:
		NL_SET_ERR_MSG(info->extack,
			       "connection limit (max_conns) reached");
		break;
	case -EADDRINUSE:
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ETP_A_LOCAL_PORT],
				    "ETP_A_LOCAL_PORT: this 4-tuple is in use");
		break;
	case -EADDRNOTAVAIL:
		NL_SET_ERR_MSG(info->extack, "no free ephemeral port");
		break;
	}
	return err;
}

static int etp_nl_connect(struct sk_buff *unused, struct genl_info *info)
{
	struct nlattr *rattr = info->attrs[ETP_A_REMOTE_ADDR];
	struct etp_net *en = etp_info_net(info);
	struct etp_entry *e;
	__be32 laddr = 0, raddr;
	u16 lport = 0, rport;
	u32 mtu;
	int err;

	if (ETP_REQUIRE(info, ETP_A_REMOTE_ADDR) ||
	    ETP_REQUIRE(info, ETP_A_REMOTE_PORT))
		return -EINVAL;
	raddr = nla_get_in_addr(rattr);
	rport = nla_get_u16(info->attrs[ETP_A_REMOTE_PORT]);
	if (info->attrs[ETP_A_LOCAL_ADDR])
		laddr = nla_get_in_addr(info->attrs[ETP_A_LOCAL_ADDR]);
	if (info->attrs[ETP_A_LOCAL_PORT])
		lport = nla_get_u16(info->attrs[ETP_A_LOCAL_PORT]);

	if (ipv4_is_multicast(raddr) || ipv4_is_lbcast(raddr) ||
	    ipv4_is_zeronet(raddr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, rattr,
				    "ETP_A_REMOTE_ADDR must be a unicast address");
		return -EINVAL;
	}
	err = etp_user_route(en, raddr, rport, &laddr, &mtu);
	if (err) {
		NL_SET_ERR_MSG_ATTR(info->extack, rattr,
				    "no route to ETP_A_REMOTE_ADDR from ETP_A_LOCAL_ADDR");
		return err;
	}
	err = etp_user_connect(en, laddr, raddr, lport, rport, mtu, &e);
	return err ? etp_connect_refused(info, err) : etp_reply_entry(e, info);
}

static int etp_nl_close_or_abort(struct genl_info *info, bool abort)
{
	struct etp_entry *e;

	if (ETP_REQUIRE(info, ETP_A_CONN_ID))
		return -EINVAL;
	e = etp_entry_of(info);
	if (!e)
		return -ENOENT;
	return etp_close_entry(e, abort, info, info->attrs[ETP_A_CONN_ID]);
}

static int etp_nl_close(struct sk_buff *unused, struct genl_info *info)
{
	return etp_nl_close_or_abort(info, false);
}

static int etp_nl_abort(struct sk_buff *unused, struct genl_info *info)
{
	return etp_nl_close_or_abort(info, true);
}

static int etp_nl_conn_get(struct sk_buff *unused, struct genl_info *info)
{
	struct etp_entry *e;

	if (ETP_REQUIRE(info, ETP_A_CONN_ID))
		return -EINVAL;
	e = etp_entry_of(info);
	return e ? etp_reply_entry(e, info) : -ENOENT;
}

static bool etp_dump_match(struct etp_entry *e, struct nlattr **attrs)
{
	u16 port;

	if (attrs[ETP_A_STATE] &&
	    etp_entry_state(e) != nla_get_u8(attrs[ETP_A_STATE]))
		return false;
	if (attrs[ETP_A_LOCAL_PORT]) {
		port = nla_get_u16(attrs[ETP_A_LOCAL_PORT]);
		return ntohs(e->key.lport) == port ||
		       ntohs(e->key.rport) == port;
	}
	return true;
}

/*
 * Walks the ids in order and resumes after the last one sent, so entries
 * that come and go during a multi-part dump neither repeat nor stop it.
 */
static int etp_nl_conn_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct etp_net *en = etp_pernet(sock_net(cb->skb->sk));
	struct nlattr **attrs = genl_dumpit_info(cb)->attrs;
	unsigned long id = cb->args[0];
	struct etp_entry *e;
	void *hdr;
	int err;

	for (; (e = etp_entry_next(en, &id)); id++) {
		if (!etp_dump_match(e, attrs)) {
			etp_entry_put(e);
			continue;
		}
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &etp_genl_family,
				  NLM_F_MULTI, ETP_CMD_CONN_GET);
		err = hdr ? etp_fill_entry(skb, e) : -EMSGSIZE;
		etp_entry_put(e);
		if (err) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = id + 1;
	}
	return skb->len;
}

/* --- data: SEND, RECV, readiness ------------------------------------------- */

/* One SEND carries up to 64 KiB, in one or more ETP_A_DATA. */
#define ETP_SEND_MAX	65536
#define ETP_ATTR_MAX	(U16_MAX - NLA_HDRLEN)

static struct netlink_range_validation etp_range_data = {
	.min = 1, .max = ETP_ATTR_MAX,
};

static const struct nla_policy etp_send_policy[ETP_A_MAX + 1] = {
	[ETP_A_CONN_ID]		= NLA_POLICY_MIN(NLA_U32, 1),
	[ETP_A_DATA]		= NLA_POLICY_FULL_RANGE(NLA_BINARY,
							&etp_range_data),
};

static const struct nla_policy etp_recv_policy[ETP_A_MAX + 1] = {
	[ETP_A_CONN_ID]		= NLA_POLICY_MIN(NLA_U32, 1),
	[ETP_A_BYTES]		= NLA_POLICY_FULL_RANGE(NLA_U32,
							&etp_range_data),
};

static int etp_send_refused(struct genl_info *info, int err)
{
	switch (err) {
	case -EPIPE:
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ETP_A_CONN_ID],
				    "ETP_A_CONN_ID: the connection no longer sends (closed, or not open)");
		break;
	case -EAGAIN:
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ETP_A_CONN_ID],
				    "send queue full (sndbuf): a data event says when there is room");
		break;
	case -ENOMEM:
		NL_SET_ERR_MSG(info->extack, "no memory for the send queue");
		break;
	}
	return err;
}

static int etp_nl_send(struct sk_buff *unused, struct genl_info *info)
{
	u32 total = 0, sent = 0, queued;
	struct etp_entry *e;
	struct nlattr *attr;
	struct sk_buff *skb;
	int rem, err = 0;
	void *hdr;

	if (ETP_REQUIRE(info, ETP_A_CONN_ID) || ETP_REQUIRE(info, ETP_A_DATA))
		return -EINVAL;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem)
		if (nla_type(attr) == ETP_A_DATA)
			total += nla_len(attr);
	if (total > ETP_SEND_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ETP_A_DATA],
				    "ETP_A_DATA: at most 64 KiB per SEND");
		return -EMSGSIZE;
	}
	e = etp_entry_of(info);
	if (!e)
		return -ENOENT;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != ETP_A_DATA)
			continue;
		err = etp_user_send(e, nla_data(attr), nla_len(attr), &queued);
		sent += queued;
		if (err || queued < nla_len(attr))
			break;
	}
	etp_entry_put(e);
	if (!sent)
		return etp_send_refused(info, err);
	skb = etp_nl_reply_new(&etp_genl_family, info, &hdr);
	if (!skb)
		return -ENOMEM;
	return etp_nl_reply_send(skb, hdr, info,
				 nla_put_u32(skb, ETP_A_BYTES, sent));
}

/*
 * A RECV reply lends the receive queue's chunks instead of copying them:
 * each piece read becomes a fragment of the reply holding a reference on
 * its chunk's page, which the queue never writes again (core/stream.h),
 * so the octets stay put until the reader has copied them out. Reading
 * under the entry's lock is then a few page references, not a 64 KiB
 * copy that the receive path spins behind, and the reply needs no 64 KiB
 * buffer zeroed for it.
 */
static void etp_recv_lend(void *ctx, const u8 *src, u32 len)
{
	etp_skb_lend(ctx, src, len, ETP_CHUNK_SIZE);
}

/*
 * The most one RECV reply carries: the chunks of any ETP_RECV_MAX octets,
 * wherever they start, and the zero page's fragment that pads them fit in
 * MAX_SKB_FRAGS. RECV may always return less than asked.
 */
#define ETP_RECV_MAX	((u32)(MAX_SKB_FRAGS - 2) * ETP_CHUNK_SIZE)

/*
 * The linear part comes first and cannot grow once fragments follow it: a
 * zero-length ETP_A_PAD that becomes ETP_A_EOF when the end of the stream
 * is read, then ETP_A_DATA's header, its octets the fragments.
 */
static int etp_put_recv(struct sk_buff *skb, struct etp_entry *e, u32 len)
{
	const struct etp_sink out = { .take = etp_recv_lend, .ctx = skb };
	struct nlattr *flag = nla_reserve(skb, ETP_A_PAD, 0);
	struct nlattr *data = nla_reserve(skb, ETP_A_DATA, 0);
	u32 got, pad;
	bool eof;
	int err;

	if (!flag || !data)
		return -EMSGSIZE;
	err = etp_user_recv(e, &out, len, &got, &eof);
	if (err)
		return err;
	if (eof)
		flag->nla_type = ETP_A_EOF;
	data->nla_len = nla_attr_size(got);
	pad = nla_padlen(got);
	if (pad)
		etp_skb_lend(skb, page_address(ZERO_PAGE(0)), pad, pad);
	/* genlmsg_end() would count the linear part only. */
	nlmsg_hdr(skb)->nlmsg_len = skb->len;
	return 0;
}

static int etp_nl_recv(struct sk_buff *unused, struct genl_info *info)
{
	struct etp_entry *e;
	struct sk_buff *skb;
	void *hdr;
	u32 len;
	int err;

	if (ETP_REQUIRE(info, ETP_A_CONN_ID) || ETP_REQUIRE(info, ETP_A_BYTES))
		return -EINVAL;
	BUILD_BUG_ON(DIV_ROUND_UP(ETP_RECV_MAX + ETP_CHUNK_SIZE - 1,
				  ETP_CHUNK_SIZE) + 1 > MAX_SKB_FRAGS);
	len = min_t(u32, nla_get_u32(info->attrs[ETP_A_BYTES]), ETP_RECV_MAX);
	e = etp_entry_of(info);
	if (!e)
		return -ENOENT;
	skb = genlmsg_new(2 * nla_total_size(0), GFP_KERNEL);
	hdr = skb ? genlmsg_put_reply(skb, info, &etp_genl_family, 0,
				      ETP_CMD_RECV) : NULL;
	err = hdr ? etp_put_recv(skb, e, len) : -ENOMEM;
	etp_entry_put(e);
	if (err == -ECONNRESET)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ETP_A_CONN_ID],
				    "ETP_A_CONN_ID: the connection was reset, nothing left to read");
	else if (err == -ENOTCONN)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ETP_A_CONN_ID],
				    "ETP_A_CONN_ID: not a connection that receives");
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	return genlmsg_reply(skb, info);
}

/* What e's user waited for (ETP_NOTE_*), on the "data" group; e locked. */
void etp_nl_data_event(struct etp_conn *c, const struct etp_stream *st,
		       u8 what)
{
	const struct etp_tcb *t = &c->tcb;
	struct etp_entry *e = &c->e;
	struct net *net = e->en->net;
	struct sk_buff *skb;
	bool eof;
	void *hdr;

	if (!genl_has_listeners(&etp_genl_family, net, ETP_NLGRP_DATA))
		return;
	/* id, readable, writable, eof, errno */
	skb = genlmsg_new(3 * nla_total_size(sizeof(u32)) + nla_total_size(0) +
			  nla_total_size(sizeof(u32)), GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &etp_genl_family, 0, ETP_CMD_DATA_EVENT);
	if (!hdr)
		goto fail;
	eof = t->fin_rcvd && !etp_fsm_readable(t, st);
	if (nla_put_u32(skb, ETP_A_CONN_ID, e->id) ||
	    ((what & ETP_NOTE_READABLE) &&
	     nla_put_u32(skb, ETP_A_READABLE, etp_fsm_readable(t, st))) ||
	    ((what & ETP_NOTE_WRITABLE) &&
	     nla_put_u32(skb, ETP_A_WRITABLE,
			 etp_fsm_may_write(t) ?
			 etp_fsm_send_space(t, st) : 0)) ||
	    (eof && nla_put_flag(skb, ETP_A_EOF)) ||
	    (t->error &&
	     nla_put_u32(skb, ETP_A_ERRNO, -etp_errno(t->error))))
		goto fail;
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&etp_genl_family, net, skb, 0, ETP_NLGRP_DATA,
				GFP_ATOMIC);
	return;
fail:
	nlmsg_free(skb);
}

void etp_nl_state_event(struct etp_entry *e, const struct etp_actions *act)
{
	struct net *net = e->en->net;
	u8 state = act->destroy ? ETP_STATE_CLOSED : act->new_state;
	struct sk_buff *skb;
	const char *cause;
	void *hdr;

	if (!genl_has_listeners(&etp_genl_family, net, ETP_NLGRP_STATE))
		return;
	cause = etp_cause_name(act->cause);
	skb = genlmsg_new(nla_total_size(sizeof(u32)) +
			  2 * nla_total_size(sizeof(u8)) + ETP_ADDRS_SIZE +
			  ETP_STR_SIZE(cause) + nla_total_size_64bit(sizeof(u64)) +
			  nla_total_size(sizeof(u32)), GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &etp_genl_family, 0, ETP_CMD_STATE_EVENT);
	if (!hdr)
		goto fail;
	if (nla_put_u32(skb, ETP_A_CONN_ID, e->id) ||
	    nla_put_u8(skb, ETP_A_OLD_STATE, act->old_state) ||
	    nla_put_u8(skb, ETP_A_STATE, state) ||
	    etp_put_addrs(skb, e) ||
	    nla_put_string(skb, ETP_A_CAUSE, cause) ||
	    nla_put_u64_64bit(skb, ETP_A_TIMESTAMP_NS, ktime_get_ns(),
			      ETP_A_PAD) ||
	    (act->error &&
	     nla_put_u32(skb, ETP_A_ERRNO, -etp_errno(act->error))))
		goto fail;
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&etp_genl_family, net, skb, 0, ETP_NLGRP_STATE,
				GFP_ATOMIC);
	return;
fail:
	nlmsg_free(skb);
}

/* --- segments and timers, for traces ------------------------------------ */

bool etp_nl_segments_wanted(const struct etp_net *en)
{
	return genl_has_listeners(&etp_genl_family, en->net,
				  ETP_NLGRP_SEGMENTS);
}

static void etp_nl_segments_send(const struct etp_net *en, struct sk_buff *skb)
{
	genlmsg_multicast_netns(&etp_genl_family, en->net, skb, 0,
				ETP_NLGRP_SEGMENTS, GFP_ATOMIC);
}

/*
 * Relative numbers, as Wireshark shows them: seq from the sender's ISN,
 * ack from the receiver's. Unknown (no connection, or the peer's ISN not
 * yet learnt) means absent.
 */
static int etp_put_rel(struct sk_buff *skb, const struct etp_segev *sev)
{
	const struct etp_seg *seg = sev->seg;
	const struct etp_tcb *t;
	bool out = sev->dir == ETP_DIR_OUT;
	struct etp_tcb buf;
	bool irs_known;
	u32 seq0, ack0;

	t = sev->e ? etp_entry_tcb(sev->e, &buf) : NULL;
	irs_known = t && (t->irs || t->rcv_nxt);

	if (!t || sev->e->kind == ETP_KIND_LISTENER)
		return 0;
	seq0 = out ? t->iss : t->irs;
	ack0 = out ? t->irs : t->iss;
	if ((out || irs_known) &&
	    nla_put_u32(skb, ETP_A_SEGMENT_REL_SEQ, seg->seq - seq0))
		return -EMSGSIZE;
	if ((seg->flags & ETP_FLAG_ACK) && (!out || irs_known) &&
	    nla_put_u32(skb, ETP_A_SEGMENT_REL_ACK, seg->ack - ack0))
		return -EMSGSIZE;
	return 0;
}

static const char *const etp_fault_names[] = {
	[ETP_FAULT_DROP]	= "drop",
	[ETP_FAULT_DELAY]	= "delay",
	[ETP_FAULT_DUP]		= "dup",
	[ETP_FAULT_HOLD]	= "hold",
};

static int etp_put_segment(struct sk_buff *skb, const struct etp_segev *sev)
{
	const struct etp_seg *seg = sev->seg;
	struct nlattr *nest = nla_nest_start(skb, ETP_A_SEGMENT);

	if (!nest ||
	    nla_put_u8(skb, ETP_A_SEGMENT_DIR, sev->dir) ||
	    nla_put_u8(skb, ETP_A_SEGMENT_FLAGS, seg->flags) ||
	    nla_put_u32(skb, ETP_A_SEGMENT_SEQ, seg->seq) ||
	    nla_put_u32(skb, ETP_A_SEGMENT_ACK, seg->ack) ||
	    etp_put_rel(skb, sev) ||
	    nla_put_u32(skb, ETP_A_SEGMENT_LEN, seg->payload_len) ||
	    nla_put_u32(skb, ETP_A_SEGMENT_WIN, seg->window) ||
	    (seg->mss && nla_put_u16(skb, ETP_A_SEGMENT_MSS, seg->mss)) ||
	    (seg->ws_present &&
	     nla_put_u8(skb, ETP_A_SEGMENT_WSCALE, seg->wscale)) ||
	    (sev->drop && nla_put_string(skb, ETP_A_SEGMENT_DROP, sev->drop)) ||
	    (sev->fault && sev->fault->action &&
	     (nla_put_string(skb, ETP_A_SEGMENT_FAULT,
			     etp_fault_names[sev->fault->action]) ||
	      nla_put_u32(skb, ETP_A_SEGMENT_FAULT_ID, sev->fault->id))))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Room for the largest segment event: every optional attribute present. */
static size_t etp_segment_event_size(const struct etp_segev *sev)
{
	size_t size = 5 * nla_total_size(sizeof(u32)) +	/* id, seq, ack, len, win */
		      nla_total_size_64bit(sizeof(u64)) + ETP_ADDRS_SIZE +
		      4 * nla_total_size(sizeof(u8)) +	/* states, dir, flags */
		      nla_total_size(0) +		/* the nest */
		      2 * nla_total_size(sizeof(u32)) +	/* rel seq, rel ack */
		      nla_total_size(sizeof(u16)) + nla_total_size(sizeof(u8));

	if (sev->drop)
		size += ETP_STR_SIZE(sev->drop);
	if (sev->fault && sev->fault->action)
		size += ETP_STR_SIZE(etp_fault_names[sev->fault->action]) +
			nla_total_size(sizeof(u32));
	return size;
}

void etp_nl_segment_event(const struct etp_net *en, const struct etp_segev *sev)
{
	const struct etp_seg *seg = sev->seg;
	bool out = sev->dir == ETP_DIR_OUT;
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(etp_segment_event_size(sev), GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &etp_genl_family, 0,
			  ETP_CMD_SEGMENT_EVENT);
	if (!hdr ||
	    nla_put_u32(skb, ETP_A_CONN_ID, sev->e ? sev->e->id : 0) ||
	    nla_put_u64_64bit(skb, ETP_A_TIMESTAMP_NS, ktime_get_ns(),
			      ETP_A_PAD) ||
	    nla_put_in_addr(skb, ETP_A_LOCAL_ADDR, sev->laddr) ||
	    nla_put_u16(skb, ETP_A_LOCAL_PORT, out ? seg->sport : seg->dport) ||
	    nla_put_in_addr(skb, ETP_A_REMOTE_ADDR, sev->raddr) ||
	    nla_put_u16(skb, ETP_A_REMOTE_PORT, out ? seg->dport : seg->sport) ||
	    nla_put_u8(skb, ETP_A_OLD_STATE, sev->old_state) ||
	    nla_put_u8(skb, ETP_A_STATE, sev->new_state) ||
	    etp_put_segment(skb, sev)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	etp_nl_segments_send(en, skb);
}

void etp_nl_timer_event(const struct etp_entry *e, const char *timer,
			u8 backoff, const struct etp_actions *act)
{
	struct sk_buff *skb;
	struct nlattr *t;
	void *hdr;

	if (!etp_nl_segments_wanted(e->en))
		return;
	skb = genlmsg_new(nla_total_size(sizeof(u32)) +
			  nla_total_size_64bit(sizeof(u64)) + ETP_ADDRS_SIZE +
			  2 * nla_total_size(sizeof(u8)) + nla_total_size(0) +
			  ETP_STR_SIZE(timer) + nla_total_size(sizeof(u32)),
			  GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &etp_genl_family, 0, ETP_CMD_TIMER_EVENT);
	if (!hdr ||
	    nla_put_u32(skb, ETP_A_CONN_ID, e->id) ||
	    nla_put_u64_64bit(skb, ETP_A_TIMESTAMP_NS, ktime_get_ns(),
			      ETP_A_PAD) ||
	    etp_put_addrs(skb, e) ||
	    nla_put_u8(skb, ETP_A_OLD_STATE, act->old_state) ||
	    nla_put_u8(skb, ETP_A_STATE,
		       act->destroy ? ETP_STATE_CLOSED : act->new_state))
		goto fail;
	t = nla_nest_start(skb, ETP_A_TIMER);
	if (!t || nla_put_string(skb, ETP_A_TIMER_NAME, timer) ||
	    nla_put_u32(skb, ETP_A_TIMER_BACKOFF, backoff))
		goto fail;
	nla_nest_end(skb, t);
	genlmsg_end(skb, hdr);
	etp_nl_segments_send(e->en, skb);
	return;
fail:
	nlmsg_free(skb);
}

/* --- faults ----------------------------------------------------------------- */

/* Policy min and max are s16: larger bounds need a range of their own. */
static struct netlink_range_validation etp_range_count = {
	.min = 1, .max = 1000000,
};

static struct netlink_range_validation etp_range_delay = {
	.min = 1, .max = 60000,
};

static const struct nla_policy etp_fault_spec_policy[ETP_A_FAULT_MAX + 1] = {
	[ETP_A_FAULT_ACTION]	= NLA_POLICY_RANGE(NLA_U8, ETP_FAULT_DROP,
						   ETP_FAULT_MAX),
	[ETP_A_FAULT_DIR]	= NLA_POLICY_RANGE(NLA_U8, ETP_DIR_IN,
						   ETP_DIR_OUT),
	[ETP_A_FAULT_FLAGS]	= NLA_POLICY_MASK(NLA_U8, ETP_FLAGS_KNOWN),
	[ETP_A_FAULT_STATE]	= NLA_POLICY_RANGE(NLA_U8, ETP_STATE_CLOSED,
						   ETP_STATE_MAX),
	[ETP_A_FAULT_CONN_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[ETP_A_FAULT_COUNT]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&etp_range_count),
	[ETP_A_FAULT_DELAY_MS]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&etp_range_delay),
};

static const struct nla_policy etp_fault_id_policy[ETP_A_FAULT_MAX + 1] = {
	[ETP_A_FAULT_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy etp_fault_add_policy[ETP_A_MAX + 1] = {
	[ETP_A_FAULT]		= NLA_POLICY_NESTED(etp_fault_spec_policy),
};

static const struct nla_policy etp_fault_del_policy[ETP_A_MAX + 1] = {
	[ETP_A_FAULT]		= NLA_POLICY_NESTED(etp_fault_id_policy),
};

/* What a fault message says of one fault (FAULT_ADD's reply, the dump). */
static int etp_put_fault(struct sk_buff *skb, const struct etp_fault_info *fi)
{
	const struct etp_fault_spec *sp = &fi->spec;
	struct nlattr *nest = nla_nest_start(skb, ETP_A_FAULT);

	if (!nest ||
	    nla_put_u32(skb, ETP_A_FAULT_ID, fi->id) ||
	    nla_put_u8(skb, ETP_A_FAULT_ACTION, sp->action) ||
	    nla_put_u8(skb, ETP_A_FAULT_DIR, sp->dir) ||
	    (sp->has_flags && nla_put_u8(skb, ETP_A_FAULT_FLAGS, sp->flags)) ||
	    (sp->state && nla_put_u8(skb, ETP_A_FAULT_STATE, sp->state)) ||
	    (sp->conn_id &&
	     nla_put_u32(skb, ETP_A_FAULT_CONN_ID, sp->conn_id)) ||
	    (sp->delay_ms &&
	     nla_put_u32(skb, ETP_A_FAULT_DELAY_MS, sp->delay_ms)) ||
	    nla_put_u32(skb, ETP_A_FAULT_LEFT, sp->count) ||
	    nla_put_u32(skb, ETP_A_FAULT_HELD, fi->held))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* The fault nest of info, parsed with policy; -EINVAL, extack set, if absent. */
static int etp_fault_attrs(struct genl_info *info,
			   const struct nla_policy *policy, struct nlattr **tb)
{
	if (ETP_REQUIRE(info, ETP_A_FAULT))
		return -EINVAL;
	return nla_parse_nested(tb, ETP_A_FAULT_MAX, info->attrs[ETP_A_FAULT],
				policy, info->extack);
}

static int etp_fault_spec_of(struct genl_info *info, struct nlattr **tb,
			     struct etp_fault_spec *sp)
{
	struct nlattr *nest = info->attrs[ETP_A_FAULT];

	memset(sp, 0, sizeof(*sp));
	if (!tb[ETP_A_FAULT_ACTION]) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest,
				    "missing attribute ETP_A_FAULT_ACTION");
		return -EINVAL;
	}
	if (!tb[ETP_A_FAULT_DIR]) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest,
				    "missing attribute ETP_A_FAULT_DIR");
		return -EINVAL;
	}
	sp->action = nla_get_u8(tb[ETP_A_FAULT_ACTION]);
	sp->dir = nla_get_u8(tb[ETP_A_FAULT_DIR]);
	if (sp->action == ETP_FAULT_DELAY && !tb[ETP_A_FAULT_DELAY_MS]) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest,
				    "missing attribute ETP_A_FAULT_DELAY_MS (a delay needs it)");
		return -EINVAL;
	}
	if (sp->action != ETP_FAULT_DELAY && tb[ETP_A_FAULT_DELAY_MS]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[ETP_A_FAULT_DELAY_MS],
				    "ETP_A_FAULT_DELAY_MS: only a delay takes it");
		return -EINVAL;
	}
	if (tb[ETP_A_FAULT_FLAGS]) {
		sp->has_flags = true;
		sp->flags = nla_get_u8(tb[ETP_A_FAULT_FLAGS]);
	}
	if (tb[ETP_A_FAULT_STATE])
		sp->state = nla_get_u8(tb[ETP_A_FAULT_STATE]);
	if (tb[ETP_A_FAULT_CONN_ID]) {
		struct etp_entry *e;

		sp->conn_id = nla_get_u32(tb[ETP_A_FAULT_CONN_ID]);
		/* A fault for a connection that is not there would never apply. */
		e = etp_entry_get(etp_info_net(info), sp->conn_id);
		if (!e) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[ETP_A_FAULT_CONN_ID],
					    "ETP_A_FAULT_CONN_ID: no such connection");
			return -ENOENT;
		}
		etp_entry_put(e);
	}
	sp->count = tb[ETP_A_FAULT_COUNT] ?
		    nla_get_u32(tb[ETP_A_FAULT_COUNT]) : 1;
	if (tb[ETP_A_FAULT_DELAY_MS])
		sp->delay_ms = nla_get_u32(tb[ETP_A_FAULT_DELAY_MS]);
	return 0;
}

static int etp_nl_fault_add(struct sk_buff *unused, struct genl_info *info)
{
	struct etp_net *en = etp_info_net(info);
	struct nlattr *tb[ETP_A_FAULT_MAX + 1];
	struct etp_fault_info fi = { 0 };
	struct sk_buff *skb;
	void *hdr;
	int err;

	err = etp_fault_attrs(info, etp_fault_spec_policy, tb) ?:
	      etp_fault_spec_of(info, tb, &fi.spec);
	if (err)
		return err;
	err = etp_fault_add(en, &fi.spec, &fi.id);
	if (err == -ENOSPC)
		NL_SET_ERR_MSG(info->extack,
			       "ETP_A_FAULT: the namespace has 64 faults already");
	if (err)
		return err;
	skb = etp_nl_reply_new(&etp_genl_family, info, &hdr);
	if (!skb)
		return -ENOMEM;
	return etp_nl_reply_send(skb, hdr, info, etp_put_fault(skb, &fi));
}

static int etp_nl_fault_del(struct sk_buff *unused, struct genl_info *info)
{
	struct nlattr *tb[ETP_A_FAULT_MAX + 1];
	int err;

	err = etp_fault_attrs(info, etp_fault_id_policy, tb);
	if (err)
		return err;
	if (!tb[ETP_A_FAULT_ID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ETP_A_FAULT],
				    "missing attribute ETP_A_FAULT_ID");
		return -EINVAL;
	}
	err = etp_fault_del(etp_info_net(info),
			    nla_get_u32(tb[ETP_A_FAULT_ID]));
	if (err)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[ETP_A_FAULT_ID],
				    "ETP_A_FAULT_ID: no such fault");
	return err;
}

static int etp_nl_fault_flush(struct sk_buff *unused, struct genl_info *info)
{
	etp_fault_flush(etp_info_net(info));
	return 0;
}

/* RELEASE [FAULT {ID}]: held segments go on; the reply says how many. */
static int etp_nl_fault_release(struct sk_buff *unused, struct genl_info *info)
{
	struct nlattr *tb[ETP_A_FAULT_MAX + 1];
	struct sk_buff *skb;
	u32 id = 0, n;
	void *hdr;
	int err;

	if (info->attrs[ETP_A_FAULT]) {
		err = etp_fault_attrs(info, etp_fault_id_policy, tb);
		if (err)
			return err;
		if (tb[ETP_A_FAULT_ID])
			id = nla_get_u32(tb[ETP_A_FAULT_ID]);
	}
	n = etp_fault_release(etp_info_net(info), id);
	skb = etp_nl_reply_new(&etp_genl_family, info, &hdr);
	if (!skb)
		return -ENOMEM;
	return etp_nl_reply_send(skb, hdr, info,
				 nla_put_u32(skb, ETP_A_QUEUE, n));
}

static int etp_nl_fault_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct etp_net *en = etp_pernet(sock_net(cb->skb->sk));
	struct etp_fault_info fi;
	void *hdr;

	while (!etp_fault_next(en, cb->args[0], &fi)) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &etp_genl_family,
				  NLM_F_MULTI, ETP_CMD_FAULT_GET);
		if (!hdr)
			break;
		if (etp_put_fault(skb, &fi)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = fi.id;
	}
	return skb->len;
}

/*
 * The family is parallel: SEND and RECV need only their connection's lock,
 * and behind genl_mutex a transfer's writer and reader took turns at one
 * global mutex (spinning on it filled a tenth of a profile). What changes
 * tables, parameters and faults is serialised here instead, as genl_mutex
 * did before; what only reads, or carries bytes, is marked ETP_NL_PARALLEL.
 */
#define ETP_NL_PARALLEL	BIT(0)

static DEFINE_MUTEX(etp_nl_mutex);

void etp_nl_lock(void)
{
	mutex_lock(&etp_nl_mutex);
}

void etp_nl_unlock(void)
{
	mutex_unlock(&etp_nl_mutex);
}

static int etp_nl_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
			   struct genl_info *info)
{
	if (!(ops->internal_flags & ETP_NL_PARALLEL))
		mutex_lock(&etp_nl_mutex);
	return 0;
}

static void etp_nl_post_doit(const struct genl_ops *ops, struct sk_buff *skb,
			     struct genl_info *info)
{
	if (!(ops->internal_flags & ETP_NL_PARALLEL))
		mutex_unlock(&etp_nl_mutex);
}

static const struct genl_ops etp_genl_ops[] = {
	{
		.cmd	= ETP_CMD_INFO,
		.internal_flags = ETP_NL_PARALLEL,
		.doit	= etp_nl_info,
		.policy	= etp_none_policy,
		.maxattr = ETP_A_MAX,
	},
	{
		.cmd	= ETP_CMD_STATS_GET,
		.internal_flags = ETP_NL_PARALLEL,
		.doit	= etp_nl_stats,
		.policy	= etp_none_policy,
		.maxattr = ETP_A_MAX,
	},
	{
		.cmd	= ETP_CMD_PARAM_GET,
		.internal_flags = ETP_NL_PARALLEL,
		.doit	= etp_nl_param_get,
		.policy	= etp_none_policy,
		.maxattr = ETP_A_MAX,
	},
	{
		.cmd	= ETP_CMD_PARAM_SET,
		.doit	= etp_nl_param_set,
		.policy	= etp_param_set_policy,
		.maxattr = ETP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= ETP_CMD_LISTEN,
		.doit	= etp_nl_listen,
		.policy	= etp_listen_policy,
		.maxattr = ETP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= ETP_CMD_UNLISTEN,
		.doit	= etp_nl_unlisten,
		.policy	= etp_unlisten_policy,
		.maxattr = ETP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= ETP_CMD_CONNECT,
		.doit	= etp_nl_connect,
		.policy	= etp_connect_policy,
		.maxattr = ETP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= ETP_CMD_CLOSE,
		.doit	= etp_nl_close,
		.policy	= etp_conn_id_policy,
		.maxattr = ETP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= ETP_CMD_ABORT,
		.doit	= etp_nl_abort,
		.policy	= etp_conn_id_policy,
		.maxattr = ETP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= ETP_CMD_SEND,
		.internal_flags = ETP_NL_PARALLEL,
		.doit	= etp_nl_send,
		.policy	= etp_send_policy,
		.maxattr = ETP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= ETP_CMD_RECV,
		.internal_flags = ETP_NL_PARALLEL,
		.doit	= etp_nl_recv,
		.policy	= etp_recv_policy,
		.maxattr = ETP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= ETP_CMD_CONN_GET,
		.internal_flags = ETP_NL_PARALLEL,
		.doit	= etp_nl_conn_get,
		.dumpit	= etp_nl_conn_dump,
		.policy	= etp_conn_get_policy,
		.maxattr = ETP_A_MAX,
	},
	{
		.cmd	= ETP_CMD_FAULT_ADD,
		.doit	= etp_nl_fault_add,
		.policy	= etp_fault_add_policy,
		.maxattr = ETP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= ETP_CMD_FAULT_DEL,
		.doit	= etp_nl_fault_del,
		.policy	= etp_fault_del_policy,
		.maxattr = ETP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		/* Faults are the admin's business: so is their list. */
		.cmd	= ETP_CMD_FAULT_GET,
		.dumpit	= etp_nl_fault_dump,
		.policy	= etp_none_policy,
		.maxattr = ETP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= ETP_CMD_FAULT_FLUSH,
		.doit	= etp_nl_fault_flush,
		.policy	= etp_none_policy,
		.maxattr = ETP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= ETP_CMD_FAULT_RELEASE,
		.doit	= etp_nl_fault_release,
		.policy	= etp_fault_del_policy,
		.maxattr = ETP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

/* The order is the group index given to the multicast calls above. */
static const struct genl_multicast_group etp_mcgrps[] = {
	[ETP_NLGRP_STATE]	= { .name = ETP_MCGRP_STATE },
	/* Only those who may RECV need to hear that there is data. */
	[ETP_NLGRP_DATA]	= { .name = ETP_MCGRP_DATA,
				    .flags = GENL_MCAST_CAP_NET_ADMIN },
	/*
	 * Sequence numbers of every connection in the netns: as good as a
	 * capture, so only for those who may capture (tcpdump needs as much).
	 */
	[ETP_NLGRP_SEGMENTS]	= { .name = ETP_MCGRP_SEGMENTS,
				    .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family etp_genl_family __ro_after_init = {
	.name		= ETP_GENL_NAME,
	.version	= ETP_GENL_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.pre_doit	= etp_nl_pre_doit,
	.post_doit	= etp_nl_post_doit,
	.module		= THIS_MODULE,
	.ops		= etp_genl_ops,
	.n_ops		= ARRAY_SIZE(etp_genl_ops),
	.resv_start_op	= 0,
	.mcgrps		= etp_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(etp_mcgrps),
};

int __init etp_genl_init(void)
{
	etp_param_policy_init();
	etp_refuse_msg_init();
	return genl_register_family(&etp_genl_family);
}

void etp_genl_exit(void)
{
	genl_unregister_family(&etp_genl_family);
}
