/* tests/fuzz/fake_p11.c - see fake_p11.h.  Return values follow PKCS#11
 * (and SoftHSM2 where the backend relies on it: a wrong GCM tag is
 * CKR_GENERAL_ERROR). */
#include "tests/fuzz/fake_p11.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define FIND_MAX 16
#define PIN_MAX 255

struct fake_obj fake_objs[FAKE_P11_MAX_OBJECTS];
size_t fake_n_objs;

uint8_t fake_p11_key[32] = "fake-p11 seal key, fuzzing only";
void (*fake_p11_opened)(uint8_t *plain, size_t len);

/* the token */
static struct {
	int initialized, user_pin_set;
	CK_USER_TYPE login;     /* CKU_SO, CKU_USER, or (CK_ULONG)-1: nobody */
	CK_ULONG sessions;      /* open sessions */
	CK_UTF8CHAR label[32];
	uint8_t so_pin[PIN_MAX], user_pin[PIN_MAX];
	size_t so_pin_len, user_pin_len;
} tok = { .login = (CK_USER_TYPE)-1 };

static CK_SESSION_HANDLE last_session;
static int lib_initialized;

/* the one operation of each kind under way */
static int finding;
static CK_ATTRIBUTE find_t[FIND_MAX];
static CK_ULONG find_n;
static uint8_t find_vals[FIND_MAX][96];
static size_t find_pos;
enum { OP_NONE, OP_ENCRYPT, OP_DECRYPT };
static int crypt_op;
static const uint8_t *crypt_key;
static size_t crypt_key_len;
static CK_GCM_PARAMS gcm;
static uint8_t gcm_iv[12], gcm_aad[256];

static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

/* A destroyed object's own value goes; one borrowed from a fuzz input
 * stays readable to fuzz_p11records, which opens every value it gave. */
static void drop(struct fake_obj *o)
{
	if (o->owned != NULL) {
		if (crypt_key == o->owned)
			crypt_op = OP_NONE;
		OPENSSL_cleanse(o->owned, o->value_len);
		free(o->owned);
		o->owned = NULL;
		o->value = NULL;
		o->value_len = 0;
	}
	o->live = 0;
}

static void empty_table(void)
{
	size_t i;

	for (i = 0; i < fake_n_objs; i++)
		drop(&fake_objs[i]);
	memset(fake_objs, 0, sizeof fake_objs);
	fake_n_objs = 0;
}

void fake_p11_reset(void)
{
	empty_table();
	finding = 0;
	crypt_op = OP_NONE;
	tok.initialized = 1;
	tok.login = CKU_USER;
}

static int user_in(void)
{
	return tok.login == CKU_USER;
}

static CK_OBJECT_HANDLE handle_of(size_t i)
{
	return fake_objs[i].reuse * FAKE_P11_MAX_OBJECTS + i + 1;
}

/* The object behind a handle, if it is live and this login may see it. */
static struct fake_obj *obj_of(CK_OBJECT_HANDLE h)
{
	size_t i;
	struct fake_obj *o;

	if (h == 0 || h == FAKE_P11_FIXED_KEY)
		return NULL;
	i = (h - 1) % FAKE_P11_MAX_OBJECTS;
	if (i >= fake_n_objs)
		return NULL;
	o = &fake_objs[i];
	if (!o->live || o->reuse != (h - 1) / FAKE_P11_MAX_OBJECTS || (o->is_private && !user_in()))
		return NULL;
	return o;
}

/* A new entry: appended while there is room, then dead ones are reused
 * under a new handle. */
static struct fake_obj *new_obj(CK_OBJECT_HANDLE *h)
{
	size_t i;
	CK_ULONG reuse;

