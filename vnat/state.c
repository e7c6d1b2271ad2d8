/* state: the state file. */
#include "vnat/state.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/defer.h"
#include "common/log.h"
#include "vnat/core.h"

int
state_path(const char *dir, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/" STATE_FILE, dir);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static void
on_defer(void *arg)
{
	state_save(arg);
}

int
state_init(struct vnat *v, const char *path)
{
	v->v_state.st_lock = -1;
	if (strlen(path) >= sizeof(v->v_state.st_path))
		return -1;
	if (v->v_state.st_defer == NULL &&
	    (v->v_state.st_defer = defer_new(v->v_base, on_defer, v)) == NULL)
		return -1;
	memcpy(v->v_state.st_path, path, strlen(path) + 1);
	return 0;
}

void
state_free(struct vnat *v)
{
	defer_free(v->v_state.st_defer);
	v->v_state.st_defer = NULL;
	if (state_on(v) && v->v_state.st_lock >= 0)
		close(v->v_state.st_lock);
	v->v_state.st_lock = -1;
	v->v_state.st_path[0] = '\0';
}

bool
state_on(const struct vnat *v)
{
	return v->v_state.st_path[0] != '\0';
}

void
state_changed(struct vnat *v)
{
	if (state_on(v) && v->v_state.st_defer)
		defer_run(v->v_state.st_defer);
}

/* what v holds now, in the file's terms (arrays allocated) */
static int
image(struct vnat *v, struct vstate *s)
{
	struct vtab *trs = vnat_table(v), *keys = keys_table(v), *susp = suspend_table(v);
	struct vtab_ent *e;

	memset(s, 0, sizeof(*s));
	s->vs_trs = calloc(trs->vt_n + 1, sizeof(*s->vs_trs));
	s->vs_kept = calloc(kept_count(v) + 1, sizeof(*s->vs_kept));
	s->vs_keys = calloc(keys->vt_n + 1, sizeof(*s->vs_keys));
	s->vs_sconns = calloc(susp->vt_n + 1, sizeof(*s->vs_sconns));
	if (s->vs_trs == NULL || s->vs_kept == NULL || s->vs_keys == NULL ||
	    s->vs_sconns == NULL) {
		vstate_free(s);
		return -1;
	}
	s->vs_announce = kept_announce_saved(v);
	s->vs_next_id = vnat_next_id(v);
	TAILQ_FOREACH(e, &trs->vt_all, ve_all)
		s->vs_trs[s->vs_ntrs++] = e->ve_tr;
	for (size_t i = 0; i < kept_count(v); i++, s->vs_nkept++)
		kept_get(v, i, &s->vs_kept[i].sk_family, s->vs_kept[i].sk_addr);
	TAILQ_FOREACH(e, &keys->vt_all, ve_all) {
		s->vs_keys[s->vs_nkeys].sy_conn = e->ve_tr;
		s->vs_keys[s->vs_nkeys++].sy_key = e->ve_key;
	}
	if ((s->vs_susp = suspend_is_on(v))) {
		s->vs_susp_at = (uint64_t)suspend_since(v);
		TAILQ_FOREACH(e, &susp->vt_all, ve_all)
			s->vs_sconns[s->vs_nsconns++] = e->ve_tr;
	}
	return 0;
}

/* the folder's entry made durable after the rename */
static void
sync_dir(const char *path)
{
	char d[PATH_MAX];
	int fd;

	snprintf(d, sizeof(d), "%s", path);
	if ((fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* open(path, fl, 0600), the folder made (0700) first if it is not there */
static int
open_in(const char *path, int fl)
{
	char d[PATH_MAX + 8];
	int fd;

	if ((fd = open(path, fl, 0600)) >= 0 || errno != ENOENT)
		return fd;
	snprintf(d, sizeof(d), "%s", path);
	if (mkdir(dirname(d), 0700) != 0)
		return -1;
	return open(path, fl, 0600);
}

/* the temporary file: always a new file of ours (O_EXCL after removing a
 * leftover): a file someone else made there and holds open would be given
 * the keys, and its owner would make the next start refuse the state file */
static int
open_new(const char *tmp)
{
	if (unlink(tmp) != 0 && errno != ENOENT)
		return -1;
	return open_in(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW);
}

int
state_lock(const char *path, bool make)
{
	const int fl = O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
	char lk[PATH_MAX + 8];
	int fd, e;

	snprintf(lk, sizeof(lk), "%s.lock", path);
	if ((fd = make ? open_in(lk, fl) : open(lk, fl, 0600)) < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
state_save(struct vnat *v)
{
	const char *path = v->v_state.st_path;
	char tmp[PATH_MAX + 8], *text = NULL;
	struct vstate s;
	size_t len = 0;
	int fd = -1, rc = -1;

	if (!state_on(v))
		return -1;
	defer_cancel(v->v_state.st_defer);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if (image(v, &s) != 0 || (text = vstate_format(&s, &len)) == NULL) {
		log_warnx("vnat: state: out of memory");
		goto out;
	}
	if ((fd = open_new(tmp)) < 0) {
		log_warn("vnat: cannot write the state file %s (a restart will break the moved "
		    "connections)", tmp);
		goto out;
	}
	if (fchmod(fd, 0600) != 0 || write_all(fd, text, len) != 0 || fsync(fd) != 0) {
		log_warn("vnat: writing the state file %s", tmp);
		goto out;
	}
	if (close(fd) != 0 || (fd = -1, rename(tmp, path) != 0)) {
		fd = -1;
		log_warn("vnat: replacing the state file %s", path);
		goto out;
	}
	sync_dir(path);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlink(tmp);
	if (text)
		explicit_bzero(text, len);
	free(text);
	vstate_free(&s);
	return rc;
}

/* root, this process's user, or the owner of the folder (the service's
 * user, while vnet still runs as root at start) */
static bool
trusted_owner(const char *path, uid_t uid)
{
	char d[PATH_MAX];
	struct stat st;

	snprintf(d, sizeof(d), "%s", path);
	return uid == 0 || uid == geteuid() || (stat(dirname(d), &st) == 0 && st.st_uid == uid);
}

int
state_read(const char *path, struct vstate *out)
{
	char err[256], bad[PATH_MAX + 8], *buf = NULL;
	struct stat st;
	int fd, rc = -1;

	memset(out, 0, sizeof(*out));
	/* O_NONBLOCK: a FIFO put there must not hang the start */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0) {
		if (errno == ENOENT)
			return 1;
		if (errno != ELOOP) {
			log_warn("vnat: state file %s", path);
			return -1;
		}
		snprintf(err, sizeof(err), "a symbolic link");	/* set aside, not followed */
		goto refuse;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, sizeof(err), "not a regular file");
		goto refuse;
	}
	if ((st.st_mode & 077) != 0 || !trusted_owner(path, st.st_uid)) {
		snprintf(err, sizeof(err), "mode %o owner %u: must be 0600 and owned by root, "
		    "this user or the state folder's owner",
		    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
		goto refuse;
	}
	if ((size_t)st.st_size > VSTATE_MAX) {
		snprintf(err, sizeof(err), "%lld bytes, more than %u", (long long)st.st_size,
		    VSTATE_MAX);
		goto refuse;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, sizeof(err), "out of memory");
		goto refuse;
	}
	ssize_t n = read(fd, buf, (size_t)st.st_size + 1);
	if (n < 0 || n != st.st_size) {
		snprintf(err, sizeof(err), "short read");
		goto refuse;
	}
	if (vstate_parse(buf, (size_t)n, out, err, sizeof(err)) != 0)
		goto refuse;
	rc = 0;
	goto out;
refuse:
	snprintf(bad, sizeof(bad), "%s.bad", path);
	log_warnx("vnat: state file %s refused: %s; moved to %s (its translations are not "
	    "adopted; vnet --vnat-flush removes vnet's tables)", path, err, bad);
	if (rename(path, bad) != 0)
		log_warn("vnat: renaming %s", path);
out:
	if (buf) {
		explicit_bzero(buf, (size_t)st.st_size + 1);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}
