/* SPDX-License-Identifier: GPL-2.0 */
/*
 * etp connection state machine: (state, event) -> (new state, actions).
 *
 * Every event source has one entry point here: open, close, abort, send and
 * receive from the user, a decoded segment from the network, a timer expiry
 * from the wheel, an ICMP error. Each fills a struct etp_actions that the
 * kernel glue executes (send the segment, arm and cancel timers, bump
 * counters, notify, free); the glue changes no connection state itself.
 * docs/protocol.md sections 4 to 8 are the specification this implements.
 */
#ifndef _ETP_CORE_FSM_H
#define _ETP_CORE_FSM_H

#include "etp_types.h"
#include "params.h"
#include "seq.h"
#include "stream.h"
#include "wire.h"

enum etp_timer_id {
	ETP_T_RETX,		/* retransmission: SYN, SYN|ACK, data, FIN */
	ETP_T_PERSIST,		/* zero-window probe */
	ETP_T_DELACK,		/* delayed ACK */
	ETP_T_KEEPALIVE,	/* idle connection probe */
	ETP_T_FIN_WAIT_2,	/* FIN_WAIT_2 limit */
	ETP_T_TIME_WAIT,	/* 2 * MSL */
	ETP_T_MAX
};

#define ETP_T_BIT(id)		(1u << (id))
#define ETP_T_ALL		(ETP_T_BIT(ETP_T_MAX) - 1)

/*
 * Timers that never run at once share a slot, so a connection carries
 * ETP_SLOTS timers (a TIME_WAIT entry only ETP_SLOT_LIFE): arming one
 * timer of a slot replaces the other, and the state machine never needs
 * both. RETX and PERSIST: probing a zero window means nothing else is in
 * flight. KEEPALIVE, FIN_WAIT_2, TIME_WAIT: one per state.
 */
enum etp_timer_slot {
	ETP_SLOT_XMIT,
	ETP_SLOT_ACK,
	ETP_SLOT_LIFE,
	ETP_SLOTS
};

static inline enum etp_timer_slot etp_timer_slot(enum etp_timer_id id)
{
	switch (id) {
	case ETP_T_RETX:
	case ETP_T_PERSIST:
		return ETP_SLOT_XMIT;
	case ETP_T_DELACK:
		return ETP_SLOT_ACK;
	default:
		return ETP_SLOT_LIFE;
	}
}

/* Why a state changed: carried in the state event. */
enum etp_cause {
	ETP_CAUSE_NONE = 0,
	ETP_CAUSE_CONNECT,	/* user active open */
	ETP_CAUSE_LISTEN,	/* user passive open */
	ETP_CAUSE_SYN,		/* SYN received */
	ETP_CAUSE_SYNACK,	/* SYN|ACK received */
	ETP_CAUSE_ACK,		/* ACK of our SYN or FIN received */
	ETP_CAUSE_FIN,		/* peer's FIN received */
	ETP_CAUSE_RST,		/* valid RST received */
	ETP_CAUSE_CLOSE,	/* user close */
	ETP_CAUSE_ABORT,	/* user abort */
	ETP_CAUSE_TIMEOUT,	/* retransmissions or probes exhausted */
	ETP_CAUSE_FIN_WAIT_2_TIMEOUT,
	ETP_CAUSE_TIME_WAIT_DONE,
	ETP_CAUSE_ICMP,		/* an ICMP error ended the attempt */
	ETP_CAUSE_MAX
};

/* What a user waiting on the connection is told; glue maps to errno. */
enum etp_error {
	ETP_ERR_NONE = 0,
	ETP_ERR_REFUSED,	/* ECONNREFUSED */
	ETP_ERR_RESET,		/* ECONNRESET */
	ETP_ERR_TIMEDOUT,	/* ETIMEDOUT */
	ETP_ERR_NOPROTO,	/* EPROTONOSUPPORT: the peer has no etp */
	ETP_ERR_MAX
};

