/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * etp: an experimental TCP-style connection protocol over IP protocol 253.
 *
 * The generic netlink interface shared by etp.ko and its tools. Every number
 * the two sides must agree on is defined here and nowhere else. No command
 * or attribute uses the value 0, so a zeroed message never means anything.
 */
#ifndef _UAPI_LINUX_ETP_H
#define _UAPI_LINUX_ETP_H

#define ETP_GENL_NAME		"etp"
#define ETP_GENL_VERSION	1
#define ETP_MCGRP_STATE		"state"
#define ETP_MCGRP_DATA		"data"
#define ETP_MCGRP_SEGMENTS	"segments"

/* The flags octet of the etp header (docs/protocol.md 2.1). */
#define ETP_FLAG_FIN		0x01
#define ETP_FLAG_SYN		0x02
#define ETP_FLAG_RST		0x04
#define ETP_FLAG_PSH		0x08
#define ETP_FLAG_ACK		0x10

/* RFC 3692 reserves 253 and 254 for experiments; etp accepts only those. */
#define ETP_PROTO_DEFAULT	253
#define ETP_PROTO_ALT		254

enum etp_cmd {
	ETP_CMD_UNSPEC,
	ETP_CMD_INFO,		/* module version, protocol, parameters */
	ETP_CMD_STATS_GET,	/* per-netns counters */
	ETP_CMD_PARAM_GET,	/* per-netns parameters */
	ETP_CMD_PARAM_SET,
	ETP_CMD_LISTEN,
	ETP_CMD_UNLISTEN,
	ETP_CMD_CONNECT,
	ETP_CMD_CLOSE,
	ETP_CMD_ABORT,
	ETP_CMD_CONN_GET,	/* doit by id, dumpit filtered by state/port */
	ETP_CMD_STATE_EVENT,	/* multicast on ETP_MCGRP_STATE */
	ETP_CMD_SEND,		/* queue data for a connection */
	ETP_CMD_RECV,		/* take received data */
	ETP_CMD_DATA_EVENT,	/* multicast on ETP_MCGRP_DATA: readable, writable */
	ETP_CMD_SEGMENT_EVENT,	/* multicast on ETP_MCGRP_SEGMENTS: one segment */
	ETP_CMD_TIMER_EVENT,	/* multicast on ETP_MCGRP_SEGMENTS: a timer fired */
	ETP_CMD_FAULT_ADD,	/* a deterministic fault for matching segments */
	ETP_CMD_FAULT_DEL,
	ETP_CMD_FAULT_GET,	/* dumpit: the namespace's faults */
	ETP_CMD_FAULT_FLUSH,	/* every fault of the namespace */
	ETP_CMD_FAULT_RELEASE,	/* send held segments on their way */

	__ETP_CMD_MAX,
	ETP_CMD_MAX = __ETP_CMD_MAX - 1
};

