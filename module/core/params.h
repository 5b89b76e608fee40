/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-netns parameters: the one table, etp_param_descs[], gives each uapi
 * attribute its field of struct etp_params, its name, default and range.
 * The kernel builds its netlink policy and its replies from it, the state
 * machine reads the fields, and etpctl learns names and ranges from the
 * kernel: a new parameter is a number in the uapi, a field and a row here.
 */
#ifndef _ETP_CORE_PARAMS_H
#define _ETP_CORE_PARAMS_H

#include "etp_types.h"
#include <uapi/linux/etp.h>

/* Every per-netns parameter; etp_param_descs[] says more of each. */
struct etp_params {
	u32 msl_ms;		/* TIME_WAIT lasts 2 * msl_ms */
	u32 rto_initial_ms;	/* first retransmission timeout */
	u32 rto_max_ms;		/* backoff cap */
	u32 syn_retries;	/* SYN and SYN|ACK retransmissions */
	u32 retries;		/* other retransmissions before giving up */
	u32 fin_wait2_ms;	/* FIN_WAIT_2 limit */
	u32 mss;		/* largest segment, advertised in SYNs */
	u32 rcvbuf;		/* receive queue: the largest window advertised */
	u32 backlog;		/* default listen backlog (glue) */
	u32 max_conns;		/* entries per netns (glue) */
	u32 invalid_ratelimit_ms; /* one answer to a bad segment per this */
	u32 sndbuf;		/* send queue */
	u32 rto_min_ms;		/* RFC 6298 lower bound of the RTO */
	u32 delack_ms;		/* an ACK waits at most this long */
	u32 keepalive_ms;	/* idle time before probing; 0: off */
	u32 keepalive_intvl_ms;	/* between keepalive probes */
	u32 keepalive_probes;	/* unanswered probes before giving up */
	u32 linger_ms;		/* unread data of an ended connection kept */
	u32 csum_offload;	/* 1: checksums left to the device (glue) */
};

struct etp_param_desc {
	const char *name;
	u32 offset;		/* of the field in struct etp_params */
	u32 def;
	u32 min;
	u32 max;
};

/* Indexed by enum etp_param_attr; entry 0 is unused. */
extern const struct etp_param_desc etp_param_descs[ETP_PARAM_MAX + 1];

void etp_params_default(struct etp_params *p);

static inline u32 *etp_param_field(struct etp_params *p, unsigned int attr)
{
	return (u32 *)((u8 *)p + etp_param_descs[attr].offset);
}

#endif /* _ETP_CORE_PARAMS_H */
