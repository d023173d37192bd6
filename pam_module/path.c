/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Path resolution that a local user cannot redirect (see path.h). Every lookup is one component
 * at a time on descriptors: a user who swaps a directory for a symlink, plants an object of
 * their own, hard-links someone else's file or mounts a filesystem that lies or never answers
 * gets a refusal here (or, for a FUSE mount on the way to a source, what it covers), never a
 * descriptor somewhere else and never a hang. */
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "mounts.h"

/* A FUSE server that answers every lookup with EAGAIN must not keep a login spinning. */
#define MAX_EAGAIN 3

/* Opens the single component NAME of DIRFD with FLAGS, never following a symlink (O_NOFOLLOW
 * with O_PATH opens a symlink itself); with NO_XDEV, -EXDEV for a mount point, found without
 * asking the mounted filesystem anything. The one place openat2 is called: without it
 * (valgrind 3.19 does not know it) one component with O_NOFOLLOW follows nothing either, and a
 * mount point has another mount id than its parent, which statx tells with AT_STATX_DONT_SYNC
 * from what the kernel holds. */
static int open_nofollow(int dirfd, const char *name, int flags, bool no_xdev)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_NOFOLLOW),
	    .resolve =
		RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | (no_xdev ? RESOLVE_NO_XDEV : 0),
	};
	unsigned long long id;
	long fd = -1;

	for (int i = 0; i < MAX_EAGAIN; i++) {
		fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	if (fd >= 0 || errno != ENOSYS)
		return fd < 0 ? -errno : (int)fd;
	fd = openat(dirfd, name, flags | O_NOFOLLOW);
	if (fd < 0 || !no_xdev)
		return fd < 0 ? -errno : (int)fd;
	id = mntns_path_mount_id((int)fd);
	if (!id || id != mntns_path_mount_id(dirfd)) {
		close((int)fd);
		return -EXDEV;
	}
	return (int)fd;
}

/* Opens the single component NAME of DIRFD as an O_PATH descriptor of whatever is there,
 * judging nothing (the walk judges it). Where a mount may be crossed (!NO_XDEV), O_DIRECTORY
 * makes the lookup trigger an automount (autofs, x-systemd.automount), which O_PATH alone
 * does not; a non-directory is opened again. */
static int open_unchecked(int dirfd, const char *name, bool no_xdev)
{
	int fd =
	    open_nofollow(dirfd, name, O_PATH | O_CLOEXEC | (no_xdev ? 0 : O_DIRECTORY), no_xdev);

	if (fd == -ENOTDIR && !no_xdev)
		fd = open_nofollow(dirfd, name, O_PATH | O_CLOEXEC, false);
	return fd;
}

unsigned long long mntns_path_mount_id(int fd)
{
	struct statx sx;

	/* Any failure, not only EACCES: a FUSE inode the kernel marked bad (its server once gave
	 * it another type) fails every statx with EIO, before anything else is looked at. */
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, STATX_MNT_ID,
		  &sx) < 0)
		return mntns_mount_id_by_handle(fd);
	return (sx.stx_mask & STATX_MNT_ID) ? sx.stx_mnt_id : 0;
}

bool mntns_same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int mntns_path_reopen(int fd, int flags)
{
	char proc[64];
	int r;

	/* The magic link of /proc leads to the inode itself, whatever its name is now. */
	snprintf(proc, sizeof(proc), "/proc/thread-self/fd/%d", fd);
	r = open(proc, flags | O_CLOEXEC);
	return r < 0 ? -errno : r;
}

int mntns_path_open_component_unchecked(int dirfd, const char *name, int flags)
{
	return open_nofollow(dirfd, name, flags | O_CLOEXEC, false);
}

/* Writable by a group or by everyone? Even by group root: with a POSIX ACL the group bits are
 * the ACL's mask, so "u:bob:rwx" on a root:root directory shows as group-writable. */
static bool shared_write(const struct stat *dir)
{
	return (dir->st_mode & (S_IWGRP | S_IWOTH)) != 0;
}

bool mntns_path_hostile(const struct stat *dir)
{
	return dir->st_uid != 0 || shared_write(dir);
}

static int refuse(struct mntns_path_verdict *v, enum mntns_refusal why)
{
	v->refusal = why;
	return -EPERM;
}

/* A refusal that is not -EPERM (-ELOOP for too many links). */
static int refuse_rc(struct mntns_path_verdict *v, enum mntns_refusal why, int rc)
{
	v->refusal = why;
	return rc;
}

static int refuse_errno(struct mntns_path_verdict *v, enum mntns_refusal why, int err)
{
	v->err = err;
	return refuse(v, why);
}

static const char *kind(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFDIR:
		return "a directory";
	case S_IFREG:
		return "a regular file";
	case S_IFLNK:
		return "a symbolic link";
	case S_IFIFO:
		return "a FIFO";
	case S_IFSOCK:
		return "a socket";
	default:
		return "a device node";
	}
}

static const char *want_kind(enum mntns_want want)
{
	return want == MNTNS_WANT_DIR ? "a directory" : "a regular file";
}

