// SPDX-License-Identifier: GPL-2.0
/*
 * etpctl: drive and watch etp connections over generic netlink.
 *
 * A command is one entry of cmds[]: its name, its function, its usage
 * line(s) and its help. The function parses its arguments with
 * args_parse() (args.h) before it opens the socket, so a usage error never
 * reaches the kernel.
 */
#define _GNU_SOURCE		/* setns */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/etp.h>

#include "etpctl.h"
#include "print.h"

#ifndef ETPCTL_VERSION
#define ETPCTL_VERSION "unknown"
#endif

static int cmd_help(struct etp_nl *nl, int argc, char **argv);

static const struct cmd cmds[] = {
	{ "info", cmd_info, "info",
	  "The module's version, the IP protocol it registered and the\n"
	  "namespace's parameters." },
	{ "stats", cmd_stats, "stats [delta | interval SECONDS] [all]",
	  "Per-namespace counters, one \"name value\" line each.\n"
	  "  delta             what changed since the last 'stats delta' in this\n"
	  "                    namespace by this user (the first one: since zero)\n"
	  "  interval SECONDS  what changed over the next SECONDS (1..86400)\n"
	  "  all               with delta or interval: also the counters that\n"
	  "                    did not change" },
	{ "param", cmd_param, "param show | param set NAME VALUE [NAME VALUE]...",
	  "Show or set the namespace's parameters. The names, ranges and\n"
	  "defaults are the kernel's (see 'etpctl info'). A set is all or\n"
	  "nothing; it needs CAP_NET_ADMIN." },
	{ "listen", cmd_listen, "listen PORT [backlog N]",
	  "Listen on PORT (1..65535): the kernel completes handshakes on its\n"
	  "own. backlog N: at most N handshakes in progress (default: the\n"
	  "parameter backlog). Needs CAP_NET_ADMIN." },
	{ "unlisten", cmd_unlisten, "unlisten PORT",
	  "Stop listening on PORT; handshakes in progress on it are reset.\n"
	  "Needs CAP_NET_ADMIN." },
	{ "connect", cmd_connect, "connect ADDR PORT [sport P] [wait]",
	  "Open a connection to ADDR (a unicast IPv4 address) port PORT and\n"
	  "print its id. sport P: from local port P (default: an ephemeral\n"
	  "port). wait: return once it is ESTABLISHED (exit 0) or has failed\n"
	  "(exit 2). Needs CAP_NET_ADMIN." },
	{ "close", cmd_close, "close ID",
	  "Close connection ID gracefully (FIN). Needs CAP_NET_ADMIN." },
	{ "abort", cmd_abort, "abort ID",
	  "Abort connection ID: RST if synchronized, then it is gone.\n"
	  "Needs CAP_NET_ADMIN." },
	{ "show", cmd_show, "show [ID] [state STATE] [port P]",
	  "List connections and listeners like ss: id, state, local, remote,\n"
	  "sequence variables and pending timers. ID: that connection only;\n"
	  "state STATE: only those in STATE (e.g. time_wait); port P: only\n"
	  "those whose local or remote port is P." },
	{ "monitor", cmd_monitor, "monitor",
	  "Print every state change of every connection of the namespace, one\n"
	  "line each, until interrupted or until etp.ko is unloaded (exit 2)." },
	{ "send", cmd_send, "send ID [FILE] [--close] [-v]",
	  "Stream FILE (default or \"-\": stdin) into connection ID, waiting\n"
	  "for room as long as the connection lives. --close: close it (FIN)\n"
	  "once everything is queued. -v: progress on stderr (bytes, rate,\n"
	  "retransmissions). Needs CAP_NET_ADMIN." },
	{ "recv", cmd_recv, "recv ID [FILE] [-v]",
	  "Write what connection ID receives to FILE (default: stdout) until\n"
	  "the end of the stream (the peer's FIN). -v: progress on stderr.\n"
	  "Needs CAP_NET_ADMIN." },
	{ "cat", cmd_cat, "cat ADDR PORT",
	  "Like nc: connect to ADDR port PORT, copy stdin to the connection\n"
	  "and the connection to stdout; at the end of stdin close our half\n"
	  "(FIN) and go on until the peer's FIN. Needs CAP_NET_ADMIN." },
	{ "trace", cmd_trace,
	  "trace [id ID] [port P] [addr ADDR] [peer NETNS] [count N] [duration SECONDS] [--svg FILE] [--pcap FILE]",
	  "Draw the namespace's segments as a ladder diagram, live: one end on\n"
	  "the left, the other on the right, arrows slanting with time and\n"
	  "labelled with flags and relative numbers, state changes and timers\n"
	  "written on the side they happen. id, port, addr: only those\n"
	  "segments. peer NETNS: watch the other end's namespace too (root).\n"
	  "count N, duration SECONDS: stop after that. --svg FILE: the same\n"
	  "picture as SVG at the end; --pcap FILE: the segments' headers as a\n"
	  "capture; -j: one JSON object per event." },
	{ "fault", cmd_fault,
	  "fault add drop|delay MS|dup|hold in|out [flags F] [state S] [id ID] [count N] | fault list | fault del FID | fault flush | fault release [FID]",
	  "Deterministic faults: the next N (count, default 1) segments going\n"
	  "in or out that match every filter given (flags exactly, e.g. ACK or\n"
	  "SYN|ACK; the connection's state; its id) are dropped, delayed by MS,\n"
	  "duplicated, or held until 'fault release'. Faults are per namespace,\n"
	  "counted in stats (faults_*) and shown by trace. Needs CAP_NET_ADMIN." },
	{ "help", cmd_help, "help [COMMAND]",
	  "This text, or one command's." },
};

