/* Symlink-free path resolution (see path.h). A user who swaps a directory for a symlink, from
 * this session or another, gets an error here, never a descriptor somewhere else. */
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"

int mntns_path_open(int dirfd, const char *path, int extra)
{
	struct open_how how = {
		.flags = (unsigned long long)(O_PATH | O_CLOEXEC | extra),
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	do
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return fd < 0 ? -errno : (int)fd;
}

int mntns_path_open_trusted(const char *path, uid_t uid, int extra, struct mntns_untrusted *bad)
{
	_cleanup_close_ int dir = -1;
	const char *p = path;
	struct stat st;

	bad->len = 0;
	if (path[0] != '/')
		return -EINVAL;
	dir = mntns_path_open(AT_FDCWD, "/", O_DIRECTORY);
	if (dir < 0)
		return dir;
	if (fstat(dir, &st) < 0)
		return -errno;
	for (;;) {
		bool open_to_all = (st.st_mode & S_IWOTH) != 0;
		char name[256];
		size_t len;
		int fd;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		len = strcspn(p, "/");
		if (len >= sizeof(name))
			return -ENAMETOOLONG;
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		fd = mntns_path_open(dir, name, *p ? O_DIRECTORY : extra);
		/* Who owns what is there, even what cannot be opened: a symlink or a non-directory
		 * that a third user put in a world-writable directory is planted too. */
		if (fd >= 0) {
			close(dir);
			dir = fd;
			if (fstat(dir, &st) < 0)
				return -errno;
		} else if (!open_to_all || (fd != -ELOOP && fd != -ENOTDIR) ||
			   fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			return fd;
		}
		if (open_to_all && st.st_uid != 0 && st.st_uid != uid) {
			bad->len = (size_t)(p - path);
			bad->owner = st.st_uid;
			return -EPERM;
		}
		if (fd < 0)
			return fd;
	}
	return mntns_take_fd(&dir);
}

int mntns_path_open_below(const char *base, const char *path, bool last_is_dir)
{
	_cleanup_close_ int dir = mntns_path_open(AT_FDCWD, base, O_DIRECTORY);
	const char *p = path + strlen(base);

	if (dir < 0)
		return dir;
	while (*p == '/') {
		char name[256];
		size_t len = strcspn(++p, "/");
		bool last = p[len] == '\0';
		int fd;

		if (len >= sizeof(name))
			return -ENAMETOOLONG;
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		fd = mntns_path_open(dir, name, last ? 0 : O_DIRECTORY);
		if (fd == -ENOENT) {
			if (!last || last_is_dir) {
				if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST)
					return -errno;
			} else {
				int f = openat(dir, name,
					       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
					       0644);

				if (f < 0 && errno != EEXIST)
					return -errno;
				if (f >= 0)
					close(f);
			}
			fd = mntns_path_open(dir, name, last ? 0 : O_DIRECTORY);
		}
		if (fd < 0)
			return fd;
		close(dir);
		dir = fd;
	}
	return mntns_take_fd(&dir);
}
