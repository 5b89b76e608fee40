// SPDX-License-Identifier: GPL-2.0
/*
 * etpctl fault: deterministic faults of the namespace (docs/netlink.md,
 * "Faults"). "Lose the final ACK" is
 *	etpctl fault add drop out flags ACK state TIME_WAIT count 1
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/genetlink.h>
#include <linux/etp.h>

#include "etpctl.h"
#include "wire.h"
#include "print.h"

static const char *const actions[] = {
	[ETP_FAULT_DROP] = "drop", [ETP_FAULT_DELAY] = "delay",
	[ETP_FAULT_DUP] = "dup", [ETP_FAULT_HOLD] = "hold",
};

static const char *const dirs[] = { [ETP_DIR_IN] = "in", [ETP_DIR_OUT] = "out" };

/* "SYN|ACK" (or with , or +), case-insensitive; "none" is 0. */
int parse_flags(const char *s, uint8_t *out)
{
	char buf[64], *tok, *save;
	size_t i;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	*out = 0;
	if (!strcasecmp(s, "none"))
		return 0;
	strcpy(buf, s);
	for (tok = strtok_r(buf, "|,+", &save); tok;
	     tok = strtok_r(NULL, "|,+", &save)) {
		for (i = 0; i < ETP_FLAG_BITS; i++)
			if (!strcasecmp(tok, etp_wire_flag_name(i)))
				break;
		if (i == ETP_FLAG_BITS)
			return -EINVAL;
		*out |= 1u << i;
	}
	return *out ? 0 : -EINVAL;
}

/* "SYN|ACK"; "none" for 0. */
const char *flags_text(uint8_t flags)
{
	static char buf[ETP_FLAGS_NAME_MAX];

	etp_wire_flags_name(flags, buf, sizeof(buf));
	return buf;
}

static int word_of(const char *w, const char *const *names, int n)
{
	int i;

	for (i = 1; i < n; i++)
		if (names[i] && !strcmp(w, names[i]))
			return i;
	return -1;
}

static const enum mnl_attr_data_type fault_types[ETP_A_FAULT_MAX + 1] = {
	[ETP_A_FAULT_ID]	= MNL_TYPE_U32,
	[ETP_A_FAULT_ACTION]	= MNL_TYPE_U8,
	[ETP_A_FAULT_DIR]	= MNL_TYPE_U8,
	[ETP_A_FAULT_FLAGS]	= MNL_TYPE_U8,
	[ETP_A_FAULT_STATE]	= MNL_TYPE_U8,
	[ETP_A_FAULT_CONN_ID]	= MNL_TYPE_U32,
	[ETP_A_FAULT_DELAY_MS]	= MNL_TYPE_U32,
	[ETP_A_FAULT_LEFT]	= MNL_TYPE_U32,
	[ETP_A_FAULT_HELD]	= MNL_TYPE_U32,
};

static uint32_t fault_u32(const struct nlattr *a)
{
	return mnl_attr_get_type(a) <= ETP_A_FAULT_MAX &&
	       fault_types[mnl_attr_get_type(a)] == MNL_TYPE_U8 ?
	       mnl_attr_get_u8(a) : mnl_attr_get_u32(a);
}

static const char *name_of(const char *const *names, int n, uint32_t v)
{
	return v < (uint32_t)n && names[v] ? names[v] : "?";
}

/*
 * One fault: "3 drop out flags ACK state TIME_WAIT left 1 held 0", or a
 * JSON object with id, action, dir, flags, state, conn, delay_ms, left,
 * held (the filters only when set).
 */
