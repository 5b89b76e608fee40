/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two etp endpoints and the network between them, driven by events: what
 * the explorer (explore.c) enumerates and the state machine fuzzer
 * (tools/fuzz/fsm_fuzz.c) draws from its input. Everything protocol is
 * module/core's own code; this file plays the kernel glue's part (lookup,
 * listener and accept, timers, the push loop, the lifetime of a
 * connection) and checks docs/verification.md's properties after every
 * event.
 *
 * End A opens actively; end B listens (or, for simultaneous open, opens
 * actively too). The network is a bag of segments in flight: any one may be
 * delivered next (reordering, any delay), lost, or duplicated, and the
 * network may forge a segment in one end's name. Timers fire in any order
 * once armed, and the clock moves to the expiry of the one that fires.
 * Payloads are never stored: the octet at sequence number s of any stream
 * is w_pattern(s), and the checks make sure that queues and reads hold
 * exactly that, so a state can be rebuilt from its sequence numbers.
 */
#ifndef _ETP_EXPLORE_WORLD_H
#define _ETP_EXPLORE_WORLD_H

#include <stdio.h>

#include "fsm.h"
#include "transitions.h"

#define W_A		0
#define W_B		1
#define W_BAG		8	/* segments in flight at most; more are lost */
#define W_MAXINC	3	/* connections an end may open, one at a time */

enum w_kind {
	W_CONNECT,		/* user calls */
	W_LISTEN,
	W_UNLISTEN,
	W_CLOSE,
	W_ABORT,
	W_WRITE,		/* arg: octets; 0: w_config's write_len */
	W_READ,			/* arg: octets at most; 0: all there is */
	W_TIMER,		/* arg: enum etp_timer_id */
	W_DELIVER,		/* arg: bag index; the network */
	W_LOSE,
	W_DUP,
	W_FORGE,		/* in end's name, to the other end */
	W_INJECT,		/* the fuzzer's: any segment, now */
	/* The fuzzer's too, never offered by w_enabled(): */
	W_WAIT,			/* the clock moves on arg * W_WAIT_MS */
	W_ICMP,			/* arg: w_icmp_arg() */
	W_KINDS
};

#define W_WAIT_MS	20

/*
 * W_ICMP's arg: bit 0 the error (enum etp_icmp), bits 1-3 the sequence
 * number it quotes (SND.UNA - 1, SND.UNA, SND.UNA + 1, the middle of the
 * flight, SND.MAX - 1, SND.MAX, SND.NXT, the ISS), bits 4-7 the MTU of a
 * fragmentation needed (80 + 40 * n octets).
 */
#define W_ICMP_MTU(arg)	(80u + 40u * ((arg) >> 4))

struct w_event {
	u8 kind;
	u8 end;
	u8 arg;
};

/* What the explorer may do: the model's bounds. */
struct w_config {
	struct etp_params p;
	u32 iss[2][W_MAXINC];	/* each end's ISS, per connection */
	u8 max_conns[2];	/* connections per end (incarnations) */
	bool b_listens;		/* B may listen ... */
	bool b_connects;	/* ... or open actively (simultaneous open) */
	bool unlisten;		/* B's user may close the listener */
	u8 writes;		/* write calls per connection */
	u8 write_len;		/* octets each */
	u8 loss, dup, forge;	/* the network's budgets per run */
	u8 forge_len;		/* octets a forged segment carries */
};

/* A segment in flight. Its payload is w_pattern() from s.seq on. */
struct w_seg {
	struct etp_seg s;
	u8 to;
	u8 forged;
	u8 pad[2];
};

/* One connection an end opened or accepted, and what its user did. */
struct w_inc {
	u32 iss;
	u32 written;		/* octets its user queued */
};

struct w_conn {
	struct etp_tcb t;
	struct etp_stream *st;
	u64 due[ETP_T_MAX];	/* now_us when each armed timer fires */
	u8 armed;		/* ETP_T_BIT() set */
	u8 inc;			/* index into w_end.inc */
	u8 writes;
	bool closed;		/* its user called close */
	bool eof;		/* its user read the end of the stream */
	u32 nread;		/* octets its user read (or left to linger) */
};

