/* pkcs11/object.h - objects of a slot: handles, visibility, attribute
 * storage, persistence as keystore records.
 *
 * A token object is kept in the slot's keystore as record "<base>.a" (its
 * attributes, serialised by objcodec.c) and, for a private or secret key,
 * "<base>.v" (the key value alone).  Both are private records, i.e. sealed,
 * when the object is private.  The ".a" records are read when the slot
 * opens (public) or at C_Login (private); a key value is read only when
 * the key is first used, so an edited sealed value is reported at use
 * (CKR_DEVICE_ERROR) while every other key keeps working.
 * A community key (KPAK, Z_T) is public and imported by the SO, who may
 * not write sealed records: "<base>.e" holds the SO's endorsement of its
 * point (keystore endorse()), the only thing that vouches that the token
 * itself imported it (obj_sealed_point); a session object keeps the
 * imported point in memory instead.
 */
#ifndef MST_P11_OBJECT_H
#define MST_P11_OBJECT_H

#include "pkcs11/p11.h"

p11_object *object_new(p11_slot *sl, CK_OBJECT_CLASS cls);
/* Wipe and free (drops the signer reference). */
void object_free(p11_object *o);
void object_link(p11_slot *sl, p11_object *o);
void object_unlink(p11_object *o);

/* The object behind a handle that this session may see. */
CK_RV object_lookup(const p11_session *s, CK_OBJECT_HANDLE h, p11_object **out);
int object_visible(const p11_session *s, const p11_object *o);

/* Attribute list (never the key value). */
p11_attr *obj_attr(const p11_object *o, CK_ATTRIBUTE_TYPE type);
int obj_bool(const p11_object *o, CK_ATTRIBUTE_TYPE type);
CK_ULONG obj_ulong(const p11_object *o, CK_ATTRIBUTE_TYPE type, CK_ULONG dflt);
CK_RV obj_set(p11_object *o, CK_ATTRIBUTE_TYPE type, const void *value, CK_ULONG len);
CK_RV obj_set_bool(p11_object *o, CK_ATTRIBUTE_TYPE type, int v);
CK_RV obj_set_ulong(p11_object *o, CK_ATTRIBUTE_TYPE type, CK_ULONG v);
/* Take a copy of the key value into locked memory. */
CK_RV obj_set_secret(p11_object *o, const uint8_t *value, size_t len);
/* The key value, read from the keystore on first use. */
CK_RV obj_secret(p11_object *o, const uint8_t **value, size_t *len);
/* A community key's point (CKA_MSTOKEN_POINT, len octets) vouched for by
 * the SO's endorsement (or, for a session object, the copy the import
 * kept): CKR_OK only then; *point is the vouched-for copy. */
CK_RV obj_sealed_point(p11_object *o, size_t len, const uint8_t **point);
int obj_is_token(const p11_object *o);
int obj_is_private(const p11_object *o);
/* Deep copy (attributes and key value), new handle, not linked. */
CK_RV object_clone(const p11_object *src, p11_object **out);

/* Persist a token object (new or changed); remove it from the keystore.
 * Creation and removal survive a crash whole or not at all (objstore.c). */
CK_RV object_store(p11_object *o);
void object_unstore(p11_object *o);
/* Store the token objects among objs, new ones, all or none (also across a
 * crash); on failure nothing of them stays stored. */
CK_RV object_store_all(p11_object **objs, size_t n);
/* Read the slot's ".a" records: public ones (private_pass == 0) or the
 * private ones after a user login. */
void object_load_records(p11_slot *sl, int private_pass);
/* Free objects of the slot: all (private_only == 0) or the private ones
 * (at logout: private token and session objects). */
void object_drop(p11_slot *sl, int private_only);
/* Free the session objects a session owns. */
void object_drop_session(p11_slot *sl, CK_SESSION_HANDLE owner);



/* A key this session may use for one purpose: CKR_KEY_HANDLE_INVALID,
 * CKR_KEY_TYPE_INCONSISTENT (class or key type) or
 * CKR_KEY_FUNCTION_NOT_PERMITTED (usage attribute not TRUE). */
CK_RV key_for_use(const p11_session *s, CK_OBJECT_HANDLE h, CK_OBJECT_CLASS cls,
		  CK_KEY_TYPE type, CK_ATTRIBUTE_TYPE usage, p11_object **out);

#endif