static void print_fault(const struct nlattr *nest)
{
	const struct nlattr *tb[ETP_A_FAULT_MAX + 1];

	if (!nest ||
	    nl_parse_typed(NULL, nest, tb, ETP_A_FAULT_MAX, fault_types))
		return;
	if (!tb[ETP_A_FAULT_ID] || !tb[ETP_A_FAULT_ACTION] ||
	    !tb[ETP_A_FAULT_DIR])
		return;
	print_obj_begin(NULL);
	print_u64_fmt("id", "%" PRIu64, fault_u32(tb[ETP_A_FAULT_ID]));
	print_str_fmt("action", " %s", name_of(actions, ETP_FAULT_MAX + 1,
					       fault_u32(tb[ETP_A_FAULT_ACTION])));
	if (tb[ETP_A_FAULT_DELAY_MS])
		print_u64_fmt("delay_ms", " %" PRIu64,
			      fault_u32(tb[ETP_A_FAULT_DELAY_MS]));
	print_str_fmt("dir", " %s", name_of(dirs, ETP_DIR_OUT + 1,
					    fault_u32(tb[ETP_A_FAULT_DIR])));
	if (tb[ETP_A_FAULT_FLAGS])
		print_str_fmt("flags", " flags %s",
			      flags_text(fault_u32(tb[ETP_A_FAULT_FLAGS])));
	if (tb[ETP_A_FAULT_STATE])
		print_str_fmt("state", " state %s",
			      state_name(fault_u32(tb[ETP_A_FAULT_STATE])));
	if (tb[ETP_A_FAULT_CONN_ID])
		print_u64_fmt("conn", " id %" PRIu64,
			      fault_u32(tb[ETP_A_FAULT_CONN_ID]));
	if (tb[ETP_A_FAULT_LEFT])
		print_u64_fmt("left", " left %" PRIu64,
			      fault_u32(tb[ETP_A_FAULT_LEFT]));
	if (tb[ETP_A_FAULT_HELD])
		print_u64_fmt("held", " held %" PRIu64,
			      fault_u32(tb[ETP_A_FAULT_HELD]));
	print_obj_end();
	print_nl();
}

static int fault_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1];

	if (!nl_parse(nlh, tb, ETP_A_MAX) && tb[ETP_A_FAULT])
		print_fault(tb[ETP_A_FAULT]);
	return MNL_CB_OK;
}

static int fault_talk(struct etp_nl *nl, struct nlmsghdr *nlh,
		      const char *op, bool prints)
{
	int err = nl_talk(nl, nlh, prints ? fault_cb : NULL, NULL);

	if (err)
		return kernel_error(nl, err, op);
	if (prints)
		print_flush();
	return 0;
}

/* add ACTION [MS] DIR [flags F] [state S] [id ID] [count N] */
static int fault_add(struct etp_nl *nl, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], *flags_s = NULL;
	uint32_t conn = 0, count = 1, delay = 0;
	int action, dir, state = 0, i = 0, err;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint8_t flags = 0;
	struct arg args[] = {
		ARG_KW("flags", "F", ARG_STR, &flags_s),
		ARG_KW("state", "STATE", ARG_STATE, &state),
		ARG_KW("id", "ID", ARG_ID, &conn),
		ARG_KW("count", "N", ARG_U32, &count),
		ARG_END
	};

	if (argc < 2)
		return usage_error("fault add: usage: fault add drop|delay MS|dup|hold in|out [flags F] [state S] [id ID] [count N]");
	action = word_of(argv[i++], actions, ETP_FAULT_MAX + 1);
	if (action < 0)
		return usage_error("fault add: unknown action '%s' (drop, delay MS, dup, hold)",
				   argv[0]);
	if (action == ETP_FAULT_DELAY &&
	    (parse_u32(argv[i++], &delay) || !delay || delay > 60000))
		return usage_error("fault add: delay needs milliseconds: delay MS (1..60000)");
	if (i >= argc)
		return usage_error("fault add: missing the direction: in or out");
	dir = word_of(argv[i++], dirs, ETP_DIR_OUT + 1);
	if (dir < 0)
		return usage_error("fault add: unknown direction '%s' (in, out)",
				   argv[i - 1]);
	if (args_parse("fault add", argc - i, argv + i, args))
		return EXIT_USAGE;
	if (flags_s && parse_flags(flags_s, &flags))
		return usage_error("fault add: invalid flags '%s' (names joined by |: SYN|ACK, FIN|ACK, ACK, none)",
				   flags_s);
	if (!count || count > 1000000)
		return usage_error("fault add: count %u is out of range: must be 1..1000000",
				   count);
	err = etpctl_open(nl);
	if (err)
		return err;
	nlh = nl_msg(nl, buf, ETP_CMD_FAULT_ADD, 0);
	nest = mnl_attr_nest_start(nlh, ETP_A_FAULT);
	mnl_attr_put_u8(nlh, ETP_A_FAULT_ACTION, action);
	mnl_attr_put_u8(nlh, ETP_A_FAULT_DIR, dir);
	if (flags_s)
		mnl_attr_put_u8(nlh, ETP_A_FAULT_FLAGS, flags);
	if (state)
		mnl_attr_put_u8(nlh, ETP_A_FAULT_STATE, state);
	if (conn)
		mnl_attr_put_u32(nlh, ETP_A_FAULT_CONN_ID, conn);
	mnl_attr_put_u32(nlh, ETP_A_FAULT_COUNT, count);
	if (delay)
		mnl_attr_put_u32(nlh, ETP_A_FAULT_DELAY_MS, delay);
	mnl_attr_nest_end(nlh, nest);
	return fault_talk(nl, nlh, "fault add", true);
}

