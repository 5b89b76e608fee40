// SPDX-License-Identifier: GPL-2.0
/* etpctl: drive and watch etp connections over generic netlink. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/etp.h>

#include "etpctl.h"
#include "print.h"

static const struct cmd cmds[] = {
	{ "info",  cmd_info,  "info" },
	{ "stats", cmd_stats, "stats" },
	{ "param", cmd_param, "param show | param set NAME VALUE [NAME VALUE]..." },
	{ "listen", cmd_listen, "listen PORT [backlog N]" },
	{ "unlisten", cmd_unlisten, "unlisten PORT" },
	{ "connect", cmd_connect, "connect ADDR PORT [sport P] [wait]" },
	{ "close", cmd_close, "close ID" },
	{ "abort", cmd_abort, "abort ID" },
	{ "show", cmd_show, "show [ID] [state STATE] [port P]" },
	{ "monitor", cmd_monitor, "monitor" },
	{ "send", cmd_send, "send ID [FILE] [--close] [-v]" },
	{ "recv", cmd_recv, "recv ID [FILE] [-v]" },
	{ "cat", cmd_cat, "cat ADDR PORT" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: etpctl [-j] COMMAND [ARGS]\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "       etpctl %s\n", cmds[i].usage);
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "etpctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return EXIT_USAGE;
}

/* Names of the attributes etpctl sends, for errors that blame one. */
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

/* "ETP_A_BACKLOG", or a parameter's name ("msl_ms") inside ETP_A_PARAMS. */
static const char *bad_attr_name(const struct etp_nl *nl)
{
	static char buf[32];
	unsigned int type = nl->bad_attr[nl->bad_depth - 1];
	const char *name = NULL;

	if (nl->bad_depth == 1 && type <= ETP_A_MAX)
		name = attr_names[type];
	else if (nl->bad_depth == 2 && nl->bad_attr[0] == ETP_A_PARAMS)
		name = param_name(type);
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "attribute %u", type);
	return buf;
}

int kernel_error(struct etp_nl *nl, int err, const char *what)
{
	const char *attr = NULL;

	if (nl && nl->bad_depth)
		attr = bad_attr_name(nl);
	fprintf(stderr, "etpctl: %s: %s", what, strerror(-err));
	if (nl && nl->extack[0])
		fprintf(stderr, ": %s", nl->extack);
	/* The netlink core's policy messages do not name the attribute. */
	if (attr && !strstr(nl->extack, attr))
		fprintf(stderr, " (%s)", attr);
	fprintf(stderr, "\n");
	return EXIT_KERNEL;
}

/* Open nl (once): 0, or EXIT_KERNEL with the reason printed. */
int etpctl_open(struct etp_nl *nl)
{
	int err;

	if (nl->sock)
		return 0;
	err = nl_open(nl, ETP_GENL_NAME);
	if (err == -ENOENT)
		return kernel_error(NULL, err,
				    "generic netlink family '" ETP_GENL_NAME
				    "' not found (is etp.ko loaded?)");
	if (err)
		return kernel_error(nl, err, "netlink");
	return 0;
}

int parse_u32(const char *s, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end || *s == '-' || v > 0xffffffffUL)
		return -EINVAL;
	*out = v;
	return 0;
}

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cmd *cmd;
	struct etp_nl nl;
	int ret;

	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-j") || !strcmp(argv[1], "-json")) {
			print_set_json(true);
		} else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return usage_error("unknown option '%s'", argv[1]);
		}
		argc--;
		argv++;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = find_cmd(argv[1]);
	if (!cmd) {
		usage(stderr);
		return usage_error("unknown command '%s'", argv[1]);
	}

	/* Commands check their arguments before they open the socket. */
	memset(&nl, 0, sizeof(nl));
	ret = cmd->fn(&nl, argc - 2, argv + 2);
	nl_close(&nl);
	return ret;
}