#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static const char options_help[] =
	"options:\n"
	"  -b, -batch FILE     run the commands of FILE (\"-\": stdin), one a line,\n"
	"                      in this process on one socket; stop at the first\n"
	"                      that fails, saying its line\n"
	"  -f, -force          with -batch: run every line, even after failures\n"
	"  -j, --json          JSON output (one object or array per result)\n"
	"  -p, --pretty        pretty-printed JSON (implies -j)\n"
	"  -n, --netns NETNS   run in network namespace NETNS (as ip -n)\n"
	"  -V, --version       etpctl's version, and etp.ko's when loaded\n"
	"  -h, --help          this text\n";

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: etpctl [OPTIONS] COMMAND [ARGS]\n"
		   "       etpctl [OPTIONS] -batch FILE [-force]\n\ncommands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %s\n", cmds[i].usage);
	fprintf(f, "\n%s\n", options_help);
	fprintf(f, "Commands may be abbreviated (sh for show). 'etpctl COMMAND help'\n"
		   "explains one. Exit status: 0 success, 1 usage error, 2 the kernel\n"
		   "refused or etp.ko is not loaded; -batch: 1 if any line failed.\n");
}

static void cmd_usage(FILE *f, const struct cmd *cmd)
{
	fprintf(f, "usage: etpctl %s\n\n%s\n", cmd->usage, cmd->help);
}

int find_word(const char *word, const char *const *names, int n)
{
	int i, found = -1;

	for (i = 0; i < n; i++) {
		if (!strcmp(word, names[i]))
			return i;
		if (!strncmp(word, names[i], strlen(word)))
			found = found == -1 ? i : -2;
	}
	return word[0] ? found : -1;
}

/* Unambiguous abbreviations of commands: "sh" is show, "s" is refused. */
static const struct cmd *find_cmd(const char *word)
{
	const char *names[NCMDS];
	char list[NCMDS * 16] = "";
	size_t i, n = 0;
	int at;

	for (i = 0; i < NCMDS; i++)
		names[i] = cmds[i].name;
	at = find_word(word, names, NCMDS);
	if (at >= 0)
		return &cmds[at];
	if (at == -1) {
		usage_error("unknown command '%s' (try 'etpctl help')", word);
		return NULL;
	}
	for (i = 0; i < NCMDS; i++)
		if (!strncmp(word, cmds[i].name, strlen(word)))
			n += snprintf(list + n, sizeof(list) - n, " %s",
				      cmds[i].name);
	usage_error("'%s' is ambiguous:%s", word, list);
	return NULL;
}

