// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of module/core/fsm.c against docs/protocol.md section 4.
 *
 * The first part is a table: every state (as a fixture reached through the
 * public API) x every segment kind x every acceptability class, each
 * matched to the first table row that covers it and checked for the new
 * state, the exact reply, timers, counters, drop reason and deletion.
 * The second part runs whole conversations between two tcbs over a small
 * in-memory wire that encodes and decodes every segment.
 */
#include <stdio.h>

#include "kselftest_harness.h"
#include "twoend.h"
#include "transitions.h"

#define PEER_WND	2000
#define PEER_MSS	1200

/* ---- fixtures: one tcb per state, reached through the API ---------------- */

enum fx {
	FX_CLOSED, FX_LISTEN, FX_SYN_SENT, FX_SYN_RCVD_P, FX_SYN_RCVD_A,
	FX_ESTAB, FX_FIN_WAIT_1, FX_FIN_WAIT_2, FX_CLOSE_WAIT, FX_CLOSING,
	FX_LAST_ACK, FX_TIME_WAIT, FX_MAX
};

static const char * const fx_names[FX_MAX] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD(passive)",
	"SYN_RCVD(active)", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2",
	"CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

static struct etp_seg mkseg(u8 flags, u32 seq, u32 ack, u32 payload)
{
	struct etp_seg s = {
		.sport = RPORT, .dport = LPORT, .seq = seq, .ack = ack,
		.version = ETP_VERSION, .flags = flags, .hdr_len = ETP_HDR_LEN,
		.window = PEER_WND, .payload_len = payload,
	};

	if (flags & ETP_FLAG_SYN)
		s.mss = PEER_MSS;
	return s;
}

static void feed(struct etp_tcb *t, u8 flags, u32 seq, u32 ack)
{
	struct etp_seg s = mkseg(flags, seq, ack, 0);
	struct etp_actions a;

	segment(t, ST, &s, &a);
}

static void build(struct etp_tcb *t, enum fx f)
{
	struct etp_seg syn = mkseg(ETP_FLAG_SYN, IRS, 0, 0);
	struct etp_actions a;

	stream_free(ST);
	ST = NULL;
	EV.st = NULL;
	etp_fsm_init(t, &P, LPORT, RPORT);
	switch (f) {
	case FX_CLOSED:
		return;
	case FX_LISTEN:
		etp_fsm_open_listen(t, &a);
		return;
	case FX_SYN_SENT:
		etp_fsm_open_active(t, &EV, ISS, &a);
		ST = stream_new(t);
		return;
	case FX_SYN_RCVD_A:
		etp_fsm_open_active(t, &EV, ISS, &a);
		ST = stream_new(t);
		segment(t, ST, &syn, &a);
		return;
	default:
		break;
	}
	etp_fsm_open_passive(t, &EV, &syn, ISS, &a);
	ST = stream_new(t);
	if (f == FX_SYN_RCVD_P)
		return;
	feed(t, ETP_FLAG_ACK, IRS + 1, ISS + 1);
	switch (f) {
	case FX_CLOSE_WAIT:
	case FX_LAST_ACK:
		feed(t, ETP_FLAG_FIN | ETP_FLAG_ACK, IRS + 1, ISS + 1);
		if (f == FX_LAST_ACK) {
			EV.st = ST;
			etp_fsm_close(t, &EV, &a);
		}
		return;
	case FX_FIN_WAIT_1:
	case FX_FIN_WAIT_2:
	case FX_CLOSING:
	case FX_TIME_WAIT:
		EV.st = ST;
		etp_fsm_close(t, &EV, &a);
		break;
	default:
		return;
	}
	if (f == FX_CLOSING)
		feed(t, ETP_FLAG_FIN | ETP_FLAG_ACK, IRS + 1, ISS + 1);
	if (f == FX_FIN_WAIT_2 || f == FX_TIME_WAIT)
		feed(t, ETP_FLAG_ACK, IRS + 1, ISS + 2);
	if (f == FX_TIME_WAIT)
		feed(t, ETP_FLAG_FIN | ETP_FLAG_ACK, IRS + 1, ISS + 2);
}

/* Where each fixture must stand; the table's numbers follow from these. */
static const struct {
	enum etp_conn_state state;
	u32 snd_una, snd_nxt, rcv_nxt;
} fx_want[FX_MAX] = {
	[FX_CLOSED]	= { ETP_STATE_CLOSED, 0, 0, 0 },
	[FX_LISTEN]	= { ETP_STATE_LISTEN, 0, 0, 0 },
	[FX_SYN_SENT]	= { ETP_STATE_SYN_SENT, ISS, ISS + 1, 0 },
	[FX_SYN_RCVD_P]	= { ETP_STATE_SYN_RCVD, ISS, ISS + 1, IRS + 1 },
	[FX_SYN_RCVD_A]	= { ETP_STATE_SYN_RCVD, ISS, ISS + 1, IRS + 1 },
	[FX_ESTAB]	= { ETP_STATE_ESTABLISHED, ISS + 1, ISS + 1, IRS + 1 },
	[FX_FIN_WAIT_1]	= { ETP_STATE_FIN_WAIT_1, ISS + 1, ISS + 2, IRS + 1 },
	[FX_FIN_WAIT_2]	= { ETP_STATE_FIN_WAIT_2, ISS + 2, ISS + 2, IRS + 1 },
	[FX_CLOSE_WAIT]	= { ETP_STATE_CLOSE_WAIT, ISS + 1, ISS + 1, IRS + 2 },
	[FX_CLOSING]	= { ETP_STATE_CLOSING, ISS + 1, ISS + 2, IRS + 2 },
	[FX_LAST_ACK]	= { ETP_STATE_LAST_ACK, ISS + 1, ISS + 2, IRS + 2 },
	[FX_TIME_WAIT]	= { ETP_STATE_TIME_WAIT, ISS + 2, ISS + 2, IRS + 2 },
};

TEST(fixtures)
{
	struct etp_tcb t;
	int f;

	for (f = 0; f < FX_MAX; f++) {
		build(&t, f);
		EXPECT_EQ(fx_want[f].state, t.state) TH_LOG("%s", fx_names[f]);
		EXPECT_EQ(fx_want[f].snd_una, t.snd_una) TH_LOG("%s", fx_names[f]);
		EXPECT_EQ(fx_want[f].snd_nxt, t.snd_nxt) TH_LOG("%s", fx_names[f]);
		EXPECT_EQ(fx_want[f].rcv_nxt, t.rcv_nxt) TH_LOG("%s", fx_names[f]);
		EXPECT_EQ(f == FX_SYN_RCVD_P || f >= FX_ESTAB, !!t.passive);
	}
}

/* ---- the table --------------------------------------------------------- */

enum kind { K_SYN, K_SYNACK, K_ACK, K_FINACK, K_RST, K_RSTACK, K_DATA, K_MAX };

static const char * const kind_names[K_MAX] = {
	"SYN", "SYN|ACK", "ACK", "FIN|ACK", "RST", "RST|ACK", "data|ACK",
};

static const u8 kind_flags[K_MAX] = {
	ETP_FLAG_SYN, ETP_FLAG_SYN | ETP_FLAG_ACK, ETP_FLAG_ACK,
	ETP_FLAG_FIN | ETP_FLAG_ACK, ETP_FLAG_RST, ETP_FLAG_RST | ETP_FLAG_ACK,
	ETP_FLAG_PSH | ETP_FLAG_ACK,
};

#define DATA_LEN	10

/*
 * Acceptability classes. The first five vary SEG.SEQ around RCV.NXT (the
 * receive window is P.rcvbuf = 1000) with an ACK of everything sent; the
 * last three keep SEG.SEQ = RCV.NXT and vary SEG.ACK. For CLOSED, LISTEN and
 * SYN_SENT, IRS stands in for RCV.NXT.
 */
enum acc {
	A_EXACT,	/* SEG.SEQ = RCV.NXT */
	A_INWIN,	/* RCV.NXT + 100: in window, not exact */
	A_OUTWIN,	/* RCV.NXT + 1500: beyond the window */
	A_OLD,		/* RCV.NXT - 100: an old duplicate */
	A_DUP,		/* RCV.NXT - 1: the peer's SYN or FIN again */
	A_HIGH,		/* SEG.ACK = SND.NXT + 10: acks what was never sent */
	A_LOW,		/* SEG.ACK = SND.UNA - 1: a duplicate ACK */
	A_ANCIENT,	/* SEG.ACK = SND.UNA - 2^20: beyond MAX.SND.WND */
	A_MAX
};

static const char * const acc_names[A_MAX] = {
	"exact", "in-window", "out-of-window", "old", "dup", "ack>snd_nxt",
	"ack<snd_una", "ack ancient",
};

static void seg_for(const struct etp_tcb *t, enum kind k, enum acc a,
		    struct etp_seg *s)
{
	u32 nxt = t->rcv_nxt ? t->rcv_nxt : IRS;
	u32 una = t->snd_una ? t->snd_una : ISS;
	u32 snd = t->snd_nxt ? t->snd_nxt : ISS + 1;
	static const s32 seq_off[A_MAX] = { 0, 100, 1500, -100, -1, 0, 0, 0 };
	u32 ack = snd;

	if (a == A_HIGH)
		ack = snd + 10;
	else if (a == A_LOW)
		ack = una - 1;
	else if (a == A_ANCIENT)
		ack = una - 0x100000;
	if (!(kind_flags[k] & ETP_FLAG_ACK))
		ack = 0;
	*s = mkseg(kind_flags[k], nxt + seq_off[a], ack,
		   k == K_DATA ? DATA_LEN : 0);
}

enum reply {
	R_NONE,
	R_ACK,		/* <SEQ=SND.NXT><ACK=RCV.NXT + adv><CTL=ACK> */
	R_ACK_SEG,	/* <SEQ=ISS+1><ACK=SEG.SEQ+1><CTL=ACK> */
	R_SYNACK,	/* <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, MSS */
	R_SYNACK_SEG,	/* <SEQ=ISS><ACK=SEG.SEQ+1><CTL=SYN,ACK>, MSS */
	R_RST_SEQ,	/* <SEQ=SEG.ACK><CTL=RST> */
	R_RSTACK,	/* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
};

#define KB(k)		(1u << (k))
#define AB(a)		(1u << (a))
#define K_ALL		(KB(K_MAX) - 1)
#define K_RSTS		(KB(K_RST) | KB(K_RSTACK))
#define K_SYNS		(KB(K_SYN) | KB(K_SYNACK))
#define A_ALL		(AB(A_MAX) - 1)
#define A_SEQ_OK	(AB(A_EXACT) | AB(A_INWIN))
#define A_SEQ_BAD	(AB(A_OUTWIN) | AB(A_OLD) | AB(A_DUP))
#define A_BAD_ACK	(AB(A_HIGH) | AB(A_LOW) | AB(A_ANCIENT))
#define A_GOOD		(A_SEQ_OK | A_SEQ_BAD)
#define T(id)		ETP_T_BIT(ETP_T_##id)
#define C(c)		ETP_CNT_BIT(ETP_CNT_##c)

struct row {
	u8 fx;
	u16 kinds;		/* KB() set */
	u16 accs;		/* AB() set */
	u8 to;			/* 0: state unchanged */
	u8 reply;
	u8 adv;			/* RCV.NXT advance acknowledged by R_ACK */
	u8 deliver;		/* payload bytes accepted */
	u8 arm, cancel;
	bool destroy;
	bool accept;
	u8 drop;
	u16 count;
	u8 error;
	int line;
};

#define ROW(f, k, a, ...) \
	{ .fx = FX_##f, .kinds = (k), .accs = (a), .line = __LINE__, \
	  __VA_ARGS__ }
#define TO(s)		.to = ETP_STATE_##s
#define DROP(d)		.drop = ETP_DROP_##d
#define GONE(e)		.destroy = true, .cancel = ETP_T_ALL, \
			.error = ETP_ERR_##e
