// SPDX-License-Identifier: GPL-2.0
/* The parameter table of params.h. */
#include "params.h"

#define ETP_PARAM(field, dflt, lo, hi) {				\
	.name = #field, .offset = offsetof(struct etp_params, field),	\
	.def = dflt, .min = lo, .max = hi,				\
}

const struct etp_param_desc etp_param_descs[ETP_PARAM_MAX + 1] = {
	[ETP_PARAM_MSL_MS]	= ETP_PARAM(msl_ms, 30000, 1, 600000),
	[ETP_PARAM_RTO_INITIAL_MS] = ETP_PARAM(rto_initial_ms, 1000, 10, 60000),
	[ETP_PARAM_RTO_MAX_MS]	= ETP_PARAM(rto_max_ms, 60000, 100, 120000),
	[ETP_PARAM_SYN_RETRIES]	= ETP_PARAM(syn_retries, 5, 1, 20),
	[ETP_PARAM_RETRIES]	= ETP_PARAM(retries, 8, 1, 30),
	/* 0: FIN_WAIT_2 lasts until the peer's FIN (docs/protocol.md 5). */
	[ETP_PARAM_FIN_WAIT2_MS] = ETP_PARAM(fin_wait2_ms, 60000, 0, 600000),
	[ETP_PARAM_MSS]		= ETP_PARAM(mss, 1460, 64, 65495),
	/* 16 MiB: the chunk pointers of a queue stay one small allocation. */
	[ETP_PARAM_RCVBUF]	= ETP_PARAM(rcvbuf, 262144, 256, 16 << 20),
	[ETP_PARAM_SNDBUF]	= ETP_PARAM(sndbuf, 262144, 256, 16 << 20),
	[ETP_PARAM_BACKLOG]	= ETP_PARAM(backlog, 128, 1, 65535),
	[ETP_PARAM_MAX_CONNS]	= ETP_PARAM(max_conns, 65536, 1, 1 << 20),
	/* Linux's tcp_invalid_ratelimit; 0 answers every one (a storm). */
	[ETP_PARAM_INVALID_RATELIMIT_MS] =
		ETP_PARAM(invalid_ratelimit_ms, 500, 0, 60000),
	/* Linux's 200 ms rather than RFC 6298's 1 s (docs/protocol.md 5). */
	[ETP_PARAM_RTO_MIN_MS]	= ETP_PARAM(rto_min_ms, 200, 1, 60000),
	[ETP_PARAM_DELACK_MS]	= ETP_PARAM(delack_ms, 40, 1, 500),
	[ETP_PARAM_KEEPALIVE_MS] = ETP_PARAM(keepalive_ms, 0, 0, 7200000),
	/* Not below 1 s: a peer answers probes at most every 500 ms. */
	[ETP_PARAM_KEEPALIVE_INTVL_MS] =
		ETP_PARAM(keepalive_intvl_ms, 75000, 1000, 600000),
	[ETP_PARAM_KEEPALIVE_PROBES] = ETP_PARAM(keepalive_probes, 9, 1, 100),
	[ETP_PARAM_LINGER_MS]	= ETP_PARAM(linger_ms, 60000, 1, 3600000),
	/* Off: captures show real checksums (docs/protocol.md 2.5). */
	[ETP_PARAM_CSUM_OFFLOAD] = ETP_PARAM(csum_offload, 0, 0, 1),
};

/* A row per parameter and a field per row: the unit tests check the rest. */
static_assert(sizeof(struct etp_params) == ETP_PARAM_MAX * sizeof(u32),
	      "struct etp_params and enum etp_param_attr disagree");

void etp_params_default(struct etp_params *p)
{
	unsigned int attr;

	for (attr = 1; attr <= ETP_PARAM_MAX; attr++)
		*etp_param_field(p, attr) = etp_param_descs[attr].def;
}
