/* token/backend_pkcs11_module.c - one loaded instance per HSM module path.
 *
 * PKCS#11 allows one C_Initialize per process and module, yet several of
 * our slots may keep their records in the same module (two SoftHSM2
 * tokens): they share one instance, counted, and the last release calls
 * C_Finalize.
 *
 * After fork() the child inherits the instance list, but the module's
 * state belongs to the parent (SoftHSM2, unless library.reset_on_fork is
 * set, keeps the parent's sessions and login).  The first acquire in the
 * child therefore re-initialises the module (C_Finalize of the inherited
 * state, then C_Initialize) and forgets the parent's references; stale
 * keystores of the parent are freed without calling into the module (see
 * p11_close).
 */
#include "token/backend_pkcs11_int.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static struct p11_module *modules;

/* A fork while another thread holds the lock would leave it locked
 * forever in the child: the child re-initialises it.  (It is taken only
 * while a slot opens or closes, which the module does under its
 * initialisation mutex, itself held across fork(): see pkcs11/state.c.
 * Holding this one across fork() as well would take the two in the wrong
 * order, this handler having been registered later.) */
static void reset_in_child(void)
{
	pthread_mutex_init(&modules_lock, NULL);
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, reset_in_child);
}

static CK_RV initialize(CK_FUNCTION_LIST_PTR f)
{
	CK_C_INITIALIZE_ARGS args;

	memset(&args, 0, sizeof args);
	args.flags = CKF_OS_LOCKING_OK;
	return f->C_Initialize(&args);
}

static mst_rc load(const char *path, struct p11_module **out, char *err, size_t err_len)
{
	struct p11_module *m = calloc(1, sizeof *m);
	CK_C_GetFunctionList get_list;
	CK_RV rv;

	if (m == NULL)
		return MST_ERR_NOMEM;
	if (strlen(path) >= sizeof m->path) {
		free(m);
		return MST_ERR_ARGS;
	}
	strcpy(m->path, path);
	/* RTLD_NODELETE: C++ modules such as SoftHSM2 register exit-time
	 * destructors; unmapping them before exit would crash the process. */
	m->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (m->dl == NULL) {
		snprintf(err, err_len, "cannot load %s: %s", path, dlerror());
		free(m);
		return MST_ERR_BACKEND;
	}
	*(void **)&get_list = dlsym(m->dl, "C_GetFunctionList");
	if (get_list == NULL || get_list(&m->f) != CKR_OK || m->f == NULL) {
		snprintf(err, err_len, "%s: no usable C_GetFunctionList", path);
		dlclose(m->dl);
		free(m);
		return MST_ERR_BACKEND;
	}
	rv = initialize(m->f);
	/* Someone else in this process (the application, p11-kit) may have
	 * initialised the module already: use it, but leave finalising to them. */
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		snprintf(err, err_len, "%s: C_Initialize: CKR 0x%lx", path, (unsigned long)rv);
		dlclose(m->dl);
		free(m);
		return MST_ERR_BACKEND;
	}
	m->we_initialized = rv == CKR_OK;
	m->pid = getpid();
	*out = m;
	return MST_OK;
}

/* First use in a forked child: drop the parent's module state. */
static mst_rc reinit_in_child(struct p11_module *m, char *err, size_t err_len)
{
	CK_RV rv = initialize(m->f);

	if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED && m->we_initialized) {
		m->f->C_Finalize(NULL);
		rv = initialize(m->f);
	}
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		snprintf(err, err_len, "%s: C_Initialize after fork: CKR 0x%lx", m->path,
			 (unsigned long)rv);
		return MST_ERR_BACKEND;
	}
	m->we_initialized = m->we_initialized || rv == CKR_OK;
	m->refs = 0;
	m->pid = getpid();
	return MST_OK;
}

mst_rc p11_module_acquire(const char *path, struct p11_module **out, char *err, size_t err_len)
{
	struct p11_module *m;
	mst_rc rc = MST_OK;

	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&modules_lock);
	for (m = modules; m != NULL; m = m->next)
		if (strcmp(m->path, path) == 0)
			break;
	if (m != NULL && m->pid != getpid())
		rc = reinit_in_child(m, err, err_len);
	else if (m == NULL && (rc = load(path, &m, err, err_len)) == MST_OK) {
		m->next = modules;
		modules = m;
	}
	if (rc == MST_OK) {
		m->refs++;
		*out = m;
	}
	pthread_mutex_unlock(&modules_lock);
	return rc;
}

void p11_module_release(struct p11_module *m)
{
	struct p11_module **pp;

	if (m == NULL)
		return;
	pthread_mutex_lock(&modules_lock);
	/* A reference taken by the parent before fork() is not ours to drop. */
	if (m->pid == getpid() && m->refs > 0 && --m->refs == 0) {
		for (pp = &modules; *pp != NULL; pp = &(*pp)->next)
			if (*pp == m) {
				*pp = m->next;
				break;
			}
		if (m->we_initialized)
			m->f->C_Finalize(NULL);
		dlclose(m->dl);
		free(m);
	}
	pthread_mutex_unlock(&modules_lock);
}
