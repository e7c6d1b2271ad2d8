/* ctlsock: the local control socket's file: made, checked, removed. */
#include "server/ctlsock.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"

#define CTLSOCK_GROUPS_MAX	256	/* supplementary groups of a peer, looked at */

static int
sun_of(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

/* whether a server answers on path: connect succeeds, or would block on a
 * full backlog (a crashed one leaves a file that refuses) */
static bool
answers(const char *path)
{
	struct sockaddr_un sun;
	int fd, rc;

	if (sun_of(path, &sun) != 0 ||
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return false;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	rc = rc == 0 || errno == EAGAIN || errno == EINPROGRESS;
	close(fd);
	return rc;
}

/* the folder, made 0755 when missing; with --user (and as root) the
 * user's, so that the socket can still be removed after the drop */
static int
make_dir(const char *path, const struct passwd *pw, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)], *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (stat(dir, &st) == 0)
		return 0;
	for (char *p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "--control-socket %s: cannot make %s: %s", path, dir,
			    strerror(errno));
			return -1;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	if (chmod(dir, 0755) != 0 || (pw && geteuid() == 0 && chown(dir, pw->pw_uid,
	    pw->pw_gid) != 0)) {
		snprintf(err, errlen, "--control-socket %s: %s: %s", path, dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* what is at path already: nothing, a stale socket (removed), or a live
 * one (1) */
static int
clear_path(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "--control-socket %s: exists and is not a socket", path);
		return -1;
	}
	if (answers(path))
		return 1;
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "--control-socket %s: cannot remove the stale socket: %s",
		    path, strerror(errno));
		return -1;
	}
	log_info("control socket %s: replaced a stale one (a vnet that did not exit cleanly)",
	    path);
	return 0;
}

int
ctlsock_open(const char *path, bool given, const char *user, gid_t *gid, char *err,
    size_t errlen)
{
	struct passwd *pw = NULL;
	struct sockaddr_un sun;
	struct stat st;
	mode_t old;
	int fd, rc;

	/* an unknown user keeps root's group here: privs_drop refuses it next */
	if (user[0])
		pw = getpwnam(user);
	if (sun_of(path, &sun) != 0) {
		snprintf(err, errlen, "--control-socket %s: path too long", path);
		return -1;
	}
	if (make_dir(path, pw, err, errlen) != 0 || (rc = clear_path(path, err, errlen)) < 0)
		return -1;
	if (rc == 1) {
		if (!given) {
			log_warnx("control socket %s: another vnet answers there: going on without "
			    "one (give this one --control-socket PATH)", path);
			return CTLSOCK_SKIPPED;
		}
		snprintf(err, errlen, "--control-socket %s: another vnet answers there (stop it, "
		    "or give another path)", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return -1;
	}
	/* never wider than 0660, not even between bind and chmod */
	old = umask(0117);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc != 0 || chmod(path, 0660) != 0 ||
	    (geteuid() == 0 && chown(path, 0, pw ? pw->pw_gid : 0) != 0) ||
	    listen(fd, 64) != 0 || stat(path, &st) != 0) {
		snprintf(err, errlen, "--control-socket %s: %s", path, strerror(errno));
		if (rc == 0)
			unlink(path);
		close(fd);
		return -1;
	}
	*gid = st.st_gid;
	return fd;
}

void
ctlsock_remove(const char *path)
{
	if (unlink(path) != 0 && errno != ENOENT)
		log_warn("control socket %s: not removed", path);
}

bool
ctlsock_peer_ok(int fd, gid_t gid, char *who, size_t wholen)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	gid_t groups[CTLSOCK_GROUPS_MAX];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0) {
		snprintf(who, wholen, "unknown peer");
		return false;
	}
	snprintf(who, wholen, "uid %u pid %d", (unsigned)uc.uid, (int)uc.pid);
	if (uc.uid == 0 || uc.gid == gid)
		return true;
	/* a member of the group through its supplementary groups (Linux 4.13) */
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0)
		return false;
	for (size_t i = 0; i < len / sizeof(groups[0]); i++)
		if (groups[i] == gid)
			return true;
	return false;
}
