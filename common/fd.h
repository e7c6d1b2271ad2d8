/* fd: close-on-exec for every descriptor vnet holds, and a clean slate for a
 * child between fork and exec.  vnet runs one program of its own (the VNAT
 * exec helper); nothing of vnet's may reach it.  Also the private folders
 * its files (identity, known servers) go in. */
#ifndef VNET_FD_H
#define VNET_FD_H

/* Sets FD_CLOEXEC on fd; 0 or -1 with errno. */
int fd_cloexec(int fd);
/* Sets FD_CLOEXEC on every open descriptor above standard error: for those
 * a library opens without showing them (libnftables' netlink socket,
 * libpcap's eventfd); 0 or -1 with errno. */
int fd_cloexec_all(void);
/* Closes every descriptor from lo up (close_range, else one by one up to
 * the descriptor limit); allocates nothing, for a child between fork and
 * exec; 0 or -1 with errno. */
int fd_close_from(int lo);

/* Makes the folders above file that are missing, mode 0700; 0 or -1 with
 * errno. */
int fd_mkdir_parents(const char *file);

#endif
