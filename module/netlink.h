/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ETP_NETLINK_H
#define _ETP_NETLINK_H

#include <linux/types.h>

struct etp_actions;
struct etp_conn;
struct etp_entry;
struct etp_fault_hit;
struct etp_net;
struct etp_seg;
struct etp_stream;
struct genl_family;
struct genl_info;
struct sk_buff;

int etp_genl_init(void);
void etp_genl_exit(void);

struct sk_buff *etp_nl_reply_new(const struct genl_family *family,
				 struct genl_info *info, void **hdr);
int etp_nl_reply_send(struct sk_buff *skb, void *hdr, struct genl_info *info,
		      int err);

/*
 * A request lacks attribute attr: true, and the extack names it (msg, a
 * literal, as ETP_REQUIRE builds it). For the test family's requests too.
 */
bool etp_nl_require(struct genl_info *info, int attr, const char *msg);
#define ETP_REQUIRE(info, attr) \
	etp_nl_require(info, attr, "missing attribute " #attr)

/*
 * What netlink serialises listen, connect and close with (user.c), for a
 * caller of those that is not a netlink request.
 */
void etp_nl_lock(void);
void etp_nl_unlock(void);

/* Multicast e's state change (e locked) to its netns, if anyone listens. */
void etp_nl_state_event(struct etp_entry *e, const struct etp_actions *act);
/* ... and that its data may be read or written (ETP_NOTE_*). */
void etp_nl_data_event(struct etp_conn *c, const struct etp_stream *st,
		       u8 what);

/*
 * One segment in or out, for the "segments" group: who took or sent it (e
 * NULL: no connection), the addresses on this side and the other, the
 * connection's state before and after, why it was dropped and which fault
 * applied, if either.
 */
struct etp_segev {
	const struct etp_entry *e;
	const struct etp_seg *seg;
	__be32 laddr, raddr;
	u8 dir;				/* enum etp_dir */
	u8 old_state, new_state;
	const char *drop;
	const struct etp_fault_hit *fault;
};

/* Anyone on the "segments" group of en's netns? Building costs otherwise. */
bool etp_nl_segments_wanted(const struct etp_net *en);
void etp_nl_segment_event(const struct etp_net *en,
			  const struct etp_segev *sev);
/*
 * e's timer fired (e locked): act is what the state machine made of it,
 * not yet carried out; backoff, the retransmission backoff it left.
 */
void etp_nl_timer_event(const struct etp_entry *e, const char *timer,
			u8 backoff, const struct etp_actions *act);

#endif /* _ETP_NETLINK_H */
