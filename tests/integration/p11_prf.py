#!/usr/bin/env python3
"""Derive a readable MIKEY PRF output from a secret key kept in a token.

    p11_prf.py MODULE TOKEN_LABEL PIN KEY_LABEL RAND_HEX CSB_ID

C_DeriveKey(CKM_MSTOKEN_MIKEY_PRF, PRF-HMAC-SHA-256, TEK, CS ID 0) of the
secret key labelled KEY_LABEL into a 16-octet key that may be read (only
PRF outputs may), and prints its value in hex.  How a test compares an
SSV that never leaves the token with the one a reference KMS made: the
same PRF computed on both.  Exit 0, or 2 on any problem.
"""
import ctypes as C
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from read_secret import Attribute, find_one, load, user_session  # noqa: E402

CKA_CLASS, CKA_LABEL, CKA_VALUE, CKA_VALUE_LEN = 0x0, 0x3, 0x11, 0x161
CKA_SENSITIVE, CKA_EXTRACTABLE = 0x103, 0x162
CKA_TOKEN = 0x1
CKM_MSTOKEN_MIKEY_PRF = 0xCD530003
PRF_HMAC_SHA256, KEY_TEK = 1, 0


class Mechanism(C.Structure):
    _fields_ = [("mechanism", C.c_ulong), ("parameter", C.c_void_p), ("len", C.c_ulong)]


class PrfParams(C.Structure):  # CK_MSTOKEN_MIKEY_PRF_PARAMS
    _fields_ = [("prf", C.c_ulong), ("keyKind", C.c_ulong), ("csId", C.c_ubyte),
                ("csbId", C.c_ulong), ("pRand", C.c_void_p), ("ulRandLen", C.c_ulong)]


def main():
    if len(sys.argv) != 7:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    module, label, pin, key_label, rand_hex, csb_id = sys.argv[1:]
    rand = C.create_string_buffer(bytes.fromhex(rand_hex), len(rand_hex) // 2)
    lib, call = load(module)
    call("C_Initialize", None)
    try:
        h = user_session(call, label, pin)
        base = find_one(call, h, CKA_LABEL, key_label.encode()) if h is not None else None
        if base is None:
            print("p11_prf: no key labelled %r in token %r" % (key_label, label), file=sys.stderr)
            return 2
        params = PrfParams(PRF_HMAC_SHA256, KEY_TEK, 0, int(csb_id), C.cast(rand, C.c_void_p),
                           len(rand_hex) // 2)
        mech = Mechanism(CKM_MSTOKEN_MIKEY_PRF, C.cast(C.pointer(params), C.c_void_p),
                         C.sizeof(params))
        length, yes, no = C.c_ulong(16), C.c_ubyte(1), C.c_ubyte(0)
        tmpl = (Attribute * 4)(
            Attribute(CKA_VALUE_LEN, C.cast(C.pointer(length), C.c_void_p), C.sizeof(length)),
            Attribute(CKA_SENSITIVE, C.cast(C.pointer(no), C.c_void_p), 1),
            Attribute(CKA_EXTRACTABLE, C.cast(C.pointer(yes), C.c_void_p), 1),
            Attribute(CKA_TOKEN, C.cast(C.pointer(no), C.c_void_p), 1))
        key = C.c_ulong(0)
        call("C_DeriveKey", h, C.byref(mech), base, tmpl, C.c_ulong(4), C.byref(key))
        out = C.create_string_buffer(16)
        value = Attribute(CKA_VALUE, C.cast(out, C.c_void_p), 16)
        call("C_GetAttributeValue", h, key, C.byref(value), C.c_ulong(1))
        print(out.raw[: value.len].hex())
        return 0
    except RuntimeError as e:
        print("p11_prf: %s" % e, file=sys.stderr)
        return 2
    finally:
        lib.C_Finalize(None)


if __name__ == "__main__":
    sys.exit(main())
