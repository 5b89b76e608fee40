/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ETPCTL_NL_H
#define ETPCTL_NL_H

#include <stdint.h>
#include <libmnl/libmnl.h>

struct etp_nl {
	struct mnl_socket *sock;
	uint16_t family;
	uint32_t mcgrp_state;
	unsigned int seq;
	unsigned int portid;
	char extack[256];	/* the kernel's message for the last error */
};

/* Each returns 0 or a negative errno; on error nl->extack may say why. */
int nl_open(struct etp_nl *nl);
void nl_close(struct etp_nl *nl);
struct nlmsghdr *nl_msg(struct etp_nl *nl, void *buf, uint8_t cmd,
			uint16_t flags);
int nl_talk(struct etp_nl *nl, struct nlmsghdr *req, mnl_cb_t cb,
	    void *data);
int nl_subscribe(struct etp_nl *nl, uint32_t group);
int nl_listen(struct etp_nl *nl, mnl_cb_t cb, void *data);

/* Attributes of a genetlink message, indexed by type (up to max). */
int nl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb, int max);
int nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		    int max);

#endif
