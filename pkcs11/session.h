/* pkcs11/session.h - sessions: open, close, info, lookup. */
#ifndef MST_P11_SESSION_H
#define MST_P11_SESSION_H

#include "pkcs11/state.h"

CK_RV session_open(CK_SLOT_ID id, CK_FLAGS flags, CK_SESSION_HANDLE_PTR out);
CK_RV session_close(CK_SESSION_HANDLE h);
CK_RV session_close_all(CK_SLOT_ID id);
/* C_Finalize: every session of every slot, without logging out first. */
void session_close_all_slots(p11_state *st);
/* C_Logout: end every operation (find, sign, verify, decrypt) of every
 * session of the slot, so none outlives the login it was started under. */
void session_end_operations_of_slot(const p11_slot *sl);
CK_RV session_get_info(p11_session *s, CK_SESSION_INFO_PTR info);
CK_RV session_find(CK_SESSION_HANDLE h, p11_session **out);
int session_rw(const p11_session *s);

#endif