const char *mntns_path_verdict_text(const struct mntns_path_verdict *v, char *buf, size_t size)
{
	const struct stat *o = &v->st, *d = &v->dir_st;
	const char *tail = "; refusing to use it";
	/* What was found in a directory others can write to may have been put there for us;
	 * where the reason is the place, a link or the way to it, that would read wrongly. */
	bool planted = v->hostile;
	char why[sizeof(v->resolved) + 160], via[sizeof(v->link) + 40] = "";

	/* The rest is at most " in a directory...", the longest TAIL and " (it may...)". */
	_Static_assert(sizeof(why) + sizeof(via) + 256 <= MNTNS_VERDICT_TEXT_MAX,
		       "MNTNS_VERDICT_TEXT_MAX holds every verdict text");

	switch (v->refusal) {
	case MNTNS_TRUSTED:
		snprintf(why, sizeof(why), "is trusted");
		break;
	case MNTNS_REFUSE_SYMLINK:
		snprintf(why, sizeof(why), "is a symbolic link");
		break;
	case MNTNS_REFUSE_OWNER:
		snprintf(why, sizeof(why), "is owned by uid %u", (unsigned)o->st_uid);
		break;
	case MNTNS_REFUSE_KIND:
		snprintf(why, sizeof(why), "is %s", kind(o->st_mode));
		break;
	case MNTNS_REFUSE_HARD_LINKS:
		snprintf(why, sizeof(why), "is a regular file with %lu hard links",
			 (unsigned long)o->st_nlink);
		break;
	case MNTNS_REFUSE_ROOT_FILE:
		snprintf(why, sizeof(why), "is a regular file of root's, which may be a hard link");
		break;
	case MNTNS_REFUSE_TYPE:
		snprintf(why, sizeof(why), "is %s, not %s", kind(o->st_mode), want_kind(v->want));
		break;
	case MNTNS_REFUSE_NOT_OURS:
		snprintf(why, sizeof(why), "is owned by uid %u, not by uid %u", (unsigned)o->st_uid,
			 (unsigned)v->uid);
		break;
	case MNTNS_REFUSE_SHARED:
		snprintf(why, sizeof(why), "is writable by group or others (mode %04o)",
			 (unsigned)(o->st_mode & 07777));
		break;
	case MNTNS_REFUSE_NOT_ROOTS:
		snprintf(why, sizeof(why), "is not root's alone (owner uid %u, mode %04o)",
			 (unsigned)o->st_uid, (unsigned)(o->st_mode & 07777));
		break;
	case MNTNS_REFUSE_COVERABLE:
		snprintf(why, sizeof(why), "is writable by others (owner uid %u, mode %04o)",
			 (unsigned)d->st_uid, (unsigned)(d->st_mode & 07777));
		tail = ": another user could mount on it or rename what is in it; refusing to use "
		       "it";
		planted = false;
		break;
	case MNTNS_REFUSE_MOUNT:
		snprintf(why, sizeof(why), "is a mount point (another filesystem)");
		break;
	case MNTNS_REFUSE_USER_MOUNT:
		snprintf(why, sizeof(why), "is a %s mount of a user", v->fstype);
		break;
	case MNTNS_REFUSE_MOUNT_OPAQUE:
		snprintf(why, sizeof(why),
			 "is a mount point that cannot be examined without asking "
			 "its filesystem (%s)",
			 strerror(v->err));
		break;
	case MNTNS_REFUSE_MOUNT_UNKNOWN:
		snprintf(why, sizeof(why), "is a mount point that cannot be examined (%s)",
			 strerror(v->err));
		break;
	case MNTNS_REFUSE_MOUNT_NO_TYPE:
		snprintf(why, sizeof(why),
			 "is a mount point whose filesystem type cannot be found "
			 "(%s)",
			 strerror(v->err));
		break;
	case MNTNS_REFUSE_BENEATH:
		snprintf(why, sizeof(why),
			 "is one FUSE mount of a user too many (a source is looked "
			 "below at most %d)",
			 MNTNS_MAX_BENEATH);
		break;
	case MNTNS_REFUSE_REPLACED:
		snprintf(why, sizeof(why), "was replaced while it was being made");
		break;
	case MNTNS_REFUSE_NOT_USERS:
		snprintf(why, sizeof(why), "is not a directory owned by uid %u", (unsigned)v->uid);
		break;
	case MNTNS_REFUSE_LINK_OWNER:
		snprintf(why, sizeof(why), "is a symbolic link owned by uid %u, not by root",
			 (unsigned)o->st_uid);
		planted = false;
		break;
	case MNTNS_REFUSE_LINK_WAY:
		snprintf(why, sizeof(why),
			 "is a symbolic link below a directory that someone other "
			 "than root can write to%s%.*s%s",
			 v->way_len ? " (" : "", (int)v->way_len, v->resolved,
			 v->way_len ? ")" : "");
		planted = false;
		break;
	case MNTNS_REFUSE_DOTDOT:
		/* Only ever in a link's target: the config's paths are canonical. */
		snprintf(why, sizeof(why),
			 "is \"..\"%s from or into a directory that someone other "
			 "than root can write to",
			 v->link[0] ? "" : " (in a symbolic link's target)");
		planted = false;
		break;
	case MNTNS_REFUSE_LOOP:
		snprintf(why, sizeof(why),
			 "is one symbolic link too many (at most %d are followed)",
			 MNTNS_MAX_LINKS);
		planted = false;
		break;
	case MNTNS_REFUSE_LINK_PROC:
		snprintf(why, sizeof(why),
			 "is a symbolic link of /proc: it leads where a process "
			 "points it, not where root made it");
		planted = false;
		break;
	}
	if (v->link[0] && v->refusal != MNTNS_TRUSTED)
		snprintf(via, sizeof(via), " (in the target of root's link %s)", v->link);
	snprintf(buf, size, "%s%s%s%s%s", why,
		 planted ? " in a directory that others can write to" : "", via, tail,
		 planted ? " (it may have been planted)" : "");
	return buf;
}