#define ACKS(n)		.reply = R_ACK, .adv = (n)
#define CHALLENGE(d)	.reply = R_ACK, .count = C(CHALLENGE_ACK), DROP(d)
#define DUPACK		.reply = R_ACK, DROP(OUT_OF_WINDOW)
#define DUPACK_HIGH	.reply = R_ACK, DROP(BAD_ACK)

/*
 * Rows are matched first to last; within a state the specific rows come
 * before the general ones. Every row must be used by some combination.
 */
static const struct row table[] = {
	/* CLOSED: RFC 9293 3.10.7.1, reset generation. */
	ROW(CLOSED, K_RSTS, A_ALL, DROP(NO_CONN)),
	ROW(CLOSED, KB(K_SYN), A_ALL, .reply = R_RSTACK, DROP(NO_CONN)),
	ROW(CLOSED, K_ALL, A_ALL, .reply = R_RST_SEQ, DROP(NO_CONN)),

	/* LISTEN: 3.10.7.2. */
	ROW(LISTEN, K_RSTS, A_ALL, DROP(RST_INVALID)),
	ROW(LISTEN, KB(K_SYN), A_ALL, .accept = true),
	ROW(LISTEN, K_ALL, A_ALL, .reply = R_RST_SEQ, DROP(BAD_ACK)),

	/* SYN_SENT: 3.10.7.3. */
	ROW(SYN_SENT, KB(K_RST), A_ALL, DROP(RST_INVALID)),
	ROW(SYN_SENT, KB(K_RSTACK), A_BAD_ACK, DROP(BAD_ACK)),
	ROW(SYN_SENT, KB(K_RSTACK), A_ALL, TO(CLOSED), GONE(REFUSED),
	    .count = C(RST_IN) | C(ATTEMPT_FAIL)),
	ROW(SYN_SENT, KB(K_SYN), A_ALL, TO(SYN_RCVD), .reply = R_SYNACK_SEG,
	    .arm = T(RETX)),
	ROW(SYN_SENT, K_ALL, A_BAD_ACK, .reply = R_RST_SEQ, DROP(BAD_ACK)),
	ROW(SYN_SENT, KB(K_SYNACK), A_ALL, TO(ESTABLISHED),
	    .reply = R_ACK_SEG, .cancel = T(RETX), .count = C(ESTABLISHED)),
	ROW(SYN_SENT, K_ALL, A_ALL, DROP(NO_SYN)),

	/* SYN_RCVD from a passive open. */
	ROW(SYN_RCVD_P, KB(K_SYN), AB(A_DUP), .reply = R_SYNACK,
	    .count = C(RETRANSMIT)),
	ROW(SYN_RCVD_P, KB(K_SYNACK), AB(A_DUP), TO(ESTABLISHED),
	    .cancel = T(RETX), .count = C(ESTABLISHED)),
	ROW(SYN_RCVD_P, K_SYNS, A_SEQ_OK | A_BAD_ACK, TO(LISTEN),
	    GONE(RESET), DROP(SYN_SYNCED), .count = C(ATTEMPT_FAIL)),
	ROW(SYN_RCVD_P, K_SYNS, A_ALL, CHALLENGE(SYN_SYNCED)),
	ROW(SYN_RCVD_P, K_RSTS, AB(A_INWIN), CHALLENGE(RST_INVALID)),
	ROW(SYN_RCVD_P, K_RSTS, A_SEQ_BAD, DROP(RST_INVALID)),
	ROW(SYN_RCVD_P, K_RSTS, A_ALL, TO(LISTEN), GONE(RESET),
	    .count = C(RST_IN) | C(ATTEMPT_FAIL)),
	ROW(SYN_RCVD_P, KB(K_DATA), AB(A_DUP), TO(ESTABLISHED), .deliver = 9,
	    .arm = T(DELACK), .cancel = T(RETX), .count = C(ESTABLISHED)),
	ROW(SYN_RCVD_P, K_ALL, A_SEQ_BAD, DUPACK),
	ROW(SYN_RCVD_P, K_ALL, A_BAD_ACK, .reply = R_RST_SEQ, DROP(BAD_ACK)),
	ROW(SYN_RCVD_P, KB(K_ACK), A_SEQ_OK, TO(ESTABLISHED),
	    .cancel = T(RETX), .count = C(ESTABLISHED)),
	ROW(SYN_RCVD_P, KB(K_FINACK), AB(A_EXACT), TO(CLOSE_WAIT), ACKS(1),
	    .cancel = T(RETX), .count = C(ESTABLISHED)),
	ROW(SYN_RCVD_P, KB(K_DATA), AB(A_EXACT), TO(ESTABLISHED),
	    .deliver = 10, .arm = T(DELACK), .cancel = T(RETX),
	    .count = C(ESTABLISHED)),
	ROW(SYN_RCVD_P, KB(K_FINACK), AB(A_INWIN), TO(ESTABLISHED), ACKS(0),
	    DROP(OUT_OF_ORDER), .cancel = T(RETX), .count = C(ESTABLISHED)),
	ROW(SYN_RCVD_P, KB(K_DATA), AB(A_INWIN), TO(ESTABLISHED), ACKS(0),
	    .cancel = T(RETX), .count = C(ESTABLISHED) | C(OOO)),

	/* SYN_RCVD from a simultaneous open: no LISTEN to return to. */
	ROW(SYN_RCVD_A, KB(K_SYN), AB(A_DUP), .reply = R_SYNACK,
	    .count = C(RETRANSMIT)),
	ROW(SYN_RCVD_A, KB(K_SYNACK), AB(A_DUP), TO(ESTABLISHED),
	    .cancel = T(RETX), .count = C(ESTABLISHED)),
	ROW(SYN_RCVD_A, K_SYNS, A_ALL, CHALLENGE(SYN_SYNCED)),
	ROW(SYN_RCVD_A, K_RSTS, AB(A_INWIN), CHALLENGE(RST_INVALID)),
	ROW(SYN_RCVD_A, K_RSTS, A_SEQ_BAD, DROP(RST_INVALID)),
	ROW(SYN_RCVD_A, K_RSTS, A_ALL, TO(CLOSED), GONE(REFUSED),
	    .count = C(RST_IN) | C(ATTEMPT_FAIL)),
	ROW(SYN_RCVD_A, KB(K_DATA), AB(A_DUP), TO(ESTABLISHED), .deliver = 9,
	    .arm = T(DELACK), .cancel = T(RETX), .count = C(ESTABLISHED)),
	ROW(SYN_RCVD_A, K_ALL, A_SEQ_BAD, DUPACK),
	ROW(SYN_RCVD_A, K_ALL, A_BAD_ACK, .reply = R_RST_SEQ, DROP(BAD_ACK)),
	ROW(SYN_RCVD_A, KB(K_ACK), A_SEQ_OK, TO(ESTABLISHED),
	    .cancel = T(RETX), .count = C(ESTABLISHED)),
	ROW(SYN_RCVD_A, KB(K_FINACK), AB(A_EXACT), TO(CLOSE_WAIT), ACKS(1),
	    .cancel = T(RETX), .count = C(ESTABLISHED)),
	ROW(SYN_RCVD_A, KB(K_DATA), AB(A_EXACT), TO(ESTABLISHED),
	    .deliver = 10, .arm = T(DELACK), .cancel = T(RETX),
	    .count = C(ESTABLISHED)),
	ROW(SYN_RCVD_A, KB(K_FINACK), AB(A_INWIN), TO(ESTABLISHED), ACKS(0),
	    DROP(OUT_OF_ORDER), .cancel = T(RETX), .count = C(ESTABLISHED)),
	ROW(SYN_RCVD_A, KB(K_DATA), AB(A_INWIN), TO(ESTABLISHED), ACKS(0),
	    .cancel = T(RETX), .count = C(ESTABLISHED) | C(OOO)),

	/* ESTABLISHED. */
	ROW(ESTAB, K_SYNS, A_ALL, CHALLENGE(SYN_SYNCED)),
	ROW(ESTAB, K_RSTS, AB(A_INWIN), CHALLENGE(RST_INVALID)),
	ROW(ESTAB, K_RSTS, A_SEQ_BAD, DROP(RST_INVALID)),
	ROW(ESTAB, K_RSTS, A_ALL, TO(CLOSED), GONE(RESET),
	    .count = C(RST_IN) | C(ESTAB_RESET)),
	ROW(ESTAB, KB(K_DATA), AB(A_DUP), .deliver = 9, .arm = T(DELACK)),
	ROW(ESTAB, K_ALL, A_SEQ_BAD, DUPACK),
	ROW(ESTAB, K_ALL, AB(A_HIGH), DUPACK_HIGH),
	ROW(ESTAB, K_ALL, AB(A_ANCIENT), CHALLENGE(BAD_ACK)),
	ROW(ESTAB, KB(K_ACK), A_ALL),
	ROW(ESTAB, KB(K_FINACK), AB(A_INWIN), ACKS(0), DROP(OUT_OF_ORDER)),
	ROW(ESTAB, KB(K_FINACK), A_ALL, TO(CLOSE_WAIT), ACKS(1)),
	ROW(ESTAB, KB(K_DATA), AB(A_INWIN), ACKS(0), .count = C(OOO)),
	ROW(ESTAB, KB(K_DATA), A_ALL, .deliver = 10, .arm = T(DELACK)),

	/* FIN_WAIT_1: our FIN is SND.NXT - 1; A_LOW leaves it unacked. */
	ROW(FIN_WAIT_1, K_SYNS, A_ALL, CHALLENGE(SYN_SYNCED)),
	ROW(FIN_WAIT_1, K_RSTS, AB(A_INWIN), CHALLENGE(RST_INVALID)),
	ROW(FIN_WAIT_1, K_RSTS, A_SEQ_BAD, DROP(RST_INVALID)),
	ROW(FIN_WAIT_1, K_RSTS, A_ALL, TO(CLOSED), GONE(RESET),
	    .count = C(RST_IN)),
	ROW(FIN_WAIT_1, KB(K_DATA), AB(A_DUP), TO(FIN_WAIT_2), .deliver = 9,
	    .arm = T(FIN_WAIT_2) | T(DELACK), .cancel = T(RETX)),
	ROW(FIN_WAIT_1, K_ALL, A_SEQ_BAD, DUPACK),
	ROW(FIN_WAIT_1, K_ALL, AB(A_HIGH), DUPACK_HIGH),
	ROW(FIN_WAIT_1, K_ALL, AB(A_ANCIENT), CHALLENGE(BAD_ACK)),
	ROW(FIN_WAIT_1, KB(K_ACK), AB(A_LOW)),
	ROW(FIN_WAIT_1, KB(K_ACK), A_ALL, TO(FIN_WAIT_2),
	    .arm = T(FIN_WAIT_2), .cancel = T(RETX)),
	ROW(FIN_WAIT_1, KB(K_FINACK), AB(A_LOW), TO(CLOSING), ACKS(1)),
	ROW(FIN_WAIT_1, KB(K_FINACK), AB(A_INWIN), TO(FIN_WAIT_2), ACKS(0),
	    DROP(OUT_OF_ORDER), .arm = T(FIN_WAIT_2), .cancel = T(RETX)),
	ROW(FIN_WAIT_1, KB(K_FINACK), A_ALL, TO(TIME_WAIT), ACKS(1),
	    .arm = T(TIME_WAIT), .cancel = T(RETX) | T(FIN_WAIT_2)),
	ROW(FIN_WAIT_1, KB(K_DATA), AB(A_LOW), .deliver = 10, .arm = T(DELACK)),
	ROW(FIN_WAIT_1, KB(K_DATA), AB(A_INWIN), TO(FIN_WAIT_2), ACKS(0),
	    .count = C(OOO), .arm = T(FIN_WAIT_2), .cancel = T(RETX)),
	ROW(FIN_WAIT_1, KB(K_DATA), A_ALL, TO(FIN_WAIT_2), .deliver = 10,
	    .arm = T(FIN_WAIT_2) | T(DELACK), .cancel = T(RETX)),

	/* FIN_WAIT_2: half closed, still receiving. */
	ROW(FIN_WAIT_2, K_SYNS, A_ALL, CHALLENGE(SYN_SYNCED)),
	ROW(FIN_WAIT_2, K_RSTS, AB(A_INWIN), CHALLENGE(RST_INVALID)),
	ROW(FIN_WAIT_2, K_RSTS, A_SEQ_BAD, DROP(RST_INVALID)),
	ROW(FIN_WAIT_2, K_RSTS, A_ALL, TO(CLOSED), GONE(RESET),
	    .count = C(RST_IN)),
	ROW(FIN_WAIT_2, KB(K_DATA), AB(A_DUP), .deliver = 9, .arm = T(DELACK)),
	ROW(FIN_WAIT_2, K_ALL, A_SEQ_BAD, DUPACK),
	ROW(FIN_WAIT_2, K_ALL, AB(A_HIGH), DUPACK_HIGH),
	ROW(FIN_WAIT_2, K_ALL, AB(A_ANCIENT), CHALLENGE(BAD_ACK)),
	ROW(FIN_WAIT_2, KB(K_ACK), A_ALL),
	ROW(FIN_WAIT_2, KB(K_FINACK), AB(A_INWIN), ACKS(0),
	    DROP(OUT_OF_ORDER)),
	ROW(FIN_WAIT_2, KB(K_FINACK), A_ALL, TO(TIME_WAIT), ACKS(1),
	    .arm = T(TIME_WAIT), .cancel = T(RETX) | T(FIN_WAIT_2)),
	ROW(FIN_WAIT_2, KB(K_DATA), AB(A_INWIN), ACKS(0), .count = C(OOO)),
	ROW(FIN_WAIT_2, KB(K_DATA), A_ALL, .deliver = 10, .arm = T(DELACK)),

	/* CLOSE_WAIT: the peer's FIN is RCV.NXT - 1 (A_DUP). */
	ROW(CLOSE_WAIT, K_SYNS, A_ALL, CHALLENGE(SYN_SYNCED)),
	ROW(CLOSE_WAIT, K_RSTS, AB(A_INWIN), CHALLENGE(RST_INVALID)),
	ROW(CLOSE_WAIT, K_RSTS, A_SEQ_BAD, DROP(RST_INVALID)),
	ROW(CLOSE_WAIT, K_RSTS, A_ALL, TO(CLOSED), GONE(RESET),
	    .count = C(RST_IN) | C(ESTAB_RESET)),
	ROW(CLOSE_WAIT, KB(K_DATA), AB(A_DUP), DROP(AFTER_FIN)),
	ROW(CLOSE_WAIT, K_ALL, A_SEQ_BAD, DUPACK),
	ROW(CLOSE_WAIT, K_ALL, AB(A_HIGH), DUPACK_HIGH),
	ROW(CLOSE_WAIT, K_ALL, AB(A_ANCIENT), CHALLENGE(BAD_ACK)),
	ROW(CLOSE_WAIT, KB(K_ACK), A_ALL),
	ROW(CLOSE_WAIT, KB(K_FINACK) | KB(K_DATA), A_ALL, DROP(AFTER_FIN)),

	/* CLOSING: both FINs sent, ours unacked. */
	ROW(CLOSING, K_SYNS, A_ALL, CHALLENGE(SYN_SYNCED)),
	ROW(CLOSING, K_RSTS, AB(A_INWIN), CHALLENGE(RST_INVALID)),
	ROW(CLOSING, K_RSTS, A_SEQ_BAD, DROP(RST_INVALID)),
	ROW(CLOSING, K_RSTS, A_ALL, TO(CLOSED), GONE(NONE),
	    .count = C(RST_IN)),
	ROW(CLOSING, KB(K_DATA), AB(A_DUP), TO(TIME_WAIT), DROP(AFTER_FIN),
	    .arm = T(TIME_WAIT), .cancel = T(RETX) | T(FIN_WAIT_2)),
	ROW(CLOSING, K_ALL, A_SEQ_BAD, DUPACK),
	ROW(CLOSING, K_ALL, AB(A_HIGH), DUPACK_HIGH),
	ROW(CLOSING, K_ALL, AB(A_ANCIENT), CHALLENGE(BAD_ACK)),
	ROW(CLOSING, KB(K_ACK), AB(A_LOW)),
	ROW(CLOSING, KB(K_FINACK) | KB(K_DATA), AB(A_LOW), DROP(AFTER_FIN)),
	ROW(CLOSING, KB(K_ACK), A_ALL, TO(TIME_WAIT),
	    .arm = T(TIME_WAIT), .cancel = T(RETX) | T(FIN_WAIT_2)),
	/* ACK of our FIN, then TIME_WAIT answers the (bogus) second FIN. */
	ROW(CLOSING, KB(K_FINACK), A_ALL, TO(TIME_WAIT), ACKS(0),
	    .arm = T(TIME_WAIT), .cancel = T(RETX) | T(FIN_WAIT_2)),
	ROW(CLOSING, KB(K_DATA), A_ALL, TO(TIME_WAIT), DROP(AFTER_FIN),
	    .arm = T(TIME_WAIT), .cancel = T(RETX) | T(FIN_WAIT_2)),

	/* LAST_ACK. */
	ROW(LAST_ACK, K_SYNS, A_ALL, CHALLENGE(SYN_SYNCED)),
	ROW(LAST_ACK, K_RSTS, AB(A_INWIN), CHALLENGE(RST_INVALID)),
	ROW(LAST_ACK, K_RSTS, A_SEQ_BAD, DROP(RST_INVALID)),
	ROW(LAST_ACK, K_RSTS, A_ALL, TO(CLOSED), GONE(NONE),
	    .count = C(RST_IN)),
	ROW(LAST_ACK, KB(K_DATA), AB(A_DUP), TO(CLOSED), GONE(NONE)),
	ROW(LAST_ACK, K_ALL, A_SEQ_BAD, DUPACK),
	ROW(LAST_ACK, K_ALL, AB(A_HIGH), DUPACK_HIGH),
	ROW(LAST_ACK, K_ALL, AB(A_ANCIENT), CHALLENGE(BAD_ACK)),
	ROW(LAST_ACK, KB(K_ACK), AB(A_LOW)),
	ROW(LAST_ACK, KB(K_FINACK) | KB(K_DATA), AB(A_LOW), DROP(AFTER_FIN)),
	ROW(LAST_ACK, K_ALL, A_ALL, TO(CLOSED), GONE(NONE)),

	/* TIME_WAIT: RFC 1337, and the peer's FIN again (A_DUP). */
	ROW(TIME_WAIT, K_SYNS, A_ALL, CHALLENGE(SYN_SYNCED)),
	ROW(TIME_WAIT, K_RSTS, A_SEQ_BAD, DROP(RST_INVALID)),
	ROW(TIME_WAIT, K_RSTS, A_ALL, DROP(RST_TIME_WAIT)),
	ROW(TIME_WAIT, KB(K_FINACK), AB(A_DUP), ACKS(0),
	    .arm = T(TIME_WAIT)),
	ROW(TIME_WAIT, KB(K_DATA), AB(A_DUP), DROP(AFTER_FIN)),
	ROW(TIME_WAIT, K_ALL, A_SEQ_BAD, DUPACK),
	ROW(TIME_WAIT, K_ALL, AB(A_HIGH), DUPACK_HIGH),
	ROW(TIME_WAIT, K_ALL, AB(A_ANCIENT), CHALLENGE(BAD_ACK)),
	ROW(TIME_WAIT, KB(K_ACK), A_ALL),
	ROW(TIME_WAIT, KB(K_FINACK), A_ALL, ACKS(0), .arm = T(TIME_WAIT)),
	ROW(TIME_WAIT, KB(K_DATA), A_ALL, DROP(AFTER_FIN)),
};