enum etp_attr {
	ETP_A_UNSPEC,
	ETP_A_VERSION,		/* string: module version */
	ETP_A_PROTOCOL,		/* u8: IP protocol number in use */
	ETP_A_PARAMS,		/* nest of enum etp_param_attr: u32 values */
	ETP_A_STATS,		/* nest of ETP_A_STAT */
	ETP_A_STAT,		/* nest of enum etp_stat_attr */
	ETP_A_CONN_ID,		/* u32 */
	ETP_A_STATE,		/* u8: enum etp_conn_state */
	ETP_A_OLD_STATE,	/* u8: enum etp_conn_state */
	ETP_A_LOCAL_ADDR,	/* be32: IPv4 address */
	ETP_A_LOCAL_PORT,	/* u16 */
	ETP_A_REMOTE_ADDR,	/* be32: IPv4 address */
	ETP_A_REMOTE_PORT,	/* u16 */
	ETP_A_BACKLOG,		/* u32 */
	ETP_A_CAUSE,		/* string: why a state changed */
	ETP_A_TIMESTAMP_NS,	/* u64: CLOCK_MONOTONIC */
	ETP_A_ERRNO,		/* u32: error reported to the user */
	ETP_A_TIMERS,		/* nest of ETP_A_TIMER */
	ETP_A_TIMER,		/* nest of enum etp_timer_attr */
	ETP_A_SEQ,		/* nest of enum etp_seq_attr */
	ETP_A_PAD,
	ETP_A_QUEUE,		/* u32: listener: handshakes in progress */
	ETP_A_LISTENER_ID,	/* u32: passive connection: its listener */
	ETP_A_PARAM_INFO,	/* nest of ETP_A_PARAM_DESC */
	ETP_A_PARAM_DESC,	/* nest of enum etp_param_desc_attr */
	ETP_A_DATA,		/* binary: payload, up to 65531 octets each */
	ETP_A_BYTES,		/* u32: octets queued (SEND) or wanted (RECV) */
	ETP_A_EOF,		/* flag: the peer's FIN follows the data */
	ETP_A_READABLE,		/* u32: octets ready to RECV */
	ETP_A_WRITABLE,		/* u32: octets SEND may queue */
	ETP_A_INFO,		/* nest of enum etp_info_attr */
	ETP_A_SEGMENT,		/* nest of enum etp_segment_attr */
	ETP_A_FAULT,		/* nest of enum etp_fault_attr */

	__ETP_A_MAX,
	ETP_A_MAX = __ETP_A_MAX - 1
};

/* One counter; names are defined by the kernel so new ones need no tool change. */
enum etp_stat_attr {
	ETP_A_STAT_UNSPEC,
	ETP_A_STAT_NAME,	/* string */
	ETP_A_STAT_VALUE,	/* u64 */
	ETP_A_STAT_PAD,

	__ETP_A_STAT_MAX,
	ETP_A_STAT_MAX = __ETP_A_STAT_MAX - 1
};

/*
 * Per-netns parameters, all u32. Their names, defaults and ranges are the
 * kernel's (PARAM_GET and INFO describe each in ETP_A_PARAM_INFO), so a
 * tool needs only these numbers.
 */
enum etp_param_attr {
	ETP_PARAM_UNSPEC,
	ETP_PARAM_MSL_MS,	/* TIME_WAIT lasts 2 * msl_ms */
	ETP_PARAM_RTO_INITIAL_MS, /* first retransmission timeout */
	ETP_PARAM_SYN_RETRIES,	/* SYN and SYN-ACK retransmissions */
	ETP_PARAM_RETRIES,	/* other retransmissions before giving up */
	ETP_PARAM_BACKLOG,	/* default listen backlog */
	ETP_PARAM_MAX_CONNS,	/* connections per netns */
	ETP_PARAM_FIN_WAIT2_MS,	/* FIN_WAIT_2 limit */
	ETP_PARAM_RTO_MAX_MS,	/* backoff cap */
	ETP_PARAM_MSS,		/* largest segment advertised in SYNs */
	ETP_PARAM_RCVBUF,	/* receive queue: the largest window advertised */
	ETP_PARAM_INVALID_RATELIMIT_MS, /* answers to unacceptable segments */
	ETP_PARAM_SNDBUF,	/* send queue */
	ETP_PARAM_RTO_MIN_MS,	/* RFC 6298 lower bound */
	ETP_PARAM_DELACK_MS,	/* delayed ACK */
	ETP_PARAM_KEEPALIVE_MS,	/* idle time before probing; 0: off */
	ETP_PARAM_KEEPALIVE_INTVL_MS, /* between probes */
	ETP_PARAM_KEEPALIVE_PROBES, /* unanswered probes before giving up */
	ETP_PARAM_LINGER_MS,	/* unread data of an ended connection kept */
	ETP_PARAM_CSUM_OFFLOAD,	/* 1: the device (or dev_queue_xmit) sums */

	__ETP_PARAM_MAX,
	ETP_PARAM_MAX = __ETP_PARAM_MAX - 1
};

