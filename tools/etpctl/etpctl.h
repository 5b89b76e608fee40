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
int cmd_listen(struct etp_nl *nl, int argc, char **argv);
int cmd_unlisten(struct etp_nl *nl, int argc, char **argv);
int cmd_connect(struct etp_nl *nl, int argc, char **argv);
int cmd_close(struct etp_nl *nl, int argc, char **argv);
int cmd_abort(struct etp_nl *nl, int argc, char **argv);
int cmd_show(struct etp_nl *nl, int argc, char **argv);
int cmd_monitor(struct etp_nl *nl, int argc, char **argv);
int cmd_send(struct etp_nl *nl, int argc, char **argv);
int cmd_recv(struct etp_nl *nl, int argc, char **argv);
int cmd_cat(struct etp_nl *nl, int argc, char **argv);

/* CONNECT to ADDR PORT and wait until ESTABLISHED: 0, or the exit code. */
int conn_open_wait(struct etp_nl *nl, const char *op, const char *addr,
		   const char *port, uint32_t *id);
/* The connection's retransmissions so far, as text ("?" if unknown). */
const char *conn_retransmits(struct etp_nl *nl, uint32_t id);

int etpctl_open(struct etp_nl *nl);
const char *param_name(unsigned int attr);	/* NULL if unknown */
int parse_u32(const char *s, unsigned int *out);

/* enum etp_conn_state <-> its RFC 9293 name ("SYN_SENT"); -1 if unknown. */
const char *state_name(unsigned int state);
int state_by_name(const char *name);

#endif