static int type_error(const struct stat *obj, enum mntns_want want)
{
	if (want == MNTNS_WANT_DIR && !S_ISDIR(obj->st_mode))
		return -ENOTDIR;
	if (want == MNTNS_WANT_FILE && !S_ISREG(obj->st_mode))
		return S_ISDIR(obj->st_mode) ? -EISDIR : -EINVAL;
	return 0;
}

/* STRICT: root's (a directory), or the trusted uid's, and writable by nobody else. Root's
 * directories lead to a non-root tester's files (unit tests). */
static int judge_strict(const struct stat *obj, enum mntns_want want, const struct mntns_trust *t,
			struct mntns_path_verdict *v)
{
	if (S_ISLNK(obj->st_mode))
		return -ELOOP;
	if (obj->st_uid != t->uid && !(S_ISDIR(obj->st_mode) && obj->st_uid == 0))
		return refuse(v, MNTNS_REFUSE_NOT_OURS);
	if (shared_write(obj))
		return refuse(v, MNTNS_REFUSE_SHARED);
	return type_error(obj, want);
}

/* ROOT_ONLY: root's, a directory on the way writable by root alone, the directory at the end
 * (LAST) nobody else's to enter at all, a file one name of root's. What is in such a
 * directory is out of everyone else's reach whatever its own mode. */
static int judge_root_only(const struct stat *obj, enum mntns_want want, bool last,
			   struct mntns_path_verdict *v)
{
	if (S_ISLNK(obj->st_mode))
		return -ELOOP;
	if (obj->st_uid != 0 || (S_ISDIR(obj->st_mode) && (obj->st_mode & (last ? 07077 : 022))) ||
	    (S_ISREG(obj->st_mode) && obj->st_nlink != 1))
		return refuse(v, MNTNS_REFUSE_NOT_ROOTS);
	return type_error(obj, want);
}

static int judge_at(const struct stat *dir, const struct stat *obj, enum mntns_want want, bool last,
		    const struct mntns_trust *t, struct mntns_path_verdict *v)
{
	v->st = *obj;
	if (t->flags & MNTNS_TRUST_STRICT)
		return judge_strict(obj, want, t, v);
	if ((t->flags & MNTNS_TRUST_ROOT_ONLY) && (t->flags & MNTNS_TRUST_OBJECT_ONLY) && !last)
		return S_ISLNK(obj->st_mode) ? -ELOOP : type_error(obj, want);
	if (t->flags & MNTNS_TRUST_ROOT_ONLY)
		return judge_root_only(obj, want, last && !(t->flags & MNTNS_TRUST_END_AS_WAY), v);
	if (!mntns_path_hostile(dir))
		return S_ISLNK(obj->st_mode) ? -ELOOP : type_error(obj, want);
	/* Hostile ground: whoever can write here may have put this here for us to find. Root's
	 * ownership of a non-directory proves nothing (a hard link to root's file is made without
	 * root), and the directory's owner controls it anyway. */
	if (S_ISLNK(obj->st_mode))
		return refuse(v, MNTNS_REFUSE_SYMLINK);
	if (obj->st_uid != 0 && obj->st_uid != t->uid && obj->st_uid != dir->st_uid)
		return refuse(v, MNTNS_REFUSE_OWNER);
	if (!S_ISDIR(obj->st_mode) && !S_ISREG(obj->st_mode))
		return refuse(v, MNTNS_REFUSE_KIND);
	if (S_ISREG(obj->st_mode) && obj->st_nlink != 1)
		return refuse(v, MNTNS_REFUSE_HARD_LINKS);
	/* Anyone may have hard-linked root's file here and then removed the original name. */
	if (S_ISREG(obj->st_mode) && obj->st_uid == 0)
		return refuse(v, MNTNS_REFUSE_ROOT_FILE);
	if (type_error(obj, want) < 0)
		return refuse(v, MNTNS_REFUSE_TYPE);
	return 0;
}

int mntns_path_judge(const struct stat *dir, const struct stat *obj, enum mntns_want want,
		     const struct mntns_trust *t, struct mntns_path_verdict *v)
{
	v->refusal = MNTNS_TRUSTED;
	v->uid = t->uid;
	v->want = want;
	v->link[0] = '\0';
	v->way_len = 0;
	v->hostile =
	    !(t->flags & (MNTNS_TRUST_STRICT | MNTNS_TRUST_ROOT_ONLY)) && mntns_path_hostile(dir);
	return judge_at(dir, obj, want, true, t, v);
}

/* What the mount at FD is (mounts.h tells it without asking the filesystem): MOUNT_ROOTS,
 * MOUNT_USERS (V says so), or -EPERM with V's refusal when it cannot be told. */
enum { MOUNT_ROOTS, MOUNT_USERS };

