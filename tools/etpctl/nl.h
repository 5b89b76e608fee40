/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ETPCTL_NL_H
#define ETPCTL_NL_H

#include <stdint.h>
#include <libmnl/libmnl.h>

#define NL_BAD_ATTR_DEPTH	4

struct etp_nl {
	struct mnl_socket *sock;
	uint16_t family;
	uint32_t mcgrp_state;
	unsigned int seq;
	unsigned int portid;
	char extack[256];	/* the kernel's message for the last error */
	/* The attribute it blamed: types from the outermost nest in. */
	uint16_t bad_attr[NL_BAD_ATTR_DEPTH];
	int bad_depth;		/* 0: none */
	const struct nlmsghdr *req;	/* during nl_talk */
};

/* Each returns 0 or a negative errno; on error nl->extack may say why. */
int nl_open(struct etp_nl *nl);
void nl_close(struct etp_nl *nl);
struct nlmsghdr *nl_msg(struct etp_nl *nl, void *buf, uint8_t cmd,
			uint16_t flags);
int nl_talk(struct etp_nl *nl, struct nlmsghdr *req, mnl_cb_t cb,
	    void *data);
int nl_subscribe(struct etp_nl *nl, uint32_t group);
void nl_set_rcvbuf(struct etp_nl *nl, int bytes);
/*
 * Read messages that are not replies (events) and pass each to cb until it
 * returns MNL_CB_STOP or MNL_CB_ERROR. Multicast events come one per read,
 * so stopping never drops the next one.
 */
int nl_listen(struct etp_nl *nl, mnl_cb_t cb, void *data);

/* Attributes of a genetlink message, indexed by type (up to max). */
int nl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb, int max);
int nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		    int max);

#endif
