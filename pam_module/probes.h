/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* What /proc says about threads and namespaces: whether a thread is still the one that was
 * registered, whether it runs in a namespace, which processes are left in one. The answers
 * registry.h's decision asks for, and the administrator's tools' view of a namespace. */
#ifndef MNTNS_PROBES_H
#define MNTNS_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "err.h"
#include "registry.h"

/* The probes of registry.h answered from /proc: *PROCFD, an O_PATH descriptor of /proc that
 * must stay open while PR is used. */
void mntns_proc_probes(struct mntns_probes *pr, int *procfd);

/* The calling thread's id, with a fresh random token. Returns 0 or -errno. */
int mntns_session_self(struct mntns_session_id *id);
/* The calling thread's namespace: its inode number and, where the kernel gives one, its
 * unique id (else 0). Returns 0 or -errno. */
int mntns_self_ns(unsigned long long *ino, unsigned long long *id);

/* The /proc directory of thread TID if it is still the one that started at START, or
 * -errno; and whether the thread of such a directory is in namespace NS (as fstat saw it). */
int mntns_task_open(pid_t tid, unsigned long long start);
bool mntns_task_in(int taskfd, const struct stat *ns);

/* Reads the small file NAME of DIRFD (in /proc) into BUF, NUL-terminated. Returns 0 or
 * -errno. */
int mntns_proc_read(int dirfd, const char *name, char *buf, size_t size);

/* The registered sessions of REG (not the /proc pass's finds) whose thread still runs in
 * namespace NS; the first MAX of their thread ids go to TIDS. */
size_t mntns_live_sessions(int procfd, const struct mntns_registry *reg, const struct stat *ns,
			   pid_t *tids, size_t max);

/* Counts, in one pass over /proc, the processes other than the caller in namespace NS;
 * *ENTER: a thread of one of them (for nsenter), 0 when none. Returns 0 or -errno. */
int mntns_ns_count_procs(int procfd, const struct stat *ns, size_t *procs, pid_t *enter);

/* One process in a namespace, as a pass over /proc saw it. */
struct mntns_proc {
	pid_t pid;
	pid_t tid; /* a thread of it in the namespace: PID, unless its main thread has exited */
	unsigned long long start; /* of the process: tells it apart from a later one of its pid */
	uid_t ruid, euid, suid;
	char state; /* of that thread: R, S, D (uninterruptible sleep), T (stopped), ... */
	bool login; /* it opened a session of the registry (sshd, su, cron: root's processes) */
	char comm[16];
};

struct mntns_procs {
	struct mntns_proc *p;
	size_t n, cap;
};

/* Lists, in one pass over /proc, the processes other than the caller that have a thread in
 * the mount namespace NS. Returns 0 or -errno; PROCS must be freed either way. */
int mntns_ns_procs(const struct stat *ns, struct mntns_procs *procs, struct mntns_err *err);
void mntns_procs_free(struct mntns_procs *procs);
/* Marks the processes of PROCS whose thread opened a session that REG registers. */
void mntns_procs_mark_logins(const struct mntns_registry *reg, struct mntns_procs *procs);

/* Pure helpers, for the unit tests. */
/* Reads the start time from the text of /proc/TID/stat (the comm field may hold spaces and
 * parentheses). Returns 0 or -EINVAL. */
int mntns_stat_starttime(const char *stat, unsigned long long *start);
/* Reads state (field 3) and comm (field 2, cut to SIZE - 1 bytes) from the text of
 * /proc/PID/stat. Returns 0 or -EINVAL. */
int mntns_stat_fields(const char *stat, char *state, char *comm, size_t size);
/* Reads the real, effective and saved uid and the thread group id from the text of
 * /proc/PID/status. Returns 0 or -EINVAL. */
int mntns_status_ids(const char *status, uid_t ids[3], pid_t *tgid);

#endif
