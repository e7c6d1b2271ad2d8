/* ident: vnet --fingerprint, the server's TLS identity shown for checking
 * out of band (what vnetclient shows at first contact and pins). */
#ifndef VNET_IDENT_H
#define VNET_IDENT_H

#include <stdio.h>

#include "server/server.h"

/* Prints "key SHA256:<hex>" and "certificate SHA256:<hex>" of the identity
 * of o (--cert/--key, or the state folder's) to out, making the identity
 * first if there is none (said on stderr).  0, or -1 with the reason on
 * stderr. */
int ident_show(const struct srv_opts *o, FILE *out);

#endif