#define NROWS	ARRAY_SIZE(table)

static const struct row *lookup(enum fx f, enum kind k, enum acc a)
{
	unsigned int i;

	for (i = 0; i < NROWS; i++)
		if (table[i].fx == f && (table[i].kinds & KB(k)) &&
		    (table[i].accs & AB(a)))
			return &table[i];
	return NULL;
}

static u32 timer_value(enum etp_timer_id id)
{
	switch (id) {
	case ETP_T_RETX:
		return P.rto_initial_ms;
	case ETP_T_FIN_WAIT_2:
		return P.fin_wait2_ms;
	case ETP_T_DELACK:
		return P.delack_ms;
	default:
		return 2 * P.msl_ms;
	}
}

/* The reply a row promises, computed from the state before the segment. */
static void want_reply(const struct row *r, const struct etp_tcb *before,
		       const struct etp_seg *in, struct etp_seg *w)
{
	memset(w, 0, sizeof(*w));
	w->version = ETP_VERSION;
	w->sport = LPORT;
	w->dport = RPORT;
	w->window = P.rcvbuf;
	w->hdr_len = ETP_HDR_LEN;
	switch (r->reply) {
	case R_ACK:
		w->flags = ETP_FLAG_ACK;
		w->seq = before->snd_nxt;
		w->ack = before->rcv_nxt + r->adv;
		break;
	case R_ACK_SEG:
		w->flags = ETP_FLAG_ACK;
		w->seq = ISS + 1;
		w->ack = in->seq + 1;
		break;
	case R_SYNACK:
	case R_SYNACK_SEG:
		w->flags = ETP_FLAG_SYN | ETP_FLAG_ACK;
		w->seq = ISS;
		w->ack = r->reply == R_SYNACK ? before->rcv_nxt : in->seq + 1;
		w->mss = P.mss;
		w->hdr_len = ETP_HDR_LEN + 4;
		break;
	case R_RST_SEQ:
		w->flags = ETP_FLAG_RST;
		w->seq = in->ack;
		w->window = 0;
		break;
	case R_RSTACK:
		w->flags = ETP_FLAG_RST | ETP_FLAG_ACK;
		w->ack = in->seq + etp_seg_len(in);
		w->window = 0;
		break;
	}
}

static bool seg_eq(const struct etp_seg *a, const struct etp_seg *b)
{
	return a->sport == b->sport && a->dport == b->dport &&
	       a->seq == b->seq && a->ack == b->ack &&
	       a->version == b->version && a->flags == b->flags &&
	       a->hdr_len == b->hdr_len && a->window == b->window &&
	       a->mss == b->mss && a->payload_len == b->payload_len;
}

static int check_one(struct __test_metadata *_metadata, enum fx f,
		     enum kind k, enum acc a, const struct row *r)
{
	struct etp_tcb t, before;
	struct etp_actions act;
	struct etp_seg in, want;
	enum etp_conn_state to;
	int id, bad = 0;

#define CHECK(cond, fmt, ...) do { \
	if (!(cond)) { \
		bad++; \
		TH_LOG("%s + %s %s (row at line %d): " fmt, fx_names[f], \
		       kind_names[k], acc_names[a], r->line, ##__VA_ARGS__); \
	} \
} while (0)

	build(&t, f);
	before = t;
	seg_for(&t, k, a, &in);
	segment(&t, ST, &in, &act);

