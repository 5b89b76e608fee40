// SPDX-License-Identifier: GPL-2.0
/*
 * etpctl -batch FILE ("-": stdin): many commands in one process, as
 * ip -batch runs them. Each line is a command without "etpctl", split into
 * words as sh(1) splits them, without expansions: blanks separate words;
 * '...' keeps everything in it; "..." keeps everything but \" \\ \$ \`,
 * which lose their backslash; elsewhere a backslash keeps the next
 * character; a backslash at the end of a line joins the next one; a word
 * that begins with '#' begins a comment, to the end of the line. Blank and
 * comment lines are skipped. A quote closes on the line it opens on.
 *
 * Every command runs on the same request socket (and those that wait on
 * events share one event socket), with the options given before -batch.
 * Errors name the line the command begins on ("etpctl: line 7: ...");
 * without -force the batch stops at the first command that fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etpctl.h"

static unsigned long cur_line;	/* the line of the command running */
static bool from_stdin;

unsigned long batch_line(void)
{
	return cur_line;
}

bool batch_stdin(void)
{
	return cur_line && from_stdin;
}

/* One command: its lines, joined, and its words. */
struct cmdline {
	char *text;
	size_t len, cap;
	char *words;		/* each word, NUL-terminated: len + 1 bytes */
	char **argv;
	size_t argv_cap;
	int argc;
	bool more;		/* it ends in a backslash: the next line joins */
};

enum { SPLIT_OK, SPLIT_SINGLE, SPLIT_DOUBLE };	/* unterminated quote */

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p) {
		errmsg(0, "-batch: out of memory");
		exit(EXIT_USAGE);
	}
	return p;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void add_word(struct cmdline *c, char *w)
{
	if ((size_t)c->argc + 2 > c->argv_cap) {
		c->argv_cap = c->argv_cap ? 2 * c->argv_cap : 16;
		c->argv = xrealloc(c->argv, c->argv_cap * sizeof(*c->argv));
	}
	c->argv[c->argc++] = w;
	c->argv[c->argc] = NULL;
}

/* A backslash and the newline after it (or the end) vanish: p past them. */
static const char *join(struct cmdline *c, const char *p)
{
	p += p[1] ? 2 : 1;
	if (!*p)
		c->more = true;
	return p;
}

/* The words of c->text, into c->argv: SPLIT_OK or the open quote. */
static int split(struct cmdline *c)
{
	const char *p = c->text;
	char *w, q;

	c->words = xrealloc(c->words, c->len + 1);
	w = c->words;
	c->argc = 0;
	c->more = false;
	for (;;) {
		while (blank(*p) || (*p == '\\' && (p[1] == '\n' || !p[1])))
			p = *p == '\\' ? join(c, p) : p + 1;
		if (!*p)
			return SPLIT_OK;
		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		add_word(c, w);
		while (*p && !blank(*p)) {
			if (*p == '\'' || *p == '"') {
				q = *p++;
				for (; *p && *p != q && *p != '\n'; p++) {
					if (q == '"' && *p == '\\' && p[1] &&
					    strchr("\"\\$`", p[1]))
						p++;
					*w++ = *p;
				}
				if (*p != q)
					return q == '\'' ? SPLIT_SINGLE :
							   SPLIT_DOUBLE;
				p++;
			} else if (*p == '\\' && (p[1] == '\n' || !p[1])) {
				p = join(c, p);
			} else {
				if (*p == '\\')
					p++;
				*w++ = *p++;
			}
		}
		*w++ = '\0';
	}
}

static void append(struct cmdline *c, const char *line, size_t n)
{
	if (c->len + n + 1 > c->cap) {
		c->cap = 2 * (c->len + n + 1);
		c->text = xrealloc(c->text, c->cap);
	}
	memcpy(c->text + c->len, line, n);
	c->len += n;
	c->text[c->len] = '\0';
}

/*
 * The next command of f, lines joined: its split (SPLIT_*), or -1 at the
 * end of f. *first: the line it begins on.
 */
static int read_cmd(FILE *f, struct cmdline *c, unsigned long *lineno,
		    unsigned long *first)
{
	static char *line;
	static size_t cap;
	ssize_t n;
	int r = SPLIT_OK;

	c->len = 0;
	*first = *lineno + 1;
	do {
		n = getline(&line, &cap, f);
		if (n < 0)
			break;
		++*lineno;
		append(c, line, n);
		r = split(c);
	} while (r == SPLIT_OK && c->more);
	return n < 0 && !c->len ? -1 : r;
}

int batch_run(const char *file, bool force, struct etp_nl *nl,
	      int (*run)(struct etp_nl *nl, int argc, char **argv))
{
	unsigned long lineno = 0, first, ran = 0, failed = 0;
	struct cmdline c = { 0 };
	int r, rc;
	FILE *f;

	from_stdin = !strcmp(file, "-");
	f = from_stdin ? stdin : fopen(file, "r");
	if (!f)
		return usage_error("-batch: cannot open '%s': %s", file,
				   strerror(errno));
	while ((r = read_cmd(f, &c, &lineno, &first)) >= 0) {
		if (r == SPLIT_OK && !c.argc)
			continue;
		cur_line = first;
		/* Events of the lines before are no business of this one. */
		events_drain();
		if (r != SPLIT_OK) {
			rc = usage_error("unterminated %s quote",
					 r == SPLIT_SINGLE ? "single" : "double");
		} else {
			said_reset();
			rc = run(nl, c.argc, c.argv);
		}
		fflush(stdout);
		cur_line = 0;
		ran++;
		if (rc) {
			failed++;
			if (!force)
				break;
		}
	}
	if (ferror(f)) {
		errmsg(0, "-batch: reading '%s': %s", file, strerror(errno));
		failed++;
	} else if (force && failed) {
		errmsg(0, "-batch %s: %lu of %lu commands failed", file, failed,
		       ran);
	}
	if (!from_stdin)
		fclose(f);
	free(c.text);
	free(c.words);
	free(c.argv);
	return failed ? EXIT_USAGE : 0;
}
