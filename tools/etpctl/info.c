// SPDX-License-Identifier: GPL-2.0
/* etpctl info, stats, param: module facts and per-netns knobs. */
#include <stdio.h>
#include <string.h>
#include <linux/etp.h>

#include "etpctl.h"
#include "print.h"

static const char *const param_names[ETP_PARAM_MAX + 1] = {
	[ETP_PARAM_MSL_MS]		= "msl_ms",
	[ETP_PARAM_RTO_INITIAL_MS]	= "rto_initial_ms",
	[ETP_PARAM_SYN_RETRIES]		= "syn_retries",
	[ETP_PARAM_RETRIES]		= "retries",
	[ETP_PARAM_BACKLOG]		= "backlog",
	[ETP_PARAM_MAX_CONNS]		= "max_conns",
	[ETP_PARAM_FIN_WAIT2_MS]	= "fin_wait2_ms",
};

const char *param_name(unsigned int attr)
{
	return attr <= ETP_PARAM_MAX ? param_names[attr] : NULL;
}

static int param_by_name(const char *name)
{
	int i;

	for (i = 1; i <= ETP_PARAM_MAX; i++)
		if (param_names[i] && !strcmp(param_names[i], name))
			return i;
	return -1;
}

static void print_params(const struct nlattr *nest, bool one_per_line)
{
	const struct nlattr *tb[ETP_PARAM_MAX + 1];
	int i;

	if (nl_parse_nested(nest, tb, ETP_PARAM_MAX))
		return;
	for (i = 1; i <= ETP_PARAM_MAX; i++) {
		if (!tb[i] || !param_names[i])
			continue;
		if (one_per_line)
			print_nl();
		print_u64(param_names[i], mnl_attr_get_u32(tb[i]));
	}
}

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1];

	if (nl_parse(nlh, tb, ETP_A_MAX))
		return MNL_CB_ERROR;
	print_obj_begin(NULL);
	if (tb[ETP_A_VERSION])
		print_str("version", mnl_attr_get_str(tb[ETP_A_VERSION]));
	if (tb[ETP_A_PROTOCOL])
		print_u64("protocol", mnl_attr_get_u8(tb[ETP_A_PROTOCOL]));
	if (tb[ETP_A_PARAMS]) {
		print_nl();
		print_obj_begin("params");
		print_params(tb[ETP_A_PARAMS], false);
		print_obj_end();
	}
	print_obj_end();
	print_flush();
	return MNL_CB_OK;
}

int cmd_info(struct etp_nl *nl, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int err;

	if (argc)
		return usage_error("info takes no arguments");
	err = etpctl_open(nl);
	if (err)
		return err;
	err = nl_talk(nl, nl_msg(nl, buf, ETP_CMD_INFO, 0), info_cb, NULL);
	return err ? kernel_error(nl, err, "info") : 0;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1], *st[ETP_A_STAT_MAX + 1];
	const struct nlattr *stat;

	if (nl_parse(nlh, tb, ETP_A_MAX) || !tb[ETP_A_STATS])
		return MNL_CB_ERROR;
	print_obj_begin(NULL);
	mnl_attr_for_each_nested(stat, tb[ETP_A_STATS]) {
		if (nl_parse_nested(stat, st, ETP_A_STAT_MAX) ||
		    !st[ETP_A_STAT_NAME] || !st[ETP_A_STAT_VALUE])
			continue;
		print_u64(mnl_attr_get_str(st[ETP_A_STAT_NAME]),
			  mnl_attr_get_u64(st[ETP_A_STAT_VALUE]));
		print_nl();
	}
	print_obj_end();
	print_flush();
	return MNL_CB_OK;
}

int cmd_stats(struct etp_nl *nl, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int err;

	if (argc)
		return usage_error("stats takes no arguments");
	err = etpctl_open(nl);
	if (err)
		return err;
	err = nl_talk(nl, nl_msg(nl, buf, ETP_CMD_STATS_GET, 0), stats_cb,
		      NULL);
	return err ? kernel_error(nl, err, "stats") : 0;
}

static int param_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1];

	if (nl_parse(nlh, tb, ETP_A_MAX) || !tb[ETP_A_PARAMS])
		return MNL_CB_ERROR;
	print_obj_begin(NULL);
	print_params(tb[ETP_A_PARAMS], true);
	print_obj_end();
	print_flush();
	return MNL_CB_OK;
}

static int param_set(struct etp_nl *nl, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	unsigned int value;
	int i, attr, err;

	if (argc < 2 || argc % 2)
		return usage_error("param set NAME VALUE [NAME VALUE]...");
	for (i = 0; i < argc; i += 2) {
		if (param_by_name(argv[i]) < 0)
			return usage_error("unknown parameter '%s'", argv[i]);
		if (parse_u32(argv[i + 1], &value))
			return usage_error("%s: '%s' is not a number",
					   argv[i], argv[i + 1]);
	}
	err = etpctl_open(nl);
	if (err)
		return err;
	nlh = nl_msg(nl, buf, ETP_CMD_PARAM_SET, 0);
	nest = mnl_attr_nest_start(nlh, ETP_A_PARAMS);
	for (i = 0; i < argc; i += 2) {
		attr = param_by_name(argv[i]);
		parse_u32(argv[i + 1], &value);
		mnl_attr_put_u32(nlh, attr, value);
	}
	mnl_attr_nest_end(nlh, nest);
	err = nl_talk(nl, nlh, NULL, NULL);
	return err ? kernel_error(nl, err, "param set") : 0;
}

int cmd_param(struct etp_nl *nl, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int err;

	if (argc >= 1 && !strcmp(argv[0], "set"))
		return param_set(nl, argc - 1, argv + 1);
	if (argc > 1 || (argc == 1 && strcmp(argv[0], "show")))
		return usage_error("param show | param set NAME VALUE...");
	err = etpctl_open(nl);
	if (err)
		return err;
	err = nl_talk(nl, nl_msg(nl, buf, ETP_CMD_PARAM_GET, 0),
		      param_show_cb, NULL);
	return err ? kernel_error(nl, err, "param show") : 0;
}
