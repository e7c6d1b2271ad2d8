/* Unit tests: close-on-exec and closing before exec. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fd.h"

static bool
cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	cr_assert(fl >= 0, "fd %d not open", fd);
	return fl & FD_CLOEXEC;
}

Test(fd, cloexec_sets_the_flag)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	cr_assert(s >= 0);
	cr_assert_not(cloexec(s));
	cr_assert_eq(fd_cloexec(s), 0);
	cr_assert(cloexec(s));
	cr_assert_eq(fd_cloexec(s), 0, "already set: still 0");
	cr_assert(cloexec(s));
	close(s);
}

Test(fd, cloexec_refuses_a_closed_descriptor)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	close(s);
	cr_assert_eq(fd_cloexec(s), -1);
	cr_assert_eq(errno, EBADF);
}

Test(fd, cloexec_all_marks_every_descriptor_above_stderr)
{
	int p[2], s = socket(AF_UNIX, SOCK_STREAM, 0), in = fcntl(0, F_GETFD);

	cr_assert(s >= 0 && pipe(p) == 0);
	cr_assert_not(cloexec(s) || cloexec(p[0]) || cloexec(p[1]));
	cr_assert_eq(fd_cloexec_all(), 0);
	cr_assert(cloexec(s) && cloexec(p[0]) && cloexec(p[1]));
	cr_assert_eq(fcntl(0, F_GETFD), in, "standard input left as it was");
	close(s);
	close(p[0]);
	close(p[1]);
}

Test(fd, close_from_leaves_only_what_is_below)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), hi = dup2(s, 200), st;
	pid_t pid;

	cr_assert(s >= 3 && hi == 200);
	if ((pid = fork()) == 0) {
		int rc = fd_close_from(3);
		/* 0, 1, 2 open; s and 200 closed */
		_exit(rc == 0 && fcntl(1, F_GETFD) >= 0 && fcntl(s, F_GETFD) < 0 &&
		    fcntl(200, F_GETFD) < 0 ? 0 : 1);
	}
	cr_assert(pid > 0);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child saw descriptors open");
	cr_assert(fcntl(s, F_GETFD) >= 0, "the parent's stay open");
	close(s);
	close(hi);
}
