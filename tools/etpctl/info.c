// SPDX-License-Identifier: GPL-2.0
/* etpctl info, stats, param: module facts and per-netns knobs. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
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

bool param_range(unsigned int attr, uint32_t *min, uint32_t *max)
{
	if (!param_name(attr) || params[attr].min > params[attr].max)
		return false;
	*min = params[attr].min;
	*max = params[attr].max;
	return true;
}

const char *param_names(void)
{
	static char buf[ETP_PARAM_MAX * 33];
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 1; i <= ETP_PARAM_MAX; i++)
		if (param_name(i))
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      n ? " " : "", param_name(i));
	return buf;
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
	struct arg args[] = { ARG_END };
	int err;

	if (args_parse("info", argc, argv, args))
		return EXIT_USAGE;
	err = etpctl_open(nl);
	if (err)
		return err;
	err = nl_talk(nl, nl_msg(nl, buf, ETP_CMD_INFO, 0), info_cb, NULL);
	return err ? kernel_error(nl, err, "info") : 0;
}

static int module_info_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1];
	struct module_info *mi = data;

	if (nl_parse(nlh, tb, ETP_A_MAX))
		return MNL_CB_ERROR;
	if (tb[ETP_A_VERSION] &&
	    !mnl_attr_validate(tb[ETP_A_VERSION], MNL_TYPE_NUL_STRING))
		snprintf(mi->version, sizeof(mi->version), "%s",
			 mnl_attr_get_str(tb[ETP_A_VERSION]));
	if (tb[ETP_A_PROTOCOL])
		mi->protocol = mnl_attr_get_u8(tb[ETP_A_PROTOCOL]);
	return MNL_CB_OK;
}

int module_info_get(struct module_info *mi)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct etp_nl nl;
	int err;

	memset(mi, 0, sizeof(*mi));
	snprintf(mi->version, sizeof(mi->version), "unknown");
	err = nl_open(&nl, ETP_GENL_NAME);
	if (err)
		return err;
	err = nl_talk(&nl, nl_msg(&nl, buf, ETP_CMD_INFO, 0), module_info_cb,
		      mi);
	nl_close(&nl);
	return err;
}

/* The counters of one STATS_GET, in the kernel's order. */
#define MAX_STATS	256

struct stats {
	int n;
	struct {
		char name[48];
		uint64_t value;
	} c[MAX_STATS];
};

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1], *st[ETP_A_STAT_MAX + 1];
	const struct nlattr *stat;
	struct stats *sv = data;

	if (nl_parse(nlh, tb, ETP_A_MAX) || !tb[ETP_A_STATS])
		return MNL_CB_ERROR;
	mnl_attr_for_each_nested(stat, tb[ETP_A_STATS]) {
		if (nl_parse_nested(stat, st, ETP_A_STAT_MAX) ||
		    !st[ETP_A_STAT_NAME] || !st[ETP_A_STAT_VALUE] ||
		    sv->n == MAX_STATS)
			continue;
		snprintf(sv->c[sv->n].name, sizeof(sv->c[sv->n].name), "%s",
			 mnl_attr_get_str(st[ETP_A_STAT_NAME]));
		sv->c[sv->n++].value = mnl_attr_get_u64(st[ETP_A_STAT_VALUE]);
	}
	return MNL_CB_OK;
}

static int stats_get(struct etp_nl *nl, struct stats *sv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int err;

	sv->n = 0;
	err = nl_talk(nl, nl_msg(nl, buf, ETP_CMD_STATS_GET, 0), stats_cb, sv);
	return err ? kernel_error(nl, err, "stats") : 0;
}

static void stats_print(const struct stats *sv, const struct stats *base,
			bool all)
{
	uint64_t v;
	int i, j;

	print_obj_begin(NULL);
	for (i = 0; i < sv->n; i++) {
		v = sv->c[i].value;
		for (j = 0; base && j < base->n; j++)
			if (!strcmp(base->c[j].name, sv->c[i].name))
				v -= base->c[j].value;
		if (!v && base && !all)
			continue;
		print_u64(sv->c[i].name, v);
		print_nl();
	}
	print_obj_end();
	print_flush();
}

/*
 * `stats delta` keeps the last counters it saw per user and network
 * namespace, as nstat(8) does: $ETPCTL_STATS_HISTORY, or
 * ${TMPDIR:-/tmp}/.etpctl-stats.u<uid>.net<namespace inode>.
 */
static const char *history_path(void)
{
	static char path[4096];
	const char *env = getenv("ETPCTL_STATS_HISTORY");
	const char *tmp = getenv("TMPDIR");
	struct stat st;

	if (env && *env)
		return env;
	if (stat("/proc/self/ns/net", &st))
		st.st_ino = 0;
	snprintf(path, sizeof(path), "%s/.etpctl-stats.u%u.net%lu",
		 tmp && *tmp ? tmp : "/tmp", (unsigned int)getuid(),
		 (unsigned long)st.st_ino);
	return path;
}

/* Only a regular file of ours, never through a symlink. */
static void history_load(const char *path, struct stats *sv)
{
	char name[48];
	unsigned long long v;
	struct stat st;
	FILE *f;
	int fd;

	sv->n = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != getuid()) {
		close(fd);
		return;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return;
	}
	while (sv->n < MAX_STATS &&
	       fscanf(f, "%47s %llu", name, &v) == 2) {
		snprintf(sv->c[sv->n].name, sizeof(sv->c[sv->n].name), "%s",
			 name);
		sv->c[sv->n++].value = v;
	}
	fclose(f);
}