/* Why (part of) a segment was not accepted: one counter each. */
enum etp_drop {
	ETP_DROP_NONE = 0,
	ETP_DROP_NO_CONN,	/* no connection and no listener */
	ETP_DROP_OUT_OF_WINDOW,	/* unacceptable sequence number */
	ETP_DROP_BAD_ACK,	/* ACK of something never sent, or too old */
	ETP_DROP_NO_ACK,	/* ACK bit off where it is required */
	ETP_DROP_NO_SYN,	/* SYN_SENT: neither SYN nor RST */
	ETP_DROP_RST_INVALID,	/* RST failing the RFC 5961 / 9293 checks */
	ETP_DROP_RST_TIME_WAIT,	/* RFC 1337 */
	ETP_DROP_SYN_SYNCED,	/* SYN in a synchronized state */
	ETP_DROP_OUT_OF_ORDER,	/* a FIN beyond RCV.NXT (its data is kept) */
	ETP_DROP_AFTER_FIN,	/* text or FIN after the peer's FIN */
	ETP_DROP_OOO_FULL,	/* would be one out-of-order piece too many */
	ETP_DROP_NO_MEMORY,	/* no queue memory for its data */
	ETP_DROP_MAX
};

/* Counter events (bit numbers); one event may raise several. */
enum etp_count {
	ETP_CNT_ACTIVE_OPEN,	/* CLOSED -> SYN_SENT */
	ETP_CNT_PASSIVE_OPEN,	/* LISTEN -> SYN_RCVD */
	ETP_CNT_ATTEMPT_FAIL,	/* SYN_SENT/SYN_RCVD -> CLOSED or LISTEN */
	ETP_CNT_ESTAB_RESET,	/* ESTABLISHED/CLOSE_WAIT -> CLOSED */
	ETP_CNT_ESTABLISHED,	/* entered ESTABLISHED */
	ETP_CNT_RST_IN,		/* a received RST took effect */
	ETP_CNT_CHALLENGE_ACK,	/* out is an RFC 5961 challenge ACK */
	ETP_CNT_RETRANSMIT,	/* out is a retransmission */
	ETP_CNT_TIMEOUT,	/* gave up after retries */
	ETP_CNT_RATELIMITED,	/* an answer to an unacceptable segment held back */
	ETP_CNT_RTO,		/* the retransmission timer expired */
	ETP_CNT_FAST_RETX,	/* three duplicate ACKs: fast retransmit */
	ETP_CNT_DUPACK,		/* a duplicate ACK arrived */
	ETP_CNT_OOO,		/* data kept out of order */
	ETP_CNT_PERSIST_PROBE,	/* out is a zero-window probe */
	ETP_CNT_KEEPALIVE_PROBE, /* out is a keepalive probe */
	ETP_CNT_DELAYED_ACK,	/* out is an ACK the delayed-ACK timer sent */
	ETP_CNT_ICMP_IGNORED,	/* ICMP error failing the RFC 5927 checks */
	ETP_CNT_PMTU,		/* path MTU lowered by an ICMP error */
	ETP_CNT_MAX
};

#define ETP_CNT_BIT(c)		(1u << (c))

/* What the user of the queues may want to hear (etp_actions.notify). */
#define ETP_NOTE_READABLE	0x01	/* data or the end of the stream */
#define ETP_NOTE_WRITABLE	0x02	/* send queue space was freed */

/*
 * Transmission control block: everything the protocol needs per
 * connection, no pointers, so the glue can embed it in a full connection
 * or in a compact TIME_WAIT entry alike. The byte queues are apart (struct
 * etp_stream), allocated when data first flows.
 */
