/* err: text for the codecs' error codes. */
#include "common/err.h"

const char *
vnet_strerror(int err)
{
	switch (err) {
	case VNET_OK: return "success";
	case VNET_ERR_SHORT: return "truncated input";
	case VNET_ERR_SIZE: return "length out of bounds";
	case VNET_ERR_SYNTAX: return "syntax error";
	case VNET_ERR_TYPE: return "unknown type";
	case VNET_ERR_VALUE: return "unacceptable value";
	case VNET_ERR_STATE: return "not allowed in this state";
	}
	return "unknown error";
}