	to = r->to ? r->to : before.state;
	CHECK(act.old_state == before.state, "old %s",
	      etp_state_name(act.old_state));
	CHECK(act.new_state == to, "new %s, want %s",
	      etp_state_name(act.new_state), etp_state_name(to));
	CHECK(t.state == act.new_state, "tcb %s", etp_state_name(t.state));
	CHECK(act.destroy == r->destroy, "destroy %d", act.destroy);
	CHECK(act.accept == r->accept, "accept %d", act.accept);
	CHECK(act.drop == r->drop, "drop %s, want %s",
	      etp_drop_name(act.drop), etp_drop_name(r->drop));
	CHECK(act.count == r->count, "count 0x%x, want 0x%x", act.count,
	      r->count);
	CHECK(act.error == r->error, "error %s", etp_error_name(act.error));
	CHECK((act.new_state == act.old_state) ==
	      (act.cause == ETP_CAUSE_NONE || f == FX_TIME_WAIT),
	      "cause %s", etp_cause_name(act.cause));
	/* A change of state, cause included, is a row of protocol.md 4.2. */
	if (act.new_state != act.old_state || act.destroy)
		CHECK(etp_transition_find(&act, ETP_TRIG_SEGMENT, in.flags) >= 0,
		      "%s -> %s (cause %s) is in no row of docs/protocol.md 4.2",
		      etp_state_name(act.old_state),
		      etp_state_name(act.new_state),
		      etp_cause_name(act.cause));
	CHECK(act.arm == r->arm, "arm 0x%x, want 0x%x", act.arm, r->arm);
	CHECK(act.cancel == r->cancel, "cancel 0x%x, want 0x%x", act.cancel,
	      r->cancel);
	for (id = 0; id < ETP_T_MAX; id++)
		if (act.arm & ETP_T_BIT(id))
			CHECK(act.timer_ms[id] == timer_value(id),
			      "%s armed for %u", etp_timer_name(id),
			      act.timer_ms[id]);
	CHECK(act.data_in == r->deliver, "data_in %u", act.data_in);
	if (r->deliver) {
		u8 got[DATA_LEN];
		u32 i;

		etp_bufq_read(&ST->rq, before.rcv_nxt, got, r->deliver);
		for (i = 0; i < r->deliver; i++)
			CHECK(got[i] == pattern_byte(before.rcv_nxt + i),
			      "queued octet %u", i);
	}
	CHECK(act.send == (r->reply != R_NONE), "send %d", act.send);
	if (act.send && r->reply != R_NONE) {
		want_reply(r, &before, &in, &want);
		CHECK(seg_eq(&act.out, &want),
		      "reply flags 0x%x seq %u ack %u win %u mss %u, want 0x%x seq %u ack %u win %u mss %u",
		      act.out.flags, act.out.seq, act.out.ack, act.out.window,
		      act.out.mss, want.flags, want.seq, want.ack,
		      want.window, want.mss);
	}
	/* Nothing moves RCV.NXT without acknowledging it, now or soon. */
	if (!act.destroy && r->reply != R_ACK && f >= FX_SYN_RCVD_P &&
	    !(act.arm & T(DELACK)))
		CHECK(t.rcv_nxt == before.rcv_nxt, "rcv_nxt moved silently");
#undef CHECK
	return bad;
}

TEST(state_kind_acceptability_table)
{
	static bool used[NROWS];
	unsigned int i, combos = 0;
	int f, k, a, bad = 0;

	for (f = 0; f < FX_MAX; f++)
		for (k = 0; k < K_MAX; k++)
			for (a = 0; a < A_MAX; a++) {
				const struct row *r;

				/* ACK classes need an ACK to vary. */
				if (a >= A_HIGH &&
				    !(kind_flags[k] & ETP_FLAG_ACK))
					continue;
				r = lookup(f, k, a);
				combos++;
				if (!r) {
					TH_LOG("no row for %s + %s %s",
					       fx_names[f], kind_names[k],
					       acc_names[a]);
					bad++;
					continue;
				}
				used[r - table] = true;
				bad += check_one(_metadata, f, k, a, r);
			}
	for (i = 0; i < NROWS; i++)
		if (!used[i]) {
			TH_LOG("row at line %d never matched", table[i].line);
			bad++;
		}
	TH_LOG("%u combinations, %zu rows", combos, NROWS);
	ASSERT_EQ(0, bad);
	ASSERT_EQ(FX_MAX * (2 * 5 + 5 * 8), (int)combos);
}

static bool trail_is(const struct end *e, const enum etp_conn_state *want, int n)
{
	return e->ntrail == n && !memcmp(e->trail, want, n * sizeof(*want));
}

#define TRAIL(e, ...) do { \
	static const enum etp_conn_state _w[] = { __VA_ARGS__ }; \
	int _k; \
	if (!trail_is(e, _w, ARRAY_SIZE(_w))) { \
		for (_k = 0; _k < (e)->ntrail; _k++) \
			TH_LOG("  trail %d: %s", _k, \
			       etp_state_name((e)->trail[_k])); \
		ASSERT_TRUE(false) TH_LOG("unexpected state trail"); \
	} \
} while (0)

/* The flags of every segment sent so far, in order. */
static bool log_is(const struct net *n, const int *from, const u8 *flags,
		   int cnt)
{
	int k;

	if (n->nlog != cnt)
		return false;
	for (k = 0; k < cnt; k++)
		if (n->from[k] != from[k] || n->log[k].flags != flags[k])
			return false;
	return true;
}

#define SYN_	ETP_FLAG_SYN
#define SA_	(ETP_FLAG_SYN | ETP_FLAG_ACK)
#define ACK_	ETP_FLAG_ACK
#define FA_	(ETP_FLAG_FIN | ETP_FLAG_ACK)
#define RST_	ETP_FLAG_RST
#define RA_	(ETP_FLAG_RST | ETP_FLAG_ACK)

#define LOG(n, ...) do { \
	static const struct { int from; u8 flags; } _l[] = { __VA_ARGS__ }; \
	int _f[LOGMAX], _k, _c = ARRAY_SIZE(_l); \
	u8 _g[LOGMAX]; \
	char _name[ETP_FLAGS_NAME_MAX]; \
	for (_k = 0; _k < _c; _k++) { \
		_f[_k] = _l[_k].from; \
		_g[_k] = _l[_k].flags; \
	} \
	if (!log_is(n, _f, _g, _c)) { \
		for (_k = 0; _k < (n)->nlog; _k++) { \
			etp_wire_flags_name((n)->log[_k].flags, _name, \
					    sizeof(_name)); \
			TH_LOG("  sent %d: %c %s seq %u ack %u", _k, \
			       (n)->from[_k] ? 'B' : 'A', _name, \
			       (n)->log[_k].seq, (n)->log[_k].ack); \
		} \
		ASSERT_TRUE(false) TH_LOG("unexpected segments"); \
	} \
} while (0)

TEST(handshake_and_close_by_active_side)
{
	struct net n;

	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	LOG(&n, { A, SYN_ }, { B, SA_ }, { A, ACK_ });
	ASSERT_EQ(ISS, n.log[0].seq);
	ASSERT_EQ(P.mss, n.log[0].mss);
	ASSERT_EQ(IRS, n.log[1].seq);
	ASSERT_EQ(ISS + 1, n.log[1].ack);
	ASSERT_EQ(ISS + 1, n.log[2].seq);
	ASSERT_EQ(IRS + 1, n.log[2].ack);
	ASSERT_EQ(n.e[A].t.snd_nxt, n.e[B].t.rcv_nxt);
	ASSERT_EQ(n.e[B].t.snd_nxt, n.e[A].t.rcv_nxt);
	ASSERT_EQ(P.mss, n.e[A].t.peer_mss);
	ASSERT_EQ(P.mss, n.e[B].t.peer_mss);
	ASSERT_EQ(P.rcvbuf, n.e[A].t.snd_wnd);
	ASSERT_EQ(P.rcvbuf, n.e[B].t.snd_wnd);
	ASSERT_FALSE(n.e[A].armed[ETP_T_RETX]);
	ASSERT_FALSE(n.e[B].armed[ETP_T_RETX]);
	ASSERT_EQ(C(ACTIVE_OPEN) | C(ESTABLISHED), n.e[A].counts);
	ASSERT_EQ(C(PASSIVE_OPEN) | C(ESTABLISHED), n.e[B].counts);

	user(_metadata, &n, A, 'x');
	pump(_metadata, &n);
	ASSERT_EQ(ETP_STATE_FIN_WAIT_2, n.e[A].t.state);
	ASSERT_EQ(ETP_STATE_CLOSE_WAIT, n.e[B].t.state);
	ASSERT_TRUE(n.e[A].armed[ETP_T_FIN_WAIT_2]);
	user(_metadata, &n, B, 'x');
	pump(_metadata, &n);
	ASSERT_TRUE(n.e[B].gone);
	ASSERT_EQ(ETP_STATE_TIME_WAIT, n.e[A].t.state);
	ASSERT_TRUE(n.e[A].armed[ETP_T_TIME_WAIT]);
	ASSERT_FALSE(n.e[A].armed[ETP_T_FIN_WAIT_2]);
	ASSERT_EQ(2 * P.msl_ms, n.e[A].ms[ETP_T_TIME_WAIT]);
	fire(_metadata, &n, A, ETP_T_TIME_WAIT);
	ASSERT_TRUE(n.e[A].gone);
	LOG(&n, { A, SYN_ }, { B, SA_ }, { A, ACK_ }, { A, FA_ }, { B, ACK_ },
	    { B, FA_ }, { A, ACK_ });
	TRAIL(&n.e[A], ETP_STATE_CLOSED, ETP_STATE_SYN_SENT, ETP_STATE_ESTABLISHED,
	      ETP_STATE_FIN_WAIT_1, ETP_STATE_FIN_WAIT_2, ETP_STATE_TIME_WAIT, ETP_STATE_CLOSED);
	TRAIL(&n.e[B], ETP_STATE_CLOSED, ETP_STATE_LISTEN, ETP_STATE_SYN_RCVD, ETP_STATE_ESTABLISHED,
	      ETP_STATE_CLOSE_WAIT, ETP_STATE_LAST_ACK, ETP_STATE_CLOSED);
	ASSERT_EQ(ETP_ERR_NONE, n.e[A].error);
	ASSERT_EQ(ETP_ERR_NONE, n.e[B].error);
}

TEST(close_by_passive_side)
{
	struct net n;

	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	user(_metadata, &n, B, 'x');
	pump(_metadata, &n);
	user(_metadata, &n, A, 'x');
	pump(_metadata, &n);
	fire(_metadata, &n, B, ETP_T_TIME_WAIT);
	ASSERT_TRUE(n.e[A].gone);
	ASSERT_TRUE(n.e[B].gone);
	TRAIL(&n.e[A], ETP_STATE_CLOSED, ETP_STATE_SYN_SENT, ETP_STATE_ESTABLISHED,
	      ETP_STATE_CLOSE_WAIT, ETP_STATE_LAST_ACK, ETP_STATE_CLOSED);
	TRAIL(&n.e[B], ETP_STATE_CLOSED, ETP_STATE_LISTEN, ETP_STATE_SYN_RCVD, ETP_STATE_ESTABLISHED,
	      ETP_STATE_FIN_WAIT_1, ETP_STATE_FIN_WAIT_2, ETP_STATE_TIME_WAIT, ETP_STATE_CLOSED);
}

TEST(simultaneous_open)
{
	struct net n;

	net_init(&n, ISS, IRS);
	user(_metadata, &n, A, 'c');
	user(_metadata, &n, B, 'c');
	pump(_metadata, &n);
	LOG(&n, { A, SYN_ }, { B, SYN_ }, { B, SA_ }, { A, SA_ });
	TRAIL(&n.e[A], ETP_STATE_CLOSED, ETP_STATE_SYN_SENT, ETP_STATE_SYN_RCVD,
	      ETP_STATE_ESTABLISHED);
	TRAIL(&n.e[B], ETP_STATE_CLOSED, ETP_STATE_SYN_SENT, ETP_STATE_SYN_RCVD,
	      ETP_STATE_ESTABLISHED);
	ASSERT_FALSE(n.e[A].armed[ETP_T_RETX]);
	ASSERT_FALSE(n.e[B].armed[ETP_T_RETX]);
	ASSERT_EQ(n.e[A].t.snd_nxt, n.e[B].t.rcv_nxt);
	ASSERT_EQ(n.e[B].t.snd_nxt, n.e[A].t.rcv_nxt);
	ASSERT_FALSE(!!n.e[A].t.passive);
	/* And it closes like any other. */
	user(_metadata, &n, A, 'x');
	pump(_metadata, &n);
	user(_metadata, &n, B, 'x');
	pump(_metadata, &n);
	ASSERT_TRUE(n.e[B].gone);
	ASSERT_EQ(ETP_STATE_TIME_WAIT, n.e[A].t.state);
}