static int mount_kind(int fd, struct mntns_path_verdict *v)
{
	int err = 0;

	switch (mntns_mount_kind(fd, v->fstype, sizeof(v->fstype), &err)) {
	case MNTNS_MOUNT_ROOTS:
		break;
	case MNTNS_MOUNT_USERS:
		refuse(v, MNTNS_REFUSE_USER_MOUNT);
		return MOUNT_USERS;
	case MNTNS_MOUNT_OPAQUE:
		return refuse_errno(v, MNTNS_REFUSE_MOUNT_OPAQUE, err);
	case MNTNS_MOUNT_UNKNOWN:
		return refuse_errno(v, MNTNS_REFUSE_MOUNT_UNKNOWN, err);
	case MNTNS_MOUNT_NO_TYPE:
		return refuse_errno(v, MNTNS_REFUSE_MOUNT_NO_TYPE, err);
	}
	return MOUNT_ROOTS;
}

/* A link followed, whose target the walk is in while more than TAIL bytes are left to walk
 * (splicing a target only replaces what was walked: the rest after it stays the end of what is
 * left). Its name, as resolved, starts at OFF in the walk's NAMES, or did not fit (SIZE_MAX). */
struct link_frame {
	size_t tail;
	size_t off;
};

/* One walk: its inputs, its verdict, how often it went beneath a user's mount, how many
 * symbolic links it followed, and whether every directory on the way so far is root's and
 * writable by nobody else (only then can no one but root have made or changed a link met
 * there, nor moved it there), and if not, where that stopped (WAY_LEN bytes of the path as
 * resolved, which after that only grows). The mount id of the walk's root, where ".." stays.
 * The links whose targets it is in, innermost last. */
struct walk {
	const struct mntns_trust *t;
	struct mntns_path_verdict *v;
	unsigned n_beneath;
	unsigned n_links;
	bool safe;
	size_t way_len;
	unsigned long long root_mnt;
	struct link_frame frames[MNTNS_MAX_LINKS];
	unsigned n_frames;
	char names[4096];
	size_t names_len;
};

/* Is directory DIR root's and writable by nobody else? */
static bool roots_alone(const struct stat *dir)
{
	return !mntns_path_hostile(dir);
}

/* Is the mount at FD one that this login made (T->own)? */
static bool own_mount(int fd, const struct mntns_trust *t)
{
	unsigned long long id = t->n_own ? mntns_path_mount_id(fd) : 0;

	for (size_t i = 0; id && i < t->n_own; i++)
		if (t->own[i] == id)
			return true;
	return false;
}

/* Opens NAME at a mount crossing (open_unchecked said -EXDEV) as the ground says. Returns a
 * descriptor, STEP_BENEATH for a FUSE mount of a user when T->beneath may take it away, or
 * -errno. */
#define STEP_BENEATH (-EXDEV) /* open_unchecked's -EXDEV never leaves cross otherwise */

static int cross(struct walk *w, int dirfd, const char *name)
{
	const struct mntns_trust *t = w->t;
	struct mntns_path_verdict *v = w->v;
	/* Where others can write, a mount point is theirs until shown otherwise; in the user's
	 * own directory it is root's or the user's. A FUSE mount of a user is refused anywhere,
	 * or left out with T->beneath. Mounts this very login made are crossed anywhere.
	 * Crossing one asks its filesystem nothing; only what lies beyond it would. */
	bool others = v->hostile && v->dir_st.st_uid != t->uid;
	_cleanup_close_ int fd = -1;
	int what;

	if (others && !t->n_own && !t->beneath)
		return refuse(v, MNTNS_REFUSE_MOUNT);
	/* Without triggering an automount where it is crossed only to be told apart. */
	fd = others ? open_nofollow(dirfd, name, O_PATH | O_CLOEXEC, false)
		    : open_unchecked(dirfd, name, false);
	if (fd < 0)
		return fd;
	what = mount_kind(fd, v);
	if (what == MOUNT_USERS && t->beneath)
		return STEP_BENEATH;
	if (others && !own_mount(fd, t))
		return refuse(v, MNTNS_REFUSE_MOUNT);
	if (what != MOUNT_ROOTS)
		return -EPERM; /* mount_kind has said why */
	return mntns_take_fd(&fd);
}

