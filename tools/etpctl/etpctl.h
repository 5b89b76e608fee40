/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ETPCTL_H
#define ETPCTL_H

#include "nl.h"

/* Exit codes (iproute2 conventions). */
#define EXIT_USAGE	1
#define EXIT_KERNEL	2

struct cmd {
	const char *name;
	int (*fn)(struct etp_nl *nl, int argc, char **argv);
	const char *usage;
};

int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kernel_error(struct etp_nl *nl, int err, const char *what);

int cmd_info(struct etp_nl *nl, int argc, char **argv);
int cmd_stats(struct etp_nl *nl, int argc, char **argv);
int cmd_param(struct etp_nl *nl, int argc, char **argv);
int cmd_test_timers(struct etp_nl *nl, int argc, char **argv);

int parse_u32(const char *s, unsigned int *out);

#endif
