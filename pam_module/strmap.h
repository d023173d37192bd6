/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* A small string-keyed hash map (open addressing) used where a linear search would make large
 * configurations quadratic: rule names while loading, targets while planning. Keys are not
 * copied; they must outlive the map. */
#ifndef MNTNS_STRMAP_H
#define MNTNS_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct strmap_slot {
	const char *key;
	size_t value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t n;
};

/* Returns true and sets *value when key is present. */
bool strmap_get(const struct strmap *m, const char *key, size_t *value);
/* Inserts or replaces; returns 1 when KEY was there (its value goes to *OLD unless OLD is
 * NULL), 0 when it is new, or -ENOMEM. */
int strmap_put(struct strmap *m, const char *key, size_t value, size_t *old);
void strmap_free(struct strmap *m);

#endif