/* One component in one view: NAME of DIRFD (whose stat is V->dir_st), judged as a WANT. */
static int step_once(struct walk *w, int dirfd, const char *name, enum mntns_want want, bool last)
{
	const struct mntns_trust *t = w->t;
	struct mntns_path_verdict *v = w->v;
	_cleanup_close_ int fd = -1;
	struct stat st;
	int rc;

	v->hostile = !(t->flags & (MNTNS_TRUST_STRICT | MNTNS_TRUST_ROOT_ONLY)) &&
		     mntns_path_hostile(&v->dir_st);
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strchr(name, '/'))
		return -EINVAL;
	/* A symlink is opened and judged, never followed by the kernel: the protected_symlinks
	 * check (EACCES for another user's link in /tmp) never comes into it. Nobody but root can
	 * have mounted anything where only root can write. */
	fd = open_unchecked(dirfd, name, !(t->flags & MNTNS_TRUST_ROOT_ONLY));
	if (fd == -EXDEV)
		fd = cross(w, dirfd, name);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	/* The run directory and what it holds are never reached through a link. */
	if (S_ISLNK(st.st_mode) && !v->hostile && !(t->flags & MNTNS_TRUST_ROOT_ONLY) &&
	    !(t->flags & MNTNS_TRUST_MKDIR_OWNED && last)) {
		/* Where only root can write: followed when root made it and nobody else could
		 * have put the directory it is in where it is (the caller reads it through FD).
		 * procfs makes its links, all root's in root's directories, from a process's
		 * state: /proc/self is whoever reads it, /proc/PID/cwd, fd/N, root and exe lead
		 * where that process points them (and /dev/fd, /dev/stdin into them): the user who
		 * runs su chooses its working directory and descriptors. */
		struct statfs fs;

		v->st = st;
		if (fstatfs(fd, &fs) < 0)
			return -errno;
		if (fs.f_type == PROC_SUPER_MAGIC)
			return refuse(v, MNTNS_REFUSE_LINK_PROC);
		if (st.st_uid != 0)
			return refuse(v, MNTNS_REFUSE_LINK_OWNER);
		if (!w->safe) {
			v->way_len = w->way_len;
			return refuse(v, MNTNS_REFUSE_LINK_WAY);
		}
		return mntns_take_fd(&fd);
	}
	rc = judge_at(&v->dir_st, &st, want, last, t, v);
	return rc < 0 ? rc : mntns_take_fd(&fd);
}

/* Opens NAME of DIRFD as step_once does, and where a user's mount is on it, what it covers. */
static int step(struct walk *w, int dirfd, const char *name, enum mntns_want want, bool last)
{
	_cleanup_close_ int under = -1;
	int fd = step_once(w, dirfd, name, want, last);

	/* A user's mount does not decide what a source is: T->beneath gives this directory again
	 * in a view of the login's own without that mount, and NAME is looked up there. */
	while (fd == STEP_BENEATH) {
		int nd;

		if (w->n_beneath == MNTNS_MAX_BENEATH)
			return refuse(w->v, MNTNS_REFUSE_BENEATH);
		w->n_beneath++;
		nd = w->t->beneath(w->t->beneath_arg, under >= 0 ? under : dirfd, name);
		if (nd < 0)
			return nd;
		mntns_closep(&under);
		under = nd;
		fd = step_once(w, under, name, want, last);
	}
	return fd;
}

/* MKDIR_OWNED: NAME in DIRFD is the user's directory, made now if it is missing. Whoever may
 * rename in DIRFD could swap what is made there, or move it away. */
static int step_owned(struct walk *w, int dirfd, const char *name)
{
	const struct mntns_trust *t = w->t;
	struct mntns_path_verdict *v = w->v;
	int fd, rc;

	v->hostile = mntns_path_hostile(&v->dir_st);
	if (t->flags & MNTNS_TRUST_DRY) {
		/* A lookup of NAME alone asks no filesystem mounted on it anything. */
		_cleanup_close_ int cur = open_nofollow(dirfd, name, O_PATH | O_CLOEXEC, false);
		struct statvfs vfs;

		/* mkdirat's answer on a read-only filesystem, the one failure of a login's mkdir
		 * that can be told beforehand. */
		if (cur == -ENOENT)
			return fstatvfs(dirfd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY) ? -EROFS
										      : -ENOENT;
		rc = -EEXIST;
	} else {
		rc = mntns_path_mkdir_owned(dirfd, name, t->uid, t->gid, t->mode);
	}
	if (rc == -ESTALE)
		return refuse(v, MNTNS_REFUSE_REPLACED);
	if (rc < 0 && rc != -EEXIST)
		return rc;
	fd = step(w, dirfd, name, MNTNS_WANT_DIR, true);
	if (fd < 0 && fd != -ENOTDIR)
		return fd;
	if (fd >= 0 && v->st.st_uid == t->uid)
		return fd;
	if (fd >= 0)
		close(fd);
	/* Where only root can write, this is the administrator's object, not a trap: the caller
	 * says so (V->hostile is false). */
	return refuse(v, MNTNS_REFUSE_NOT_USERS);
}

/* Appends the component NAME to V->resolved. */
static int resolved_push(struct mntns_path_verdict *v, const char *name)
{
	size_t n = strlen(v->resolved);
	const char *sep = n && v->resolved[n - 1] != '/' ? "/" : "";

	if (n + strlen(sep) + strlen(name) >= sizeof(v->resolved))
		return -ENAMETOOLONG;
	snprintf(v->resolved + n, sizeof(v->resolved) - n, "%s%s", sep, name);
	return 0;
}

/* Takes the last component off V->resolved ("/a" becomes "/", "a" becomes ""). */
static void resolved_pop(struct mntns_path_verdict *v)
{
	char *slash = strrchr(v->resolved, '/');

	if (!slash)
		v->resolved[0] = '\0';
	else
		slash[slash == v->resolved] = '\0';
}

/* Puts the target of the symbolic link LINK (an O_PATH descriptor of the link itself, read
 * through which nobody can swap it) in front of REST, in TODO; a "/" between them only when
 * something follows, so that a target as long as the kernel allows (4095 bytes) fits. */
