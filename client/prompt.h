/* prompt: ask for a password without echo on a terminal, or read it as one
 * line of standard input when that is not a terminal. */
#ifndef VNET_PROMPT_H
#define VNET_PROMPT_H

#include <stddef.h>

/* Fills buf; returns 0, or -1 with the reason in err. */
int prompt_password(const char *what, char *buf, size_t len, char *err, size_t errlen);

#endif
