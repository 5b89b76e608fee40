// SPDX-License-Identifier: GPL-2.0
/*
 * The seed corpora of the fuzz targets. mkseeds DUMP WIRE FSM STREAM:
 * DUMP holds what the unit tests sent and received (seeddump.c). A
 * segment's bytes ("w-*") are a seed of the wire target as they are; a
 * segment handed to a tcb ("f-STATE-*") becomes a seed of the state
 * machine target: the events that bring an end of the explorer's world
 * to that state (a handshake, a close, ...), then that segment injected
 * there. A few whole conversations are seeds too, and a few queue
 * workouts seed the stream target.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "fsm_ops.h"

static u8 seed[4096];
static size_t len;
static struct world w;
static struct w_config cfg;
static const u8 config0[FZ_CONFIG_LEN];

static void begin(void)
{
	w_free(&w);
	fz_config(&cfg, config0);
	w_init(&w, &cfg);
	memcpy(seed, config0, FZ_CONFIG_LEN);
	len = FZ_CONFIG_LEN;
}

/* The op that makes the fuzzer take the first event of kind at end. */
static bool pick(u8 kind, u8 end)
{
	struct w_event evs[W_EVENTS_MAX];
	struct w_result res;
	int n = w_enabled(&w, &cfg, evs), i;

	for (i = 0; i < n && i < FZ_SPECIAL; i++)
		if (evs[i].kind == kind && evs[i].end == end) {
			seed[len++] = i;
			w_step(&w, &cfg, &evs[i], NULL, &res);
			return true;
		}
	return false;
}

static bool deliver(void)
{
	return pick(W_DELIVER, W_B) || pick(W_DELIVER, W_A);
}

static void drain(void)
{
	while (deliver() || pick(W_READ, W_A) || pick(W_READ, W_B))
		;
}

static void save(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fwrite(seed, 1, len, f) != len) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

static void conversations(const char *dir)
{
	begin();
	pick(W_LISTEN, W_B);
	pick(W_CONNECT, W_A);
	drain();
	pick(W_WRITE, W_A);
	pick(W_WRITE, W_B);
	drain();
	pick(W_CLOSE, W_A);
	drain();
	pick(W_CLOSE, W_B);
	drain();
	pick(W_TIMER, W_A);
	save(dir, "conv-open-data-close");

	begin();
	pick(W_CONNECT, W_A);
	pick(W_CONNECT, W_B);
	drain();
	pick(W_CLOSE, W_A);
	pick(W_CLOSE, W_B);
	drain();
	save(dir, "conv-simultaneous");

	begin();
	pick(W_LISTEN, W_B);
	pick(W_CONNECT, W_A);
	pick(W_DUP, W_B);
	pick(W_ABORT, W_A);
	pick(W_CONNECT, W_A);
	drain();
	save(dir, "conv-old-duplicate-syn");
}

/* The end whose connection is in state s, or -1. */
static int in_state(enum etp_conn_state s)
{
	int i;

	for (i = 0; i < 2; i++)
		if (w.e[i].live && w.e[i].c.t.state == s)
			return i;
	return -1;
}

/*
 * Events up to an end in state s, into seed: open, data, close one way
 * (A first) or both at once. The end, or -1 if the scripts never get
 * there.
 */
