/* err: the codecs' negative error codes and their one strerror. */
#ifndef VNET_ERR_H
#define VNET_ERR_H

enum vnet_err {
	VNET_OK = 0,
	VNET_ERR_SHORT = -1,	/* input ends before the record does */
	VNET_ERR_SIZE = -2,	/* a length or count outside its bounds */
	VNET_ERR_SYNTAX = -3,	/* malformed token */
	VNET_ERR_TYPE = -4,	/* unknown command or record type */
	VNET_ERR_VALUE = -5,	/* well-formed but not acceptable */
	VNET_ERR_STATE = -6,	/* not allowed in this state */
};

/* Returns a static description of a VNET_ERR_* code. */
const char *vnet_strerror(int err);

#endif
