/* reload: the configuration file's handlers and VNAT settings, applied at
 * start and again on SIGHUP by difference: added handlers start, removed
 * ones end (on both servers), unchanged ones are not touched; VNAT process
 * names, helpers and conflict policies likewise.  A file with an error is
 * refused as a whole and the running configuration stays.  Devices are
 * applied too (new handlers need them); every other option needs a restart,
 * and the log says which. */
#ifndef VNET_RELOAD_H
#define VNET_RELOAD_H

#include "server/config.h"
#include "server/server.h"

/* Applies cf (taken: freed by reload_stop) and watches SIGHUP, which
 * re-reads the file with the command line argc/argv over it.  -1 out of
 * memory. */
int reload_start(struct server *s, struct conf *cf, int argc, char **argv);
/* The one teardown: stops watching SIGHUP, frees the configuration. */
void reload_stop(struct server *s);

#endif