	if (fake_n_objs < FAKE_P11_MAX_OBJECTS) {
		i = fake_n_objs++;
		reuse = 0;
	} else {
		for (i = 0; i < FAKE_P11_MAX_OBJECTS && fake_objs[i].live; i++)
			;
		if (i == FAKE_P11_MAX_OBJECTS)
			return NULL;
		drop(&fake_objs[i]);
		reuse = fake_objs[i].reuse + 1;
	}
	memset(&fake_objs[i], 0, sizeof fake_objs[i]);
	fake_objs[i].reuse = reuse;
	*h = handle_of(i);
	return &fake_objs[i];
}

/* An attribute of an object as stored; *secret for a value that must not
 * leave the token. */
static int attr_of(const struct fake_obj *o, CK_ATTRIBUTE_TYPE type, const void **v,
		   size_t *len, int *secret)
{
	int is_key = o->cls == CKO_SECRET_KEY;

	*secret = 0;
	*len = 1;
	switch (type) {
	case CKA_CLASS: *v = &o->cls; *len = sizeof o->cls; return 1;
	case CKA_TOKEN: *v = &yes; return 1;
	case CKA_PRIVATE: *v = o->is_private ? &yes : &no; return 1;
	case CKA_LABEL: *v = o->label; *len = o->label_len; return 1;
	case CKA_VALUE:
		*v = o->value;
		*len = o->value_len;
		*secret = is_key && (o->sensitive || !o->extractable);
		return 1;
	case CKA_APPLICATION:
		*v = o->app;
		*len = strlen(o->app);
		return !is_key;
	default:
		break;
	}
	if (!is_key)
		return 0;
	switch (type) {
	case CKA_KEY_TYPE: *v = &o->key_type; *len = sizeof o->key_type; return 1;
	case CKA_VALUE_LEN: *v = &o->key_len; *len = sizeof o->key_len; return 1;
	case CKA_LOCAL: *v = &yes; return 1;
	case CKA_SENSITIVE: *v = &o->sensitive; return 1;
	case CKA_EXTRACTABLE: *v = &o->extractable; return 1;
	case CKA_ALWAYS_SENSITIVE: *v = &o->always_sensitive; return 1;
	case CKA_NEVER_EXTRACTABLE: *v = &o->never_extractable; return 1;
	case CKA_ENCRYPT: *v = &o->encrypt; return 1;
	case CKA_DECRYPT: *v = &o->decrypt; return 1;
	default: return 0;
	}
}

static CK_RV initialize(CK_VOID_PTR args)
{
	(void)args;
	if (lib_initialized)
		return CKR_CRYPTOKI_ALREADY_INITIALIZED;
	lib_initialized = 1;
	return CKR_OK;
}

/* The token keeps its objects and PINs, as a file store would. */
static CK_RV finalize(CK_VOID_PTR reserved)
{
	(void)reserved;
	if (!lib_initialized)
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	lib_initialized = 0;
	tok.sessions = 0;
	tok.login = (CK_USER_TYPE)-1;
	finding = 0;
	crypt_op = OP_NONE;
	return CKR_OK;
}

/* one slot, id 0, with its token always present */
static CK_RV slot_list(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR n)
{
	(void)present;
	if (list != NULL) {
		if (*n < 1) {
			*n = 1;
			return CKR_BUFFER_TOO_SMALL;
		}
		list[0] = 0;
	}
	*n = 1;
	return CKR_OK;
}

static CK_RV token_info(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR ti)
{
	if (slot != 0)
		return CKR_SLOT_ID_INVALID;
	memset(ti, ' ', sizeof *ti);
	memcpy(ti->label, tok.label, sizeof ti->label);
	memcpy(ti->manufacturerID, "mstoken fuzz", 12);
	memcpy(ti->model, "fake_p11", 8);
	memcpy(ti->serialNumber, "fake0001", 8);
	ti->flags = CKF_RNG | CKF_LOGIN_REQUIRED | (tok.initialized ? CKF_TOKEN_INITIALIZED : 0) |
		    (tok.user_pin_set ? CKF_USER_PIN_INITIALIZED : 0);
	ti->ulMaxSessionCount = ti->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
	ti->ulSessionCount = ti->ulRwSessionCount = tok.sessions;
	ti->ulMinPinLen = 4;
	ti->ulMaxPinLen = PIN_MAX;
	ti->ulTotalPublicMemory = ti->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	ti->ulTotalPrivateMemory = ti->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	memset(&ti->hardwareVersion, 0, sizeof ti->hardwareVersion);
	memset(&ti->firmwareVersion, 0, sizeof ti->firmwareVersion);
	return CKR_OK;
}