static int splice_link(int link, const char *rest, char *todo, size_t size)
{
	char target[4096];
	ssize_t n = readlinkat(link, "", target, sizeof(target));
	size_t rest_len = strlen(rest), sep = rest_len ? 1 : 0;

	if (n < 0)
		return -errno;
	if (n == 0)
		return -ENOENT; /* as the kernel says of an empty link */
	/* N == sizeof(target): readlinkat may have cut it short. */
	if ((size_t)n >= sizeof(target) || (size_t)n + sep + rest_len >= size)
		return -ENAMETOOLONG;
	memmove(todo + n + sep, rest, rest_len + 1); /* REST is in TODO */
	if (sep)
		todo[n] = '/';
	memcpy(todo, target, (size_t)n);
	return 0;
}

/* The link whose target the walk now enters, in front of the REST_LEN bytes that were left: its
 * name is V->resolved (the link), kept while the walk is in its target. */
static void frame_push(struct walk *w, size_t rest_len)
{
	struct link_frame *f = &w->frames[w->n_frames++]; /* one per link: MNTNS_MAX_LINKS */
	size_t n = strlen(w->v->resolved) + 1;

	f->tail = rest_len;
	f->off = SIZE_MAX;
	if (w->names_len + n <= sizeof(w->names)) {
		f->off = w->names_len;
		memcpy(w->names + f->off, w->v->resolved, n);
		w->names_len += n;
	}
}

/* Before a component, with LEFT bytes left to walk from it on: the targets the walk has
 * left behind are done, and V->link names the innermost one it is in (or is ""). */
static void frame_at(struct walk *w, size_t left)
{
	const struct link_frame *top;

	while (w->n_frames && w->frames[w->n_frames - 1].tail >= left) {
		top = &w->frames[--w->n_frames];
		if (top->off != SIZE_MAX)
			w->names_len = top->off;
	}
	top = w->n_frames ? &w->frames[w->n_frames - 1] : NULL;
	snprintf(w->v->link, sizeof(w->v->link), "%s",
		 top && top->off != SIZE_MAX ? w->names + top->off : "");
}

/* "..", taken from the directory DIR the walk is in, only where every directory so far is
 * root's alone: the parent of a directory a user can move is wherever they moved it. At the
 * walk's root (stat ROOT, on the mount W->root_mnt) it stays there, as the kernel does; at
 * the root of another mount of the same directory (a bind of "/") it goes, as the kernel does,
 * to the parent of where that is mounted. Returns the parent's descriptor, DIR itself
 * (duplicated) at the root, or -errno. */
static int step_up(struct walk *w, int dir, const struct stat *root)
{
	struct mntns_path_verdict *v = w->v;
	_cleanup_close_ int fd = -1;
	int rc;

	if (!w->safe)
		return refuse(v, MNTNS_REFUSE_DOTDOT);
	if (mntns_same_inode(&v->st, root) && mntns_path_mount_id(dir) == w->root_mnt) {
		rc = fcntl(dir, F_DUPFD_CLOEXEC, 3);
		return rc < 0 ? -errno : rc;
	}
	fd = open_nofollow(dir, "..", O_PATH | O_DIRECTORY | O_CLOEXEC, false);
	if (fd < 0)
		return fd;
	v->dir_st = v->st;
	if (fstat(fd, &v->st) < 0)
		return -errno;
	if (!roots_alone(&v->st))
		return refuse(v, MNTNS_REFUSE_DOTDOT);
	rc = judge_at(&v->st, &v->st, MNTNS_WANT_DIR, false, w->t, v);
	return rc < 0 ? rc : mntns_take_fd(&fd);
}

/* Takes the next component of the path at *P (after any slashes) into NAME (256 bytes) and
 * moves *P past it, to what is left after it; LAST says whether only slashes follow. Returns 1,
 * 0 at the end of the path, or -ENAMETOOLONG for a component longer than a name can be. */
static int next_component(const char **p, char name[256], bool *last)
{
	size_t len;

	while (**p == '/')
		(*p)++;
	if (**p == '\0')
		return 0;
	len = strcspn(*p, "/");

	if (len >= 256)
		return -ENAMETOOLONG;
	memcpy(name, *p, len);
	name[len] = '\0';
	*p += len;
	*last = (*p)[strspn(*p, "/")] == '\0';
	return 1;
}

/* The parents of nested targets below a fresh tmpfs (see MNTNS_TRUST_BELOW_FRESH). */
static int open_below(int basefd, const char *rel, bool last_is_dir);

/* Opens where the walk starts (T->at, or "/"), judged for STRICT and ROOT_ONLY. */
static int open_start(struct walk *w, bool rooted)
{
	const struct mntns_trust *t = w->t;
	struct mntns_path_verdict *v = w->v;
	_cleanup_close_ int dir =
	    rooted ? fcntl(t->at, F_DUPFD_CLOEXEC, 3) : open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (dir < 0 || fstat(dir, &v->st) < 0)
		return -errno;
	v->dir_st = v->st;
	w->safe = roots_alone(&v->st);
	w->way_len = w->safe ? 0 : strlen(v->resolved);
	if ((t->flags & (MNTNS_TRUST_STRICT | MNTNS_TRUST_ROOT_ONLY)) &&
	    (rc = judge_at(&v->st, &v->st, MNTNS_WANT_DIR, false, t, v)) < 0)
		return rc;
	return mntns_take_fd(&dir);
}