/* del FID, release [FID]: the fault's id in an ETP_A_FAULT nest. */
static void put_fault_id(struct nlmsghdr *nlh, uint32_t id)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, ETP_A_FAULT);

	mnl_attr_put_u32(nlh, ETP_A_FAULT_ID, id);
	mnl_attr_nest_end(nlh, nest);
}

static int released_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ETP_A_MAX + 1];

	if (!nl_parse(nlh, tb, ETP_A_MAX) && tb[ETP_A_QUEUE] &&
	    !mnl_attr_validate(tb[ETP_A_QUEUE], MNL_TYPE_U32))
		*(uint32_t *)data = mnl_attr_get_u32(tb[ETP_A_QUEUE]);
	return MNL_CB_OK;
}

/* list, del FID, flush, release [FID] */
static int fault_other(struct etp_nl *nl, int sub, int argc, char **argv)
{
	static const char *const names[] = { "list", "del", "flush", "release" };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t id = 0, n = 0;
	struct nlmsghdr *nlh;
	struct arg args[] = {
		ARG_OPT("FID", ARG_ID, &id),
		ARG_END
	};
	char op[32];
	int err;

	snprintf(op, sizeof(op), "fault %s", names[sub]);
	if (sub == 1)
		args[0].optional = false;
	if (sub == 0 || sub == 2)
		args[0] = (struct arg)ARG_END;
	if (args_parse(op, argc, argv, args))
		return EXIT_USAGE;
	err = etpctl_open(nl);
	if (err)
		return err;
	switch (sub) {
	case 0:
		nlh = nl_msg(nl, buf, ETP_CMD_FAULT_GET, NLM_F_DUMP);
		print_json_arr_begin(NULL);
		err = nl_talk(nl, nlh, fault_cb, NULL);
		print_arr_end();
		if (print_is_json())
			print_flush();
		return err ? kernel_error(nl, err, op) : 0;
	case 1:
		nlh = nl_msg(nl, buf, ETP_CMD_FAULT_DEL, 0);
		put_fault_id(nlh, id);
		return fault_talk(nl, nlh, op, false);
	case 2:
		nlh = nl_msg(nl, buf, ETP_CMD_FAULT_FLUSH, 0);
		return fault_talk(nl, nlh, op, false);
	default:
		nlh = nl_msg(nl, buf, ETP_CMD_FAULT_RELEASE, 0);
		if (id)
			put_fault_id(nlh, id);
		err = nl_talk(nl, nlh, released_cb, &n);
		if (err)
			return kernel_error(nl, err, op);
		print_obj_begin(NULL);
		print_u64_fmt("released", "released %" PRIu64, n);
		print_obj_end();
		print_flush();
		return 0;
	}
}

int cmd_fault(struct etp_nl *nl, int argc, char **argv)
{
	static const char *const subs[] = { "add", "list", "del", "flush",
					    "release" };
	int sub;

	if (argc < 1)
		return usage_error("fault: missing subcommand (add, list, del, flush, release)");
	sub = find_word(argv[0], subs, 5);
	if (sub < 0)
		return usage_error("fault: %s '%s' (add, list, del, flush, release)",
				   sub == -2 ? "ambiguous" : "unknown subcommand",
				   argv[0]);
	if (sub == 0)
		return fault_add(nl, argc - 1, argv + 1);
	return fault_other(nl, sub - 1, argc - 1, argv + 1);
}