struct etp_tcb {
	/*
	 * Octets and bits, as sk_state is: every connection carries a tcb,
	 * and these four octets held the two enums alone before (the memory
	 * budget of docs/protocol.md 8.10).
	 */
	u8 state;		/* enum etp_conn_state */
	u8 error;		/* enum etp_error: why the connection ended */
	bool passive : 1;	/* from a listener: RST returns to LISTEN */
	bool close_pending : 1;	/* user closed in SYN_RCVD: close after ACK */
	bool fin_queued : 1;	/* user closed: our FIN is at write_seq */
	bool fin_rcvd : 1;	/* the peer's FIN is taken (in rcv_nxt) */
	bool ws_ok : 1;		/* both SYNs carried window scale */
	bool in_recovery : 1;	/* NewReno fast recovery (RFC 6582) */
	bool rtt_pending : 1;	/* a segment is being timed (Karn's rule) */
	bool persisting : 1;	/* probing a zero window instead of RTO */
	bool delack : 1;	/* the delayed-ACK timer is armed */
	u8 snd_wscale;		/* the peer's shift for SEG.WND */
	u8 rcv_wscale;		/* our shift for the windows we advertise */
	u8 retries;		/* RTO backoffs, or probes, without progress */
	u8 dupacks;
	u8 probes;		/* unanswered zero-window or keepalive probes */
	u16 lport;
	u16 rport;
	u16 mss;		/* ours, advertised */
	u16 peer_mss;
	u16 pmtu_mss;		/* path MTU minus headers; 0: unknown */
	u32 iss;
	u32 snd_una;
	u32 snd_nxt;
	u32 snd_max;		/* highest sequence number sent, plus one */
	u32 write_seq;		/* where the next octet the user writes goes */
	u32 snd_wnd;
	u32 max_snd_wnd;	/* RFC 5961 section 5 ACK check */
	u32 snd_wl1;
	u32 snd_wl2;
	u32 irs;
	u32 rcv_nxt;
	u32 rcv_wnd;		/* window from rcv_nxt on, as advertised */
	u32 rcvbuf;		/* queue limits, fixed when the tcb is made */
	u32 sndbuf;
	u32 rto_ms;		/* current retransmission timeout, backoff included */
	u32 srtt_us;		/* RFC 6298; 0 before the first sample */
	u32 rttvar_us;
	u32 rtt_seq;		/* timed segment: acked when SND.UNA passes it */
	u32 rtt_start;		/* ... and when it was sent, in microseconds */
	u32 cwnd;		/* RFC 5681, octets */
	u32 ssthresh;
	u32 recover;		/* RFC 6582 */
	u32 rcv_unacked;	/* octets received since our last ACK */
	u32 last_rcv_ms;	/* when a segment last arrived (keepalive) */
	u32 last_oow_ms;	/* last answer to an unacceptable segment; 0: none */
	/* What `etpctl show` reports, as `ss -i` does for TCP. */
	u32 segs_in;
	u32 segs_out;
	u32 retrans;		/* segments retransmitted */
	u32 drops;		/* segments (or parts) not accepted */
	/* Octet counts live in the stream: there are none before it. */
};

/* What an event sees besides the tcb. */
struct etp_ev {
	const struct etp_params *p;
	/*
	 * A monotonic clock; only differences count. Its milliseconds time
	 * everything but round trips, which take precise_us() when the
	 * environment gives one: the kernel's now_us is read from jiffies,
	 * its precise clock from the clocksource, which can cost far more
	 * (an emulated HPET: microseconds a read) and is needed only when a
	 * measurement starts or ends.
	 */
	u64 now_us;
	u64 (*precise_us)(void);
	struct etp_stream *st;	/* the queues; NULL until data flows */
	const struct etp_data *data;	/* a segment's payload */
};

struct etp_actions {
	enum etp_conn_state old_state;
	enum etp_conn_state new_state;
	enum etp_cause cause;
	enum etp_error error;	/* report to a waiting user */
	enum etp_drop drop;
	u32 count;		/* ETP_CNT_BIT() set */
	bool send;		/* transmit out */
	bool destroy;		/* connection over: free it */
	bool accept;		/* listener: create a tcb, etp_fsm_open_passive */
	bool more;		/* call etp_fsm_push(): more may go out now */
	bool ack;		/* an ACK is owed (the core sends it itself) */
	u8 cancel;		/* ETP_T_BIT() set; apply before arm */
	u8 arm;			/* ETP_T_BIT() set; (re)start with timer_ms */
	u8 notify;		/* ETP_NOTE_* */
	u32 timer_ms[ETP_T_MAX];
	u32 data_in;		/* octets queued for the user by this segment */
	/*
	 * The segment to send. Its payload, out.payload_len octets, is the
	 * send queue's from out.seq on: etp_bufq_read(&st->sq, out.seq, ...).
	 */
	struct etp_seg out;
};

