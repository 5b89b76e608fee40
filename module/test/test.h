/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test hooks of etp.ko (include/etp_test.h), compiled in only when the
 * module is built with ETP_SELFTEST=y, as WireGuard compiles its
 * self-tests only into debug builds. The shipping module has none.
 */
#ifndef _ETP_TEST_TEST_H
#define _ETP_TEST_TEST_H

#include <linux/types.h>

/* fail.c: the steps of etp_net_init() a test can make fail. */
enum etp_test_fail {
	ETP_TEST_FAIL_COUNTERS = 1,
	ETP_TEST_FAIL_TIMERS,
	ETP_TEST_FAIL_CONNS,
};

#ifdef ETP_SELFTEST
#include <linux/mutex.h>
#include <net/genetlink.h>

struct net;
struct etp_timer_test;

/* Per-netns state of the hooks. */
struct etp_test_net {
	struct mutex lock;		/* one hook at a time per netns */
	struct etp_timer_test *timers;	/* timers.c */
};

struct etp_test_net *etp_test_pernet(const struct net *net);

int etp_test_init(void);
void etp_test_exit(void);

/* timers.c */
extern const struct nla_policy etp_test_timers_policy[];
int etp_test_timers(struct sk_buff *skb, struct genl_info *info);
void etp_test_timers_free(struct net *net, struct etp_test_net *tn);

/* bench.c */
extern const struct nla_policy etp_test_bench_policy[];
int etp_test_bench(struct sk_buff *skb, struct genl_info *info);

/* exchange.c */
extern const struct nla_policy etp_test_exchange_policy[];
int etp_test_exchange(struct sk_buff *skb, struct genl_info *info);

/* family.c: a reply with the test family's header */
struct sk_buff *etp_test_reply_new(struct genl_info *info, void **hdr);
/* ... and in it one ETP_TEST_A_BENCH nest: impl's figures (fired: if any) */
int etp_test_put_result(struct sk_buff *skb, const char *impl, u64 ops,
			u64 ns, const u64 *fired);

/* fail.c */
bool etp_test_fail_net_init(enum etp_test_fail step);
#else
static inline bool etp_test_fail_net_init(enum etp_test_fail step)
{
	return false;
}

static inline int etp_test_init(void)
{
	return 0;
}

static inline void etp_test_exit(void)
{
}
#endif

#endif /* _ETP_TEST_TEST_H */
