/* fd: close-on-exec and closing what a child must not inherit. */
#include "common/fd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC	(1U << 2)
#endif

int
fd_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0)
		return -1;
	return (fl & FD_CLOEXEC) || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == 0 ? 0 : -1;
}

int
fd_cloexec_all(void)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	/* one call on Linux 5.11 and later */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		if (*end != '\0' || end == de->d_name || fd < 3 || fd == dirfd(d))
			continue;
		if (fd_cloexec((int)fd) != 0 && errno != EBADF)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int
fd_close_from(int lo)
{
	struct rlimit rl;

	if (close_range((unsigned)lo, ~0U, 0) == 0)
		return 0;
	/* Linux before 5.9: every number up to the limit, at most 64 Ki */
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 65536)
		rl.rlim_cur = 65536;
	for (int fd = lo; fd < (int)rl.rlim_cur; fd++)
		close(fd);
	return 0;
}

int
fd_mkdir_parents(const char *file)
{
	char dir[4096];
	char *slash, *p;

	if (snprintf(dir, sizeof(dir), "%s", file) >= (int)sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return -1;
		if ((*p = c) == '\0')
			break;
	}
	return 0;
}
