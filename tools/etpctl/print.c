// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "print.h"

#define MAX_DEPTH 16

static bool json;
static bool pretty;
static int depth;
static bool need_sep[MAX_DEPTH];	/* JSON: next member needs a comma */
static bool at_line_start = true;	/* text: no space before first field */

void print_set_json(bool on)
{
	json = on;
}

void print_set_pretty(bool on)
{
	pretty = on;
}

bool print_is_json(void)
{
	return json;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* -p: one member per line, indented by 4 per level. */
static void json_indent(int level)
{
	putchar('\n');
	printf("%*s", 4 * level, "");
}

static void json_key(const char *key)
{
	if (need_sep[depth])
		putchar(',');
	if (pretty && depth > 0)
		json_indent(depth);
	need_sep[depth] = true;
	if (key) {
		json_string(key);
		fputs(pretty ? ": " : ":", stdout);
	}
}

static void text_sep(void)
{
	if (!at_line_start)
		putchar(' ');
	at_line_start = false;
}

static void text_key(const char *key)
{
	text_sep();
	if (key)
		printf("%s ", key);
}

static void open_container(const char *key, char c)
{
	if (json) {
		json_key(key);
		putchar(c);
		if (depth < MAX_DEPTH - 1)
			need_sep[depth + 1] = false;
	} else if (key) {
		text_sep();
		fputs(key, stdout);
	}
	if (depth < MAX_DEPTH - 1)
		depth++;
}

static void close_container(char c)
{
	bool members = need_sep[depth];

	if (depth > 0)
		depth--;
	if (json && pretty && members)
		json_indent(depth);
	if (json)
		putchar(c);
}

void print_obj_begin(const char *key)
{
	open_container(key, '{');
}

void print_json_obj_begin(const char *key)
{
	open_container(json ? key : NULL, '{');
}

void print_json_arr_begin(const char *key)
{
	open_container(json ? key : NULL, '[');
}

void print_obj_end(void)
{
	close_container('}');
}

void print_arr_begin(const char *key)
{
	open_container(key, '[');
}

void print_arr_end(void)
{
	close_container(']');
}

void print_str(const char *key, const char *val)
{
	if (json) {
		json_key(key);
		json_string(val);
	} else {
		text_key(key);
		fputs(val, stdout);
	}
}

void print_u64(const char *key, uint64_t val)
{
	if (json)
		json_key(key);
	else
		text_key(key);
	printf("%" PRIu64, val);
}

void print_num(const char *key, const char *num)
{
	if (json)
		json_key(key);
	else
		text_key(key);
	fputs(num, stdout);
}

void print_null(const char *key, const char *text)
{
	if (json) {
		json_key(key);
		fputs("null", stdout);
	} else if (text) {
		fputs(text, stdout);
		at_line_start = false;
	}
}

void print_str_fmt(const char *key, const char *fmt, const char *val)
{
	if (json) {
		json_key(key);
		json_string(val);
	} else if (fmt) {
		printf(fmt, val);
		at_line_start = false;
	}
}

void print_u64_fmt(const char *key, const char *fmt, uint64_t val)
{
	if (json) {
		json_key(key);
		printf("%" PRIu64, val);
	} else if (fmt) {
		printf(fmt, val);
		at_line_start = false;
	}
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	at_line_start = false;
}

void print_nl(void)
{
	if (!json && !at_line_start) {
		putchar('\n');
		at_line_start = true;
	}
}

void print_flush(void)
{
	if (json) {
		putchar('\n');
		need_sep[0] = false;
	} else {
		print_nl();
	}
	fflush(stdout);
}
