// SPDX-License-Identifier: GPL-2.0
/* Command-line values and keywords (args.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "etpctl.h"

int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (!*s)
		return -EINVAL;
	for (p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return -EINVAL;
	for (p = s; *p; p++) {
		if (v > (max - (*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return 0;
}

int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	int err = parse_uint(s, UINT32_MAX, &v);

	if (!err)
		*out = v;
	return err;
}

/* What a value of this type may be, for messages. */
static const char *accepts(const struct arg *a)
{
	switch (a->type) {
	case ARG_U32:
		return "a decimal number, 0..4294967295";
	case ARG_PORT:
		return "1..65535";
	case ARG_ID:
		return "a connection id as show prints it, 1..4294967295";
	case ARG_ADDR:
		return "a unicast IPv4 address, e.g. 198.18.0.2";
	case ARG_STATE:
		return "an RFC 9293 state: CLOSED LISTEN SYN_SENT SYN_RCVD ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 CLOSE_WAIT CLOSING LAST_ACK TIME_WAIT";
	case ARG_SECONDS:
		return "seconds, 1..86400";
	default:
		return "a word";
	}
}

static const char *arg_label(const struct arg *a)
{
	return a->name ? a->name : a->meta;
}

/* "0.0.0.0/8", multicast and the broadcast address cannot be a peer. */
static const char *addr_unusable(struct in_addr addr)
{
	uint32_t a = ntohl(addr.s_addr);

	if ((a >> 24) == 0)
		return "0.0.0.0/8 is not a peer's address";
	if ((a >> 28) == 0xe)
		return "a multicast address cannot be connected to";
	if (a == 0xffffffff)
		return "the broadcast address cannot be connected to";
	return NULL;
}

static int parse_value(const char *cmd, struct arg *a, const char *s)
{
	uint64_t v, max = UINT32_MAX, min = 0;
	struct in_addr addr;
	const char *why;
	int err;

	switch (a->type) {
	case ARG_FLAG:
		*(bool *)a->val = true;
		return 0;
	case ARG_STR:
		*(const char **)a->val = s;
		return 0;
	case ARG_ADDR:
		if (inet_pton(AF_INET, s, &addr) != 1)
			return usage_error("%s: invalid %s '%s' (%s)", cmd,
					   arg_label(a), s, accepts(a));
		why = addr_unusable(addr);
		if (why)
			return usage_error("%s: invalid %s '%s': %s", cmd,
					   arg_label(a), s, why);
		*(struct in_addr *)a->val = addr;
		return 0;
	case ARG_STATE:
		err = state_by_name(s);
		if (err < 0)
			return usage_error("%s: unknown state '%s' (%s)", cmd, s,
					   accepts(a));
		*(int *)a->val = err;
		return 0;
	case ARG_PORT:
		min = 1;
		max = 65535;
		break;
	case ARG_ID:
		min = 1;
		break;
	case ARG_SECONDS:
		min = 1;
		max = 86400;
		break;
	case ARG_U32:
		break;
	}
	err = parse_uint(s, UINT64_MAX, &v);
	if (err == -ERANGE)
		v = UINT64_MAX;
	else if (err)
		return usage_error("%s: invalid %s '%s' (%s)", cmd, arg_label(a),
				   s, accepts(a));
	if (v < min || v > max)
		return usage_error("%s: %s %s is out of range (%s)", cmd,
				   arg_label(a), s, accepts(a));
	if (a->type == ARG_PORT)
		*(uint16_t *)a->val = v;
	else
		*(uint32_t *)a->val = v;
	return 0;
}

static struct arg *find_kw(struct arg *args, const char *word)
{
	for (; args->meta || args->name; args++)
		if (args->name && !strcmp(args->name, word))
			return args;
	return NULL;
}

static struct arg *next_pos(struct arg *args)
{
	for (; args->meta || args->name; args++)
		if (!args->name && !args->seen)
			return args;
	return NULL;
}

int args_parse(const char *cmd, int argc, char **argv, struct arg *args)
{
	struct arg *a;
	int i, err;

	for (i = 0; i < argc; i++) {
		a = find_kw(args, argv[i]);
		if (a) {
			if (a->seen)
				return usage_error("%s: '%s' given twice", cmd,
						   a->name);
			a->seen = true;
			if (a->type == ARG_FLAG) {
				*(bool *)a->val = true;
				continue;
			}
			if (++i >= argc)
				return usage_error("%s: %s needs a value: %s %s (%s)",
						   cmd, a->name, a->name,
						   a->meta, accepts(a));
			err = parse_value(cmd, a, argv[i]);
			if (err)
				return err;
			continue;
		}
		a = next_pos(args);
		if (!a)
			return usage_error("%s: unknown argument '%s'", cmd,
					   argv[i]);
		a->seen = true;
		err = parse_value(cmd, a, argv[i]);
		if (err)
			return err;
	}
	for (a = args; a->meta || a->name; a++)
		if (!a->name && !a->optional && !a->seen)
			return usage_error("%s: missing %s", cmd, a->meta);
	return 0;
}