/*
 * Both SYN|ACKs of a simultaneous open lost. A's retransmitted SYN|ACK
 * completes B; A's next one draws B's challenge ACK, which completes A.
 */
TEST(simultaneous_open_lost_synacks)
{
	struct net n;

	net_init(&n, ISS, IRS);
	user(_metadata, &n, A, 'c');
	user(_metadata, &n, B, 'c');
	n.blackhole[A] = true;
	n.blackhole[B] = true;
	pump(_metadata, &n);
	n.blackhole[A] = false;
	n.blackhole[B] = false;
	ASSERT_EQ(ETP_STATE_SYN_RCVD, n.e[A].t.state);
	ASSERT_EQ(ETP_STATE_SYN_RCVD, n.e[B].t.state);
	fire(_metadata, &n, A, ETP_T_RETX);
	pump(_metadata, &n);
	ASSERT_EQ(ETP_STATE_SYN_RCVD, n.e[A].t.state);
	ASSERT_EQ(ETP_STATE_ESTABLISHED, n.e[B].t.state);
	ASSERT_FALSE(n.e[B].armed[ETP_T_RETX]);
	fire(_metadata, &n, A, ETP_T_RETX);
	pump(_metadata, &n);
	ASSERT_EQ(ETP_STATE_ESTABLISHED, n.e[A].t.state);
	ASSERT_FALSE(n.e[A].armed[ETP_T_RETX]);
	ASSERT_TRUE(n.e[B].counts & C(CHALLENGE_ACK));
	LOG(&n, { A, SYN_ }, { B, SYN_ }, { B, SA_ }, { A, SA_ }, { A, SA_ },
	    { A, SA_ }, { B, ACK_ });
}

TEST(simultaneous_close)
{
	struct net n;

	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	user(_metadata, &n, A, 'x');
	user(_metadata, &n, B, 'x');
	pump(_metadata, &n);
	LOG(&n, { A, SYN_ }, { B, SA_ }, { A, ACK_ }, { A, FA_ }, { B, FA_ },
	    { B, ACK_ }, { A, ACK_ });
	TRAIL(&n.e[A], ETP_STATE_CLOSED, ETP_STATE_SYN_SENT, ETP_STATE_ESTABLISHED,
	      ETP_STATE_FIN_WAIT_1, ETP_STATE_CLOSING, ETP_STATE_TIME_WAIT);
	TRAIL(&n.e[B], ETP_STATE_CLOSED, ETP_STATE_LISTEN, ETP_STATE_SYN_RCVD, ETP_STATE_ESTABLISHED,
	      ETP_STATE_FIN_WAIT_1, ETP_STATE_CLOSING, ETP_STATE_TIME_WAIT);
	ASSERT_FALSE(n.e[A].armed[ETP_T_RETX]);
	ASSERT_FALSE(n.e[B].armed[ETP_T_RETX]);
	fire(_metadata, &n, A, ETP_T_TIME_WAIT);
	fire(_metadata, &n, B, ETP_T_TIME_WAIT);
	ASSERT_TRUE(n.e[A].gone && n.e[B].gone);
}

/* B keeps sending after A's FIN; the data part is modelled by hand. */
TEST(half_close)
{
	struct net n;
	struct end *b = &n.e[B];

	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	user(_metadata, &n, A, 'x');
	pump(_metadata, &n);
	ASSERT_EQ(ETP_STATE_FIN_WAIT_2, n.e[A].t.state);
	ASSERT_EQ(ETP_STATE_CLOSE_WAIT, b->t.state);

	/* The side in CLOSE_WAIT may still send. */
	ASSERT_EQ(100, wr(_metadata, &n, B, 100));
	pump(_metadata, &n);
	ASSERT_EQ(100u, n.e[A].delivered);
	ASSERT_EQ(ETP_STATE_FIN_WAIT_2, n.e[A].t.state);
	ASSERT_EQ(n.e[A].t.rcv_nxt, b->t.snd_nxt);
	/* One small segment: A's ACK waits for its delayed-ACK timer. */
	ASSERT_NE(b->t.snd_nxt, b->t.snd_una);
	fire(_metadata, &n, A, ETP_T_DELACK);
	pump(_metadata, &n);
	ASSERT_EQ(b->t.snd_nxt, b->t.snd_una);
	/* The side that closed may no longer send. */
	ASSERT_EQ(-1, wr(_metadata, &n, A, 10));

	user(_metadata, &n, B, 'x');
	pump(_metadata, &n);
	ASSERT_TRUE(b->gone);
	ASSERT_EQ(ETP_STATE_TIME_WAIT, n.e[A].t.state);
}

TEST(fin_wait_2_limit)
{
	struct net n;

	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	user(_metadata, &n, A, 'x');
	pump(_metadata, &n);
	ASSERT_EQ(P.fin_wait2_ms, n.e[A].ms[ETP_T_FIN_WAIT_2]);
	fire(_metadata, &n, A, ETP_T_FIN_WAIT_2);
	ASSERT_TRUE(n.e[A].gone);
	ASSERT_EQ(ETP_ERR_TIMEDOUT, n.e[A].error);
	ASSERT_EQ(RST_, n.log[n.nlog - 1].flags);
	pump(_metadata, &n);
	ASSERT_TRUE(n.e[B].gone);
	ASSERT_EQ(ETP_ERR_RESET, n.e[B].error);
	ASSERT_TRUE(n.e[B].counts & C(ESTAB_RESET));
	TRAIL(&n.e[B], ETP_STATE_CLOSED, ETP_STATE_LISTEN, ETP_STATE_SYN_RCVD, ETP_STATE_ESTABLISHED,
	      ETP_STATE_CLOSE_WAIT, ETP_STATE_CLOSED);
}

TEST(fin_wait_2_unlimited)
{
	struct net n;

	P.fin_wait2_ms = 0;
	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	user(_metadata, &n, A, 'x');
	pump(_metadata, &n);
	ASSERT_EQ(ETP_STATE_FIN_WAIT_2, n.e[A].t.state);
	ASSERT_FALSE(n.e[A].armed[ETP_T_FIN_WAIT_2]);
}

TEST(time_wait_reacks_fin_and_restarts)
{
	struct net n;
	struct etp_seg fin;
	struct etp_actions act;
	struct etp_tcb *a = &n.e[A].t;

	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	user(_metadata, &n, A, 'x');
	pump(_metadata, &n);
	user(_metadata, &n, B, 'x');
	pump(_metadata, &n);
	ASSERT_EQ(ETP_STATE_TIME_WAIT, a->state);

	fin = n.log[5];		/* B's FIN, as sent */
	ASSERT_EQ(FA_, fin.flags);
	etp_fsm_segment(a, &EV, &fin, &act);
	ASSERT_EQ(ETP_STATE_TIME_WAIT, act.new_state);
	ASSERT_TRUE(act.send);
	ASSERT_EQ(ACK_, act.out.flags);
	ASSERT_EQ(a->snd_nxt, act.out.seq);
	ASSERT_EQ(a->rcv_nxt, act.out.ack);
	ASSERT_EQ(fin.seq + 1, act.out.ack);
	ASSERT_EQ(ETP_T_BIT(ETP_T_TIME_WAIT), act.arm);
	ASSERT_EQ(2 * P.msl_ms, act.timer_ms[ETP_T_TIME_WAIT]);
	ASSERT_EQ(ETP_CAUSE_FIN, act.cause);
	ASSERT_EQ(ETP_DROP_NONE, act.drop);
	ASSERT_FALSE(act.destroy);

	/* An old ACK in TIME_WAIT gets an ACK but does not extend it. */
	fin.flags = ETP_FLAG_ACK;
	fin.seq -= 50;
	etp_fsm_segment(a, &EV, &fin, &act);
	ASSERT_TRUE(act.send);
	ASSERT_EQ(0, act.arm);
}

/* The seed's question 2: the final ACK is lost. */
TEST(lost_final_ack)
{
	struct net n;

	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	user(_metadata, &n, A, 'x');
	pump(_metadata, &n);
	user(_metadata, &n, B, 'x');
	n.drop_next[A] = true;
	pump(_metadata, &n);
	ASSERT_EQ(ETP_STATE_TIME_WAIT, n.e[A].t.state);
	ASSERT_EQ(ETP_STATE_LAST_ACK, n.e[B].t.state);
	/* The handshake measured a round trip of ~0: RTO is its floor. */
	ASSERT_EQ(P.rto_min_ms, n.e[B].ms[ETP_T_RETX]);

	n.e[A].armed[ETP_T_TIME_WAIT] = false;	/* see it re-armed */
	fire(_metadata, &n, B, ETP_T_RETX);
	ASSERT_TRUE(n.e[B].counts & C(RETRANSMIT));
	ASSERT_EQ(2 * P.rto_min_ms, n.e[B].ms[ETP_T_RETX]);
	ASSERT_EQ(n.log[5].seq, n.log[7].seq);	/* the same FIN */
	pump(_metadata, &n);
	ASSERT_TRUE(n.e[B].gone);
	ASSERT_EQ(ETP_ERR_NONE, n.e[B].error);
	ASSERT_TRUE(n.e[A].armed[ETP_T_TIME_WAIT]);
	ASSERT_EQ(2 * P.msl_ms, n.e[A].ms[ETP_T_TIME_WAIT]);
	fire(_metadata, &n, A, ETP_T_TIME_WAIT);
	ASSERT_TRUE(n.e[A].gone);
	LOG(&n, { A, SYN_ }, { B, SA_ }, { A, ACK_ }, { A, FA_ }, { B, ACK_ },
	    { B, FA_ }, { A, ACK_ }, { B, FA_ }, { A, ACK_ });
	TRAIL(&n.e[B], ETP_STATE_CLOSED, ETP_STATE_LISTEN, ETP_STATE_SYN_RCVD, ETP_STATE_ESTABLISHED,
	      ETP_STATE_CLOSE_WAIT, ETP_STATE_LAST_ACK, ETP_STATE_CLOSED);
}

TEST(syn_retransmission_backoff_and_exhaustion)
{
	static const u32 rto[] = { 200, 400, 800, 800, 800 };
	struct net n;
	int k;

	P.syn_retries = 5;
	net_init(&n, ISS, IRS);
	n.blackhole[A] = true;
	user(_metadata, &n, A, 'c');
	ASSERT_EQ(100u, n.e[A].ms[ETP_T_RETX]);
	for (k = 0; k < 5; k++) {
		fire(_metadata, &n, A, ETP_T_RETX);
		ASSERT_EQ(ETP_STATE_SYN_SENT, n.e[A].t.state);
		ASSERT_EQ(rto[k], n.e[A].ms[ETP_T_RETX]);
		ASSERT_EQ(SYN_, n.log[k + 1].flags);
		ASSERT_EQ(ISS, n.log[k + 1].seq);
		ASSERT_EQ(P.mss, n.log[k + 1].mss);
	}
	fire(_metadata, &n, A, ETP_T_RETX);
	ASSERT_TRUE(n.e[A].gone);
	ASSERT_EQ(ETP_STATE_CLOSED, n.e[A].t.state);
	ASSERT_EQ(ETP_ERR_TIMEDOUT, n.e[A].error);
	ASSERT_EQ(6, n.nlog);	/* no RST: nobody answered */
	ASSERT_EQ(C(ACTIVE_OPEN) | C(RETRANSMIT) | C(TIMEOUT) |
		  C(ATTEMPT_FAIL), n.e[A].counts);
}

