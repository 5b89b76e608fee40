/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ETP_NETLINK_H
#define _ETP_NETLINK_H

struct etp_actions;
struct etp_entry;
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

/* Multicast e's state change (e locked) to its netns, if anyone listens. */
void etp_nl_state_event(struct etp_entry *e, const struct etp_actions *act);
/* ... and that its data may be read or written (ETP_NOTE_*). */
void etp_nl_data_event(struct etp_entry *e, const struct etp_stream *st,
		       u8 what);

#endif /* _ETP_NETLINK_H */
