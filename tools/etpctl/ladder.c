// SPDX-License-Identifier: GPL-2.0
/*
 * The ladder diagram of etpctl trace: one side's lifeline on the left, the
 * other's on the right, time going down, each segment an arrow from its
 * sending to its receiving row, so arrows slant as segments take time and
 * a window of segments in flight shows as a band of parallel arrows. State
 * changes are written beside the side that made them, timers that fire
 * beside the side that owns them, and a segment a fault dropped ends in an
 * X half way. The same layout is drawn as text and as SVG.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/etp.h>

#include "etpctl.h"
#include "trace.h"

/* Text columns: time, left state, lifelines, right state. */
#define X_LEFT		24
#define X_RIGHT		84
#define LINE_MAX	(X_RIGHT + 16)
/* A label ends before the middle, where a two-row arrow bends. */
#define LABEL_MAX	((X_RIGHT - X_LEFT) / 2 - 3)

static int tev_cmp(const void *a, const void *b)
{
	const struct tev *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	/* A send before its receipt when the clock cannot tell them apart. */
	return (x->dir == ETP_DIR_IN) - (y->dir == ETP_DIR_IN);
}

/* Is in the receipt of out (the same segment, the other side)? */
static bool tev_same(const struct tev *out, const struct tev *in)
{
	return out->side != in->side && in->ts >= out->ts &&
	       out->seq == in->seq && out->ack == in->ack &&
	       out->flags == in->flags && out->len == in->len &&
	       out->lport == in->rport && out->rport == in->lport;
}

static void ladder_pair(struct ladder *l)
{
	int i, j;

	for (i = 0; i < l->n; i++)
		l->ev[i].pair = -1;
	if (!l->two_sided)
		return;
	for (i = 0; i < l->n; i++) {
		struct tev *o = &l->ev[i];

		if (o->kind != TEV_SEGMENT || o->dir != ETP_DIR_OUT ||
		    !strcmp(o->fault, "drop"))
			continue;
		for (j = i + 1; j < l->n; j++) {
			struct tev *in = &l->ev[j];

			if (in->kind == TEV_SEGMENT && in->dir == ETP_DIR_IN &&
			    in->pair < 0 && tev_same(o, in)) {
				o->pair = j;
				in->pair = i;
				/* The receiver's delay is the arrow's too. */
				if (!o->fault[0])
					memcpy(o->fault, in->fault,
					       sizeof(o->fault));
				break;
			}
		}
	}
}

uint64_t ladder_in_flight(struct ladder *l)
{
	uint64_t newest = 0;
	int i;

	qsort(l->ev, l->n, sizeof(*l->ev), tev_cmp);
	ladder_pair(l);
	for (i = 0; l->two_sided && i < l->n; i++)
		if (l->ev[i].kind == TEV_SEGMENT &&
		    l->ev[i].dir == ETP_DIR_OUT && l->ev[i].pair < 0 &&
		    strcmp(l->ev[i].fault, "drop"))
			newest = l->ev[i].ts;
	return newest;
}

void ladder_layout(struct ladder *l)
{
	int i;

	qsort(l->ev, l->n, sizeof(*l->ev), tev_cmp);
	ladder_pair(l);
	/* Row 0 is free: an arrival with no known send starts there. */
	for (i = 0; i < l->n; i++)
		l->ev[i].row = i + 1;
	l->rows = l->n + 2;
	if (l->n && !l->t0)
		l->t0 = l->ev[0].ts;
}

const char *tev_label(const struct tev *e, char *buf, size_t len)
{
	size_t n;

	n = snprintf(buf, len, "%s", flags_text(e->flags));
	if (e->has_rel_seq)
		n += snprintf(buf + n, len > n ? len - n : 0, " %u", e->rel_seq);
	else
		n += snprintf(buf + n, len > n ? len - n : 0, " =%u", e->seq);
	if (e->flags & ETP_FLAG_ACK) {
		if (e->has_rel_ack)
			n += snprintf(buf + n, len > n ? len - n : 0,
				      " ack %u", e->rel_ack);
		else
			n += snprintf(buf + n, len > n ? len - n : 0,
				      " ack =%u", e->ack);
	}
	if (e->len)
		n += snprintf(buf + n, len > n ? len - n : 0, " len %u",
			      e->len);
	if (e->drop[0])
		n += snprintf(buf + n, len > n ? len - n : 0, " (dropped: %s)",
			      e->drop);
	/* A dropped one ends in an X: the others say what held them. */
	if (e->fault[0] && strcmp(e->fault, "drop"))
		snprintf(buf + n, len > n ? len - n : 0, " [%s]", e->fault);
	return buf;
}

/*
 * An arrow of the picture: from side a at row ra to side b at row rb;
 * lost ones stop half way. ev: the event that draws it.
 */
struct arrow {
	int a, ra, rb;
	bool lost;
	const struct tev *ev;
};

