// SPDX-License-Identifier: GPL-2.0
/* etpctl info, stats, param: module facts and per-netns knobs. */
#include <stdio.h>
#include <string.h>
#include <linux/etp.h>

#include "etpctl.h"
#include "print.h"

/*
 * The kernel names and bounds its parameters (ETP_A_PARAM_INFO in the
 * INFO and PARAM_GET replies): etpctl keeps what it was told, by id.
 */
struct param_desc {
	char name[32];
	unsigned int min, max;
};

static struct param_desc params[ETP_PARAM_MAX + 1];

static void params_learn(const struct nlattr *info)
{
	const struct nlattr *desc, *tb[ETP_A_PARAM_DESC_MAX + 1];
	unsigned int id;

	mnl_attr_for_each_nested(desc, info) {
		if (nl_parse_nested(desc, tb, ETP_A_PARAM_DESC_MAX) ||
		    !tb[ETP_A_PARAM_DESC_ID] || !tb[ETP_A_PARAM_DESC_NAME])
			continue;
		id = mnl_attr_get_u16(tb[ETP_A_PARAM_DESC_ID]);
		if (id > ETP_PARAM_MAX)
			continue;
		snprintf(params[id].name, sizeof(params[id].name), "%s",
			 mnl_attr_get_str(tb[ETP_A_PARAM_DESC_NAME]));
		if (tb[ETP_A_PARAM_DESC_RANGE_MIN] &&
		    tb[ETP_A_PARAM_DESC_RANGE_MAX]) {
			params[id].min =
				mnl_attr_get_u32(tb[ETP_A_PARAM_DESC_RANGE_MIN]);
			params[id].max =
				mnl_attr_get_u32(tb[ETP_A_PARAM_DESC_RANGE_MAX]);
		}
	}
}

const char *param_name(unsigned int attr)
{
	return attr <= ETP_PARAM_MAX && params[attr].name[0] ?
	       params[attr].name : NULL;
}

static int param_by_name(const char *name)
{
	int i;

	for (i = 1; i <= ETP_PARAM_MAX; i++)
		if (!strcmp(params[i].name, name))
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
		if (!tb[i] || !param_name(i))
			continue;
		if (one_per_line)
			print_nl();
		print_u64(param_name(i), mnl_attr_get_u32(tb[i]));
	}
}

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1];

	if (nl_parse(nlh, tb, ETP_A_MAX))
		return MNL_CB_ERROR;
	if (tb[ETP_A_PARAM_INFO])
		params_learn(tb[ETP_A_PARAM_INFO]);
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
	if (tb[ETP_A_PARAM_INFO])
		params_learn(tb[ETP_A_PARAM_INFO]);
	if (!data)
		return MNL_CB_OK;
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
	for (i = 0; i < argc; i += 2)
		if (parse_u32(argv[i + 1], &value))
			return usage_error("%s: '%s' is not a number",
					   argv[i], argv[i + 1]);
	err = etpctl_open(nl);
	if (err)
		return err;
	/* The parameters' names are the kernel's: ask for them first. */
	err = nl_talk(nl, nl_msg(nl, buf, ETP_CMD_PARAM_GET, 0),
		      param_show_cb, NULL);
	if (err)
		return kernel_error(nl, err, "param set");
	for (i = 0; i < argc; i += 2)
		if (param_by_name(argv[i]) < 0)
			return usage_error("unknown parameter '%s'", argv[i]);
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
		      param_show_cb, nl);
	return err ? kernel_error(nl, err, "param show") : 0;
}