static int history_save(const char *path, const struct stats *sv)
{
	char tmp[4200];
	FILE *f;
	int fd, i;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return -ENOMEM;
	}
	for (i = 0; i < sv->n; i++)
		fprintf(f, "%s %" PRIu64 "\n", sv->c[i].name, sv->c[i].value);
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -errno;
	}
	return 0;
}

/* A counter went down: etp.ko was reloaded; count from zero again. */
static bool stats_reset(const struct stats *sv, const struct stats *base)
{
	int i, j;

	for (i = 0; i < sv->n; i++)
		for (j = 0; j < base->n; j++)
			if (!strcmp(base->c[j].name, sv->c[i].name) &&
			    base->c[j].value > sv->c[i].value)
				return true;
	return false;
}

int cmd_stats(struct etp_nl *nl, int argc, char **argv)
{
	static struct stats now, base;
	bool delta = false, all = false;
	unsigned int interval = 0;
	struct arg args[] = {
		ARG_KW("delta", NULL, ARG_FLAG, &delta),
		ARG_KW("interval", "SECONDS", ARG_SECONDS, &interval),
		ARG_KW("all", NULL, ARG_FLAG, &all),
		ARG_END
	};
	const char *path;
	int err;

	if (args_parse("stats", argc, argv, args))
		return EXIT_USAGE;
	if (delta && interval)
		return usage_error("stats: delta or interval, not both");
	if (all && !delta && !interval)
		return usage_error("stats: 'all' goes with delta or interval (plain stats shows every counter)");
	err = etpctl_open(nl);
	if (err)
		return err;
	if (interval) {
		err = stats_get(nl, &base);
		if (err)
			return err;
		sleep(interval);
	}
	err = stats_get(nl, &now);
	if (err)
		return err;
	if (delta) {
		path = history_path();
		history_load(path, &base);
		if (stats_reset(&now, &base))
			base.n = 0;
		err = history_save(path, &now);
		if (err)
			errmsg(0, "stats: cannot save %s: %s", path,
			       strerror(-err));
	}
	stats_print(&now, delta || interval ? &base : NULL, all);
	return 0;
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
	uint32_t value[ETP_PARAM_MAX + 1];
	bool given[ETP_PARAM_MAX + 1] = { false };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint32_t min = 0, max = UINT32_MAX;
	uint64_t v;
	int i, attr, err;

	if (!argc)
		return usage_error("param set: missing NAME VALUE (see 'etpctl param show')");
	if (argc % 2)
		return usage_error("param set: %s needs a VALUE", argv[argc - 1]);
	for (i = 0; i < argc; i += 2)
		if (parse_uint(argv[i + 1], UINT64_MAX, &v) == -EINVAL)
			return usage_error("param set: %s: '%s' is not a decimal number",
					   argv[i], argv[i + 1]);
	err = etpctl_open(nl);
	if (err)
		return err;
	/* The parameters' names and ranges are the kernel's: ask first. */
	err = nl_talk(nl, nl_msg(nl, buf, ETP_CMD_PARAM_GET, 0),
		      param_show_cb, NULL);
	if (err)
		return kernel_error(nl, err, "param set");
	for (i = 0; i < argc; i += 2) {
		attr = param_by_name(argv[i]);
		if (attr < 0)
			return usage_error("param set: unknown parameter '%s' (one of: %s)",
					   argv[i], param_names());
		if (given[attr])
			return usage_error("param set: %s given twice", argv[i]);
		given[attr] = true;
		said_param(attr, argv[i + 1]);
		if (parse_u32(argv[i + 1], &value[attr])) {
			/* Beyond 32 bits: refused as the kernel would. */
			param_range(attr, &min, &max);
			return errmsg(EXIT_KERNEL,
				      "param set: %s %s is out of range: must be %u..%u",
				      argv[i], argv[i + 1], min, max);
		}
	}
	nlh = nl_msg(nl, buf, ETP_CMD_PARAM_SET, 0);
	nest = mnl_attr_nest_start(nlh, ETP_A_PARAMS);
	for (attr = 1; attr <= ETP_PARAM_MAX; attr++)
		if (given[attr])
			mnl_attr_put_u32(nlh, attr, value[attr]);
	mnl_attr_nest_end(nlh, nest);
	err = nl_talk(nl, nlh, NULL, NULL);
	return err ? kernel_error(nl, err, "param set") : 0;
}

int cmd_param(struct etp_nl *nl, int argc, char **argv)
{
	static const char *const subs[] = { "show", "set" };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int sub = 0, err;

	if (argc >= 1) {
		sub = find_word(argv[0], subs, 2);
		if (sub < 0)
			return usage_error("param: %s '%s' (param show | param set NAME VALUE...)",
					   sub == -2 ? "ambiguous" : "unknown subcommand",
					   argv[0]);
	}
	if (sub == 1)
		return param_set(nl, argc - 1, argv + 1);
	if (argc > 1)
		return usage_error("param show: unknown argument '%s'", argv[1]);
	err = etpctl_open(nl);
	if (err)
		return err;
	err = nl_talk(nl, nl_msg(nl, buf, ETP_CMD_PARAM_GET, 0),
		      param_show_cb, nl);
	return err ? kernel_error(nl, err, "param show") : 0;
}
