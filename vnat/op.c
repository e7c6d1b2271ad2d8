/* op: the running RESUME or SUSPEND and its lifecycle. */
#include "vnat/op.h"

#include <stdio.h>

#include "vnat/core.h"

static const char *
kind_name(enum op_kind k)
{
	return k == OP_RESUME ? "RESUME" : "SUSPEND";
}

int
op_begin(struct vnat *v, struct vnat_op *op, char *err, size_t errlen)
{
	struct vnat_op *cur = v->v_ops.op_running;

	if (cur) {
		snprintf(err, errlen, "a %s is running already", kind_name(cur->op_kind));
		return -1;
	}
	op->op_v = v;
	v->v_ops.op_running = op;
	return 0;
}

bool
op_running(const struct vnat *v, enum op_kind kind)
{
	return v->v_ops.op_running && v->v_ops.op_running->op_kind == kind;
}

void
op_detach(struct vnat *v, void *arg)
{
	struct vnat_op *op = v->v_ops.op_running;

	if (op && op->op_arg == arg) {
		op->op_done = NULL;
		op->op_arg = NULL;
	}
}

void
op_drop(struct vnat_op *op)
{
	if (op->op_v && op->op_v->v_ops.op_running == op)
		op->op_v->v_ops.op_running = NULL;
	op->op_close(op);
}

void
op_end(struct vnat_op *op, bool ok, const char *text)
{
	if (op->op_done)
		op->op_done(op->op_arg, ok, text);
	op_drop(op);
}

void
op_abort(struct vnat *v)
{
	if (v->v_ops.op_running)
		op_drop(v->v_ops.op_running);
}