static int reach(enum etp_conn_state s)
{
	static const u8 open_close[][2] = {
		{ W_LISTEN, W_B }, { W_CONNECT, W_A }, { W_DELIVER, W_B },
		{ W_DELIVER, W_A }, { W_DELIVER, W_B }, { W_WRITE, W_A },
		{ W_CLOSE, W_A }, { W_DELIVER, W_B }, { W_DELIVER, W_B },
		{ W_DELIVER, W_A }, { W_DELIVER, W_A }, { W_CLOSE, W_B },
		{ W_DELIVER, W_A }, { W_DELIVER, W_B },
	};
	static const u8 both[][2] = {
		{ W_LISTEN, W_B }, { W_CONNECT, W_A }, { W_DELIVER, W_B },
		{ W_DELIVER, W_A }, { W_DELIVER, W_B }, { W_CLOSE, W_A },
		{ W_CLOSE, W_B }, { W_DELIVER, W_B }, { W_DELIVER, W_A },
	};
	size_t i;
	int end;

	begin();
	if (s == ETP_STATE_CLOSED)
		return W_A;
	if (s == ETP_STATE_LISTEN) {
		pick(W_LISTEN, W_B);
		return W_B;
	}
	for (i = 0; i < ARRAY_SIZE(open_close); i++) {
		pick(open_close[i][0], open_close[i][1]);
		end = in_state(s);
		if (end >= 0)
			return end;
	}
	begin();
	for (i = 0; i < ARRAY_SIZE(both); i++) {
		pick(both[i][0], both[i][1]);
		end = in_state(s);
		if (end >= 0)
			return end;
	}
	return -1;
}

/*
 * Queue workouts for the stream target (stream_fuzz.c): the size and the
 * first sequence number, then ops of five bytes (op, offset, length).
 */
static void stream_seeds(const char *dir)
{
	static const u8 head[2][5] = {
		{ 1, 0xff, 0xff, 0xf0, 0x00 },	/* 4096 octets, near the wrap */
		{ 3, 0, 0, 0x03, 0xe8 },	/* 20000 octets from 1000 */
	};
	static const u8 ops[][5] = {
		{ 0, 0, 0, 0x04, 0x00 },	/* 1024 octets at the head */
		{ 1, 0, 0x10, 0x01, 0x00 },	/* read 256 from 16 on */
		{ 0, 0x08, 0x00, 0x00, 0x40 },	/* 64 ahead, at 2048 */
		{ 2, 0, 0, 0x02, 0x00 },	/* consume 512 */
		{ 7, 0, 0x10, 0, 0x20 },	/* a piece at 16 */
		{ 7, 0, 0x40, 0, 0x10 },	/* another at 64 */
		{ 3, 0, 0, 0, 0x30 },		/* RCV.NXT to 48: joins one */
		{ 2, 0, 0, 0x10, 0x00 },	/* consume everything */
	};
	int h;

	for (h = 0; h < 2; h++) {
		memcpy(seed, head[h], sizeof(head[h]));
		memcpy(seed + sizeof(head[h]), ops, sizeof(ops));
		len = sizeof(head[h]) + sizeof(ops);
		save(dir, h ? "queue-20000" : "queue-4096-wrap");
	}
}

static size_t slurp(const char *dir, const char *name, u8 *buf, size_t room)
{
	char path[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, room, f);
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	int nwire = 0, nfsm = 0, state, end;
	struct dirent *d;
	DIR *dir;

	if (argc != 5) {
		fprintf(stderr, "usage: mkseeds DUMP WIRE-DIR FSM-DIR STREAM-DIR\n");
		return 2;
	}
	conversations(argv[3]);
	stream_seeds(argv[4]);
	dir = opendir(argv[1]);
	if (!dir) {
		perror(argv[1]);
		return 1;
	}
	while ((d = readdir(dir))) {
		u8 buf[ETP_HDR_MAX + 4096];
		size_t n;

		if (!strncmp(d->d_name, "w-", 2)) {
			len = slurp(argv[1], d->d_name, seed, sizeof(seed));
			save(argv[2], d->d_name);
			nwire++;
			continue;
		}
		if (sscanf(d->d_name, "f-%d-", &state) != 1 ||
		    state >= __ETP_STATE_MAX)
			continue;
		n = slurp(argv[1], d->d_name, buf, sizeof(buf));
		end = reach(state);
		if (n != FZ_SEG_LEN || end < 0)
			continue;
		seed[len++] = FZ_INJECT | end;
		memcpy(seed + len, buf, FZ_SEG_LEN);
		len += FZ_SEG_LEN;
		save(argv[3], d->d_name);
		nfsm++;
	}
	closedir(dir);
	w_free(&w);
	printf("mkseeds: %d wire seeds, %d state machine seeds from the unit tests; 3 conversations\n",
	       nwire, nfsm);
	return 0;
}
