/* prompt: ask for a password without echo on a terminal, or read it as one
 * line of standard input when that is not a terminal; ask yes or no. */
#ifndef VNET_PROMPT_H
#define VNET_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

/* Fills buf; returns 0, or -1 with the reason in err. */
int prompt_password(const char *what, char *buf, size_t len, char *err, size_t errlen);
/* Asks question on stderr and reads the answer from standard input until
 * it is yes or no (as ssh does); true for yes, false for no or no input. */
bool prompt_yes_no(const char *question);

#endif