/* One parameter's description in ETP_A_PARAM_INFO. */
enum etp_param_desc_attr {
	ETP_A_PARAM_DESC_UNSPEC,
	ETP_A_PARAM_DESC_ID,	/* u16: enum etp_param_attr */
	ETP_A_PARAM_DESC_NAME,	/* string: "msl_ms" */
	ETP_A_PARAM_DESC_RANGE_MIN, /* u32 */
	ETP_A_PARAM_DESC_RANGE_MAX, /* u32 */
	ETP_A_PARAM_DESC_DEFAULT, /* u32 */

	__ETP_A_PARAM_DESC_MAX,
	ETP_A_PARAM_DESC_MAX = __ETP_A_PARAM_DESC_MAX - 1
};

/*
 * Connection states, numbered as RFC 9293's diagram names them. 0 is
 * unused so that a zeroed field never reads as a state. The names
 * ("SYN_SENT") are these without the prefix; module/core/names.c spells
 * them once, for the module and for etpctl.
 */
enum etp_conn_state {
	ETP_STATE_UNSPEC,
	ETP_STATE_CLOSED,
	ETP_STATE_LISTEN,
	ETP_STATE_SYN_SENT,
	ETP_STATE_SYN_RCVD,
	ETP_STATE_ESTABLISHED,
	ETP_STATE_FIN_WAIT_1,
	ETP_STATE_FIN_WAIT_2,
	ETP_STATE_CLOSE_WAIT,
	ETP_STATE_CLOSING,
	ETP_STATE_LAST_ACK,
	ETP_STATE_TIME_WAIT,

	__ETP_STATE_MAX,
	ETP_STATE_MAX = __ETP_STATE_MAX - 1
};

enum etp_timer_attr {
	ETP_A_TIMER_UNSPEC,
	ETP_A_TIMER_NAME,	/* string: "retx", "persist", "delack", ... */
	ETP_A_TIMER_REMAINING_MS, /* u32 */
	ETP_A_TIMER_BACKOFF,	/* u32: retransmissions so far */

	__ETP_A_TIMER_MAX,
	ETP_A_TIMER_MAX = __ETP_A_TIMER_MAX - 1
};

/* What `ss -i` shows of a TCP connection, for an etp one. */
enum etp_info_attr {
	ETP_A_INFO_UNSPEC,
	ETP_A_INFO_CWND,	/* u32: congestion window, octets */
	ETP_A_INFO_SSTHRESH,	/* u32: slow-start threshold, octets */
	ETP_A_INFO_SRTT_US,	/* u32: smoothed round trip (0: none yet) */
	ETP_A_INFO_RTTVAR_US,	/* u32 */
	ETP_A_INFO_RTO_MS,	/* u32: current timeout, backoff included */
	ETP_A_INFO_IN_FLIGHT,	/* u32: octets sent, not yet acknowledged */
	ETP_A_INFO_SND_MSS,	/* u32: the segment size used */
	ETP_A_INFO_RCV_MSS,	/* u32: ours, as advertised */
	ETP_A_INFO_SND_WSCALE,	/* u8 */
	ETP_A_INFO_RCV_WSCALE,	/* u8 */
	ETP_A_INFO_SEND_Q,	/* u32: queued, not yet acknowledged */
	ETP_A_INFO_RECV_Q,	/* u32: received, not yet read */
	ETP_A_INFO_BYTES_SENT,	/* u64: data octets the peer acknowledged */
	ETP_A_INFO_BYTES_RECEIVED, /* u64: data octets taken in order */
	ETP_A_INFO_SEGS_IN,	/* u32 */
	ETP_A_INFO_SEGS_OUT,	/* u32 */
	ETP_A_INFO_RETRANSMITS,	/* u32: segments sent again */
	ETP_A_INFO_DROPS,	/* u32: segments (or parts) not accepted */
	ETP_A_INFO_PAD,

	__ETP_A_INFO_MAX,
	ETP_A_INFO_MAX = __ETP_A_INFO_MAX - 1
};