static int pin_is(const uint8_t *want, size_t want_len, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	return len == want_len && CRYPTO_memcmp(want, pin, len) == 0;
}

static CK_RV init_token(CK_SLOT_ID slot, CK_UTF8CHAR_PTR pin, CK_ULONG len, CK_UTF8CHAR_PTR label)
{
	if (slot != 0)
		return CKR_SLOT_ID_INVALID;
	if (tok.sessions > 0)
		return CKR_SESSION_EXISTS;
	if (len < 4 || len > PIN_MAX)
		return CKR_PIN_LEN_RANGE;
	if (tok.initialized && !pin_is(tok.so_pin, tok.so_pin_len, pin, len))
		return CKR_PIN_INCORRECT;
	empty_table();
	memcpy(tok.so_pin, pin, len);
	tok.so_pin_len = len;
	memcpy(tok.label, label, sizeof tok.label);
	tok.user_pin_set = 0;
	tok.initialized = 1;
	return CKR_OK;
}

static CK_RV open_session(CK_SLOT_ID slot, CK_FLAGS fl, CK_VOID_PTR app, CK_NOTIFY n,
			  CK_SESSION_HANDLE_PTR s)
{
	(void)app; (void)n;
	if (slot != 0)
		return CKR_SLOT_ID_INVALID;
	if (!(fl & CKF_SERIAL_SESSION))
		return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
	if (!tok.initialized)
		return CKR_TOKEN_NOT_RECOGNIZED;
	tok.sessions++;
	*s = ++last_session;
	return CKR_OK;
}

/* The last session closed logs out (PKCS#11: the login is the
 * application's, held while it has a session). */
static CK_RV close_session(CK_SESSION_HANDLE s)
{
	(void)s;
	if (tok.sessions == 0)
		return CKR_SESSION_HANDLE_INVALID;
	if (--tok.sessions == 0)
		tok.login = (CK_USER_TYPE)-1;
	finding = 0;
	crypt_op = OP_NONE;
	return CKR_OK;
}

static CK_RV login(CK_SESSION_HANDLE s, CK_USER_TYPE who, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	(void)s;
	if (who != CKU_SO && who != CKU_USER)
		return CKR_USER_TYPE_INVALID;
	if (tok.login == who)
		return CKR_USER_ALREADY_LOGGED_IN;
	if (tok.login != (CK_USER_TYPE)-1)
		return CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
	if (who == CKU_USER && !tok.user_pin_set)
		return CKR_USER_PIN_NOT_INITIALIZED;
	if (who == CKU_SO ? !pin_is(tok.so_pin, tok.so_pin_len, pin, len)
			  : !pin_is(tok.user_pin, tok.user_pin_len, pin, len))
		return CKR_PIN_INCORRECT;
	tok.login = who;
	return CKR_OK;
}

static CK_RV logout(CK_SESSION_HANDLE s)
{
	(void)s;
	if (tok.login == (CK_USER_TYPE)-1)
		return CKR_USER_NOT_LOGGED_IN;
	tok.login = (CK_USER_TYPE)-1;
	return CKR_OK;
}

static CK_RV init_pin(CK_SESSION_HANDLE s, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	(void)s;
	if (tok.login != CKU_SO)
		return CKR_USER_NOT_LOGGED_IN;
	if (len < 4 || len > PIN_MAX)
		return CKR_PIN_LEN_RANGE;
	memcpy(tok.user_pin, pin, len);
	tok.user_pin_len = len;
	tok.user_pin_set = 1;
	return CKR_OK;
}

