/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ETPCTL_H
#define ETPCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "args.h"
#include "nl.h"

/* Exit codes (iproute2 conventions). */
#define EXIT_USAGE	1
#define EXIT_KERNEL	2

/*
 * One command: `etpctl help` prints every usage line, `etpctl NAME help`
 * the usage and the help text. fn gets the words after the command name.
 */
struct cmd {
	const char *name;
	int (*fn)(struct etp_nl *nl, int argc, char **argv);
	const char *usage;
	const char *help;
};

/*
 * "etpctl: MESSAGE" on stderr ("etpctl: line N: MESSAGE" while a batch runs
 * its line N); returns code. usage_error() is errmsg(EXIT_USAGE, ...).
 */
int errmsg(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The kernel refused (err < 0): print why in the user's words and return
 * EXIT_KERNEL. Before the request, each command says what it sent in
 * words (said(ETP_A_REMOTE_ADDR, "%s", "198.18.9.9")); the kernel's
 * message names attributes ("no route to ETP_A_REMOTE_ADDR") and the
 * attribute it blamed, and these become the user's words ("no route to
 * 198.18.9.9").
 */
int kernel_error(struct etp_nl *nl, int err, const char *what);
void said(unsigned int attr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void said_param(unsigned int param, const char *value);
/* Forget what was said: a batch's next line says its own. */
void said_reset(void);

/*
 * -batch FILE ("-": stdin): run each line's command with run(), on one
 * request socket (nl). Without force, stop at the first line that fails.
 * Returns 0 if every line succeeded, else EXIT_USAGE (as ip -batch does).
 */
int batch_run(const char *file, bool force, struct etp_nl *nl,
	      int (*run)(struct etp_nl *nl, int argc, char **argv));
/* The line of the batch being run; 0 when no batch is running. */
unsigned long batch_line(void);
/* A batch is running and reads its lines from stdin (-batch -). */
bool batch_stdin(void);

/* "help", "-h" or "--help". */
bool is_help(const char *word);
/*
 * Index of word in names[] if it is one of them or an unambiguous prefix
 * of one; -1 if none, -2 if ambiguous.
 */
int find_word(const char *word, const char *const *names, int n);

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
int cmd_trace(struct etp_nl *nl, int argc, char **argv);
int cmd_fault(struct etp_nl *nl, int argc, char **argv);

/* Enter the network namespace NAME (-n): 0, or the exit code. */
int netns_enter(const char *name);
/* ETP_FLAG_* as "SYN|ACK" ("none" for 0), and back: 0 or -EINVAL. */
const char *flags_text(uint8_t flags);
int parse_flags(const char *s, uint8_t *out);

/* CONNECT and wait until ESTABLISHED: 0, or the exit code (reason said). */
int conn_open_wait(struct etp_nl *nl, const char *op, struct in_addr addr,
		   uint16_t port, uint32_t *id);
/* The connection's retransmissions so far, as text ("?" if unknown). */
const char *conn_retransmits(struct etp_nl *nl, uint32_t id);

int etpctl_open(struct etp_nl *nl);

/*
 * The socket of events, for the commands that wait on them: opened by the
 * first, joined to the groups each one asks for (EV_*), and kept until
 * events_close() so that a batch's lines share it. Returns 0 with *ev set,
 * or EXIT_KERNEL with the reason said (as "WHAT: reason").
 */
#define EV_STATE	0x1	/* the "state" group */
#define EV_DATA		0x2	/* the "data" group */
#define EV_FAMILY	0x4	/* nlctrl's "notify": etp.ko unloaded */
int events_open(struct etp_nl **ev, unsigned int groups, const char *what);
/* Drop what is queued (events of earlier lines). */
void events_drain(void);
void events_close(void);

/* The family "etp" was unregistered (nlh: a message of nlctrl's "notify"). */
bool family_gone(const struct etp_nl *nl, const struct nlmsghdr *nlh);
/* Also hear nlctrl's "notify" group on nl (for family_gone). */
int subscribe_family_events(struct etp_nl *nl);

/* What the kernel said about its parameters (INFO, PARAM_GET). */
const char *param_name(unsigned int attr);	/* NULL if unknown */
bool param_range(unsigned int attr, uint32_t *min, uint32_t *max);
/* "msl_ms rto_initial_ms ..." */
const char *param_names(void);

struct module_info {
	char version[32];
	unsigned int protocol;
};

/* INFO, quietly: 0, or a negative errno (-ENOENT: etp.ko not loaded). */
int module_info_get(struct module_info *mi);

/* enum etp_conn_state <-> its RFC 9293 name ("SYN_SENT"); -1 if unknown. */
const char *state_name(unsigned int state);
int state_by_name(const char *name);

#endif
