/* json: vnetclient --json.  The server's text answers (doc/PROTOCOL.md, the
 * seed's formats) parsed into JSON records with jansson, one parser per
 * record type; doc/JSON.md defines every record.  The server is untrusted
 * input: a line that is not exactly a record is refused with the reason,
 * never half-read. */
#ifndef VNET_JSON_H
#define VNET_JSON_H

#include <stddef.h>

#include <jansson.h>

/* the lists vnetclient shows, and VNAT STATS?'s one line */
enum json_rec {
	JR_NONE,	/* no record: {"ok": ..., "message": ...} */
	JR_HANDLER,	/* HANDLERS? */
	JR_DEVICE,	/* DEVICES? */
	JR_STATS,	/* STATS? */
	JR_PROC,	/* VNAT PROCS? */
	JR_CONN,	/* VNAT CONNS? */
	JR_HELPER,	/* VNAT HELPERS? */
	JR_CONFLICT,	/* VNAT CONFLICTS? */
	JR_VSTATS,	/* VNAT STATS? (one line, not a list) */
};

/* The document's key for a record type's answer ("handlers", ...). */
const char *json_rec_key(enum json_rec r);
/* One line of a list answer (or, JR_VSTATS, the text after "OK ") as a
 * new JSON object; NULL with the reason in err when it is not one. */
json_t *json_parse_record(enum json_rec r, const char *line, char *err, size_t errlen);
/* {"ok": ok, "message": message}: the answer to a request without records;
 * NULL when message is not printable ASCII. */
json_t *json_status(int ok, const char *message);

#endif
