/* pin: known_servers, read line by line, appended to, rewritten by forget. */
#include "common/pin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fd.h"

#define PIN_KEY_PREFIX	"key:"

void
pin_server_name(char *out, size_t len, const char *host, uint16_t port)
{
	if (strchr(host, ':'))
		snprintf(out, len, "[%s]:%u", host, port);
	else
		snprintf(out, len, "%s:%u", host, port);
}

/* one line: its server and its pin; false for a comment, a blank or a
 * line of another shape */
static bool
pin_line(const char *line, char name[300], char val[128])
{
	return line[0] != '#' && sscanf(line, "%299s %127s", name, val) == 2;
}

/* whether a line's pin is what the server shows */
static bool
pin_matches(const char *val, const struct pin_ids *ids)
{
	if (strncmp(val, PIN_KEY_PREFIX, strlen(PIN_KEY_PREFIX)) == 0)
		return strcmp(val + strlen(PIN_KEY_PREFIX), ids->pi_key) == 0;
	return strcmp(val, ids->pi_cert) == 0;
}

enum pin_result
pin_lookup(const char *file, const char *host, uint16_t port, const struct pin_ids *ids,
    char *msg, size_t msglen)
{
	char name[300], line[512], first[128] = "";
	unsigned lineno = 0, firstno = 0;
	FILE *f;

	pin_server_name(name, sizeof(name), host, port);
	if ((f = fopen(file, "re")) == NULL) {
		if (errno == ENOENT)
			return PIN_UNKNOWN;
		snprintf(msg, msglen, "cannot read %s: %s", file, strerror(errno));
		return PIN_ERROR;
	}
	while (fgets(line, sizeof(line), f)) {
		char k[300], v[128];
		lineno++;
		if (!pin_line(line, k, v) || strcmp(k, name) != 0)
			continue;
		if (pin_matches(v, ids)) {
			fclose(f);
			return PIN_KNOWN;
		}
		if (firstno == 0) {
			firstno = lineno;
			snprintf(first, sizeof(first), "%s", v);
		}
	}
	fclose(f);
	if (firstno == 0)
		return PIN_UNKNOWN;
	snprintf(msg, msglen, "the certificate of %s has CHANGED: %s line %u pins %s, "
	    "the server now shows key %s (certificate %s); if you expect this (new key), "
	    "forget the old pin: vnetclient --forget %s --known-servers %s", name, file, firstno,
	    first, ids->pi_key, ids->pi_cert, name, file);
	return PIN_CHANGED;
}

int
pin_add(const char *file, const char *host, uint16_t port, const char *keyfp,
    char *msg, size_t msglen)
{
	char name[300];
	int fd, rc;

	pin_server_name(name, sizeof(name), host, port);
	if (fd_mkdir_parents(file) != 0 ||
	    (fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		snprintf(msg, msglen, "cannot record %s in %s: %s", name, file, strerror(errno));
		return -1;
	}
	rc = dprintf(fd, "%s " PIN_KEY_PREFIX "%s\n", name, keyfp);
	if (close(fd) != 0 || rc < 0) {
		snprintf(msg, msglen, "cannot record %s in %s: %s", name, file, strerror(errno));
		return -1;
	}
	return 0;
}

int
pin_forget(const char *file, const char *host, uint16_t port, char *msg, size_t msglen)
{
	char name[300], tmp[4200], line[512];
	FILE *in, *out = NULL;
	struct stat st;
	int removed = 0, fd;

	pin_server_name(name, sizeof(name), host, port);
	if ((in = fopen(file, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(msg, msglen, "cannot read %s: %s", file, strerror(errno));
		return -1;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.new", file) >= (int)sizeof(tmp) ||
	    fstat(fileno(in), &st) != 0 ||
	    (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 0600)) < 0 ||
	    (out = fdopen(fd, "w")) == NULL) {
		snprintf(msg, msglen, "cannot write %s: %s", tmp, strerror(errno));
		fclose(in);
		return -1;
	}
	while (fgets(line, sizeof(line), in)) {
		char k[300], v[128];
		if (pin_line(line, k, v) && strcmp(k, name) == 0) {
			removed++;
			continue;
		}
		fputs(line, out);
	}
	fclose(in);
	if (fclose(out) != 0 || (removed > 0 && rename(tmp, file) != 0)) {
		snprintf(msg, msglen, "cannot write %s: %s", file, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (removed == 0)
		unlink(tmp);
	return removed;
}

enum pin_result
pin_check(const char *file, const char *host, uint16_t port, const struct pin_ids *ids,
    char *msg, size_t msglen)
{
	enum pin_result r = pin_lookup(file, host, port, ids, msg, msglen);
	char name[300];

	if (r != PIN_UNKNOWN)
		return r;
	if (pin_add(file, host, port, ids->pi_key, msg, msglen) != 0)
		return PIN_ERROR;
	pin_server_name(name, sizeof(name), host, port);
	snprintf(msg, msglen, "first contact with %s: pinned its key %s in %s", name,
	    ids->pi_key, file);
	return PIN_ADDED;
}