TEST(synack_exhaustion_returns_to_listen)
{
	struct net n;
	int k;

	net_init(&n, ISS, IRS);
	user(_metadata, &n, B, 'l');
	user(_metadata, &n, A, 'c');
	n.blackhole[B] = true;
	n.blackhole[A] = true;
	pump(_metadata, &n);
	ASSERT_EQ(ETP_STATE_SYN_RCVD, n.e[B].t.state);
	for (k = 0; k < P.syn_retries; k++) {
		fire(_metadata, &n, B, ETP_T_RETX);
		ASSERT_EQ(SA_, n.log[n.nlog - 1].flags);
	}
	fire(_metadata, &n, B, ETP_T_RETX);
	ASSERT_TRUE(n.e[B].gone);
	ASSERT_EQ(ETP_STATE_LISTEN, n.e[B].t.state);
	ASSERT_EQ(ETP_ERR_TIMEDOUT, n.e[B].error);
	ASSERT_TRUE(n.e[B].counts & C(ATTEMPT_FAIL));
}

TEST(fin_retransmission_exhaustion)
{
	struct net n;
	int k;

	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	n.blackhole[A] = true;
	user(_metadata, &n, A, 'x');
	n.e[A].counts = 0;
	for (k = 0; k < P.retries; k++) {
		fire(_metadata, &n, A, ETP_T_RETX);
		ASSERT_EQ(FA_, n.log[n.nlog - 1].flags);
		ASSERT_EQ(ISS + 1, n.log[n.nlog - 1].seq);
	}
	fire(_metadata, &n, A, ETP_T_RETX);
	ASSERT_TRUE(n.e[A].gone);
	ASSERT_EQ(ETP_ERR_TIMEDOUT, n.e[A].error);
	ASSERT_EQ(C(RTO) | C(RETRANSMIT) | C(TIMEOUT), n.e[A].counts);
	TRAIL(&n.e[A], ETP_STATE_CLOSED, ETP_STATE_SYN_SENT, ETP_STATE_ESTABLISHED,
	      ETP_STATE_FIN_WAIT_1, ETP_STATE_CLOSED);
}

TEST(last_ack_and_closing_retransmit_fin)
{
	struct etp_tcb t;
	struct etp_actions act;

	build(&t, FX_LAST_ACK);
	etp_fsm_timer(&t, &EV, ETP_T_RETX, &act);
	ASSERT_TRUE(act.send);
	ASSERT_EQ(FA_, act.out.flags);
	ASSERT_EQ(ISS + 1, act.out.seq);
	ASSERT_EQ(IRS + 2, act.out.ack);
	build(&t, FX_CLOSING);
	etp_fsm_timer(&t, &EV, ETP_T_RETX, &act);
	ASSERT_EQ(FA_, act.out.flags);
	ASSERT_EQ(ETP_STATE_CLOSING, act.new_state);
}

TEST(lost_synack_answered_at_once)
{
	struct net n;

	net_init(&n, ISS, IRS);
	user(_metadata, &n, B, 'l');
	user(_metadata, &n, A, 'c');
	n.drop_next[B] = true;
	pump(_metadata, &n);
	ASSERT_EQ(ETP_STATE_SYN_RCVD, n.e[B].t.state);
	fire(_metadata, &n, A, ETP_T_RETX);
	pump(_metadata, &n);
	ASSERT_EQ(ETP_STATE_ESTABLISHED, n.e[A].t.state);
	ASSERT_EQ(ETP_STATE_ESTABLISHED, n.e[B].t.state);
	LOG(&n, { A, SYN_ }, { B, SA_ }, { A, SYN_ }, { B, SA_ }, { A, ACK_ });
}

TEST(refused)
{
	struct net n;

	net_init(&n, ISS, IRS);
	user(_metadata, &n, A, 'c');
	pump(_metadata, &n);		/* B is CLOSED: no listener */
	LOG(&n, { A, SYN_ }, { B, RA_ });
	ASSERT_EQ(0u, n.log[1].seq);
	ASSERT_EQ(ISS + 1, n.log[1].ack);
	ASSERT_TRUE(n.e[A].gone);
	ASSERT_EQ(ETP_ERR_REFUSED, n.e[A].error);
	ASSERT_EQ(C(ACTIVE_OPEN) | C(RST_IN) | C(ATTEMPT_FAIL),
		  n.e[A].counts);
}

TEST(rst_returns_embryo_to_listen)
{
	struct net n;
	struct etp_seg rst;

	net_init(&n, ISS, IRS);
	user(_metadata, &n, B, 'l');
	user(_metadata, &n, A, 'c');
	n.blackhole[B] = true;
	pump(_metadata, &n);
	n.blackhole[B] = false;
	rst = mkseg(ETP_FLAG_RST, ISS + 1, 0, 0);
	receive(_metadata, &n, B, &rst, NULL);
	ASSERT_TRUE(n.e[B].gone);
	ASSERT_EQ(ETP_STATE_LISTEN, n.e[B].t.state);
	/* The listener still answers the retransmitted SYN. */
	fire(_metadata, &n, A, ETP_T_RETX);
	pump(_metadata, &n);
	ASSERT_EQ(ETP_STATE_ESTABLISHED, n.e[A].t.state);
	ASSERT_EQ(ETP_STATE_ESTABLISHED, n.e[B].t.state);
	TRAIL(&n.e[B], ETP_STATE_CLOSED, ETP_STATE_LISTEN, ETP_STATE_SYN_RCVD, ETP_STATE_LISTEN,
	      ETP_STATE_SYN_RCVD, ETP_STATE_ESTABLISHED);
}

TEST(close_in_syn_rcvd_waits_for_handshake)
{
	struct net n;
	struct etp_actions act;

	net_init(&n, ISS, IRS);
	user(_metadata, &n, B, 'l');
	n.drop_next[A] = true;	/* hold A's SYN back: deliver by hand */
	user(_metadata, &n, A, 'c');
	ASSERT_EQ(1, n.nlog);
	receive(_metadata, &n, B, &n.log[0], NULL);
	ASSERT_EQ(ETP_STATE_SYN_RCVD, n.e[B].t.state);
	ASSERT_TRUE(etp_fsm_close(&n.e[B].t, &EV, &act));
	ASSERT_FALSE(act.send);
	ASSERT_EQ(ETP_STATE_SYN_RCVD, act.new_state);
	ASSERT_FALSE(etp_fsm_close(&n.e[B].t, &EV, &act));
	pump(_metadata, &n);
	TRAIL(&n.e[B], ETP_STATE_CLOSED, ETP_STATE_LISTEN, ETP_STATE_SYN_RCVD, ETP_STATE_FIN_WAIT_1,
	      ETP_STATE_FIN_WAIT_2);
	ASSERT_EQ(ETP_STATE_CLOSE_WAIT, n.e[A].t.state);
	ASSERT_TRUE(n.e[B].counts & C(ESTABLISHED));
	user(_metadata, &n, A, 'x');
	pump(_metadata, &n);
	ASSERT_TRUE(n.e[A].gone);
	ASSERT_EQ(ETP_STATE_TIME_WAIT, n.e[B].t.state);
}

TEST(abort_per_state)
{
	struct net n;
	struct etp_tcb t;
	struct etp_actions act;

	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	user(_metadata, &n, A, 'a');
	ASSERT_TRUE(n.e[A].gone);
	ASSERT_EQ(RST_, n.log[3].flags);
	ASSERT_EQ(ISS + 1, n.log[3].seq);
	pump(_metadata, &n);
	ASSERT_TRUE(n.e[B].gone);
	ASSERT_EQ(ETP_ERR_RESET, n.e[B].error);
	ASSERT_TRUE(n.e[B].counts & C(RST_IN));
	ASSERT_TRUE(n.e[B].counts & C(ESTAB_RESET));
	ASSERT_EQ(4, n.nlog);	/* nobody answers a RST */

	/* Which states send a RST on abort (RFC 9293 3.10.5). */
	for (int f = 0; f < FX_MAX; f++) {
		bool rst = f == FX_SYN_RCVD_P || f == FX_SYN_RCVD_A ||
			   (f >= FX_ESTAB && f <= FX_CLOSE_WAIT);

		build(&t, f);
		ASSERT_EQ(f != FX_CLOSED, etp_fsm_abort(&t, &act));
		ASSERT_EQ(rst, act.send) TH_LOG("%s", fx_names[f]);
		if (rst) {
			ASSERT_EQ(RST_, act.out.flags);
			ASSERT_EQ(fx_want[f].snd_nxt, act.out.seq);
		}
		if (f != FX_CLOSED) {
			ASSERT_TRUE(act.destroy);
			ASSERT_EQ(ETP_STATE_CLOSED, t.state);
			ASSERT_EQ(ETP_T_ALL, act.cancel);
		}
	}
}

TEST(close_per_state)
{
	static const struct {
		bool ok;
		enum etp_conn_state to;
		u8 sends;
	} want[FX_MAX] = {
		[FX_CLOSED]	= { false, ETP_STATE_CLOSED, 0 },
		[FX_LISTEN]	= { true, ETP_STATE_CLOSED, 0 },
		[FX_SYN_SENT]	= { true, ETP_STATE_CLOSED, 0 },
		[FX_SYN_RCVD_P]	= { true, ETP_STATE_SYN_RCVD, 0 },
		[FX_SYN_RCVD_A]	= { true, ETP_STATE_SYN_RCVD, 0 },
		[FX_ESTAB]	= { true, ETP_STATE_FIN_WAIT_1, FA_ },
		[FX_FIN_WAIT_1]	= { false, ETP_STATE_FIN_WAIT_1, 0 },
		[FX_FIN_WAIT_2]	= { false, ETP_STATE_FIN_WAIT_2, 0 },
		[FX_CLOSE_WAIT]	= { true, ETP_STATE_LAST_ACK, FA_ },
		[FX_CLOSING]	= { false, ETP_STATE_CLOSING, 0 },
		[FX_LAST_ACK]	= { false, ETP_STATE_LAST_ACK, 0 },
		[FX_TIME_WAIT]	= { false, ETP_STATE_TIME_WAIT, 0 },
	};
	struct etp_tcb t;
	struct etp_actions act;
	int f;

	for (f = 0; f < FX_MAX; f++) {
		build(&t, f);
		ASSERT_EQ(want[f].ok, etp_fsm_close(&t, &EV, &act))
			TH_LOG("%s", fx_names[f]);
		ASSERT_EQ(want[f].to, t.state) TH_LOG("%s", fx_names[f]);
		ASSERT_EQ(want[f].sends != 0, act.send);
		if (act.send) {
			ASSERT_EQ(want[f].sends, act.out.flags);
			ASSERT_EQ(fx_want[f].snd_nxt, act.out.seq);
			ASSERT_EQ(fx_want[f].snd_nxt + 1, t.snd_nxt);
			ASSERT_EQ(ETP_T_BIT(ETP_T_RETX), act.arm);
			ASSERT_EQ(ETP_CAUSE_CLOSE, act.cause);
		}
	}
}

TEST(stale_timers_are_ignored)
{
	struct etp_tcb t, before;
	struct etp_actions act;
	int f, id;

	for (f = 0; f < FX_MAX; f++)
		for (id = 0; id < ETP_T_MAX; id++) {
			bool live = (id == ETP_T_RETX &&
				     (f == FX_SYN_SENT || f == FX_SYN_RCVD_P ||
				      f == FX_SYN_RCVD_A ||
				      f == FX_FIN_WAIT_1 || f == FX_CLOSING ||
				      f == FX_LAST_ACK)) ||
				    (id == ETP_T_FIN_WAIT_2 &&
				     f == FX_FIN_WAIT_2) ||
				    (id == ETP_T_TIME_WAIT &&
				     f == FX_TIME_WAIT);

			build(&t, f);
			before = t;
			/* Long after anything was heard from the peer. */
			EV.now_us = 1000000000;
			etp_fsm_timer(&t, &EV, id, &act);
			EV.now_us = 0;
			if (live) {
				ASSERT_TRUE(act.send || act.destroy);
				continue;
			}
			ASSERT_EQ(0, memcmp(&t, &before, sizeof(t)))
				TH_LOG("%s %s", fx_names[f],
				       etp_timer_name(id));
			ASSERT_FALSE(act.send);
			ASSERT_FALSE(act.destroy);
			ASSERT_EQ(0, act.arm | act.cancel);
		}
	/* Out of range ids too. */
	build(&t, FX_ESTAB);
	etp_fsm_timer(&t, &EV, ETP_T_MAX, &act);
	ASSERT_EQ(ETP_STATE_ESTABLISHED, t.state);
}

