/* SPDX-License-Identifier: GPL-2.0 */
/*
 * etp connection state machine: (state, event) -> (new state, actions).
 *
 * Every event source has one entry point here: open, close and abort from
 * the user, a decoded segment from the network, a timer expiry from the
 * wheel. Each fills a struct etp_actions that the kernel glue executes
 * (send the segment, arm and cancel timers, bump counters, notify, free);
 * the glue changes no connection state itself. docs/protocol.md section 4
 * is the specification this implements.
 */
#ifndef _ETP_CORE_FSM_H
#define _ETP_CORE_FSM_H

#include "etp_types.h"
#include "params.h"
#include "seq.h"
#include "wire.h"

enum etp_timer_id {
	ETP_T_RETX,		/* SYN, SYN|ACK or FIN retransmission */
	ETP_T_FIN_WAIT_2,	/* FIN_WAIT_2 limit */
	ETP_T_TIME_WAIT,	/* 2 * MSL */
	ETP_T_MAX
};

#define ETP_T_BIT(id)		(1u << (id))
#define ETP_T_ALL		(ETP_T_BIT(ETP_T_MAX) - 1)

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
	ETP_CAUSE_TIMEOUT,	/* retransmissions exhausted */
	ETP_CAUSE_FIN_WAIT_2_TIMEOUT,
	ETP_CAUSE_TIME_WAIT_DONE,
	ETP_CAUSE_MAX
};

/* What a user waiting on the connection is told; glue maps to errno. */
enum etp_error {
	ETP_ERR_NONE = 0,
	ETP_ERR_REFUSED,	/* ECONNREFUSED */
	ETP_ERR_RESET,		/* ECONNRESET */
	ETP_ERR_TIMEDOUT,	/* ETIMEDOUT */
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
	ETP_DROP_OUT_OF_ORDER,	/* payload beyond RCV.NXT: no reassembly yet */
	ETP_DROP_AFTER_FIN,	/* text or FIN after the peer's FIN */
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
	ETP_CNT_MAX
};

#define ETP_CNT_BIT(c)		(1u << (c))

/*
 * Transmission control block: everything the protocol needs per
 * connection, no pointers, so the glue can embed it in a full connection
 * or in a compact TIME_WAIT entry alike.
 */
struct etp_tcb {
	enum etp_conn_state state;
	enum etp_error error;	/* recorded reason the connection ended */
	bool passive;		/* from a listener: RST returns to LISTEN */
	bool close_pending;	/* user closed in SYN_RCVD: FIN after ACK */
	u16 lport;
	u16 rport;
	u32 iss;
	u32 snd_una;
	u32 snd_nxt;
	u32 snd_wnd;
	u32 max_snd_wnd;	/* RFC 5961 section 5 ACK check */
	u32 snd_wl1;
	u32 snd_wl2;
	u32 irs;
	u32 rcv_nxt;
	u32 rcv_wnd;
	u32 rto_ms;		/* current, backed-off retransmission timeout */
	u16 mss;
	u16 peer_mss;
	u8 retries;		/* retransmissions of the segment in flight */
	u32 last_oow_ms;	/* last answer to an unacceptable segment; 0: none */
};

/* What an event sees besides the tcb. */
struct etp_ev {
	const struct etp_params *p;
	u64 now_us;		/* a monotonic clock; only differences count */
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
	u8 cancel;		/* ETP_T_BIT() set; apply before arm */
	u8 arm;			/* ETP_T_BIT() set; (re)start with timer_ms */
	u32 timer_ms[ETP_T_MAX];
	u32 deliver_off;	/* in-order payload accepted: offset into */
	u32 deliver_len;	/* the segment's payload, and length */
	struct etp_seg out;
};

void etp_fsm_init(struct etp_tcb *tcb, const struct etp_params *p,
		  u16 lport, u16 rport);

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
bool etp_fsm_reset_for(const struct etp_seg *seg, struct etp_seg *rst);

#endif /* _ETP_CORE_FSM_H */