int mntns_path_open_trusted(const char *path, enum mntns_want want, const struct mntns_trust *t,
			    struct mntns_path_verdict *v)
{
	struct walk w = {.t = t, .v = v};
	bool rooted = t->flags & (MNTNS_TRUST_ROOT_ONLY | MNTNS_TRUST_BELOW_FRESH);
	_cleanup_close_ int root = -1, dir = -1;
	struct stat root_st;
	char todo[4096];
	const char *p = todo;
	int rc;

	memset(v, 0, sizeof(*v));
	v->uid = t->uid;
	v->want = want;
	if (strlen(path) >= sizeof(todo))
		return -ENAMETOOLONG;
	snprintf(v->resolved, sizeof(v->resolved), "%s", path);
	if (t->flags & MNTNS_TRUST_BELOW_FRESH) {
		v->at_last = true;
		rc = open_below(t->at, path, want == MNTNS_WANT_DIR);
		if (rc >= 0 && fstat(rc, &v->st) < 0) {
			close(rc);
			rc = -errno;
		}
		return rc;
	}
	if (!rooted && path[0] != '/')
		return -EINVAL;
	snprintf(v->resolved, sizeof(v->resolved), "%s", rooted ? "" : "/");
	root = open_start(&w, rooted);
	if (root < 0)
		return root;
	root_st = v->st;
	w.root_mnt = mntns_path_mount_id(root);
	dir = fcntl(root, F_DUPFD_CLOEXEC, 3);
	if (dir < 0)
		return -errno;
	memcpy(todo, path, strlen(path) + 1);
	for (;;) {
		char name[256];
		bool last;
		int fd;

		rc = next_component(&p, name, &last);
		if (rc <= 0) {
			if (rc < 0)
				return rc;
			break;
		}
		frame_at(&w, strlen(name) + strlen(p)); /* from the component on */
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			v->at_last = last;
			fd = step_up(&w, dir, &root_st);
			if (fd < 0)
				return fd;
			resolved_pop(v);
			close(dir);
			dir = fd;
			continue;
		}
		v->dir_st = v->st;
		if ((t->flags & MNTNS_TRUST_NO_COVER) && mntns_path_coverable(&v->dir_st, t->uid))
			return refuse(v, MNTNS_REFUSE_COVERABLE);
		if (last && (t->flags & MNTNS_TRUST_PARENT))
			break;
		if (last && (t->flags & MNTNS_TRUST_MKDIR_OWNED) &&
		    mntns_path_coverable(&v->dir_st, t->uid))
			return refuse(v, MNTNS_REFUSE_COVERABLE); /* names the parent */
		/* From here on a failure names this component. */
		rc = resolved_push(v, name);
		if (rc < 0)
			return rc;
		v->at_last = last;
		if (last && (t->flags & MNTNS_TRUST_MKDIR_OWNED))
			fd = step_owned(&w, dir, name);
		else
			fd = step(&w, dir, name, last ? want : MNTNS_WANT_DIR, last);
		if (fd >= 0 && S_ISLNK(v->st.st_mode)) {
			/* Root's link where only root can write (step_once said so): its target
			 * from "/" (the walk's root) when absolute, else from the directory it
			 * is in, and the rest of the path after it. */
			_cleanup_close_ int link = fd;
			size_t rest_len = strlen(p);

			if (++w.n_links > MNTNS_MAX_LINKS)
				return refuse_rc(v, MNTNS_REFUSE_LOOP, -ELOOP);
			rc = splice_link(link, p, todo, sizeof(todo));
			if (rc < 0)
				return rc;
			p = todo;
			frame_push(&w, rest_len);
			resolved_pop(v);
			if (todo[0] == '/') {
				close(dir);
				dir = fcntl(root, F_DUPFD_CLOEXEC, 3);
				if (dir < 0)
					return -errno;
				v->st = root_st;
				snprintf(v->resolved, sizeof(v->resolved), "%s", rooted ? "" : "/");
			} else {
				v->st = v->dir_st;
			}
			continue;
		}
		if (fd < 0)
			return fd;
		if (w.safe && !(S_ISDIR(v->st.st_mode) && roots_alone(&v->st))) {
			w.safe = false;
			w.way_len = strlen(v->resolved);
		}
		close(dir);
		dir = fd;
	}
	return mntns_take_fd(&dir);
}

/* Is directory FD empty? */
static bool dir_empty(int fd)
{
	char buf[512];
	long n;

	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n;) {
			/* struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name */
			unsigned short reclen;
			const char *name = buf + off + 19;

			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
				return false;
			off += reclen;
		}
	return n == 0;
}

/* Makes NAME in DIRFD and gives it to UID:GID with MODE, through a descriptor of the directory
 * that was just made: between mkdirat and open, whoever may rename in DIRFD could put another
 * of root's directories under NAME, and it must not be handed over. Only an empty directory
 * of ours, born after T0, is. fchmod gives it exactly MODE, whatever the caller's umask took
 * from the 0700 of mkdirat. */
