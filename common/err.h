/* err: the codecs' negative error codes and their one strerror.
 *
 * How functions report failure, everywhere in vnet (each prototype's
 * comment says which applies):
 *
 *   calls that act on the system: 0, or -1 with errno (fd_*, addr_set_load,
 *     addr_lo, sd_dump; conns_collect returns a count or -1);
 *   calls whose failure a user is told about: 0, or -1 with the reason
 *     written into the caller's err/errlen, errno not to be relied on
 *     (opts_set, reg_check, cap_set_filter, helper_set, vnat_apply, most of
 *     server/ and vnat/); a few log the reason themselves instead
 *     (kept_add, sweep_now);
 *   constructors: the new object, or NULL, either with err written
 *     (cap_open, inj_open, handler_start, tls_server_ctx, vnat_start,
 *     srv_start_handler), with errno (lsn_open), or for out of memory only
 *     (dial_start, xchg_start, guard_new);
 *   predicates: bool (mac_match, proto_valid_dev, handler_is_up), though
 *     passfile_valid and vkey_check return an int 1 or 0;
 *   codecs and parsers of untrusted input: a length, count or 0 on success,
 *     a negative VNET_ERR_* below on failure (frame_*_decode, proto_parse,
 *     proto_tokenize, mac_parse, mac_list_parse, vcmp_validate/_decode/
 *     _encode); proto_parse and mac_list_parse also write why into err;
 *   the binary reader and writer (bbuf_get_*, bbuf_put_*): 0 or a
 *     negative VNET_ERR_*, the first one kept; bbuf_rd_done and
 *     bbuf_wr_done the length consumed or written, or that code;
 *   text builders into a caller's buffer: the length (or 0) when it
 *     fits, -1 when it does not, without errno (sbuf_done, nftx_text_*,
 *     filt_build, mac_list_format);
 *   teardown: *_close for objects with I/O (a descriptor, a connection),
 *     *_free for plain memory, *_stop for a subsystem; void; the ones of
 *     objects that may be half made take NULL (cap_close, inj_close,
 *     xchg_close, vnat_stop, lsn_close, conf_free).
 *
 * Exceptions: results with more outcomes than success and failure have
 * their own enum (inj_result, off_result, pin_result, dial_result,
 * vkey_verdict, vlimit_admit, vlimit_mem); conf_load, opts_cmdline and
 * cli_parse return 1 when --help or --version was printed; proto_reply_status
 * returns 1 (OK), 0 (NOK) or -1; stand_begin returns a handler identifier
 * or 0; guard_pick_slot and sd_owner return -1 for "none", not an error.
 * VNET_ERR_STATE is defined but returned by nothing yet: the control
 * session checks its state itself (server/ctl.c). */
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
