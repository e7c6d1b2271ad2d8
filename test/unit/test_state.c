/* Unit tests: reading the state file (vnat/state): a missing file, a good
 * one, and one that is not 0600, a symbolic link or damaged, which are
 * refused and set aside as FILE.bad, a FIFO (refused, not waited on), and
 * the temporary file of state_save (always a new one of mode 0600). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "vnat/core.h"
#include "vnat/state.h"

#define GOOD "vnet-vnat-state 1\nannounce -1\nnextid 0\nkept 4 198.18.1.10\nend\n"

static char dir[64], path[128], bad[160];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vnet-state-test.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(state_path(dir, path, sizeof(path)), 0);
	snprintf(bad, sizeof(bad), "%s.bad", path);
}

static void
teardown(void)
{
	unlink(path);
	unlink(bad);
	rmdir(dir);
}

static void
put(const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

TestSuite(state, .init = setup, .fini = teardown);

Test(state, missing_good_and_refused)
{
	struct vstate s;

	cr_assert_eq(state_read(path, &s), 1, "no file");
	put(GOOD, 0600);
	cr_assert_eq(state_read(path, &s), 0);
	cr_assert_eq(s.vs_nkept, 1);
	vstate_free(&s);
	cr_assert_eq(access(bad, F_OK), -1, "a good file is not set aside");

	put(GOOD, 0644);	/* others may read the keys */
	cr_assert_eq(state_read(path, &s), -1);
	cr_assert_eq(access(path, F_OK), -1);
	cr_assert_eq(access(bad, F_OK), 0, "refused file set aside");
	unlink(bad);

	put("vnet-vnat-state 1\nannounce -1\nnextid 0\nkept 4 198.18.1.", 0600);	/* torn */
	cr_assert_eq(state_read(path, &s), -1);
	cr_assert_eq(access(bad, F_OK), 0);
}

Test(state, symbolic_link_is_not_followed)
{
	struct vstate s;
	struct stat st;
	char target[160];

	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	put(GOOD, 0600);
	cr_assert_eq(rename(path, target), 0);
	cr_assert_eq(symlink(target, path), 0);
	cr_assert_eq(state_read(path, &s), -1);
	/* the link itself is set aside (so that no later start or vnet
	 * without --vnat meets it), its target untouched */
	cr_assert_eq(lstat(bad, &st), 0);
	cr_assert(S_ISLNK(st.st_mode));
	cr_assert_eq(access(path, F_OK), -1);
	cr_assert_eq(stat(target, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
	unlink(target);
}

Test(state, fifo_does_not_hang_the_start)
{
	struct vstate s;

	cr_assert_eq(mkfifo(path, 0600), 0);
	alarm(5);	/* a blocking open would hang here */
	cr_assert_eq(state_read(path, &s), -1);
	alarm(0);
	cr_assert_eq(access(bad, F_OK), 0, "the FIFO is set aside");
}

/* a leftover temporary file (someone else's, readable, held open) is not
 * reused: the keys go to a new file of mode 0600 */
Test(state, save_makes_a_new_temporary_file)
{
	struct vnat *v = calloc(1, sizeof(*v));
	char tmp[160], rd[8] = "";
	struct stat old, st;
	int fd;

	cr_assert_not_null(v);
	cr_assert_not_null(v->v_base = event_base_new());
	vtab_init(&v->v_trs.tr_tab);
	keys_init(v);
	kept_init(v);
	cr_assert_eq(state_init(v, path), 0);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	cr_assert_geq(fd = open(tmp, O_RDWR | O_CREAT, 0666), 0);
	cr_assert_eq(fchmod(fd, 0666), 0);
	cr_assert_eq(write(fd, "x", 1), 1);
	cr_assert_eq(fstat(fd, &old), 0);
	cr_assert_eq(state_save(v), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_neq(st.st_ino, old.st_ino, "the leftover file was reused");
	cr_assert_eq(st.st_mode & 07777, 0600);
	cr_assert_eq(access(tmp, F_OK), -1);
	cr_assert_eq(pread(fd, rd, sizeof(rd) - 1, 0), 1, "the held file got the state");
	close(fd);
	state_free(v);
	keys_free(v);
	event_base_free(v->v_base);
	free(v);
}

Test(state, lock_is_held_once)
{
	char lk[160];
	int a, b;

	snprintf(lk, sizeof(lk), "%s.lock", path);
	cr_assert_geq(a = state_lock(path, false), 0);
	cr_assert_eq(b = state_lock(path, false), -1, "taken twice");
	cr_assert_eq(errno, EWOULDBLOCK);
	close(a);
	cr_assert_geq(b = state_lock(path, false), 0, "free again once closed");
	close(b);
	unlink(lk);
}

/* a kept address named twice (a file written by hand) is kept once */
Test(state, kept_twice_adopted_once)
{
	struct vnat *v = calloc(1, sizeof(*v));
	struct vstate s;
	uint8_t fam, a[16];

	cr_assert_not_null(v);
	kept_init(v);
	put("vnet-vnat-state 1\nannounce 0\nnextid 0\nkept 4 198.18.1.10\nkept 6 fd00::1\n"
	    "kept 4 198.18.1.10\nend\n", 0600);
	cr_assert_eq(state_read(path, &s), 0);
	cr_assert_eq(s.vs_nkept, 3);
	cr_assert_eq(kept_adopt(v, s.vs_kept, s.vs_nkept, s.vs_announce, false, NULL, 0), 0);
	cr_assert_eq(kept_count(v), 2);
	kept_get(v, 1, &fam, a);
	cr_assert_eq(fam, 6);
	cr_assert_eq(kept_announce_saved(v), 0);
	vstate_free(&s);
	free(v);
}

static void
private_netns(void)
{
	setup();
	if (geteuid() != 0)
		cr_skip_test("needs root for a private network namespace");
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET)");
}

/* vnet --vnat-flush: refused while a vnet holds the lock (nothing
 * removed), exit 1 with a refused state file, 0 with a good one */
Test(state, flush, .init = private_netns, .fini = teardown)
{
	char *text = NULL, target[160], lk[160];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int fd;

	cr_assert_not_null(out);
	snprintf(lk, sizeof(lk), "%s.lock", path);
	put(GOOD, 0600);
	cr_assert_geq(fd = state_lock(path, false), 0);
	cr_assert_eq(vnat_flush(dir, out), 1);
	fflush(out);
	cr_assert(strstr(text, "a vnet --vnat is running on"), "%s", text);
	cr_assert_eq(access(path, F_OK), 0, "removed under a running vnet");
	close(fd);

	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	cr_assert_eq(rename(path, target), 0);
	cr_assert_eq(symlink(target, path), 0);
	cr_assert_eq(vnat_flush(dir, out), 1);
	fflush(out);
	cr_assert(strstr(text, "could not be used (see above)"), "%s", text);
	cr_assert_eq(unlink(bad), 0, "the link set aside");

	cr_assert_eq(rename(target, path), 0);
	cr_assert_eq(vnat_flush(dir, out), 0);
	fclose(out);
	cr_assert(strstr(text, "vnet: removed the state file"), "%s", text);
	cr_assert_eq(access(path, F_OK), -1);
	free(text);
	unlink(lk);
}