enum etp_seq_attr {
	ETP_A_SEQ_UNSPEC,
	ETP_A_SEQ_ISS,		/* u32 */
	ETP_A_SEQ_SND_UNA,	/* u32 */
	ETP_A_SEQ_SND_NXT,	/* u32 */
	ETP_A_SEQ_IRS,		/* u32 */
	ETP_A_SEQ_RCV_NXT,	/* u32 */
	ETP_A_SEQ_SND_WND,	/* u32 */
	ETP_A_SEQ_RCV_WND,	/* u32 */

	__ETP_A_SEQ_MAX,
	ETP_A_SEQ_MAX = __ETP_A_SEQ_MAX - 1
};

/*
 * One segment in a SEGMENT_EVENT (the top level has CONN_ID, 0 when no
 * connection took it, TIMESTAMP_NS, the four address attributes as seen
 * from this side, OLD_STATE and STATE: the connection's state before and
 * after the segment, or the send).
 */
enum etp_segment_attr {
	ETP_A_SEGMENT_UNSPEC,
	ETP_A_SEGMENT_DIR,	/* u8: enum etp_dir */
	ETP_A_SEGMENT_FLAGS,	/* u8: ETP_FLAG_* as on the wire */
	ETP_A_SEGMENT_SEQ,	/* u32 */
	ETP_A_SEGMENT_ACK,	/* u32 */
	ETP_A_SEGMENT_REL_SEQ,	/* u32: seq minus the sender's ISN, if known */
	ETP_A_SEGMENT_REL_ACK,	/* u32: ack minus the receiver's ISN, if known */
	ETP_A_SEGMENT_LEN,	/* u32: payload octets */
	ETP_A_SEGMENT_WIN,	/* u32: the window field as sent */
	ETP_A_SEGMENT_DROP,	/* string: why it was dropped, if it was */
	ETP_A_SEGMENT_FAULT,	/* string: the fault applied ("drop", ...) */
	ETP_A_SEGMENT_FAULT_ID,	/* u32: the fault that applied */
	ETP_A_SEGMENT_MSS,	/* u16: the MSS option, if present */
	ETP_A_SEGMENT_WSCALE,	/* u8: the window scale option, if present */

	__ETP_A_SEGMENT_MAX,
	ETP_A_SEGMENT_MAX = __ETP_A_SEGMENT_MAX - 1
};

enum etp_dir {
	ETP_DIR_UNSPEC,
	ETP_DIR_IN,		/* received */
	ETP_DIR_OUT,		/* sent */
};

enum etp_fault_action {
	ETP_FAULT_UNSPEC,
	ETP_FAULT_DROP,		/* the segment is lost */
	ETP_FAULT_DELAY,	/* it goes on after DELAY_MS */
	ETP_FAULT_DUP,		/* it goes on twice */
	ETP_FAULT_HOLD,		/* it waits for FAULT_RELEASE */

	__ETP_FAULT_MAX,
	ETP_FAULT_MAX = __ETP_FAULT_MAX - 1
};

/*
 * A fault: ACTION applies to the next COUNT segments going DIR that match
 * every filter given (FLAGS exactly, the connection's STATE, CONN_ID).
 */
enum etp_fault_attr {
	ETP_A_FAULT_UNSPEC,
	ETP_A_FAULT_ID,		/* u32: the kernel's */
	ETP_A_FAULT_ACTION,	/* u8: enum etp_fault_action */
	ETP_A_FAULT_DIR,	/* u8: enum etp_dir */
	ETP_A_FAULT_FLAGS,	/* u8: ETP_FLAG_* exactly */
	ETP_A_FAULT_STATE,	/* u8: enum etp_conn_state */
	ETP_A_FAULT_CONN_ID,	/* u32 */
	ETP_A_FAULT_COUNT,	/* u32: segments it applies to (default 1) */
	ETP_A_FAULT_DELAY_MS,	/* u32: DELAY only */
	ETP_A_FAULT_LEFT,	/* u32: of COUNT, not yet used */
	ETP_A_FAULT_HELD,	/* u32: segments it holds now */

	__ETP_A_FAULT_MAX,
	ETP_A_FAULT_MAX = __ETP_A_FAULT_MAX - 1
};

#endif /* _UAPI_LINUX_ETP_H */