/* The arrow event i draws, if it draws one. */
static bool tev_arrow(const struct ladder *l, int i, struct arrow *ar)
{
	const struct tev *e = &l->ev[i];

	if (e->kind != TEV_SEGMENT)
		return false;
	ar->ev = e;
	ar->lost = !strcmp(e->fault, "drop");
	if (e->dir == ETP_DIR_OUT) {
		ar->a = e->side;
		ar->ra = e->row;
		ar->rb = e->pair >= 0 ? l->ev[e->pair].row : e->row + 1;
		/* Nobody received it, or a fault there dropped it: lost. */
		ar->lost |= l->two_sided && e->pair < 0;
		ar->lost |= e->pair >= 0 && !strcmp(l->ev[e->pair].fault, "drop");
		return true;
	}
	if (e->pair >= 0)
		return false;	/* its send draws it */
	ar->a = !e->side;
	ar->ra = e->row - 1;
	ar->rb = e->row;
	return true;
}

/* --- text ------------------------------------------------------------------ */

static void put(char *line, int x, const char *s, bool over)
{
	for (; *s && x < LINE_MAX; x++, s++)
		if (over || line[x] == ' ')
			line[x] = *s;
}

/* The part of an arrow on row r: a run of '-' going its way. */
static void text_arrow_row(char *line, const struct arrow *ar, int r)
{
	int from = ar->a ? X_RIGHT - 1 : X_LEFT + 1;
	int to = ar->a ? X_LEFT + 1 : X_RIGHT - 1;
	int rows = ar->rb - ar->ra + 1, k = r - ar->ra, x, x0, x1, step;

	if (r < ar->ra || r > ar->rb)
		return;
	if (ar->lost)
		to = (from + to) / 2;
	step = ar->a ? -1 : 1;
	/* Row k covers its share of the way, from x0 to x1. */
	x0 = from + (to - from) * k / rows;
	x1 = from + (to - from) * (k + 1) / rows;
	for (x = x0; x != x1 + step; x += step)
		if (line[x] == ' ')
			line[x] = '-';
	/* Either way a line going down bends low ('.'), then high ('\''). */
	if (r == ar->rb)
		line[x1] = ar->lost ? 'X' : ar->a ? '<' : '>';
	else
		line[x1] = '.';
	if (k)
		line[x0] = '\'';
}

/*
 * What a side writes on its row: a timer that fired, inside by its
 * lifeline, and its state when it differs from the last one written
 * (shown[side]), outside.
 */
static void text_side(char *line, const struct tev *e, uint8_t *shown)
{
	char buf[40];

	if (e->kind == TEV_TIMER) {
		snprintf(buf, sizeof(buf), "*%s*", e->timer);
		put(line, e->side ? X_RIGHT - 1 - (int)strlen(buf) : X_LEFT + 2,
		    buf, true);
	}
	if (!e->state || e->state == shown[e->side])
		return;
	shown[e->side] = e->state;
	snprintf(buf, sizeof(buf), "%s", state_name(e->state));
	if (e->side)
		put(line, X_RIGHT + 2, buf, true);
	else
		put(line, X_LEFT - 2 - (int)strlen(buf), buf, true);
}

void ladder_text(const struct ladder *l, FILE *f)
{
	char line[LINE_MAX + 1], buf[96];
	struct arrow *ar = calloc(l->n + 1, sizeof(*ar));
	uint8_t shown[2] = { 0, 0 };
	int i, r, na = 0, len;

	if (!ar)
		return;
	for (i = 0; i < l->n; i++)
		na += tev_arrow(l, i, &ar[na]);
	memset(line, ' ', LINE_MAX);
	line[LINE_MAX] = '\0';
	put(line, X_LEFT - (int)strlen(l->side_name[0]) / 2, l->side_name[0],
	    true);
	put(line, X_RIGHT - (int)strlen(l->side_name[1]) / 2,
	    l->side_name[1], true);
	fprintf(f, "%.*s\n", (int)(strrchr(line, '\0') - line), line);
	for (r = 0; r < l->rows; r++) {
		const struct tev *e = NULL;

		memset(line, ' ', LINE_MAX);
		line[X_LEFT] = '|';
		line[X_RIGHT] = '|';
		for (i = 0; i < l->n; i++)
			if (l->ev[i].row == r)
				e = &l->ev[i];
		if (e) {
			snprintf(buf, sizeof(buf), "%8.3f",
				 (e->ts - l->t0) / 1e9);
			memcpy(line, buf, strlen(buf));
			text_side(line, e, shown);
		} else if (!r) {
			for (i = 0; i < 2; i++)
				text_side(line, &(struct tev){
					.side = i, .kind = TEV_SEGMENT,
					.state = l->first_state[i] }, shown);
		}
		for (i = 0; i < na; i++)
			text_arrow_row(line, &ar[i], r);
		/* Labels last: they matter more than the lines under them. */
		for (i = 0; i < na; i++) {
			if (ar[i].ra != r)
				continue;
			tev_label(ar[i].ev, buf, sizeof(buf));
			len = strlen(buf);
			if (len > LABEL_MAX)
				len = LABEL_MAX;
			buf[len] = '\0';
			put(line, ar[i].a ? X_RIGHT - 3 - len : X_LEFT + 3, buf,
			    true);
		}
		for (len = LINE_MAX; len > 0 && line[len - 1] == ' '; len--)
			;
		fprintf(f, "%.*s\n", len, line);
	}
	free(ar);
}

