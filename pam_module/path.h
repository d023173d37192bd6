/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Paths become descriptors once, never through a symlink, and never into something a local
 * user could have planted. The one trust decision of the module lives here (mntns_path_judge):
 * sources, targets, create= parents, the config and its drop-ins are all opened through it. */
#ifndef MNTNS_PATH_H
#define MNTNS_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* What the caller needs the last component to be. In a directory others can write to, a
 * non-directory is only ever accepted as a regular file with one link. */
enum mntns_want {
	MNTNS_WANT_ANY, /* a directory, or in trusted ground anything */
	MNTNS_WANT_DIR,
	MNTNS_WANT_FILE, /* a regular file */
};

/* The most mounts of users that one walk goes beneath (mntns_walk.beneath). */
#define MNTNS_MAX_BENEATH 8
/* The most users' mounts stacked on one name that are taken out of a copy (fuse.conf's
 * mount_max is 1000 for all users together). */
#define MNTNS_MAX_LAYERS 4096

/* One walk: what it acts for (in) and what it found (out). */
struct mntns_walk {
	uid_t uid; /* the user of the login: what they own in their own ground is theirs */
	/* Every directory on the way and the object must belong to root (or uid) and be writable
	 * by nobody else, as sshd's StrictModes asks of the files it reads: for the config. */
	bool strict;
	/* For targets: no directory above the object may be one that another user can mount on
	 * or rename things in (group- or world-writable without the sticky bit, or theirs), or
	 * they could cover or move the mount later, while the session runs. */
	bool no_cover;
	unsigned long long *own; /* mount ids (mntns_path_mount_id) this login made */
	size_t n_own;
	/* For sources: a FUSE mount of a user must not decide what a rule binds. When the walk
	 * meets one on NAME in directory DIRFD, it calls BENEATH, which returns a descriptor of
	 * that directory in a view of the login's own where that mount is gone (or -errno); the
	 * walk goes on there, to what the mount covers. NULL: such a mount is refused (targets,
	 * where a mount goes, and the config). */
	int (*beneath)(void *arg, int dirfd, const char *name);
	void *beneath_arg;
	unsigned n_beneath; /* times it was called, at most MNTNS_MAX_BENEATH */
	/* out */
	struct stat st; /* of what was opened */
	struct stat dir_st; /* of the directory that holds it */
	bool hostile; /* that directory can be written to by someone other than root */
	size_t bad_len; /* refused (-EPERM): the first BAD_LEN bytes of the path name it */
	bool coverable; /* refused for no_cover, not as planted */
	char why[160]; /* and why, e.g. "is owned by uid 1001" */
};

/* A directory is hostile ground when anyone but root may write to it: it is group- or
 * world-writable (an ACL that lets a user write shows as group-writable), or owned by a user.
 * Whatever is found inside may have been put there by that someone. */
bool mntns_path_hostile(const struct stat *dir);

/* The trust decision: may OBJ, found in directory DIR, be used by the login of W->uid as a
 * WANT? Returns 0; -EPERM with W->why set when it may have been planted (or, strict, is not
 * root's alone); -ELOOP for a symlink in trusted ground; -ENOTDIR/-EISDIR/-EINVAL when it is
 * of the wrong type. Mounts are decided by mntns_path_step, before anything is asked of them. */
int mntns_path_judge(const struct stat *dir, const struct stat *obj, enum mntns_want want,
		     struct mntns_walk *w);

/* Opens the single component NAME of directory DIRFD (whose stat is W->dir_st) as an
 * O_PATH|O_CLOEXEC descriptor, never following a symlink, and judges it. In hostile ground it
 * goes into no other mount at all, and nowhere into a FUSE mount of a user, without asking
 * the mounted filesystem anything; with W->beneath it takes what such a FUSE mount
 * covers instead (the descriptor is then in the view W->beneath made). Fills W->st. Returns a
 * descriptor or -errno. */
int mntns_path_step(int dirfd, const char *name, enum mntns_want want, struct mntns_walk *w);

/* Opens absolute PATH one component at a time from "/" with mntns_path_step. On -EPERM,
 * W->bad_len and W->why say which component and why. */
int mntns_path_open_safe(const char *path, enum mntns_want want, struct mntns_walk *w);

/* Opens the directory that holds PATH's last component as mntns_path_open_safe does, and
 * sets *NAME to that component (inside PATH). W->st is then the directory's stat. */
int mntns_path_open_parent(const char *path, const char **name, struct mntns_walk *w);

/* Creates NAME in DIRFD as a directory of UID:GID with MODE, atomically: it is made under a
 * temporary name, chowned and chmodded there (MODE exactly, whatever the caller's umask), and
 * renamed into place only if NAME is still missing, so another login never sees it half-made.
 * Returns 0, -EEXIST when NAME exists (then nothing is left behind), -ESTALE when what was
 * made was replaced before it could be handed over, or -errno. */
int mntns_path_mkdir_owned(int dirfd, const char *name, uid_t uid, gid_t gid, mode_t mode);

/* Can someone other than root and UID mount on directory DIR, or rename what is in it? (It is
 * group- or world-writable without the sticky bit, even if it is UID's own; or another
 * user's.) */
bool mntns_path_coverable(const struct stat *dir, uid_t uid);

/* Refuses, in W, a path below directory DIR because mntns_path_coverable said so: fills W->why
 * and W->coverable and returns -EPERM. */
int mntns_path_refuse_coverable(struct mntns_walk *w, const struct stat *dir);

/* The id of the mount that FD is on (statx STATX_MNT_ID, without asking the filesystem), or 0
 * when it cannot be had. Ids of live mounts are unique. */
unsigned long long mntns_path_mount_id(int fd);

/* Is FD, the root of a mount, a FUSE mount that a user made (not root, user_id=0)? Asks the
 * kernel only, never the filesystem. */
bool mntns_path_user_mount(int fd);

/* Opens REL (components separated by '/') below BASEFD, a fresh tmpfs this login just mounted
 * and that nobody else can reach yet, creating what is missing through descriptors of that
 * mount (directories 0755 root; the last one an empty 0644 file unless LAST_IS_DIR; exactly
 * these modes, whatever the caller's umask). Nothing is looked up by path from "/" again.
 * Returns an O_PATH descriptor or -errno. */
int mntns_path_open_below(int basefd, const char *rel, bool last_is_dir);

#endif