/* the SO's PIN when the SO is logged in, else the user's */
static CK_RV set_pin(CK_SESSION_HANDLE s, CK_UTF8CHAR_PTR old, CK_ULONG old_len,
		     CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	int so = tok.login == CKU_SO;
	uint8_t *cur = so ? tok.so_pin : tok.user_pin;
	size_t *cur_len = so ? &tok.so_pin_len : &tok.user_pin_len;

	(void)s;
	if (!so && !tok.user_pin_set)
		return CKR_USER_PIN_NOT_INITIALIZED;
	if (len < 4 || len > PIN_MAX)
		return CKR_PIN_LEN_RANGE;
	if (!pin_is(cur, *cur_len, old, old_len))
		return CKR_PIN_INCORRECT;
	memcpy(cur, pin, len);
	*cur_len = len;
	return CKR_OK;
}

static int matches(const struct fake_obj *o)
{
	CK_ULONG i;

	for (i = 0; i < find_n; i++) {
		const void *v;
		size_t len;
		int secret;

		if (find_t[i].ulValueLen == CK_UNAVAILABLE_INFORMATION ||
		    !attr_of(o, find_t[i].type, &v, &len, &secret) || secret ||
		    len != find_t[i].ulValueLen || (len > 0 && memcmp(v, find_t[i].pValue, len) != 0))
			return 0;
	}
	return 1;
}