/* --- SVG --------------------------------------------------------------------- */

#define SVG_XL		200
#define SVG_XR		640
#define SVG_ROW		24
#define SVG_TOP		60

static double svg_y(int row)
{
	return SVG_TOP + row * SVG_ROW;
}

static void svg_text(FILE *f, double x, double y, const char *anchor,
		     const char *cls, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">",
		x, y, anchor, cls);
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
	}
	fputs("</text>\n", f);
}

static void svg_arrow(FILE *f, const struct arrow *ar)
{
	double xa = ar->a ? SVG_XR : SVG_XL, xb = ar->a ? SVG_XL : SVG_XR;
	double ya = svg_y(ar->ra), yb = svg_y(ar->rb), xm, ym;
	char buf[96];

	if (ar->lost) {
		xm = (xa + xb) / 2;
		ym = (ya + yb) / 2;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"lost\"/>\n",
			xa, ya, xm, ym);
		fprintf(f, "<path d=\"M%.1f %.1fl12 12m0 -12l-12 12\" class=\"x\"/>\n",
			xm - 6, ym - 6);
	} else {
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"seg\" marker-end=\"url(#head)\"/>\n",
			xa, ya, xb, yb);
	}
	tev_label(ar->ev, buf, sizeof(buf));
	svg_text(f, (xa + xb) / 2, (ya + yb) / 2 - 4, "middle",
		 ar->ev->drop[0] || ar->lost ? "label bad" : "label", buf);
}

int ladder_svg(const struct ladder *l, FILE *f)
{
	double height = svg_y(l->rows) + 20;
	uint8_t shown[2];
	struct arrow ar;
	char buf[48];
	int i;

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"840\" height=\"%.0f\" viewBox=\"0 0 840 %.0f\">\n",
		height, height);
	fputs("<style>text{font:13px monospace}.side{font-weight:bold}.state{fill:#1a5fb4}"
	      ".timer{fill:#c64600}.time{fill:#777}.label{fill:#000}.bad{fill:#c01c28}"
	      ".seg{stroke:#000;stroke-width:1.3}.lost{stroke:#c01c28;stroke-width:1.3;stroke-dasharray:4 3}"
	      ".x{stroke:#c01c28;stroke-width:2.5;fill:none}.life{stroke:#999;stroke-width:2}</style>\n", f);
	fputs("<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\">"
	      "<path d=\"M0 0L10 5L0 10z\"/></marker></defs>\n", f);
	fputs("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", f);
	svg_text(f, SVG_XL, 24, "middle", "side", l->side_name[0]);
	svg_text(f, SVG_XR, 24, "middle", "side", l->side_name[1]);
	fprintf(f, "<line x1=\"%d\" y1=\"36\" x2=\"%d\" y2=\"%.0f\" class=\"life\"/>\n",
		SVG_XL, SVG_XL, height - 10);
	fprintf(f, "<line x1=\"%d\" y1=\"36\" x2=\"%d\" y2=\"%.0f\" class=\"life\"/>\n",
		SVG_XR, SVG_XR, height - 10);
	for (i = 0; i < 2; i++) {
		shown[i] = l->first_state[i];
		if (shown[i])
			svg_text(f, i ? SVG_XR + 8 : SVG_XL - 8, svg_y(0) + 4,
				 i ? "start" : "end", "state",
				 state_name(shown[i]));
	}
	for (i = 0; i < l->n; i++) {
		const struct tev *e = &l->ev[i];
		double y = svg_y(e->row) + 4;

		snprintf(buf, sizeof(buf), "%.3f", (e->ts - l->t0) / 1e9);
		svg_text(f, 8, y, "start", "time", buf);
		if (e->kind == TEV_TIMER) {
			snprintf(buf, sizeof(buf), "\u23f1 %s", e->timer);
			svg_text(f, e->side ? SVG_XR - 8 : SVG_XL + 8, y,
				 e->side ? "end" : "start", "timer", buf);
		}
		if (e->state && e->state != shown[e->side]) {
			shown[e->side] = e->state;
			svg_text(f, e->side ? SVG_XR + 8 : SVG_XL - 8, y,
				 e->side ? "start" : "end", "state",
				 state_name(e->state));
		}
		if (tev_arrow(l, i, &ar))
			svg_arrow(f, &ar);
	}
	fputs("</svg>\n", f);
	return ferror(f) ? -1 : 0;
}
