/* passfile: root-only password files. */
#include "common/passfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
passfile_valid(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

/* 0640 root:G lets a service that gave up root (vnet --user, or a unit's
 * User=) read the file after the drop, as /etc/shadow is 0640 root:shadow:
 * accepted when G is the caller's group, or the caller is root (the hooks
 * that share the service's password) */
static int
group_may_read(const struct stat *st)
{
	return (st->st_mode & 070) == 040 && st->st_uid == 0 &&
	    (geteuid() == 0 || st->st_gid == getegid());
}

int
passfile_read(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		snprintf(err, errlen, "password file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "password file %s is not a regular file", path);
		goto fail;
	}
	if ((st.st_mode & 007) || ((st.st_mode & 070) && !group_may_read(&st))) {
		snprintf(err, errlen, "password file %s can be read by others (mode %04o): "
		    "chmod 600 it (or 640, owned by root, group the service's)", path,
		    (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "password file %s belongs to uid %u, neither root nor you",
		    path, (unsigned)st.st_uid);
		goto fail;
	}
	n = read(fd, buf, len - 1);
	if (n < 0) {
		snprintf(err, errlen, "password file %s: %s", path, strerror(errno));
		goto fail;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	close(fd);
	if (!passfile_valid(buf)) {
		snprintf(err, errlen, "password file %s: the first line must be a password "
		    "without blanks", path);
		return -1;
	}
	return 0;
fail:
	close(fd);
	return -1;
}
