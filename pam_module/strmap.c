/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Open-addressing hash map from borrowed strings to indexes (see strmap.h). */
#include "strmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t hash_str(const char *s)
{
	/* FNV-1a: keys are short paths and section names chosen by root, not by attackers. */
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

static struct strmap_slot *find_slot(struct strmap_slot *slots, size_t cap, const char *key)
{
	size_t i = hash_str(key) & (cap - 1);

	while (slots[i].key && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

bool strmap_get(const struct strmap *m, const char *key, size_t *value)
{
	const struct strmap_slot *s;

	if (m->cap == 0)
		return false;
	s = find_slot(m->slots, m->cap, key);
	if (!s->key)
		return false;
	*value = s->value;
	return true;
}

static int grow(struct strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct strmap_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			*find_slot(slots, cap, m->slots[i].key) = m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

int strmap_put(struct strmap *m, const char *key, size_t value, size_t *old)
{
	struct strmap_slot *s;
	int found;

	/* Keep the load factor under one half so that probe sequences stay short. */
	if ((m->n + 1) * 2 > m->cap) {
		int r = grow(m);

		if (r < 0)
			return r;
	}
	s = find_slot(m->slots, m->cap, key);
	found = s->key != NULL;
	if (!found)
		m->n++;
	else if (old)
		*old = s->value;
	/* A replaced entry takes the new key: the old owner of the string may be freed. */
	s->key = key;
	s->value = value;
	return found;
}

void strmap_free(struct strmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}
