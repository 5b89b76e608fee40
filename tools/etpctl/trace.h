/* SPDX-License-Identifier: GPL-2.0 */
/*
 * etpctl trace: segment and timer events from one namespace, or from two
 * (this one on the left, `peer NETNS` on the right), drawn as a ladder.
 */
#ifndef ETPCTL_TRACE_H
#define ETPCTL_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

enum tev_kind { TEV_SEGMENT, TEV_TIMER };

/* One event, from the side (0: left, 1: right) whose kernel reported it. */
struct tev {
	int side;
	enum tev_kind kind;
	uint64_t ts;			/* CLOCK_MONOTONIC, ns */
	uint32_t id;			/* connection id (0: none) */
	struct in_addr laddr, raddr;
	uint16_t lport, rport;
	uint8_t old_state, state;
	/* TEV_SEGMENT */
	uint8_t dir, flags;		/* enum etp_dir, ETP_FLAG_* */
	uint32_t seq, ack, rel_seq, rel_ack, len, win;
	bool has_rel_seq, has_rel_ack;
	int mss, wscale;		/* -1: option absent */
	char drop[32];			/* "" unless dropped */
	char fault[8];			/* "" unless a fault applied */
	/* TEV_TIMER */
	char timer[16];
	uint32_t backoff;
	/* the ladder's */
	int row;
	int pair;			/* the other side's event, or -1 */
};

/* A ladder: events in time order, the two sides' names. */
struct ladder {
	struct tev *ev;
	int n, cap;
	char side_name[2][32];		/* "198.18.0.1:40000", "peer" */
	uint8_t first_state[2];		/* before the first event; 0: unknown */
	bool two_sided;
	uint64_t t0;			/* the time 0 of the picture */
	int rows;
};

/*
 * The time of the newest segment sent but not (yet) seen arriving on a
 * two-sided ladder, unless a fault dropped it; 0 if none.
 */
uint64_t ladder_in_flight(struct ladder *l);
/* Pair sends with receipts, give each event its row (ladder.c). */
void ladder_layout(struct ladder *l);
/* The layout as text, rows in time order down the page. */
void ladder_text(const struct ladder *l, FILE *f);
/* ... and as an SVG picture. */
int ladder_svg(const struct ladder *l, FILE *f);
/* "SYN|ACK 0 ack 1 len 10", the label of a segment's arrow. */
const char *tev_label(const struct tev *e, char *buf, size_t len);

#endif
