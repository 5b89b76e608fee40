/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-netns state of etp.ko and the module-wide facts every glue file may
 * need. Protocol logic lives in module/core/ and knows nothing of this.
 */
#ifndef _ETP_MAIN_H
#define _ETP_MAIN_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "core/params.h"
#include "fault.h"
#include "stats.h"
#include "timer.h"

#define ETP_VERSION_STR "0.1.0"

struct etp_net {
	struct net *net;
	struct etp_mib_counters __percpu *mib;
	struct etp_params params;	/* written by netlink with WRITE_ONCE */
	struct etp_ktimers timers;
	struct rhashtable conns;	/* conn.c: every entry by its key */
	struct xarray ids;		/* conn.c: every entry by its id */
	u32 next_id;
	atomic_t nconns;		/* against params.max_conns */
	atomic_long_t queue_mem;	/* octets the queues hold: chunks, rings */
	bool dying;			/* netns exit: no more entries */
	struct ratelimit_state challenge_rl;	/* RFC 5961 section 7 */
	struct etp_faults faults;	/* fault.c */
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

void etp_params_read(struct etp_net *en, struct etp_params *p);
struct etp_ev;
void etp_ev_init(struct etp_net *en, struct etp_ev *ev, struct etp_params *p);

#endif /* _ETP_MAIN_H */