bool is_help(const char *word)
{
	return !strcmp(word, "help") || !strcmp(word, "-h") ||
	       !strcmp(word, "--help");
}

static int cmd_help(struct etp_nl *nl, int argc, char **argv)
{
	const struct cmd *cmd;

	if (!argc) {
		usage(stdout);
		return 0;
	}
	if (argc > 1)
		return usage_error("help: one COMMAND at most");
	cmd = find_cmd(argv[0]);
	if (!cmd)
		return EXIT_USAGE;
	cmd_usage(stdout, cmd);
	return 0;
}

/* -n NETNS: a name in /run/netns (as ip netns add made it) or a path. */
int netns_enter(const char *name)
{
	char path[4096];
	int fd;

	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return usage_error("invalid network namespace name '%s'", name);
	snprintf(path, sizeof(path), strchr(name, '/') ? "%s" : "/run/netns/%s",
		 name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return usage_error("cannot open network namespace '%s' (%s): %s",
				   name, path, strerror(errno));
	if (setns(fd, CLONE_NEWNET)) {
		errmsg(0, "cannot enter network namespace '%s': %s%s", name,
		       strerror(errno),
		       errno == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
		close(fd);
		return EXIT_KERNEL;
	}
	close(fd);
	return 0;
}

static int version(void)
{
	struct module_info mi;
	int err;

	err = module_info_get(&mi);
	print_obj_begin(NULL);
	print_str_fmt("etpctl", "etpctl %s\n", ETPCTL_VERSION);
	if (err) {
		print_null("module", "etp.ko not loaded");
	} else {
		print_str_fmt("module", "etp.ko %s", mi.version);
		print_u64_fmt("protocol", ", IP protocol %" PRIu64, mi.protocol);
	}
	print_obj_end();
	print_flush();
	return 0;
}

/* One command: its words, the first its name (as typed, or a batch line's). */
static int run_cmd(struct etp_nl *nl, int argc, char **argv)
{
	const struct cmd *cmd = find_cmd(argv[0]);

	if (!cmd)
		return EXIT_USAGE;
	if (argc >= 2 && is_help(argv[1]) && cmd->fn != cmd_help) {
		cmd_usage(stdout, cmd);
		return 0;
	}
	/* Commands check their arguments before they open the socket. */
	return cmd->fn(nl, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "batch",	required_argument,	NULL, 'b' },
		{ "force",	no_argument,		NULL, 'f' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "pretty",	no_argument,		NULL, 'p' },
		{ "netns",	required_argument,	NULL, 'n' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *netns = NULL, *batch_file = NULL;
	bool show_version = false, force = false;
	struct etp_nl nl;
	int opt, ret;

	/*
	 * '+': options end at the command, as in ip(8). Single-dash long
	 * options work too (-json, -netns NS), as iproute2 spells them.
	 */
	opterr = 0;
	while ((opt = getopt_long_only(argc, argv, "+:b:fjpn:Vh", longopts,
				       NULL)) != -1) {
		switch (opt) {
		case 'b':
			if (batch_file)
				return usage_error("-batch given twice");
			batch_file = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'j':
			print_set_json(true);
			break;
		case 'p':
			print_set_json(true);
			print_set_pretty(true);
			break;
		case 'n':
			if (netns)
				return usage_error("-n given twice");
			netns = optarg;
			break;
		case 'V':
			show_version = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			return usage_error("option '%s' needs a value",
					   argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
			fprintf(stderr, "%s", options_help);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;

	if (netns) {
		ret = netns_enter(netns);
		if (ret)
			return ret;
	}
	if (show_version)
		return version();
	if (force && !batch_file)
		return usage_error("-force goes with -batch FILE");
	if (batch_file && argc)
		return usage_error("-batch %s: no COMMAND after it (the commands are the file's lines)",
				   batch_file);
	if (!batch_file && argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}

	/* One request socket for every line of a batch, opened by the first. */
	memset(&nl, 0, sizeof(nl));
	if (batch_file)
		ret = batch_run(batch_file, force, &nl, run_cmd);
	else
		ret = run_cmd(&nl, argc, argv);
	events_close();
	nl_close(&nl);
	return ret;
}
