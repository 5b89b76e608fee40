/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line values and keywords, the same way for every command:
 * numbers are decimal ("010" is ten; "0x10", "-1", "+1" and " 1" are
 * refused), a keyword may be given once, and every refusal names the
 * command, the argument and what would be accepted. A command describes its
 * arguments in a struct arg table and calls args_parse():
 *
 *	struct arg args[] = {
 *		ARG_POS("PORT", ARG_PORT, &port),
 *		ARG_KW("backlog", "N", ARG_U32, &backlog),
 *		ARG_END
 *	};
 *	if (args_parse("listen", argc, argv, args))
 *		return EXIT_USAGE;
 *	if (args[1].seen) ...
 */
#ifndef ETPCTL_ARGS_H
#define ETPCTL_ARGS_H

#include <stdbool.h>
#include <stdint.h>

enum arg_type {
	ARG_FLAG,	/* keyword alone: bool */
	ARG_U32,	/* uint32_t, decimal */
	ARG_PORT,	/* uint16_t, 1..65535 */
	ARG_ID,		/* uint32_t connection id, 1..4294967295 */
	ARG_ADDR,	/* struct in_addr: a unicast IPv4 address */
	ARG_STATE,	/* int: an RFC 9293 state name (state_by_name) */
	ARG_SECONDS,	/* unsigned int, 1..86400 */
	ARG_STR,	/* const char *, any word */
};

struct arg {
	const char *name;	/* keyword, or NULL for a positional */
	const char *meta;	/* the value's name in usage: "PORT", "N" */
	enum arg_type type;
	void *val;
	bool optional;		/* positionals only */
	bool seen;		/* set by args_parse() */
};

#define ARG_POS(meta, type, val)	{ NULL, meta, type, val, false, false }
#define ARG_OPT(meta, type, val)	{ NULL, meta, type, val, true, false }
#define ARG_KW(name, meta, type, val)	{ name, meta, type, val, false, false }
#define ARG_END				{ NULL, NULL, ARG_FLAG, NULL, false, false }

/*
 * Words that are not keywords fill the positionals in order; keywords may
 * come in any order after the required positionals, each once. Returns 0,
 * or EXIT_USAGE with the reason on stderr ("etpctl: CMD: ...").
 */
int args_parse(const char *cmd, int argc, char **argv, struct arg *args);

/* The bare parsers: 0, or -EINVAL (not a number) / -ERANGE. */
int parse_uint(const char *s, uint64_t max, uint64_t *out);
int parse_u32(const char *s, uint32_t *out);

#endif
