/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ETP_INPUT_H
#define _ETP_INPUT_H

#include <linux/types.h>

struct etp_net;
struct sk_buff;

/* The net_protocol handlers for IP protocol etp_proto. */
int etp_rcv(struct sk_buff *skb);
int etp_err(struct sk_buff *skb, u32 info);
/*
 * A segment of en's a fault kept (checked by etp_rcv() already) goes on,
 * faults aside, and is freed. Bottom halves off.
 */
void etp_rcv_again(struct etp_net *en, struct sk_buff *skb);

#endif /* _ETP_INPUT_H */