TEST(acceptability_four_cases)
{
	/* len 0, window 0: only exactly RCV.NXT */
	ASSERT_TRUE(etp_seq_acceptable(100, 0, 100, 0));
	ASSERT_FALSE(etp_seq_acceptable(100, 0, 101, 0));
	ASSERT_FALSE(etp_seq_acceptable(100, 0, 99, 0));
	/* len 0, window > 0: RCV.NXT <= SEQ < RCV.NXT + WND */
	ASSERT_TRUE(etp_seq_acceptable(100, 10, 100, 0));
	ASSERT_TRUE(etp_seq_acceptable(100, 10, 109, 0));
	ASSERT_FALSE(etp_seq_acceptable(100, 10, 110, 0));
	ASSERT_FALSE(etp_seq_acceptable(100, 10, 99, 0));
	/* len > 0, window 0: never */
	ASSERT_FALSE(etp_seq_acceptable(100, 0, 100, 1));
	ASSERT_FALSE(etp_seq_acceptable(100, 0, 100, 1000));
	/* len > 0, window > 0: first or last octet inside */
	ASSERT_TRUE(etp_seq_acceptable(100, 10, 100, 1));
	ASSERT_TRUE(etp_seq_acceptable(100, 10, 109, 5));
	ASSERT_FALSE(etp_seq_acceptable(100, 10, 110, 1));
	ASSERT_TRUE(etp_seq_acceptable(100, 10, 95, 6));	/* last = 100 */
	ASSERT_FALSE(etp_seq_acceptable(100, 10, 95, 5));	/* last = 99 */
	/* RFC 9293 as written: spanning the whole window is not enough */
	ASSERT_FALSE(etp_seq_acceptable(100, 10, 90, 100));
	/* across the 2^32 wrap */
	ASSERT_TRUE(etp_seq_acceptable(0xfffffffb, 10, 2, 0));
	ASSERT_FALSE(etp_seq_acceptable(0xfffffffb, 10, 5, 0));
	ASSERT_TRUE(etp_seq_acceptable(5, 10, 0xfffffffe, 8));
	ASSERT_FALSE(etp_seq_acceptable(5, 10, 0xfffffffe, 7));
}

TEST(sequence_comparisons_wrap)
{
	ASSERT_TRUE(etp_before(1, 2));
	ASSERT_FALSE(etp_before(2, 2));
	ASSERT_TRUE(etp_before(0xffffffff, 0));
	ASSERT_TRUE(etp_after(0, 0xffffffff));
	ASSERT_TRUE(etp_after(0x7fffffff, 0));
	ASSERT_TRUE(etp_before(0x80000001, 0));
	ASSERT_FALSE(etp_after(5, 5));
}

TEST(handshake_and_close_across_wrap)
{
	struct net n;

	net_init(&n, 0xffffffff, 0xfffffffe);
	connect_pair(_metadata, &n);
	ASSERT_EQ(0u, n.e[A].t.snd_nxt);
	ASSERT_EQ(0xffffffffu, n.e[B].t.snd_nxt);
	user(_metadata, &n, A, 'x');
	pump(_metadata, &n);
	user(_metadata, &n, B, 'x');
	pump(_metadata, &n);
	ASSERT_TRUE(n.e[B].gone);
	ASSERT_EQ(ETP_STATE_TIME_WAIT, n.e[A].t.state);
	ASSERT_EQ(1u, n.e[A].t.snd_nxt);
	ASSERT_EQ(0u, n.e[A].t.rcv_nxt);
}

TEST(zero_receive_window)
{
	struct etp_tcb t;
	struct etp_actions act;
	struct etp_seg s;

	build(&t, FX_FIN_WAIT_1);
	t.rcv_wnd = 0;
	/* Data at RCV.NXT: its ACK is processed, its text is not. */
	s = mkseg(ETP_FLAG_ACK, IRS + 1, ISS + 2, DATA_LEN);
	segment(&t, ST, &s, &act);
	ASSERT_EQ(ETP_STATE_FIN_WAIT_2, t.state);
	ASSERT_EQ(0u, act.data_in);
	ASSERT_EQ(IRS + 1, t.rcv_nxt);
	ASSERT_TRUE(act.send);
	ASSERT_EQ(IRS + 1, act.out.ack);
	ASSERT_EQ(0, act.out.window);
	ASSERT_EQ(ETP_DROP_OUT_OF_WINDOW, act.drop);
	/* Same for a FIN: not taken until the window opens. */
	s = mkseg(ETP_FLAG_FIN | ETP_FLAG_ACK, IRS + 1, ISS + 2, 0);
	segment(&t, ST, &s, &act);
	ASSERT_EQ(ETP_STATE_FIN_WAIT_2, t.state);
	/* A RST at RCV.NXT still resets. */
	s = mkseg(ETP_FLAG_RST, IRS + 1, 0, 0);
	segment(&t, ST, &s, &act);
	ASSERT_EQ(ETP_STATE_CLOSED, t.state);
	/* Beyond RCV.NXT nothing is acceptable. */
	build(&t, FX_ESTAB);
	t.rcv_wnd = 0;
	s = mkseg(ETP_FLAG_ACK, IRS + 2, ISS + 1, 0);
	segment(&t, ST, &s, &act);
	ASSERT_EQ(ETP_DROP_OUT_OF_WINDOW, act.drop);
}

TEST(text_trimmed_to_window_and_fin_with_data)
{
	struct etp_tcb t;
	struct etp_actions act;
	struct etp_seg s;
	u8 got[P_RCVBUF];
	bool eof;
	u32 i;

	build(&t, FX_ESTAB);
	s = mkseg(ETP_FLAG_FIN | ETP_FLAG_ACK, IRS + 1, ISS + 1, 1500);
	segment(&t, ST, &s, &act);
	ASSERT_EQ(P.rcvbuf, act.data_in);
	ASSERT_EQ(IRS + 1 + P.rcvbuf, t.rcv_nxt);
	ASSERT_EQ(ETP_STATE_ESTABLISHED, t.state);	/* FIN beyond what fit */
	ASSERT_EQ(0u, t.rcv_wnd);			/* and the queue is full */
	ASSERT_EQ(0, act.out.window);
	EV.st = ST;
	ASSERT_EQ(P.rcvbuf, etp_fsm_read(&t, &EV, got, sizeof(got), &eof,
					 &act));
	ASSERT_FALSE(eof);
	for (i = 0; i < P.rcvbuf; i++)
		ASSERT_EQ(pattern_byte(IRS + 1 + i), got[i]);
	/* Read, the queue is empty: the window opens and the peer hears. */
	ASSERT_EQ(P.rcvbuf, t.rcv_wnd);
	ASSERT_TRUE(act.send);
	ASSERT_EQ(P.rcvbuf, act.out.window);

	build(&t, FX_ESTAB);
	s = mkseg(ETP_FLAG_FIN | ETP_FLAG_ACK, IRS + 1, ISS + 1, 10);
	segment(&t, ST, &s, &act);
	ASSERT_EQ(10u, act.data_in);
	ASSERT_EQ(ETP_STATE_CLOSE_WAIT, t.state);
	ASSERT_EQ(IRS + 12, t.rcv_nxt);
	ASSERT_EQ(IRS + 12, act.out.ack);
	EV.st = ST;
	ASSERT_EQ(10u, etp_fsm_read(&t, &EV, got, sizeof(got), &eof, &act));
	ASSERT_TRUE(eof);

	/* Old bytes, new FIN: the FIN is taken. */
	build(&t, FX_ESTAB);
	s = mkseg(ETP_FLAG_ACK, IRS + 1, ISS + 1, 10);
	segment(&t, ST, &s, &act);
	s = mkseg(ETP_FLAG_FIN | ETP_FLAG_ACK, IRS + 1, ISS + 1, 10);
	segment(&t, ST, &s, &act);
	ASSERT_EQ(0u, act.data_in);
	ASSERT_EQ(ETP_STATE_CLOSE_WAIT, t.state);
}

/*
 * Octets beyond the peer's FIN (a bogus or forged segment, held out of
 * order) are forgotten when the FIN is taken: never readable, they must
 * not stay as a piece at RCV.NXT. Found by tools/fuzz/fsm_fuzz.
 */
TEST(data_beyond_fin_forgotten)
{
	struct etp_tcb t;
	struct etp_actions act;
	struct etp_seg s;
	u8 got[32];
	bool eof;

	build(&t, FX_ESTAB);
	s = mkseg(ETP_FLAG_ACK, IRS + 2, ISS + 1, 10);
	segment(&t, ST, &s, &act);
	ASSERT_EQ(1u, ST->nooo);
	s = mkseg(ETP_FLAG_FIN | ETP_FLAG_ACK, IRS + 1, ISS + 1, 0);
	segment(&t, ST, &s, &act);
	ASSERT_EQ(ETP_STATE_CLOSE_WAIT, t.state);
	ASSERT_EQ(IRS + 2, t.rcv_nxt);
	ASSERT_EQ(0u, ST->nooo);
	EV.st = ST;
	ASSERT_EQ(0u, etp_fsm_read(&t, &EV, got, sizeof(got), &eof, &act));
	ASSERT_TRUE(eof);
}

TEST(window_update)
{
	struct etp_tcb t;
	struct etp_actions act;
	struct etp_seg s;

	build(&t, FX_ESTAB);
	ASSERT_EQ(PEER_WND, t.snd_wnd);
	s = mkseg(ETP_FLAG_ACK, IRS + 1, ISS + 1, 0);
	s.window = 300;
	segment(&t, ST, &s, &act);
	ASSERT_EQ(300u, t.snd_wnd);
	ASSERT_EQ(PEER_WND, t.max_snd_wnd);
	/* An older segment (SEG.SEQ < SND.WL1) does not move it back. */
	t.snd_wl1 = IRS + 1;
	s.seq = IRS;
	s.window = 10;
	segment(&t, ST, &s, &act);
	ASSERT_EQ(300u, t.snd_wnd);
}

TEST(peer_mss)
{
	struct etp_tcb t;
	struct etp_actions act;
	struct etp_seg syn = mkseg(ETP_FLAG_SYN, IRS, 0, 0);

	etp_fsm_init(&t, &P, LPORT, RPORT);
	etp_fsm_open_passive(&t, &EV, &syn, ISS, &act);
	ASSERT_EQ(PEER_MSS, t.peer_mss);
	ASSERT_EQ(P.mss, act.out.mss);
	syn.mss = 0;
	etp_fsm_init(&t, &P, LPORT, RPORT);
	etp_fsm_open_passive(&t, &EV, &syn, ISS, &act);
	ASSERT_EQ(536, t.peer_mss);
	ASSERT_EQ(ETP_STATE_LISTEN, act.old_state);
	ASSERT_EQ(ETP_STATE_SYN_RCVD, act.new_state);
	ASSERT_EQ(C(PASSIVE_OPEN), act.count);
}