/* ICMP errors etp acts on (the glue maps types and codes). */
enum etp_icmp {
	ETP_ICMP_PROTO_UNREACH,	/* the peer has no etp */
	ETP_ICMP_FRAG_NEEDED,	/* RFC 1191: the path MTU is smaller */
};

void etp_fsm_init(struct etp_tcb *tcb, const struct etp_params *p,
		  u16 lport, u16 rport);
/*
 * st, zeroed and etp_stream_size(tcb->sndbuf, tcb->rcvbuf) long, is tcb's;
 * its chunks are charged to owner (stream.h).
 */
void etp_fsm_attach(struct etp_tcb *tcb, struct etp_stream *st, void *owner);
/* The route's MTU: segments fit it (the glue asks the route at open). */
void etp_fsm_set_pmtu(struct etp_tcb *tcb, u32 mtu);

bool etp_seq_acceptable(u32 rcv_nxt, u32 rcv_wnd, u32 seq, u32 len);

void etp_fsm_open_active(struct etp_tcb *tcb, const struct etp_ev *ev,
			 u32 iss, struct etp_actions *act);
void etp_fsm_open_listen(struct etp_tcb *tcb, struct etp_actions *act);
bool etp_fsm_listen(const struct etp_seg *seg, struct etp_actions *act);
void etp_fsm_open_passive(struct etp_tcb *tcb, const struct etp_ev *ev,
			  const struct etp_seg *syn, u32 iss,
			  struct etp_actions *act);
void etp_fsm_segment(struct etp_tcb *tcb, const struct etp_ev *ev,
		     const struct etp_seg *seg, struct etp_actions *act);
bool etp_fsm_close(struct etp_tcb *tcb, const struct etp_ev *ev,
		   struct etp_actions *act);
bool etp_fsm_abort(struct etp_tcb *tcb, struct etp_actions *act);
void etp_fsm_timer(struct etp_tcb *tcb, const struct etp_ev *ev,
		   enum etp_timer_id id, struct etp_actions *act);
void etp_fsm_icmp(struct etp_tcb *tcb, const struct etp_ev *ev,
		  enum etp_icmp what, u32 seq, u32 mtu,
		  struct etp_actions *act);
bool etp_fsm_reset_for(const struct etp_seg *seg, struct etp_seg *rst);

/*
 * The user's data (RFC 9293 3.10.2 SEND, 3.10.3 RECEIVE). write queues up
 * to len octets and returns how many (0: the queue is full), or -1 when
 * the connection no longer sends (closed, or never opened). read takes up
 * to len octets and says in *eof whether the peer's FIN follows them.
 */
bool etp_fsm_may_write(const struct etp_tcb *tcb);
s32 etp_fsm_write(struct etp_tcb *tcb, const struct etp_ev *ev,
		  const void *buf, u32 len, struct etp_actions *act);
u32 etp_fsm_read(struct etp_tcb *tcb, const struct etp_ev *ev, void *dst,
		 u32 len, bool *eof, struct etp_actions *act);
/* The same, the octets handed to out (core/stream.h) instead of copied. */
u32 etp_fsm_read_to(struct etp_tcb *tcb, const struct etp_ev *ev,
		    const struct etp_sink *out, u32 len, bool *eof,
		    struct etp_actions *act);
/* After an event whose act->more is set: the next segment, if any. */
void etp_fsm_push(struct etp_tcb *tcb, const struct etp_ev *ev,
		  struct etp_actions *act);

/* What the queues hold, for the user and for `etpctl show`. */
u32 etp_fsm_readable(const struct etp_tcb *tcb, const struct etp_stream *st);
u32 etp_fsm_send_space(const struct etp_tcb *tcb,
		       const struct etp_stream *st);
u32 etp_fsm_smss(const struct etp_tcb *tcb);

#endif /* _ETP_CORE_FSM_H */
