/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Paths become descriptors once, never through a symlink a user could have made, and never
 * into something a local user could have planted. The one trust call of the module lives here
 * (mntns_path_open_trusted): sources, targets, create= sources, the config and its drop-ins,
 * the run directory and what is in it are all opened through it, with the flags that say what
 * they are; what it refuses comes back as a typed verdict, whose text mntns_path_verdict_text
 * makes. */
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

/* The most mounts of users that one walk goes beneath (mntns_trust.beneath). */
#define MNTNS_MAX_BENEATH 8
/* The most symbolic links one walk follows, as the kernel does. */
#define MNTNS_MAX_LINKS 40
/* The most users' mounts stacked on one name that are taken out of a copy (fuse.conf's
 * mount_max is 1000 for all users together). */
#define MNTNS_MAX_LAYERS 4096

/* What a path is, for the trust call. */
enum mntns_trust_flags {
	/* The config: every directory on the way and the object belong to root (or to uid) and
	 * are writable by nobody else, as sshd's StrictModes asks of the files it reads. */
	MNTNS_TRUST_STRICT = 1U << 0,
	/* Targets: no directory above the object may be one that another user can mount on or
	 * rename things in (group- or world-writable without the sticky bit, or theirs), or they
	 * could cover or move the mount later, while the session runs. */
	MNTNS_TRUST_NO_COVER = 1U << 1,
	/* create= sources: the last component is the user's own directory. Its parent must not
	 * be coverable; when it is missing it is made (uid:gid, mode), atomically; when it exists
	 * it must be a directory of uid's. */
	MNTNS_TRUST_MKDIR_OWNED = 1U << 2,
	/* With MKDIR_OWNED: make nothing (a check); -ENOENT says that a login would make it,
	 * -EROFS that it could not. */
	MNTNS_TRUST_DRY = 1U << 3,
	/* Below a fresh tmpfs this login just mounted (mntns_trust.at) that nobody else can
	 * reach yet: PATH is relative to it, nothing is judged, and what is missing is made
	 * (directories 0755 root's, the last one an empty 0644 file unless a directory is
	 * wanted; exactly these modes, whatever the caller's umask). */
	MNTNS_TRUST_BELOW_FRESH = 1U << 4,
	/* The run directory and what it holds (locks, registries, the view's record): every
	 * directory on the way root's and writable by root alone, a directory at the end with
	 * no permission for anyone else, a file root's with one name. Nobody else can have mounted
	 * anything there, so mounts are crossed without being examined (which costs O(mounts)
	 * before Linux 6.8). */
	MNTNS_TRUST_ROOT_ONLY = 1U << 5,
	/* Open the directory that holds the last component (judged as one on the way), not the
	 * component itself: where the caller makes it. */
	MNTNS_TRUST_PARENT = 1U << 6,
	/* With ROOT_ONLY: only the object is judged; T->at and the directories on the way are
	 * crossed unjudged (a symlink is still never followed, -ELOOP). For the view's record,
	 * which only root can have mounted where it is, whatever /run's mode lets others do. */
	MNTNS_TRUST_OBJECT_ONLY = 1U << 7,
	/* With ROOT_ONLY: a directory at the end is judged as one on the way (root's, writable
	 * by root alone), not as one nobody else may enter: for the list of views, whose
	 * entries only root can make, inside the run directory that is root's 0700. */
	MNTNS_TRUST_END_AS_WAY = 1U << 8,
};

/* The inputs of one walk: what it acts for. The caller owns these. */
struct mntns_trust {
	uid_t uid;	/* the user of the login: what they own in their own ground is theirs */
	unsigned flags; /* enum mntns_trust_flags */
	int at;		/* BELOW_FRESH, ROOT_ONLY: the directory PATH is relative to; else unused */
	gid_t gid;	/* MKDIR_OWNED: the group of the directory made */
	mode_t mode;	/* MKDIR_OWNED: its mode */
	unsigned long long *own; /* mount ids (mntns_path_mount_id) this login made */
	size_t n_own;
	/* For sources: a FUSE mount of a user must not decide what a rule binds. When the walk
	 * meets one on NAME in directory DIRFD, it calls BENEATH, which returns a descriptor of
	 * that directory in a view of the login's own where that mount is gone (or -errno); the
	 * walk goes on there, to what the mount covers. NULL: such a mount is refused (targets,
	 * where a mount goes, and the config). */
	int (*beneath)(void *arg, int dirfd, const char *name);
	void *beneath_arg;
};

