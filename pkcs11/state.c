/* pkcs11/state.c - C_Initialize / C_Finalize, the module lock, fork.
 *
 * One lock guards the whole module state.  It is an OS mutex unless the
 * application gave mutex callbacks without CKF_OS_LOCKING_OK, in which case
 * those are used.  The pid recorded at C_Initialize makes every call in a
 * forked child answer CKR_CRYPTOKI_NOT_INITIALIZED; the child's C_Initialize
 * then frees the inherited state without closing anything the parent
 * still uses (the backends' handles and sessions belong to the parent;
 * each backend knows its stale handles), and builds its own.
 *
 * C_Initialize and C_Finalize are serialised by their own mutex, and the
 * initialised state is checked again once it is held, so two threads
 * racing to initialise get one CKR_OK and one
 * CKR_CRYPTOKI_ALREADY_INITIALIZED.  Both mutexes are held across fork()
 * (pthread_atfork), so a child never inherits one locked by a thread it
 * does not have.
 */
#include "config.h"
#include "pkcs11/state.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "pkcs11/debug.h"
#include "pkcs11/rv.h"
#include "pkcs11/session.h"
#include "pkcs11/slot.h"
#include "token/secmem.h"

static p11_state the_state;
static pthread_mutex_t os_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t init_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* Taken in this order everywhere: init_mutex, then os_mutex. */
static void lock_before_fork(void)
{
	(void)pthread_mutex_lock(&init_mutex);
	(void)pthread_mutex_lock(&os_mutex);
}

static void unlock_after_fork(void)
{
	(void)pthread_mutex_unlock(&os_mutex);
	(void)pthread_mutex_unlock(&init_mutex);
}

/* This process's pid, read by getpid() at C_Initialize and in a forked
 * child only: every C_* call compares it with the_state.pid, and getpid()
 * is a system call (about 0.45 us on the 2-core VM of README
 * "Performance", 2 % of an ECCSI signature through C_SignInit + C_Sign).
 * Written before the locks are released, so every later entry sees it. */
static pid_t self_pid;

static void unlock_in_child(void)
{
	self_pid = getpid();
	unlock_after_fork();
}

static void register_atfork(void)
{
	(void)pthread_atfork(lock_before_fork, unlock_after_fork, unlock_in_child);
}

p11_state *state_get(void)
{
	return &the_state;
}

void state_lock(void)
{
	if (the_state.use_app_locks)
		(void)the_state.app_locks.LockMutex(the_state.app_mutex);
	else
		(void)pthread_mutex_lock(&os_mutex);
}

void state_unlock(void)
{
	if (the_state.use_app_locks)
		(void)the_state.app_locks.UnlockMutex(the_state.app_mutex);
	else
		(void)pthread_mutex_unlock(&os_mutex);
}

CK_ULONG state_new_handle(void)
{
	if (++the_state.next_handle == 0)
		the_state.next_handle = 1;
	return the_state.next_handle;
}

static int in_owner_process(void)
{
	return the_state.initialised && the_state.pid == self_pid;
}

CK_RV state_enter(void)
{
	if (!in_owner_process())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	state_lock();
	return CKR_OK;
}

void state_leave(void)
{
	state_unlock();
}

/* Which locks to use, from the C_Initialize arguments (PKCS#11 2.40 5.4). */
static CK_RV choose_locks(const CK_C_INITIALIZE_ARGS *a)
{
	int n_funcs;

	the_state.use_app_locks = 0;
	if (a == NULL)
		return CKR_OK;
	if (a->pReserved != NULL)
		return CKR_ARGUMENTS_BAD;
	n_funcs = (a->CreateMutex != NULL) + (a->DestroyMutex != NULL) +
		  (a->LockMutex != NULL) + (a->UnlockMutex != NULL);
	if (n_funcs != 0 && n_funcs != 4)
		return CKR_ARGUMENTS_BAD;
	if (n_funcs == 4 && !(a->flags & CKF_OS_LOCKING_OK)) {
		the_state.app_locks = *a;
		if (a->CreateMutex(&the_state.app_mutex) != CKR_OK)
			return CKR_CANT_LOCK;
		the_state.use_app_locks = 1;
	}
	return CKR_OK;
}

static void release_locks(void)
{
	if (the_state.use_app_locks)
		(void)the_state.app_locks.DestroyMutex(the_state.app_mutex);
	the_state.use_app_locks = 0;
	the_state.app_mutex = NULL;
}

/* A forked child's C_Initialize: the inherited state is the parent's.
 * Free it: sessions, objects (their key bytes were secmem, wiped on fork),
 * slots; the backends free their stale handles without touching the
 * parent's sessions (see p11_close, tpm_close).  The application's mutex
 * copy is destroyed as C_Finalize would. */
static void free_parent_state(void)
{
	p11_debug("C_Initialize in a forked child: freeing the parent's state");
	session_close_all_slots(&the_state);
	slot_close_all(&the_state);
	release_locks();
}

static CK_RV initialize_locked(CK_VOID_PTR init_args)
{
	char err[MST_PATH_MAX + 128];
	CK_RV rv;
	mst_rc rc;

	if (in_owner_process())
		return CKR_CRYPTOKI_ALREADY_INITIALIZED;
	if (the_state.initialised)
		free_parent_state();
	memset(&the_state, 0, sizeof(the_state));
	rv = choose_locks(init_args);
	if (rv != CKR_OK)
		return rv;
	rc = mst_config_load(&the_state.cfg, err, sizeof(err));
	if (rc != MST_OK) {
		p11_report_config_error("%s", err);
		release_locks();
		return rv_from_mst(rc);
	}
	p11_debug("configuration: %s (%zu slot(s))",
		  the_state.cfg.path[0] ? the_state.cfg.path : "built-in default",
		  the_state.cfg.n_slots);
	rv = slot_open_all(&the_state);
	if (rv != CKR_OK) {
		release_locks();
		return rv;
	}
	self_pid = getpid();
	the_state.pid = self_pid;
	the_state.initialised = 1;
	return CKR_OK;
}

CK_RV state_initialize(CK_VOID_PTR init_args)
{
	CK_RV rv;

	(void)pthread_once(&atfork_once, register_atfork);
	(void)pthread_mutex_lock(&init_mutex);
	rv = initialize_locked(init_args);
	(void)pthread_mutex_unlock(&init_mutex);
	return rv;
}

CK_RV state_finalize(CK_VOID_PTR reserved)
{
	if (reserved != NULL)
		return CKR_ARGUMENTS_BAD;
	(void)pthread_mutex_lock(&init_mutex);
	if (!in_owner_process()) {
		(void)pthread_mutex_unlock(&init_mutex);
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	state_lock();
	session_close_all_slots(&the_state);
	slot_close_all(&the_state);
	the_state.initialised = 0;
	state_unlock();
	release_locks();
	(void)pthread_mutex_unlock(&init_mutex);
	return CKR_OK;
}
