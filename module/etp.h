/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of etp.ko: what the thin kernel-glue files share.
 * Protocol logic lives in module/core/ and knows nothing of this file.
 */
#ifndef _ETP_H
#define _ETP_H

#include <linux/types.h>
#include <linux/percpu.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <linux/rhashtable-types.h>
#include <linux/xarray.h>
#include <linux/ratelimit.h>

#include "timer.h"

#define ETP_VERSION_STR "0.1.0"

/* Per-netns counters, MIB style; names for userspace are in stats.c. */
enum etp_mib {
	ETP_MIB_IN_SEGS,
	ETP_MIB_OUT_SEGS,
	ETP_MIB_DROP_SHORT,
	ETP_MIB_DROP_CSUM,
	ETP_MIB_DROP_OFFSET,
	ETP_MIB_DROP_VERSION,
	ETP_MIB_DROP_FLAGS,
	ETP_MIB_DROP_OPTION,
	ETP_MIB_DROP_NOCONN,
	ETP_MIB_DROP_WINDOW,
	ETP_MIB_DROP_BAD_ACK,
	ETP_MIB_DROP_NO_ACK,
	ETP_MIB_DROP_NO_SYN,
	ETP_MIB_DROP_RST_INVALID,
	ETP_MIB_DROP_RST_TIME_WAIT,
	ETP_MIB_DROP_SYN_SYNCED,
	ETP_MIB_DROP_OUT_OF_ORDER,
	ETP_MIB_DROP_AFTER_FIN,
	ETP_MIB_ACTIVE_OPENS,
	ETP_MIB_PASSIVE_OPENS,
	ETP_MIB_ATTEMPT_FAILS,
	ETP_MIB_ESTAB_RESETS,
	ETP_MIB_ESTABLISHED,
	ETP_MIB_RESETS_IN,
	ETP_MIB_RESETS_OUT,
	ETP_MIB_RETRANSMITS,
	ETP_MIB_TIMEOUTS,
	ETP_MIB_CHALLENGE_ACKS,
	ETP_MIB_CHALLENGE_ACKS_LIMITED,
	ETP_MIB_LISTEN_OVERFLOW,
	ETP_MIB_CONN_LIMIT,
	ETP_MIB_OUT_NO_ROUTE,
	ETP_MIB_TIMERS_ARMED,
	ETP_MIB_TIMERS_CANCELLED,
	ETP_MIB_TIMERS_FIRED,
	ETP_MIB_TIMER_WAKEUPS,
	ETP_MIB_MAX
};

extern const char * const etp_mib_names[ETP_MIB_MAX];

struct etp_mib_counters {
	u64 v[ETP_MIB_MAX];
};

/* Per-netns tunables; ranges and defaults live in params.c. */
struct etp_params {
	u32 msl_ms;
	u32 rto_initial_ms;
	u32 syn_retries;
	u32 retries;
	u32 backlog;
	u32 max_conns;
	u32 fin_wait2_ms;
};

struct etp_timer_test;

struct etp_net {
	struct net *net;
	struct etp_mib_counters __percpu *mib;
	struct etp_params params;
	struct etp_timer_base timers;
	struct etp_timer_test *timer_test;	/* selftest.c, under genl_mutex */
	struct rhashtable conns;	/* conn.c: every entry by its key */
	struct xarray ids;		/* conn.c: every entry by its id */
	u32 next_id;
	atomic_t nconns;		/* against params.max_conns */
	bool dying;			/* netns exit: no more entries */
	struct ratelimit_state challenge_rl;	/* RFC 5961 section 7 */
};

extern unsigned int etp_net_id;
extern u8 etp_proto;

static inline struct etp_net *etp_pernet(const struct net *net)
{
	return net_generic(net, etp_net_id);
}

/* Counters are per CPU so the receive path never shares a cache line. */
static inline void etp_inc(struct etp_net *en, enum etp_mib field)
{
	this_cpu_inc(en->mib->v[field]);
}

static inline void etp_add(struct etp_net *en, enum etp_mib field, u64 n)
{
	this_cpu_add(en->mib->v[field], n);
}

u64 etp_mib_read(const struct etp_net *en, enum etp_mib field);

/* params.c */
void etp_params_init(struct etp_params *p);

/* input.c */
int etp_rcv(struct sk_buff *skb);
int etp_err(struct sk_buff *skb, u32 info);

/* selftest.c: test hooks reachable only with CAP_NET_ADMIN */
int etp_nl_test_timers(struct sk_buff *skb, struct genl_info *info);
void etp_timer_test_free(struct etp_net *en);

/*
 * A required attribute is missing: say which one, by name, in the extack
 * (GENL_REQ_ATTR_CHECK alone records only its number). True if missing.
 */
static inline bool etp_require(struct genl_info *info, int attr,
			       const char *msg)
{
	if (info->attrs[attr])
		return false;
	/* NL_SET_ERR_MSG wants a literal; msg is one, built by the macro. */
	if (info->extack)
		info->extack->_msg = msg;
	NL_SET_ERR_ATTR_MISS(info->extack, NULL, attr);
	return true;
}

#define ETP_REQUIRE(info, attr) \
	etp_require(info, attr, "missing attribute " #attr)

/* netlink.c */
struct sk_buff *etp_reply_new(struct genl_info *info, void **hdr);
int etp_reply_send(struct sk_buff *skb, void *hdr, struct genl_info *info,
		   int err);
int etp_genl_init(void);
void etp_genl_exit(void);

#endif /* _ETP_H */