/* Why a walk refused (-EPERM, or -ELOOP for MNTNS_REFUSE_LOOP) what it found. */
enum mntns_refusal {
	MNTNS_TRUSTED = 0,
	MNTNS_REFUSE_SYMLINK,	    /* a symbolic link in hostile ground */
	MNTNS_REFUSE_OWNER,	    /* hostile ground: another user's */
	MNTNS_REFUSE_KIND,	    /* hostile ground: neither a directory nor a regular file */
	MNTNS_REFUSE_HARD_LINKS,    /* hostile ground: a file with more than one link */
	MNTNS_REFUSE_ROOT_FILE,	    /* hostile ground: root's file, which may be a hard link */
	MNTNS_REFUSE_TYPE,	    /* hostile ground: not what was wanted */
	MNTNS_REFUSE_NOT_OURS,	    /* STRICT: owned by neither root nor uid */
	MNTNS_REFUSE_SHARED,	    /* STRICT: writable by group or others */
	MNTNS_REFUSE_NOT_ROOTS,	    /* ROOT_ONLY: not root's alone */
	MNTNS_REFUSE_COVERABLE,	    /* NO_COVER, MKDIR_OWNED: in a directory others can mount on */
	MNTNS_REFUSE_MOUNT,	    /* a mount point in ground others can write to */
	MNTNS_REFUSE_USER_MOUNT,    /* a FUSE mount of a user */
	MNTNS_REFUSE_MOUNT_OPAQUE,  /* a mount that cannot be examined without asking it */
	MNTNS_REFUSE_MOUNT_UNKNOWN, /* a mount that cannot be examined */
	MNTNS_REFUSE_MOUNT_NO_TYPE, /* a mount whose type cannot be found */
	MNTNS_REFUSE_BENEATH,	    /* one user's FUSE mount too many on the way to a source */
	MNTNS_REFUSE_REPLACED,	    /* MKDIR_OWNED: replaced while it was being made */
	MNTNS_REFUSE_NOT_USERS,	    /* MKDIR_OWNED: exists but is not a directory of uid's */
	MNTNS_REFUSE_LINK_OWNER,    /* a symbolic link that is not root's */
	MNTNS_REFUSE_LINK_WAY,	    /* root's link below a directory others can write to */
	MNTNS_REFUSE_DOTDOT,	    /* ".." from or into a directory others can write to */
	MNTNS_REFUSE_LOOP,	    /* more than MNTNS_MAX_LINKS links followed */
	MNTNS_REFUSE_LINK_PROC,	    /* a symbolic link of procfs (/proc/self, /proc/PID/cwd...) */
};

/* What one walk found. Only path.c writes it; mntns_path_verdict_text says it. */
struct mntns_path_verdict {
	enum mntns_refusal refusal; /* MNTNS_TRUSTED unless the walk refused */
	/* The path as resolved, through the links followed: on success all of it; on a failure
	 * up to what failed (for a directory others can mount on, that directory). */
	char resolved[4096];
	bool at_last;	    /* what failed is the last component of the path */
	struct stat st;	    /* of what was opened, or refused */
	struct stat dir_st; /* of the directory that holds it */
	bool hostile;	    /* that directory can be written to by someone other than root */
	/* for the text */
	uid_t uid; /* mntns_trust.uid */
	enum mntns_want want;
	int err;	 /* the errno behind a MOUNT_ refusal */
	char fstype[32]; /* USER_MOUNT: the filesystem type */
	/* The link of root's whose target held what failed, as resolved ("" when what failed was
	 * in the path as written, or the name did not fit). */
	char link[4096];
	/* LINK_WAY: RESOLVED up to this many bytes is the first directory on the way that someone
	 * other than root can write to. */
	size_t way_len;
};