struct w_end {
	bool live;		/* c is a connection in the table */
	bool listening;		/* lt is a listener in the table */
	u8 listens;
	u8 ninc;
	struct w_conn c;
	struct etp_tcb lt;
	struct w_inc inc[W_MAXINC];
};

struct world {
	u64 now_us;
	struct w_end e[2];
	u8 nbag;
	u8 loss, dup, forge;	/* budgets left */
	bool forged;		/* the network forged a segment: no ISN or
				 * completeness promise holds any more */
	struct w_seg bag[W_BAG];
};

/* Properties (docs/verification.md), one bit each. */
enum w_prop {
	P_TABLE,		/* a transition not in docs/protocol.md 4.2 */
	P_ACTIONS,		/* actions inconsistent with the tcb */
	P_RST_RST,		/* a RST answered with a RST */
	P_SEQ,			/* a sequence variable moved backwards */
	P_TIME_WAIT,		/* TIME_WAIT left but by its timer or abort */
	P_ISN,			/* ESTABLISHED pair disagreeing on the ISNs */
	P_DATA,			/* bytes not in order, or not exactly once */
	P_STUCK,		/* no way to CLOSED (explorer) */
	P_LIVELOCK,		/* a cycle of segments alone (explorer) */
	P_MAX
};

extern const char * const w_prop_names[P_MAX];

/* What happened in one step, for the ladder. */
enum w_note_kind {
	N_SEND,			/* end sent seg (lost: the bag was full) */
	N_STATE,		/* end's conn (or listener) went old -> new */
	N_READ,			/* end's user read n octets (eof) */
	N_WRITE,		/* end's user queued n octets */
};

struct w_note {
	u8 kind;
	u8 end;
	u8 old_state, new_state;
	bool destroy, lost, listener;
	bool forged;		/* N_SEND: the network's, in end's name */
	u32 n;
	struct etp_seg seg;
};

struct w_observer {
	void (*note)(void *ctx, const struct w_note *n);
	/* every transition taken: end, actions, trigger, the row (or -1) */
	void (*transition)(void *ctx, int end, const struct etp_actions *act,
			   enum etp_trigger trig, u8 seg_flags, int row,
			   const struct etp_seg *sent);
	void *ctx;
};

/* The result of a step. */
struct w_result {
	u32 violated;		/* 1 << enum w_prop */
	char why[P_MAX][160];	/* each violation, in words */
};

u8 w_pattern(u32 seq);

void w_init(struct world *w, const struct w_config *cfg);
void w_free(struct world *w);
/* dst becomes an independent copy of src (its own queues). */
void w_copy(struct world *dst, const struct world *src);

/* The events possible now, into ev (room for W_EVENTS_MAX): how many. */
#define W_EVENTS_MAX	64
int w_enabled(const struct world *w, const struct w_config *cfg,
	      struct w_event *ev);
void w_step(struct world *w, const struct w_config *cfg,
	    const struct w_event *ev, const struct w_observer *obs,
	    struct w_result *res);
/* W_INJECT: seg delivered to end `to` at once, forged. */
void w_inject(struct world *w, const struct w_config *cfg, int to,
	      const struct etp_seg *seg, const struct w_observer *obs,
	      struct w_result *res);

/* No connection left on either end (a listener may stay). */
bool w_quiet(const struct world *w);

/*
 * The canonical form of a state (statistics left out, times relative to
 * now, the bag sorted), into buf of W_BLOB_MAX: its length. w_load()
 * rebuilds a world from it, at a fixed now.
 */
#define W_BLOB_MAX	4096
u32 w_save(const struct world *w, const struct w_config *cfg, u8 *buf);
void w_load(struct world *w, const struct w_config *cfg, const u8 *buf,
	    u32 len);

void w_event_name(const struct w_event *ev, char *buf, size_t room);
void w_seg_name(const struct etp_seg *s, char *buf, size_t room);

#endif /* _ETP_EXPLORE_WORLD_H */
