/* pkcs11/state.h - module life cycle: C_Initialize/C_Finalize, the module
 * lock, fork detection and handle numbering. */
#ifndef MST_P11_STATE_H
#define MST_P11_STATE_H

#include <sys/types.h>
#include "pkcs11/p11.h"

typedef struct {
	int initialised;
	pid_t pid;                      /* process that called C_Initialize */
	CK_C_INITIALIZE_ARGS app_locks; /* application mutex callbacks, if used */
	int use_app_locks;
	void *app_mutex;
	mst_config cfg;
	p11_slot slots[MST_CONFIG_MAX_SLOTS];
	size_t n_slots;
	p11_session *sessions;
	CK_ULONG next_handle;
} p11_state;

p11_state *state_get(void);
CK_RV state_initialize(CK_VOID_PTR init_args);
CK_RV state_finalize(CK_VOID_PTR reserved);
/* Initialised in this very process (not a forked child)? then lock. */
CK_RV state_enter(void);
void state_leave(void);
/* Around work done without the lock (EC maths): see sign.c. */
void state_lock(void);
void state_unlock(void);
/* A fresh object or session handle, never 0. */
CK_ULONG state_new_handle(void);

#endif
