/* privs: least privilege once the listeners and the state are open
 * (OpenVPN's --user, tinc's -U, with libcap-ng keeping the capabilities a
 * handler made later still needs). */
#include "server/privs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cap-ng.h>

#include "common/log.h"

static const unsigned base_caps[] = { CAP_NET_RAW, CAP_NET_ADMIN };
/* /proc/PID/fd of another user's process is mode 0500: listing it needs
 * CAP_DAC_READ_SEARCH, reading its links and pidfd_getfd CAP_SYS_PTRACE;
 * SIGSTOP/SIGCONT to it CAP_KILL */
static const unsigned vnat_caps[] = { CAP_SYS_PTRACE, CAP_KILL, CAP_DAC_READ_SEARCH };

/* libcap-ng's working set := the capabilities vnet needs; with only_held,
 * those of them the process holds now (the rest are named in a warning) */
static void
want_caps(bool vnat, bool only_held)
{
	unsigned caps[sizeof(base_caps) / sizeof(base_caps[0]) +
	    sizeof(vnat_caps) / sizeof(vnat_caps[0])];
	size_t n = 0, i;

	for (i = 0; i < sizeof(base_caps) / sizeof(base_caps[0]); i++)
		caps[n++] = base_caps[i];
	for (i = 0; vnat && i < sizeof(vnat_caps) / sizeof(vnat_caps[0]); i++)
		caps[n++] = vnat_caps[i];
	if (only_held)
		capng_get_caps_process();
	for (i = 0; i < n; i++) {
		if (only_held && !capng_have_capability(CAPNG_PERMITTED, caps[i])) {
			log_warnx("privs: started without %s: what needs it will fail",
			    capng_capability_to_name(caps[i]));
			caps[i] = ~0u;
		}
	}
	capng_clear(CAPNG_SELECT_ALL);
	for (i = 0; i < n; i++)
		if (caps[i] != ~0u)
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, caps[i]);
}

/* The state folder (made if missing) and the regular files in it that root
 * owns become uid's: the state file is rewritten and known_servers appended
 * to after the drop.  Files of other users are left alone. */
static int
own_state(const char *dir, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct dirent *de;
	struct stat st;
	unsigned n = 0;
	DIR *d;
	int fd;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "state folder %s: %s", dir, strerror(errno));
		return -1;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    fstat(fd, &st) != 0) {
		snprintf(err, errlen, "state folder %s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* a folder root made (mkdir -p, an older vnet) becomes uid's alone */
	if (st.st_uid == 0 && (fchown(fd, uid, gid) != 0 || fchmod(fd, 0700) != 0)) {
		snprintf(err, errlen, "state folder %s: chown: %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	if ((d = fdopendir(fd)) == NULL) {
		snprintf(err, errlen, "state folder %s: %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != 0)
			continue;
		if (fchownat(fd, de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0) {
			snprintf(err, errlen, "%s/%s: chown: %s", dir, de->d_name, strerror(errno));
			closedir(d);
			return -1;
		}
		n++;
	}
	closedir(d);
	if (n > 0)
		log_info("privs: %u file(s) in %s handed to uid %u", n, dir, (unsigned)uid);
	return 0;
}

static int
become(const struct srv_opts *o, char *err, size_t errlen)
{
	struct passwd *pw;
	uid_t ruid, euid, suid;
	int rc;

	errno = 0;
	if ((pw = getpwnam(o->so_user)) == NULL) {
		snprintf(err, errlen, "--user: no user '%s'%s%s", o->so_user,
		    errno ? ": " : "", errno ? strerror(errno) : "");
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "--user '%s' is root: name an unprivileged user", o->so_user);
		return -1;
	}
	if (own_state(o->so_statedir, pw->pw_uid, pw->pw_gid, err, errlen) != 0)
		return -1;
	want_caps(o->so_vnat, false);
	rc = capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
	    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING | CAPNG_CLEAR_AMBIENT);
	if (rc != 0) {
		snprintf(err, errlen, "--user %s: cannot change to uid %u keeping %s (libcap-ng %d)",
		    o->so_user, (unsigned)pw->pw_uid, PRIVS_BASE_CAPS, rc);
		return -1;
	}
	/* a drop that half happened must not go unnoticed */
	if (getresuid(&ruid, &euid, &suid) != 0 || ruid != pw->pw_uid || euid != pw->pw_uid ||
	    suid != pw->pw_uid || setuid(0) == 0) {
		snprintf(err, errlen, "--user %s: the uid change did not hold", o->so_user);
		return -1;
	}
	return 0;
}

int
privs_drop(const struct srv_opts *o, char *err, size_t errlen)
{
	char *caps;

	if (o->so_user[0] != '\0') {
		if (become(o, err, errlen) != 0)
			return -1;
	} else if (geteuid() != 0) {
		want_caps(o->so_vnat, true);
		if (capng_apply(CAPNG_SELECT_CAPS) != 0 ||
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
			snprintf(err, errlen, "cannot give up capabilities: %s", strerror(errno));
			return -1;
		}
	} else {
		log_debug("privs: running as root with every capability (--user NAME drops them)");
		return 0;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	/* the state is written from now on: say it here rather than at the
	 * first HANDLE */
	if (access(o->so_statedir, R_OK | W_OK | X_OK) != 0)
		log_warnx("privs: uid %u cannot use the state folder %s (%s): handlers will not "
		    "be remembered; give --state-dir a folder it can reach", (unsigned)geteuid(),
		    o->so_statedir, strerror(errno));
	caps = capng_print_caps_text(CAPNG_PRINT_BUFFER, CAPNG_EFFECTIVE);
	log_info("privs: running as uid %u gid %u with %s only, no_new_privs", (unsigned)geteuid(),
	    (unsigned)getegid(), caps ? caps : "?");
	free(caps);
	return 0;
}
