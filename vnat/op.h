/* op: the operation in progress on the moving side, RESUME or SUSPEND (at
 * most one at a time), and the one lifecycle they share:
 *   op_begin   it becomes the running one (refused while another runs)
 *   op_detach  its requester went away: it goes on, unanswered
 *   op_end     done: its requester is answered (unless detached), then
 *              the operation's own teardown runs
 *   op_abort   vnat_stop: the teardown runs, nobody is answered
 * Each operation embeds a struct vnat_op as its first member. */
#ifndef VNET_OP_H
#define VNET_OP_H

#include <stdbool.h>

#include "vnat/vnat.h"

enum op_kind { OP_RESUME, OP_SUSPEND };

struct vnat_op {
	enum op_kind	 op_kind;
	struct vnat	*op_v;
	vnat_op_done_cb	*op_done;	/* NULL once detached */
	void		*op_arg;
	void		(*op_close)(struct vnat_op *op);	/* the operation's own teardown */
};

/* v's part: the running operation */
struct op_part {
	struct vnat_op	*op_running;
};

/* Makes op (its kind, done, arg and teardown filled in) the running
 * operation of v; 0, or -1 with the reason in err when one runs already. */
int op_begin(struct vnat *v, struct vnat_op *op, char *err, size_t errlen);
/* True while an operation of that kind runs. */
bool op_running(const struct vnat *v, enum op_kind kind);
/* The running operation's requester, if it is arg, went away. */
void op_detach(struct vnat *v, void *arg);
/* Ends op: answers its requester (unless detached) with ok and text, then
 * tears it down; v runs no operation afterwards. */
void op_end(struct vnat_op *op, bool ok, const char *text);
/* Tears down an operation that never began or failed to start, without
 * an answer. */
void op_drop(struct vnat_op *op);
/* Tears down the running operation without an answer (vnat_stop). */
void op_abort(struct vnat *v);

#endif
