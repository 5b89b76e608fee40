// SPDX-License-Identifier: GPL-2.0
/*
 * Errors: usage errors (exit 1) and the kernel's refusals (exit 2), said in
 * the user's words. A command records what it sent with said(); the kernel
 * blames an attribute (NLMSGERR_ATTR_OFFS) and its message names attributes
 * ("ETP_A_LOCAL_PORT already has a listener"): both are turned back into
 * what the user typed ("port 7000 already has a listener"). In a batch,
 * every message names the line it is about ("etpctl: line 7: ...").
 *
 * Also the sockets: the one requests go on (etpctl_open) and the one the
 * commands that wait hear events on (events_open), each opened once per
 * process, so that a batch's lines share them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/etp.h>

#include "etpctl.h"

static void verrmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "etpctl: ");
	if (batch_line())
		fprintf(stderr, "line %lu: ", batch_line());
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
}

int errmsg(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrmsg(fmt, ap);
	va_end(ap);
	return code;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrmsg(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

static char said_attr[ETP_A_MAX + 1][64];
static char said_value[ETP_PARAM_MAX + 1][24];

void said(unsigned int attr, const char *fmt, ...)
{
	va_list ap;

	if (attr > ETP_A_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(said_attr[attr], sizeof(said_attr[attr]), fmt, ap);
	va_end(ap);
}

void said_reset(void)
{
	memset(said_attr, 0, sizeof(said_attr));
	memset(said_value, 0, sizeof(said_value));
}

void said_param(unsigned int param, const char *value)
{
	if (param <= ETP_PARAM_MAX)
		snprintf(said_value[param], sizeof(said_value[param]), "%s",
			 value);
}

/* The names of the attributes, as the kernel's messages spell them. */
static const char *const attr_names[ETP_A_MAX + 1] = {
	[ETP_A_PARAMS]		= "ETP_A_PARAMS",
	[ETP_A_CONN_ID]		= "ETP_A_CONN_ID",
	[ETP_A_STATE]		= "ETP_A_STATE",
	[ETP_A_LOCAL_ADDR]	= "ETP_A_LOCAL_ADDR",
	[ETP_A_LOCAL_PORT]	= "ETP_A_LOCAL_PORT",
	[ETP_A_REMOTE_ADDR]	= "ETP_A_REMOTE_ADDR",
	[ETP_A_REMOTE_PORT]	= "ETP_A_REMOTE_PORT",
	[ETP_A_BACKLOG]		= "ETP_A_BACKLOG",
};

/* The top-level attribute the kernel blamed, or 0. */
static unsigned int blamed(const struct etp_nl *nl)
{
	return nl && nl->bad_depth == 1 ? nl->bad_attr[0] : 0;
}

/* The parameter (inside ETP_A_PARAMS) the kernel blamed, or 0. */
static unsigned int blamed_param(const struct etp_nl *nl)
{
	return nl && nl->bad_depth == 2 && nl->bad_attr[0] == ETP_A_PARAMS ?
	       nl->bad_attr[1] : 0;
}

/*
 * The kernel's message with every attribute name the user gave a value
 * for replaced by those words; "ETP_A_CONN_ID: no such connection"
 * becomes "connection 7: no such connection".
 */
static void user_words(char *out, size_t len, const char *msg)
{
	size_t n = 0, k;
	unsigned int a;
	const char *name;

	while (*msg && n + 1 < len) {
		for (a = 1; a <= ETP_A_MAX; a++) {
			name = attr_names[a];
			if (name && said_attr[a][0] &&
			    !strncmp(msg, name, strlen(name)))
				break;
		}
		if (a > ETP_A_MAX) {
			out[n++] = *msg++;
			continue;
		}
		k = strlen(said_attr[a]);
		if (n + k >= len)
			break;
		memcpy(out + n, said_attr[a], k);
		n += k;
		msg += strlen(attr_names[a]);
	}
	out[n] = '\0';
}

