/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The registry's format and the join / keep / drop decision (see registry.h). No system call
 * here: liveness is the probes' to prove (a thread that runs in the namespace), never a count
 * that a SIGKILLed login could leave behind; the registry only says whom to ask first. */
#include "registry.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Copies the line at BUF[I] (without its newline) into TMP; returns the index after it, or
 * LEN when the line is torn (no newline) or too long to be one of ours (then *TMP = 0). */
static size_t next_line(const char *buf, size_t len, size_t i, char *tmp, size_t size)
{
	const char *nl = memchr(buf + i, '\n', len - i);
	size_t l;

	tmp[0] = '\0';
	if (!nl)
		return len;
	l = (size_t)(nl - (buf + i));
	if (l < size && memchr(buf + i, '\0', l) == NULL) {
		memcpy(tmp, buf + i, l);
		tmp[l] = '\0';
	}
	return i + l + 1;
}

/* Is S a line of decimal numbers only, COUNT of them separated by single spaces? */
static bool numbers(const char *s, int count)
{
	for (int k = 0; k < count; k++) {
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
		if (k < count - 1 && *s++ != ' ')
			return false;
	}
	return *s == '\0';
}

void mntns_registry_parse(const char *buf, size_t len, struct mntns_registry *reg)
{
	bool first = true;

	reg->ns_ino = reg->ns_id = 0;
	reg->n = 0;
	for (size_t i = 0; i < len;) {
		unsigned long long a, b, c;
		char tmp[96];

		i = next_line(buf, len, i, tmp, sizeof(tmp));
		if (first) {
			first = false;
			/* Without it nothing below can be trusted to belong to one namespace. */
			if (strncmp(tmp, "ns ", 3) != 0 || !numbers(tmp + 3, 2) ||
			    sscanf(tmp + 3, "%llu %llu", &a, &b) != 2)
				return;
			reg->ns_ino = a;
			reg->ns_id = b;
			continue;
		}
		if (reg->n == MNTNS_REGISTRY_MAX || !numbers(tmp, 3) ||
		    sscanf(tmp, "%llu %llu %llu", &a, &b, &c) != 3 || a == 0 || a > 0x3fffffff)
			continue;
		reg->ids[reg->n].tid = (pid_t)a;
		reg->ids[reg->n].start = b;
		reg->ids[reg->n].token = c;
		reg->n++;
	}
}

size_t mntns_registry_format(const struct mntns_registry *reg, char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "ns %llu %llu\n", reg->ns_ino, reg->ns_id);

	if (!reg->ns_ino)
		return len;
	for (size_t i = 0; i < reg->n && len + 64 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%d %llu %llu\n",
					(int)reg->ids[i].tid, reg->ids[i].start, reg->ids[i].token);
	return len;
}

int mntns_live_lookup(const struct mntns_registry *reg, const struct mntns_probes *pr,
		      struct mntns_live *live)
{
	int ns;

	live->via = MNTNS_LIVE_NONE;
	live->ns = -1;
	if (!reg->ns_ino)
		return 0;
	for (size_t i = 0; i < reg->n; i++) {
		ns = pr->open_ns_of(pr->arg, &reg->ids[i], reg);
		if (ns >= 0) {
			live->via = MNTNS_LIVE_SESSION; /* a live session: no /proc pass */
			live->ns = ns;
			return 0;
		}
	}
	/* The only step whose cost grows with the processes on the machine: the first login
	 * after a last logout, say, while a tmux server still runs in the namespace. */
	ns = pr->open_ns_of_any(pr->arg, reg, &live->found);
	if (ns == -ENOENT)
		return 0;
	if (ns < 0)
		return ns;
	live->via = MNTNS_LIVE_PASS;
	live->ns = ns;
	return 0;
}

int mntns_registry_find_live_or_forget(struct mntns_registry *reg, const struct mntns_probes *pr)
{
	struct mntns_live live;
	int rc = mntns_live_lookup(reg, pr, &live);

	if (rc < 0)
		return rc;
	switch (live.via) {
	case MNTNS_LIVE_NONE:
		mntns_registry_forget(reg); /* gone: the kernel has freed it */
		return -ENOENT;
	case MNTNS_LIVE_PASS:
		(void)mntns_registry_drop_dead_and_add(reg, &live.found, pr);
		break;
	case MNTNS_LIVE_SESSION:
		break;
	}
	return live.ns;
}

void mntns_registry_replace_ns(struct mntns_registry *reg, unsigned long long ns_ino,
			       unsigned long long ns_id)
{
	reg->ns_ino = ns_ino;
	reg->ns_id = ns_id;
	reg->n = 0;
}

void mntns_registry_forget(struct mntns_registry *reg)
{
	mntns_registry_replace_ns(reg, 0, 0);
}

bool mntns_registry_drop_dead_and_add(struct mntns_registry *reg, const struct mntns_session_id *id,
				      const struct mntns_probes *pr)
{
	size_t k = 0;

	/* A thread that is alive stays even if it has left the namespace: only its exit ends
	 * an entry, and the lookup asks every entry whether it is in the namespace. */
	for (size_t i = 0; i < reg->n; i++)
		if (pr->alive(pr->arg, &reg->ids[i]))
			reg->ids[k++] = reg->ids[i];
	reg->n = k;
	if (reg->n == MNTNS_REGISTRY_MAX)
		return false;
	reg->ids[reg->n++] = *id;
	return true;
}

bool mntns_registry_remove_session(struct mntns_registry *reg, const struct mntns_session_id *id)
{
	size_t k = 0;

	for (size_t i = 0; i < reg->n; i++)
		if (reg->ids[i].token != id->token || reg->ids[i].tid != id->tid)
			reg->ids[k++] = reg->ids[i];
	if (k == reg->n)
		return false;
	reg->n = k;
	return true;
}