static CK_RV find_init(CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	CK_ULONG i;

	(void)s;
	if (finding)
		return CKR_OPERATION_ACTIVE;
	if (n > FIND_MAX || (n > 0 && t == NULL))
		return CKR_ARGUMENTS_BAD;
	for (i = 0; i < n; i++) {
		find_t[i] = t[i];
		/* no attribute we keep is longer: such a template matches nothing */
		if (t[i].pValue == NULL || t[i].ulValueLen > sizeof find_vals[i]) {
			find_t[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			continue;
		}
		memcpy(find_vals[i], t[i].pValue, t[i].ulValueLen);
		find_t[i].pValue = find_vals[i];
	}
	find_n = n;
	find_pos = 0;
	finding = 1;
	return CKR_OK;
}

static CK_RV find(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE_PTR out, CK_ULONG max, CK_ULONG_PTR got)
{
	(void)s;
	if (!finding)
		return CKR_OPERATION_NOT_INITIALIZED;
	*got = 0;
	for (; find_pos < fake_n_objs && *got < max; find_pos++)
		if (obj_of(handle_of(find_pos)) != NULL && matches(&fake_objs[find_pos]))
			out[(*got)++] = handle_of(find_pos);
	return CKR_OK;
}

static CK_RV find_final(CK_SESSION_HANDLE s)
{
	(void)s;
	if (!finding)
		return CKR_OPERATION_NOT_INITIALIZED;
	finding = 0;
	return CKR_OK;
}

static CK_RV get_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	struct fake_obj *o = obj_of(h);
	CK_RV rv = CKR_OK;
	CK_ULONG i;

	(void)s;
	if (o == NULL)
		return CKR_OBJECT_HANDLE_INVALID;
	for (i = 0; i < n; i++) {
		const void *v;
		size_t len;
		int secret;

		if (!attr_of(o, t[i].type, &v, &len, &secret)) {
			t[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_ATTRIBUTE_TYPE_INVALID;
		} else if (secret) {
			t[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_ATTRIBUTE_SENSITIVE;
		} else if (t[i].pValue == NULL) {
			t[i].ulValueLen = len;
		} else if (t[i].ulValueLen < len) {
			t[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_BUFFER_TOO_SMALL;
		} else {
			if (len > 0)
				memcpy(t[i].pValue, v, len);
			t[i].ulValueLen = len;
		}
	}
	return rv;
}

static int is_bool(const CK_ATTRIBUTE *a)
{
	return a->pValue != NULL && a->ulValueLen == sizeof(CK_BBOOL);
}

static int is_ulong(const CK_ATTRIBUTE *a)
{
	return a->pValue != NULL && a->ulValueLen == sizeof(CK_ULONG);
}

/* Store a made object in a new entry (the entry takes its value). */
static CK_RV put_obj(struct fake_obj *o, CK_OBJECT_HANDLE_PTR h)
{
	struct fake_obj *e = new_obj(h);

	if (e == NULL) {
		if (o->owned != NULL)
			OPENSSL_cleanse(o->owned, o->value_len);
		free(o->owned);
		return CKR_DEVICE_MEMORY;
	}
	o->reuse = e->reuse;
	o->live = 1;
	*e = *o;
	return CKR_OK;
}

/* CKO_DATA objects only: the backend creates nothing else. */
static CK_RV create(CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR h)
{
	struct fake_obj o;
	const CK_ATTRIBUTE *value = NULL;
	CK_ULONG i;

	(void)s;
	memset(&o, 0, sizeof o);
	o.cls = CKO_DATA;
	for (i = 0; i < n; i++) {
		const CK_ATTRIBUTE *a = &t[i];

		if (a->pValue == NULL && a->ulValueLen > 0)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		switch (a->type) {
		case CKA_CLASS:
			if (!is_ulong(a) || *(CK_OBJECT_CLASS *)a->pValue != CKO_DATA)
				return CKR_TEMPLATE_INCONSISTENT;
			break;
		case CKA_TOKEN:
			if (!is_bool(a))
				return CKR_ATTRIBUTE_VALUE_INVALID;
			break;
		case CKA_PRIVATE:
			if (!is_bool(a))
				return CKR_ATTRIBUTE_VALUE_INVALID;
			o.is_private = *(CK_BBOOL *)a->pValue == CK_TRUE;
			break;
		case CKA_APPLICATION:
			if (a->ulValueLen >= sizeof o.app)
				return CKR_ATTRIBUTE_VALUE_INVALID;
			memcpy(o.app, a->pValue, a->ulValueLen);
			break;
		case CKA_LABEL:
			if (a->ulValueLen > sizeof o.label)
				return CKR_ATTRIBUTE_VALUE_INVALID;
			memcpy(o.label, a->pValue, a->ulValueLen);
			o.label_len = a->ulValueLen;
			break;
		case CKA_VALUE:
			value = a;
			break;
		default:
			return CKR_ATTRIBUTE_TYPE_INVALID;
		}
	}
	if (o.is_private && !user_in())
		return CKR_USER_NOT_LOGGED_IN;
	if (value != NULL) {
		o.owned = malloc(value->ulValueLen ? value->ulValueLen : 1);
		if (o.owned == NULL)
			return CKR_HOST_MEMORY;
		if (value->ulValueLen > 0)
			memcpy(o.owned, value->pValue, value->ulValueLen);
		o.value = o.owned;
		o.value_len = value->ulValueLen;
	}
	return put_obj(&o, h);
}

static CK_RV generate_key(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG n,
			  CK_OBJECT_HANDLE_PTR h)
{
	struct fake_obj o;
	CK_BBOOL token = CK_TRUE, priv = CK_TRUE;
	CK_ULONG i;

	(void)s;
	if (m == NULL || m->mechanism != CKM_AES_KEY_GEN)
		return CKR_MECHANISM_INVALID;
	memset(&o, 0, sizeof o);
	o.cls = CKO_SECRET_KEY;
	o.key_type = CKK_AES;
	o.sensitive = CK_TRUE;
	for (i = 0; i < n; i++) {
		const CK_ATTRIBUTE *a = &t[i];
		CK_BBOOL *flag = NULL;

		switch (a->type) {
		case CKA_CLASS:
			if (!is_ulong(a) || *(CK_OBJECT_CLASS *)a->pValue != CKO_SECRET_KEY)
				return CKR_TEMPLATE_INCONSISTENT;
			continue;
		case CKA_KEY_TYPE:
			if (!is_ulong(a) || *(CK_KEY_TYPE *)a->pValue != CKK_AES)
				return CKR_TEMPLATE_INCONSISTENT;
			continue;
		case CKA_VALUE_LEN:
			if (!is_ulong(a))
				return CKR_ATTRIBUTE_VALUE_INVALID;
			o.key_len = *(CK_ULONG *)a->pValue;
			continue;
		case CKA_LABEL:
			if (a->ulValueLen > sizeof o.label || (a->pValue == NULL && a->ulValueLen))
				return CKR_ATTRIBUTE_VALUE_INVALID;
			if (a->ulValueLen > 0)
				memcpy(o.label, a->pValue, a->ulValueLen);
			o.label_len = a->ulValueLen;
			continue;
		case CKA_TOKEN: flag = &token; break;   /* every object is a token object */
		case CKA_PRIVATE: flag = &priv; break;
		case CKA_SENSITIVE: flag = &o.sensitive; break;
		case CKA_EXTRACTABLE: flag = &o.extractable; break;
		case CKA_ENCRYPT: flag = &o.encrypt; break;
		case CKA_DECRYPT: flag = &o.decrypt; break;
		default:
			return CKR_ATTRIBUTE_TYPE_INVALID;
		}
		if (!is_bool(a))
			return CKR_ATTRIBUTE_VALUE_INVALID;
		*flag = *(CK_BBOOL *)a->pValue;
	}
	o.is_private = priv == CK_TRUE;
	if (o.key_len != 16 && o.key_len != 24 && o.key_len != 32)
		return o.key_len ? CKR_ATTRIBUTE_VALUE_INVALID : CKR_TEMPLATE_INCOMPLETE;
	if (o.is_private && !user_in())
		return CKR_USER_NOT_LOGGED_IN;
	o.always_sensitive = o.sensitive;
	o.never_extractable = !o.extractable;
	o.owned = malloc(o.key_len);
	if (o.owned == NULL)
		return CKR_HOST_MEMORY;
	if (RAND_bytes(o.owned, (int)o.key_len) != 1) {
		free(o.owned);
		return CKR_FUNCTION_FAILED;
	}
	o.value = o.owned;
	o.value_len = o.key_len;
	return put_obj(&o, h);
}

static CK_RV destroy(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h)
{
	struct fake_obj *o = obj_of(h);

	(void)s;
	if (o == NULL)
		return CKR_OBJECT_HANDLE_INVALID;
	drop(o);
	return CKR_OK;
}

static CK_RV crypt_init(int op, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	const CK_GCM_PARAMS *p;
	const struct fake_obj *o = obj_of(k);

	if (crypt_op != OP_NONE)
		return CKR_OPERATION_ACTIVE;
	if (m == NULL || m->mechanism != CKM_AES_GCM)
		return CKR_MECHANISM_INVALID;
	p = m->pParameter;
	if (p == NULL || m->ulParameterLen != sizeof *p || p->ulIvLen != sizeof gcm_iv ||
	    p->ulAADLen > sizeof gcm_aad || p->ulTagBits != 128)
		return CKR_MECHANISM_PARAM_INVALID;
	if (k == FAKE_P11_FIXED_KEY) {
		crypt_key = fake_p11_key;
		crypt_key_len = sizeof fake_p11_key;
	} else if (o == NULL || o->cls != CKO_SECRET_KEY) {
		return CKR_KEY_HANDLE_INVALID;
	} else if (!(op == OP_ENCRYPT ? o->encrypt : o->decrypt)) {
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	} else {
		crypt_key = o->owned;
		crypt_key_len = o->key_len;
	}
	gcm = *p;
	memcpy(gcm_iv, p->pIv, sizeof gcm_iv);
	if (p->ulAADLen > 0)
		memcpy(gcm_aad, p->pAAD, p->ulAADLen);
	crypt_op = op;
	return CKR_OK;
}

static CK_RV encrypt_init(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	(void)s;
	return crypt_init(OP_ENCRYPT, m, k);
}

static CK_RV decrypt_init(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	(void)s;
	return crypt_init(OP_DECRYPT, m, k);
}

static const EVP_CIPHER *aes_gcm(size_t key_len)
{
	return key_len == 16 ? EVP_aes_128_gcm() : key_len == 24 ? EVP_aes_192_gcm() : EVP_aes_256_gcm();
}

/* one-part AES-GCM, the tag after the ciphertext (as SoftHSM2) */
static CK_RV gcm_run(int op, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
	int enc = op == OP_ENCRYPT;
	EVP_CIPHER_CTX *c;
	CK_ULONG n;
	int l = 0, ok;

	if (crypt_op != op)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (!enc && in_len < 16) {
		crypt_op = OP_NONE;
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	}
	n = enc ? in_len : in_len - 16;
	if (out == NULL || *out_len < (enc ? n + 16 : n)) {
		*out_len = enc ? n + 16 : n;
		return out == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
	}
	crypt_op = OP_NONE;
	c = EVP_CIPHER_CTX_new();
	ok = c && EVP_CipherInit_ex(c, aes_gcm(crypt_key_len), NULL, crypt_key, gcm_iv, enc) == 1 &&
	     EVP_CipherUpdate(c, NULL, &l, gcm_aad, (int)gcm.ulAADLen) == 1 &&
	     EVP_CipherUpdate(c, out, &l, in, (int)n) == 1 &&
	     (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, in + n) == 1) &&
	     EVP_CipherFinal_ex(c, out + l, &l) == 1 &&
	     (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + n) == 1);
	EVP_CIPHER_CTX_free(c);
	*out_len = enc ? n + 16 : n;
	if (!enc && fake_p11_opened != NULL)
		fake_p11_opened(out, n);
	return ok ? CKR_OK : CKR_GENERAL_ERROR;     /* as SoftHSM2 reports a bad tag */
}

static CK_RV encrypt(CK_SESSION_HANDLE s, CK_BYTE_PTR in, CK_ULONG n, CK_BYTE_PTR out,
		     CK_ULONG_PTR out_len)
{
	(void)s;
	return gcm_run(OP_ENCRYPT, in, n, out, out_len);
}

static CK_RV decrypt(CK_SESSION_HANDLE s, CK_BYTE_PTR in, CK_ULONG n, CK_BYTE_PTR out,
		     CK_ULONG_PTR out_len)
{
	(void)s;
	return gcm_run(OP_DECRYPT, in, n, out, out_len);
}

/* Everything else stays NULL: the backend calls nothing else. */
CK_FUNCTION_LIST_PTR fake_p11(void)
{
	static CK_FUNCTION_LIST f;

	f.version.major = 2;
	f.version.minor = 40;
	f.C_Initialize = initialize;
	f.C_Finalize = finalize;
	f.C_GetSlotList = slot_list;
	f.C_GetTokenInfo = token_info;
	f.C_InitToken = init_token;
	f.C_OpenSession = open_session;
	f.C_CloseSession = close_session;
	f.C_Login = login;
	f.C_Logout = logout;
	f.C_InitPIN = init_pin;
	f.C_SetPIN = set_pin;
	f.C_FindObjectsInit = find_init;
	f.C_FindObjects = find;
	f.C_FindObjectsFinal = find_final;
	f.C_GetAttributeValue = get_attr;
	f.C_CreateObject = create;
	f.C_GenerateKey = generate_key;
	f.C_DestroyObject = destroy;
	f.C_EncryptInit = encrypt_init;
	f.C_Encrypt = encrypt;
	f.C_DecryptInit = decrypt_init;
	f.C_Decrypt = decrypt;
	return &f;
}
