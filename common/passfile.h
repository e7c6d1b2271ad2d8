/* passfile: read a password from a file that only its owner can read. */
#ifndef VNET_PASSFILE_H
#define VNET_PASSFILE_H

#include <stddef.h>

/* Reads the first line of path into buf.  Refuses a file that others can
 * access, that its group can access unless it is 0640 root:G with G the
 * caller's group (or the caller root), or that belongs to neither root nor
 * the caller.
 * Returns 0, or -1 with the reason in err. */
int passfile_read(const char *path, char *buf, size_t len, char *err, size_t errlen);
/* True when s can be sent as a password (no blanks or control bytes). */
int passfile_valid(const char *s);

#endif