TEST(reset_for_no_connection)
{
	struct etp_seg in, rst;

	in = mkseg(ETP_FLAG_SYN, 777, 0, 0);
	ASSERT_TRUE(etp_fsm_reset_for(&in, &rst));
	ASSERT_EQ(RA_, rst.flags);
	ASSERT_EQ(0u, rst.seq);
	ASSERT_EQ(778u, rst.ack);
	ASSERT_EQ(LPORT, rst.sport);
	ASSERT_EQ(RPORT, rst.dport);
	ASSERT_EQ(ETP_VERSION, rst.version);
	ASSERT_EQ(0, rst.mss);

	in = mkseg(ETP_FLAG_FIN | ETP_FLAG_PSH, 777, 0, 10);
	ASSERT_TRUE(etp_fsm_reset_for(&in, &rst));
	ASSERT_EQ(788u, rst.ack);

	in = mkseg(ETP_FLAG_ACK, 777, 4242, 10);
	ASSERT_TRUE(etp_fsm_reset_for(&in, &rst));
	ASSERT_EQ(RST_, rst.flags);
	ASSERT_EQ(4242u, rst.seq);
	ASSERT_EQ(0u, rst.ack);

	in = mkseg(ETP_FLAG_RST, 777, 0, 0);
	ASSERT_FALSE(etp_fsm_reset_for(&in, &rst));
	in = mkseg(ETP_FLAG_RST | ETP_FLAG_ACK, 777, 1, 0);
	ASSERT_FALSE(etp_fsm_reset_for(&in, &rst));
}

TEST(listener_verdicts)
{
	struct etp_actions act;
	struct etp_seg s;

	s = mkseg(ETP_FLAG_SYN, IRS, 0, 0);
	ASSERT_TRUE(etp_fsm_listen(&s, &act));
	ASSERT_TRUE(act.accept);
	ASSERT_FALSE(act.send);
	s = mkseg(ETP_FLAG_FIN, IRS, 0, 0);
	ASSERT_FALSE(etp_fsm_listen(&s, &act));
	ASSERT_EQ(ETP_DROP_NO_ACK, act.drop);
	ASSERT_FALSE(act.send);
	s = mkseg(ETP_FLAG_ACK, IRS, 99, 0);
	ASSERT_FALSE(etp_fsm_listen(&s, &act));
	ASSERT_EQ(RST_, act.out.flags);
	ASSERT_EQ(99u, act.out.seq);
}

TEST(open_only_from_closed)
{
	struct etp_tcb t;
	struct etp_actions act;

	build(&t, FX_ESTAB);
	etp_fsm_open_active(&t, &EV, 1, &act);
	ASSERT_EQ(ETP_STATE_ESTABLISHED, t.state);
	ASSERT_FALSE(act.send);
	etp_fsm_open_listen(&t, &act);
	ASSERT_EQ(ETP_STATE_ESTABLISHED, t.state);
}

TEST(names)
{
	static const char * const states[] = {
		"?", "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED",
		"FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",
		"LAST_ACK", "TIME_WAIT", "?",
	};
	int i;

	for (i = 0; i <= __ETP_STATE_MAX; i++)
		EXPECT_STREQ(states[i], etp_state_name(i));
	for (i = 0; i < ETP_CAUSE_MAX; i++)
		EXPECT_STRNE("?", etp_cause_name(i));
	for (i = 0; i < ETP_ERR_MAX; i++)
		EXPECT_STRNE("?", etp_error_name(i));
	for (i = 0; i < ETP_DROP_MAX; i++)
		EXPECT_STRNE("?", etp_drop_name(i));
	for (i = 0; i < ETP_T_MAX; i++)
		EXPECT_STRNE("?", etp_timer_name(i));
	EXPECT_STREQ("?", etp_cause_name(ETP_CAUSE_MAX));
	EXPECT_STREQ("?", etp_drop_name(ETP_DROP_MAX));
	EXPECT_STREQ("?", etp_timer_name(ETP_T_MAX));
	EXPECT_STREQ("?", etp_error_name(ETP_ERR_MAX));
	EXPECT_STREQ("time_wait", etp_timer_name(ETP_T_TIME_WAIT));
	EXPECT_STREQ("out_of_window",
		     etp_drop_name(ETP_DROP_OUT_OF_WINDOW));
}

/*
 * Random segments against every state: whatever arrives, the invariants
 * the glue relies on hold and every reply is a segment the wire accepts.
 */
TEST(random_segments_keep_invariants)
{
	static const u8 flag_set[] = {
		0, ETP_FLAG_SYN, ETP_FLAG_SYN | ETP_FLAG_ACK, ETP_FLAG_ACK,
		ETP_FLAG_FIN, ETP_FLAG_FIN | ETP_FLAG_ACK, ETP_FLAG_RST,
		ETP_FLAG_RST | ETP_FLAG_ACK, ETP_FLAG_PSH | ETP_FLAG_ACK,
		ETP_FLAG_FIN | ETP_FLAG_PSH | ETP_FLAG_ACK,
	};
	u64 x = 0x9e3779b97f4a7c15ull;
	int iter, steps;

	for (iter = 0; iter < 20000; iter++) {
		struct etp_tcb t;

		build(&t, iter % FX_MAX);
		for (steps = 0; steps < 8; steps++) {
			struct etp_actions act;
			struct etp_seg s, back;
			u32 near_r = t.rcv_nxt ? t.rcv_nxt : IRS;
			u32 near_s = t.snd_una ? t.snd_una : ISS;
			u8 buf[ETP_HDR_MAX];
			enum etp_conn_state was = t.state;
			u32 una = t.snd_una;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			s = mkseg(flag_set[x % sizeof(flag_set)],
				  near_r + (u32)((x >> 8) % 3000) - 1500,
				  near_s + (u32)((x >> 20) % 8) - 3,
				  (x >> 32) % 4 ? 0 : (x >> 40) % 2000);
			if ((x >> 50) % 8 == 0)
				s.seq = (u32)(x >> 13);
			etp_fsm_segment(&t, &EV, &s, &act);

			ASSERT_EQ(was, act.old_state);
			ASSERT_EQ(t.state, act.new_state);
			ASSERT_FALSE(act.arm & act.cancel);
			ASSERT_FALSE(etp_after(t.snd_una, t.snd_nxt));
			if (act.new_state != ETP_STATE_LISTEN &&
			    act.new_state != ETP_STATE_CLOSED)
				ASSERT_FALSE(etp_before(t.snd_una, una));
			if (act.destroy)
				ASSERT_TRUE(t.state == ETP_STATE_CLOSED ||
					    t.state == ETP_STATE_LISTEN);
			if (!act.send)
				continue;
			ASSERT_FALSE(s.flags & ETP_FLAG_RST &&
				     act.out.flags & ETP_FLAG_RST);
			ASSERT_EQ(etp_wire_hdr_len(&act.out),
				  etp_wire_encode(&act.out, buf, sizeof(buf)));
			ASSERT_EQ(ETP_WIRE_OK,
				  etp_wire_decode(buf, act.out.hdr_len, &back));
			ASSERT_TRUE(seg_eq(&act.out, &back));
			if (act.destroy || t.state == ETP_STATE_CLOSED)
				break;
		}
	}
}

/* --- answers to unacceptable segments are rate limited ------------------ */

/* Deliver queued segments until none is left or cap were delivered. */
static int storm(struct __test_metadata *_metadata, struct net *n, int cap)
{
	int delivered = 0;

	while (n->head < n->tail && delivered < cap) {
		struct pkt *p = &n->q[n->head++ % QMAX];
		struct etp_seg s;

		ASSERT_EQ(ETP_WIRE_OK, (int)etp_wire_decode(p->bytes, p->len, &s));
		receive(_metadata, n, p->to, &s, p->bytes + s.hdr_len);
		delivered++;
		n->nlog = 0;	/* the log is not what is counted here */
	}
	return delivered;
}

/*
 * One forged in-window segment, ten octets at A's SND.NXT, into B: B takes
 * them and ACKs octets A never sent; A answers that ACK (RFC 5961 5.2), B
 * finds A's answer old and answers it, and so on. Without a limit the
 * exchange never ends; with the default one it stops at once.
 */
static int forged_segment_exchange(struct __test_metadata *_metadata,
				   u32 ratelimit_ms)
{
	struct etp_seg forged;
	struct net n;
	int k;

	P.invalid_ratelimit_ms = ratelimit_ms;
	EV.now_us = 1000000;
	net_init(&n, ISS, IRS);
	connect_pair(_metadata, &n);
	forged = mkseg(ETP_FLAG_ACK, n.e[A].t.snd_nxt, n.e[A].t.rcv_nxt, 10);
	receive(_metadata, &n, B, &forged, NULL);
	/* Ten octets, one small segment: B's ACK of them comes 40 ms later. */
	fire(_metadata, &n, B, ETP_T_DELACK);
	k = storm(_metadata, &n, 1000);
	EXPECT_EQ(ETP_STATE_ESTABLISHED, n.e[A].t.state);
	EXPECT_EQ(ETP_STATE_ESTABLISHED, n.e[B].t.state);
	P.invalid_ratelimit_ms = 0;
	EV.now_us = 0;
	return k;
}

TEST(forged_segment_storm_without_limit)
{
	ASSERT_EQ(1000, forged_segment_exchange(_metadata, 0));
}

TEST(forged_segment_storm_is_bounded)
{
	/* B's ACK, A's answer, B's answer; A's next answer is held back. */
	ASSERT_EQ(3, forged_segment_exchange(_metadata, 500));
}

TEST(unacceptable_answers_one_per_interval)
{
	struct etp_seg old_ack, old_data, syn, bad_ack;
	struct etp_actions a;
	struct etp_tcb t;

	build(&t, FX_ESTAB);
	P.invalid_ratelimit_ms = 500;
	old_ack = mkseg(ETP_FLAG_ACK, IRS, ISS + 1, 0);
	old_data = mkseg(ETP_FLAG_ACK, IRS - 9, ISS + 1, 10);
	syn = mkseg(ETP_FLAG_SYN, IRS + 100, 0, 0);
	bad_ack = mkseg(ETP_FLAG_ACK, IRS + 1, ISS + 1000, 0);

	EV.now_us = 5000000;
	etp_fsm_segment(&t, &EV, &old_ack, &a);
	EXPECT_TRUE(a.send);
	EXPECT_EQ(ETP_DROP_OUT_OF_WINDOW, a.drop);
	EXPECT_EQ(0u, a.count & ETP_CNT_BIT(ETP_CNT_RATELIMITED));

	/* Within 500 ms every kind of answer is held back, and counted. */
	EV.now_us += 499000;
	etp_fsm_segment(&t, &EV, &old_ack, &a);
	EXPECT_FALSE(a.send);
	EXPECT_EQ(ETP_DROP_OUT_OF_WINDOW, a.drop);
	EXPECT_NE(0u, a.count & ETP_CNT_BIT(ETP_CNT_RATELIMITED));
	etp_fsm_segment(&t, &EV, &syn, &a);
	EXPECT_FALSE(a.send);
	EXPECT_EQ(ETP_DROP_SYN_SYNCED, a.drop);
	EXPECT_EQ(0u, a.count & ETP_CNT_BIT(ETP_CNT_CHALLENGE_ACK));
	etp_fsm_segment(&t, &EV, &bad_ack, &a);
	EXPECT_FALSE(a.send);
	EXPECT_EQ(ETP_DROP_BAD_ACK, a.drop);

	/* Data is no part of a loop: an old retransmission is answered. */
	etp_fsm_segment(&t, &EV, &old_data, &a);
	EXPECT_TRUE(a.send);
	EXPECT_EQ(0u, a.count & ETP_CNT_BIT(ETP_CNT_RATELIMITED));

	/* 500 ms after the last answer, one more. */
	EV.now_us += 1000;
	etp_fsm_segment(&t, &EV, &syn, &a);
	EXPECT_TRUE(a.send);
	EXPECT_NE(0u, a.count & ETP_CNT_BIT(ETP_CNT_CHALLENGE_ACK));
	EXPECT_EQ(ETP_STATE_ESTABLISHED, t.state);
	P.invalid_ratelimit_ms = 0;
	EV.now_us = 0;
}

TEST_HARNESS_MAIN