/* The one trust call: opens PATH (absolute; relative to T->at for BELOW_FRESH and ROOT_ONLY)
 * one component at a time as an O_PATH|O_CLOEXEC descriptor, never letting the kernel follow
 * a symlink, and judges every component as T->flags say, for the login of T->uid, the last one
 * as a WANT. A symbolic link is followed only when nobody but root could have made or changed
 * it (systemd's CHASE_SAFE): it is root's, and every directory on the way to it is root's and
 * writable by nobody else, and it is not on procfs (whose links lead where a process points
 * them); its target from the walk's root when absolute, else from the link's directory; "..",
 * in a link's target, only between such directories (at the root of another mount than the
 * walk's root, to that mount's parent, as the kernel goes); at most MNTNS_MAX_LINKS links.
 * ROOT_ONLY follows none (-ELOOP). In hostile ground it goes into no other mount at all, and
 * nowhere into a FUSE mount of a user, without asking the mounted filesystem anything; with
 * T->beneath it takes what such a FUSE mount covers instead (the descriptor is then in the view
 * T->beneath made). Returns a descriptor, or -errno with V->resolved naming what failed: -EPERM
 * with V->refusal when it may have been planted (or is not root's alone, as the flags ask), -ELOOP
 * with V->refusal for too many links; -ELOOP without for a symlink as the create= directory
 * itself; -ENOTDIR/-EISDIR/-EINVAL when it is of the wrong type. */
int mntns_path_open_trusted(const char *path, enum mntns_want want, const struct mntns_trust *t,
			    struct mntns_path_verdict *v);

/* The judgement of one component: may OBJ, found in directory DIR, be used by the login of
 * T->uid as a WANT? Returns 0 or -errno, with V->refusal, as mntns_path_open_trusted does.
 * Mounts are decided by the walk, before anything is asked of them. DIR is not looked at for
 * STRICT and ROOT_ONLY: for what was just made in a directory so judged. */
int mntns_path_judge(const struct stat *dir, const struct stat *obj, enum mntns_want want,
		     const struct mntns_trust *t, struct mntns_path_verdict *v);

/* The most that mntns_path_verdict_text writes, its NUL included: the reason with V->resolved in
 * it, the link of root's (V->link) and the words around them. A buffer of this size never cuts
 * the text; every caller uses one. */
#define MNTNS_VERDICT_TEXT_MAX (2 * 4096 + 512)

/* Says why V refused, for a message after the name of what failed (V->resolved): "is owned by uid
 * 1001 in a directory that others can write to; refusing to use it (it may have been planted)",
 * with "(in the target of root's link L)" before "; refusing" when what failed was found in the
 * target of a link followed. Returns BUF. */
const char *mntns_path_verdict_text(const struct mntns_path_verdict *v, char *buf, size_t size);

/* A directory is hostile ground when anyone but root may write to it: it is group- or
 * world-writable (an ACL that lets a user write shows as group-writable), or owned by a user.
 * Whatever is found inside may have been put there by that someone. */
bool mntns_path_hostile(const struct stat *dir);

/* Can someone other than root and UID mount on directory DIR, or rename what is in it? (It is
 * group- or world-writable without the sticky bit, even if it is UID's own; or another
 * user's.) */
bool mntns_path_coverable(const struct stat *dir, uid_t uid);

/* Are A and B the same inode? */
bool mntns_same_inode(const struct stat *a, const struct stat *b);

/* Opens the O_PATH descriptor FD, which a trust call judged, for FLAGS (O_RDONLY...): the very
 * inode judged, not whatever its name leads to now. Returns a descriptor or -errno. */
int mntns_path_reopen(int fd, int flags);

/* Opens the single component NAME of DIRFD with FLAGS (O_PATH...), never following a symlink,
 * crossing a mount on NAME without asking its filesystem anything, and judging nothing: for
 * what the caller examines itself (apply.c: the mounts stacked on a name the trust call
 * judged). Returns a descriptor or -errno. */
int mntns_path_open_component_unchecked(int dirfd, const char *name, int flags);

/* Creates NAME in DIRFD as a directory of UID:GID with MODE, atomically: it is made under a
 * temporary name, chowned and chmodded there (MODE exactly, whatever the caller's umask), and
 * renamed into place only if NAME is still missing, so another login never sees it half-made.
 * Returns 0, -EEXIST when NAME exists (then nothing is left behind), -ESTALE when what was
 * made was replaced before it could be handed over, or -errno. */
int mntns_path_mkdir_owned(int dirfd, const char *name, uid_t uid, gid_t gid, mode_t mode);

/* The id of the mount that FD is on (statx STATX_MNT_ID, without asking the filesystem), or 0
 * when it cannot be had. Ids of live mounts are unique. */
unsigned long long mntns_path_mount_id(int fd);

#endif