/* The message for the refusals etpctl knows; NULL for the others. */
static const char *known_refusal(struct etp_nl *nl, int err, const char *what,
				 char *buf, size_t len)
{
	unsigned int attr = blamed(nl), param = blamed_param(nl);
	const char *extack = nl ? nl->extack : "";
	const char *state;
	uint32_t min, max;

	switch (err) {
	case EPERM:
	case EACCES:
		snprintf(buf, len,
			 "%s: changing etp needs CAP_NET_ADMIN (in the user namespace that owns the network namespace)",
			 strerror(err));
		return buf;
	case ENETUNREACH:
	case EHOSTUNREACH:
		if (!said_attr[ETP_A_REMOTE_ADDR][0])
			return NULL;
		snprintf(buf, len, "no route to %s%s%s (%s)",
			 said_attr[ETP_A_REMOTE_ADDR],
			 said_attr[ETP_A_LOCAL_ADDR][0] ? " from " : "",
			 said_attr[ETP_A_LOCAL_ADDR], strerror(err));
		return buf;
	case ENOENT:
		if (attr == ETP_A_CONN_ID && said_attr[attr][0]) {
			snprintf(buf, len, "no %s", said_attr[attr]);
			return buf;
		}
		if (attr == ETP_A_LOCAL_PORT && said_attr[attr][0]) {
			snprintf(buf, len, "nothing listens on %s",
				 said_attr[attr]);
			return buf;
		}
		return NULL;
	case EADDRINUSE:
		if (said_attr[ETP_A_REMOTE_ADDR][0] &&
		    said_attr[ETP_A_LOCAL_PORT][0]) {
			snprintf(buf, len,
				 "a connection from %s to %s %s already exists",
				 said_attr[ETP_A_LOCAL_PORT],
				 said_attr[ETP_A_REMOTE_ADDR],
				 said_attr[ETP_A_REMOTE_PORT]);
			return buf;
		}
		return NULL;
	case EINVAL:
		state = strstr(extack, "in state ");
		if (attr != ETP_A_CONN_ID || !said_attr[attr][0] || !state)
			return NULL;
		snprintf(buf, len, "%s is in state %s, where %s is not valid",
			 said_attr[attr], state + strlen("in state "), what);
		return buf;
	case ERANGE:
		if (param && param_name(param) &&
		    param_range(param, &min, &max)) {
			snprintf(buf, len, "%s %s is out of range: must be %u..%u",
				 param_name(param), said_value[param], min, max);
			return buf;
		}
		if (attr && said_attr[attr][0] && nl->has_range) {
			snprintf(buf, len,
				 "%s is out of range: must be %" PRIu64 "..%" PRIu64,
				 said_attr[attr], nl->range_min, nl->range_max);
			return buf;
		}
		return NULL;
	}
	return NULL;
}

int kernel_error(struct etp_nl *nl, int err, const char *what)
{
	char buf[2048], words[1024];	/* the kernel's words, the user's */
	const char *msg;

	err = -err;
	msg = known_refusal(nl, err, what, buf, sizeof(buf));
	if (!msg && nl && nl->extack[0]) {
		user_words(words, sizeof(words), nl->extack);
		snprintf(buf, sizeof(buf), "%s", words);
		msg = buf;
	}
	if (!msg)
		msg = strerror(err);
	return errmsg(EXIT_KERNEL, "%s: %s", what, msg);
}

/* Open nl (once): 0, or EXIT_KERNEL with the reason printed. */
int etpctl_open(struct etp_nl *nl)
{
	int err;

	if (nl->sock)
		return 0;
	err = nl_open(nl, ETP_GENL_NAME);
	if (err == -ENOENT)
		return errmsg(EXIT_KERNEL,
			      "generic netlink family '%s' not found (is etp.ko loaded?): %s",
			      ETP_GENL_NAME, strerror(ENOENT));
	if (err)
		return kernel_error(nl, err, "netlink");
	return 0;
}

int subscribe_family_events(struct etp_nl *nl)
{
	struct etp_nl ctrl;
	uint32_t group = 0;
	int i, err;

	err = nl_open(&ctrl, "nlctrl");
	if (err)
		return err;
	for (i = 0; i < NL_MAX_GROUPS; i++)
		if (!strcmp(ctrl.groups[i].name, "notify"))
			group = ctrl.groups[i].id;
	nl_close(&ctrl);
	if (!group)
		return -ENOENT;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

static struct etp_nl events;
static unsigned int events_joined;	/* EV_* */

int events_open(struct etp_nl **ev, unsigned int groups, const char *what)
{
	unsigned int join;
	int err = 0;

	if (!events.sock) {
		events_joined = 0;
		err = nl_open(&events, ETP_GENL_NAME);
		if (!err)
			nl_set_rcvbuf(&events, 1 << 20);
	}
	join = groups & ~events_joined;
	if (!err && (join & EV_STATE))
		err = nl_subscribe(&events, ETP_MCGRP_STATE);
	if (!err && (join & EV_DATA))
		err = nl_subscribe(&events, ETP_MCGRP_DATA);
	if (!err && (join & EV_FAMILY))
		err = subscribe_family_events(&events);
	if (err) {
		nl_close(&events);
		return kernel_error(&events, err, what);
	}
	events_joined |= groups;
	*ev = &events;
	return 0;
}

void events_drain(void)
{
	int i;

	/* An overrun is reported once, then the rest is read. */
	for (i = 0; events.sock && i < 4; i++)
		if (nl_drain(&events, NULL, NULL) != -ENOBUFS)
			break;
}

void events_close(void)
{
	nl_close(&events);
}

bool family_gone(const struct etp_nl *nl, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];

	if (nlh->nlmsg_type != GENL_ID_CTRL ||
	    genl->cmd != CTRL_CMD_DELFAMILY ||
	    nl_parse(nlh, tb, CTRL_ATTR_MAX) || !tb[CTRL_ATTR_FAMILY_ID])
		return false;
	return mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]) == nl->family;
}
