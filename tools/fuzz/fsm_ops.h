/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the state machine fuzzer (fsm_fuzz.c) reads its input; the seed
 * maker (mkseeds.c) writes the same. Bytes 0 and 1 pick the parameters
 * and who takes part (fz_config()). Then each op is one byte:
 *
 *   0x00-0x7f  one of the events the explorer would offer now
 *              (w_enabled(): user calls, timer expiries, the network's
 *              deliveries, losses and duplicates), the byte modulo their
 *              number
 *   0x80-0xbf  an event the explorer never offers, with an argument byte:
 *              op & 3 is a write of arg octets, a read of at most arg
 *              octets, the clock moving on arg * W_WAIT_MS, or an ICMP
 *              error (world.h's W_ICMP arg); (op >> 2) & 1 is the end
 *   0xc0-0xff  a segment of any shape to end op & 1, described by the
 *              FZ_SEG_LEN bytes that follow (struct fz_seg), through the
 *              wire encoder and decoder, as if forged
 */
#ifndef _ETP_FUZZ_FSM_OPS_H
#define _ETP_FUZZ_FSM_OPS_H

#include "world.h"

#define FZ_CONFIG_LEN	2
#define FZ_SPECIAL	0x80
#define FZ_INJECT	0xc0
#define FZ_STEPS_MAX	400
#define FZ_PAYLOAD_MAX	2040	/* 255 * 8 */

enum fz_special {
	FZ_WRITE,
	FZ_READ,
	FZ_WAIT,
	FZ_ICMP,
};

struct fz_seg {
	u8 flags;		/* & ETP_FLAGS_KNOWN */
	u8 seq[2];		/* s16 << seq shift: SEG.SEQ - the end's RCV.NXT */
	u8 ack[2];		/* s16 << ack shift: SEG.ACK - its SND.UNA */
	u8 window[2];
	u8 len;			/* payload octets, times the multiplier */
	u8 opts;		/* FZ_OPT_* */
	u8 mss;
	u8 scale;		/* FZ_SCALE_* */
};

#define FZ_SEG_LEN	sizeof(struct fz_seg)

#define FZ_OPT_MSS		0x01	/* MSS option: mss + 1 octets ... */
#define FZ_OPT_MSS_BIG		0x40	/* ... or (mss + 1) * 64 */
#define FZ_OPT_WS		0x02	/* window scale option ... */
#define FZ_OPT_WS_SHIFT(o)	((o) >> 2 & 15)	/* ... its shift (15: 14) */

#define FZ_SCALE_SEQ(s)		((s) & 3)	/* shift: 0, 4, 12, 20 */
#define FZ_SCALE_ACK(s)		((s) >> 2 & 3)
#define FZ_SCALE_LEN(s)		((s) >> 4 & 3)	/* len << 0..3 */
#define FZ_SCALE_ACK_MAX	0x40	/* ack from SND.MAX, not SND.UNA */
#define FZ_SCALE_SEQ_EDGE	0x80	/* seq from RCV.NXT + RCV.WND */

static inline u32 fz_shift(u8 v)
{
	static const u8 shift[4] = { 0, 4, 12, 20 };

	return shift[v & 3];
}

/*
 * The parameters bytes 0 and 1 pick: the explorer's world with small
 * queues and segments, and who may do what. Byte 0: the sizes and
 * limits; byte 1: which ends act (none of A, B or both: one tcb under
 * the fuzzer's segments alone, or two talking), keepalive, forgery.
 */
static inline void fz_config(struct w_config *cfg, const u8 *b)
{
	static const u32 rcvbuf[4] = { 256, 1000, 4096, 100000 };
	int i;

	memset(cfg, 0, sizeof(*cfg));
	etp_params_default(&cfg->p);
	cfg->p.rcvbuf = rcvbuf[b[0] & 3];
	cfg->p.sndbuf = b[0] & 4 ? 4096 : 256;
	cfg->p.mss = b[0] & 8 ? 536 : 64;
	cfg->p.syn_retries = 1 + (b[0] >> 4 & 1);
	cfg->p.retries = 1 + (b[0] >> 4 & 1);
	cfg->p.msl_ms = 1000;
	cfg->p.fin_wait2_ms = b[0] & 0x20 ? 0 : 5000;
	cfg->p.invalid_ratelimit_ms = b[0] & 0x40 ? 0 : 500;
	cfg->p.rto_min_ms = b[0] & 0x80 ? 1 : 200;
	cfg->max_conns[W_A] = b[1] & 1 ? 0 : 3;
	cfg->max_conns[W_B] = 2;
	cfg->b_listens = !(b[1] & 2);
	cfg->b_connects = !(b[1] & 4);
	cfg->unlisten = b[1] & 8;
	cfg->p.keepalive_ms = b[1] & 0x10 ? 2000 : 0;
	cfg->p.keepalive_intvl_ms = 1000;
	cfg->p.keepalive_probes = 2;
	cfg->forge = b[1] & 0x20 ? 2 : 0;
	cfg->forge_len = 10;
	cfg->writes = 255;
	cfg->write_len = b[1] & 0x40 ? 200 : 100;
	cfg->loss = 255;
	cfg->dup = 255;
	/*
	 * Incarnations far apart in sequence space: more than the explorer's
	 * writes are made here, and an old duplicate within the window of
	 * the next incarnation would be taken as its data (as it would be in
	 * TCP without its ISN clock and quiet time).
	 */
	for (i = 0; i < W_MAXINC; i++) {
		cfg->iss[W_A][i] = 1000 + 0x40000000u * i;
		cfg->iss[W_B][i] = 0xfffffff0u + 0x40000000u * i; /* wraps */
	}
}

#endif /* _ETP_FUZZ_FSM_OPS_H */
