/* state: VNAT's state file, DIR/vnat.state in the server's --state-dir
 * (vnat/vstate is its text).  What a restart must not lose lives in the
 * kernel (translations, kept addresses) or in memory (keys and their
 * counters); the file records all of it, rewritten whole (a temporary file,
 * fsync, rename; mode 0600) at most once per loop turn after a part
 * changed (common/defer), and once more at exit.  So a vnet stopped with
 * SIGTERM or killed finds at start what it left, adopts it (vnat/setup),
 * and `vnet --vnat-flush` can remove it. */
#ifndef VNET_STATE_H
#define VNET_STATE_H

#include <limits.h>
#include <stdbool.h>

#include "vnat/vnat.h"
#include "vnat/vstate.h"

#define STATE_FILE	"vnat.state"

struct defer;

/* v's part */
struct state_part {
	char		 st_path[PATH_MAX];	/* "": no state file (cleaned up at exit) */
	struct defer	*st_defer;
	int		 st_lock;		/* the folder's lock (state_lock), or -1 */
};

/* The path of the state file in dir into buf; 0, or -1 when too long. */
int state_path(const char *dir, char *buf, size_t len);
/* The file is path from now on; 0, or -1 (out of memory). */
int state_init(struct vnat *v, const char *path);
void state_free(struct vnat *v);
/* True when v records its state (state_init was called). */
bool state_on(const struct vnat *v);
/* A part changed: the file is rewritten on the next loop turn. */
void state_changed(struct vnat *v);
/* Writes the file now; 0, or -1 with the reason logged. */
int state_save(struct vnat *v);
/* Takes the lock of the state file at path (PATH.lock, flock: a second
 * vnet --vnat on the same folder, or --vnat-flush while one runs, would
 * undo what the first keeps); make: the folder is made (0700) if missing.
 * The descriptor (it holds the lock until closed), or -1: errno
 * EWOULDBLOCK when another process holds it. */
int state_lock(const char *path, bool make);
/* Reads and checks path: 0 with out filled, 1 when there is no file, -1
 * when it cannot be read or is refused (logged; a refused file is renamed
 * PATH.bad so that the next start does not meet it again). */
int state_read(const char *path, struct vstate *out);

#endif
