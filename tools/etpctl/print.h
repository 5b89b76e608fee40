/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One output path for text and JSON (iproute2's way): commands describe
 * what they print once, and the mode decides how it looks.
 */
#ifndef ETPCTL_PRINT_H
#define ETPCTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>

void print_set_json(bool json);
/* JSON spread over lines and indented (-p). */
void print_set_pretty(bool pretty);
bool print_is_json(void);

/* key is NULL for an array element or the top-level value. */
void print_obj_begin(const char *key);
void print_obj_end(void);
void print_arr_begin(const char *key);
void print_arr_end(void);

void print_str(const char *key, const char *val);
void print_u64(const char *key, uint64_t val);
/* A number already written out ("1.250000"): JSON prints it unquoted. */
void print_num(const char *key, const char *num);

/*
 * The same with a text layout of the caller's (iproute2's PRINT_ANY): JSON
 * prints "key": value, text prints printf(fmt, value) and adds no space
 * before it; a NULL fmt prints nothing in text.
 */
void print_str_fmt(const char *key, const char *fmt, const char *val);
void print_u64_fmt(const char *key, const char *fmt, uint64_t val);

/* JSON: "key": null; text: text as it is (NULL: nothing). */
void print_null(const char *key, const char *text);

/* Containers whose key JSON shows and text does not. */
void print_json_obj_begin(const char *key);
void print_json_arr_begin(const char *key);

/* Text only (headers, decorations); JSON prints nothing. */
void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Text-only layout hint; JSON ignores it. */
void print_nl(void);

/* End of one record: a newline in both modes (JSON objects one per line). */
void print_flush(void);

#endif
