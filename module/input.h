/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ETP_INPUT_H
#define _ETP_INPUT_H

#include <linux/types.h>

struct sk_buff;

/* The net_protocol handlers for IP protocol etp_proto. */
int etp_rcv(struct sk_buff *skb);
int etp_err(struct sk_buff *skb, u32 info);

#endif /* _ETP_INPUT_H */