static int make_owned(int dirfd, const char *name, uid_t uid, gid_t gid, mode_t mode,
		      const struct timespec *t0)
{
	_cleanup_close_ int fd = -1;
	struct statx sx;
	int rc = 0;

	if (mkdirat(dirfd, name, 0700) < 0)
		return -errno;
	/* Not into a mount someone put on the name meanwhile: opening it would ask its server. */
	fd = open_nofollow(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC, true);
	if (fd < 0)
		rc = fd;
	else if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &sx) < 0)
		rc = -errno;
	/* btime comes from the coarse clock, or a file server's: a minute of slack. */
	else if (!S_ISDIR(sx.stx_mode) || sx.stx_uid != geteuid() ||
		 ((sx.stx_mask & STATX_BTIME) && sx.stx_btime.tv_sec < t0->tv_sec - 60) ||
		 !dir_empty(fd))
		rc = -ESTALE; /* not the directory we made */
	else if (fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0)
		rc = -errno;
	/* Nothing half-made stays behind under NAME (an empty directory of someone else's that
	 * took its place goes too, which they can make again). */
	if (rc < 0)
		unlinkat(dirfd, name, AT_REMOVEDIR);
	return rc;
}

int mntns_path_mkdir_owned(int dirfd, const char *name, uid_t uid, gid_t gid, mode_t mode)
{
	struct timespec t0;
	char tmp[64];
	int rc = -EEXIST;

	if (uid == (uid_t)-1 || gid == (gid_t)-1)
		return -EINVAL; /* fchown would leave it root's */
	if (clock_gettime(CLOCK_REALTIME, &t0) < 0)
		return -errno;
	/* A user may have made every name we try first; the checks in make_owned and the
	 * caller's judge of NAME catch what they do. */
	for (int i = 0; i < 8 && rc == -EEXIST; i++) {
		unsigned long long r = 0;

		if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
			r = (unsigned long long)t0.tv_nsec ^ ((unsigned long long)getpid() << 20) ^
			    (unsigned long long)i;
		snprintf(tmp, sizeof(tmp), ".mntns-new-%016llx", r);
		rc = make_owned(dirfd, tmp, uid, gid, mode, &t0);
	}
	if (rc < 0)
		return rc;
	/* Appears whole or not at all: a concurrent login of the same user either made NAME
	 * first (EEXIST, and uses theirs) or finds ours complete. */
	if (syscall(SYS_renameat2, dirfd, tmp, dirfd, name, RENAME_NOREPLACE) == 0)
		return 0;
	rc = -errno;
	unlinkat(dirfd, tmp, AT_REMOVEDIR);
	/* NFS has no RENAME_NOREPLACE: made in place there, a concurrent first login of the same
	 * user may find it not yet chowned and be refused. */
	if (rc == -EINVAL)
		rc = make_owned(dirfd, name, uid, gid, mode, &t0);
	return rc;
}

/* Can someone other than root and UID mount on DIR, or rename what is in it? fusermount3 lets
 * a user mount on any directory they can write to, and the mount reaches running sessions (/
 * is a slave of the host's). In a sticky directory only an entry's owner may rename it, and a
 * user may not mount on one that is not theirs. A directory of the user's own that her group
 * or everyone may write to is shared with them just the same. */
bool mntns_path_coverable(const struct stat *dir, uid_t uid)
{
	if (dir->st_uid != 0 && dir->st_uid != uid)
		return true;
	return shared_write(dir) && !(dir->st_mode & S_ISVTX);
}

/* The caller's umask (pam_umask earlier in the stack, say 077) takes bits from what mkdirat and
 * O_CREAT make, and the process-wide umask is not ours to change under the caller's other
 * threads: what the module makes gets its mode set on its descriptor afterwards. */
static int set_dir_mode(int pathfd, mode_t mode)
{
	_cleanup_close_ int fd = openat(pathfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 || fchmod(fd, mode) < 0 ? -errno : 0;
}

/* Makes NAME in DIRFD as an empty regular file of exactly MODE; -EEXIST if it exists. */
static int make_file(int dirfd, const char *name, mode_t mode)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	_cleanup_close_ int fd = openat(dirfd, name, flags, mode);

	return fd < 0 || fchmod(fd, mode) < 0 ? -errno : 0;
}

static int open_below(int basefd, const char *rel, bool last_is_dir)
{
	_cleanup_close_ int dir = fcntl(basefd, F_DUPFD_CLOEXEC, 3);
	const char *p = rel;

	if (dir < 0)
		return -errno;
	for (;;) {
		char name[256];
		bool last;
		int fd;

		fd = next_component(&p, name, &last);
		if (fd <= 0) {
			if (fd < 0)
				return fd;
			break;
		}
		fd = open_unchecked(dir, name, true);
		if (fd == -ENOENT) {
			bool made = false;

			/* dir is O_PATH: mkdirat and openat take it as a directory. */
			if (!last || last_is_dir) {
				if (mkdirat(dir, name, 0755) == 0)
					made = true;
				else if (errno != EEXIST)
					return -errno;
			} else {
				int rc = make_file(dir, name, 0644);

				if (rc < 0 && rc != -EEXIST)
					return rc;
			}
			fd = open_unchecked(dir, name, true);
			if (fd >= 0 && made) {
				int rc = set_dir_mode(fd, 0755);

				if (rc < 0) {
					close(fd);
					return rc;
				}
			}
		}
		if (fd < 0)
			return fd;
		close(dir);
		dir = fd;
	}
	return mntns_take_fd(&dir);
}
