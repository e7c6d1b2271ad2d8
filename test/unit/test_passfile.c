/* Unit tests: password files. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/passfile.h"

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	fchmod(fd, mode);
	close(fd);
}

Test(passfile, reads_first_line)
{
	char path[] = "/tmp/vnet-pw-XXXXXX", pw[64], err[256];
	close(mkstemp(path));
	write_file(path, "s3cret\r\nignored\n", 0600);
	cr_assert_eq(passfile_read(path, pw, sizeof(pw), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(pw, "s3cret");
	unlink(path);
}

Test(passfile, refuses_readable_by_others)
{
	char path[] = "/tmp/vnet-pw-XXXXXX", pw[64], err[256];
	close(mkstemp(path));
	write_file(path, "s3cret\n", 0644);
	cr_assert_eq(passfile_read(path, pw, sizeof(pw), err, sizeof(err)), -1);
	cr_assert(strstr(err, "chmod 600"), "%s", err);
	unlink(path);
}

/* 0640 root:G: the service's group reads it after the drop; root (these
 * tests) reads it too.  Group write or execute, or others, still refused. */
Test(passfile, group_read_only_if_root_owned)
{
	char path[] = "/tmp/vnet-pw-XXXXXX", pw[64], err[256];
	close(mkstemp(path));
	write_file(path, "s3cret\n", 0640);
	if (geteuid() == 0)
		cr_assert_eq(passfile_read(path, pw, sizeof(pw), err, sizeof(err)), 0, "%s", err);
	else
		cr_assert_eq(passfile_read(path, pw, sizeof(pw), err, sizeof(err)), -1);
	write_file(path, "s3cret\n", 0660);
	cr_assert_eq(passfile_read(path, pw, sizeof(pw), err, sizeof(err)), -1);
	cr_assert(strstr(err, "chmod 600"), "%s", err);
	write_file(path, "s3cret\n", 0650);
	cr_assert_eq(passfile_read(path, pw, sizeof(pw), err, sizeof(err)), -1);
	write_file(path, "s3cret\n", 0604);
	cr_assert_eq(passfile_read(path, pw, sizeof(pw), err, sizeof(err)), -1);
	unlink(path);
}

Test(passfile, refuses_empty_blank_missing)
{
	char path[] = "/tmp/vnet-pw-XXXXXX", pw[64], err[256];
	close(mkstemp(path));
	write_file(path, "\n", 0600);
	cr_assert_eq(passfile_read(path, pw, sizeof(pw), err, sizeof(err)), -1);
	write_file(path, "two words\n", 0600);
	cr_assert_eq(passfile_read(path, pw, sizeof(pw), err, sizeof(err)), -1);
	unlink(path);
	cr_assert_eq(passfile_read(path, pw, sizeof(pw), err, sizeof(err)), -1);
	cr_assert(strstr(err, "No such file"), "%s", err);
}
