#!/usr/bin/env python3
"""Ask a PKCS#11 token for the value of a key, the way any application could.

    read_secret.py MODULE TOKEN_LABEL PIN ID_HEX

Calls C_GetAttributeValue(CKA_VALUE) on the object with CKA_ID = ID_HEX and
prints the answer.  Exit 0 when the token refuses (CKR_ATTRIBUTE_SENSITIVE),
1 when it hands out a value, 2 on any other problem.  Used by the demo to
show, not just claim, that identity keys never leave the token.
"""
import ctypes as C
import sys

CKR = {0x00: "CKR_OK", 0x11: "CKR_ATTRIBUTE_SENSITIVE", 0x12: "CKR_ATTRIBUTE_TYPE_INVALID"}
CKF_SERIAL_SESSION, CKU_USER, CKA_ID, CKA_VALUE = 0x4, 1, 0x102, 0x11


class Attribute(C.Structure):
    _fields_ = [("type", C.c_ulong), ("value", C.c_void_p), ("len", C.c_ulong)]


def load(module):
    """The module, and a caller that raises on a return value other than CKR_OK."""
    lib = C.CDLL(module)

    def call(name, *args):
        rv = getattr(lib, name)(*args)
        if rv != 0:
            raise RuntimeError("%s: 0x%x" % (name, rv))

    return lib, call


def user_session(call, label, pin):
    """A session of the token labelled label, the user logged in; None if no such token."""
    n = C.c_ulong(0)
    call("C_GetSlotList", C.c_ubyte(1), None, C.byref(n))
    slots = (C.c_ulong * n.value)()
    call("C_GetSlotList", C.c_ubyte(1), slots, C.byref(n))
    slot = None
    for s in slots[: n.value]:
        info = C.create_string_buffer(1024)  # CK_TOKEN_INFO starts with label[32]
        call("C_GetTokenInfo", C.c_ulong(s), info)
        if info.raw[:32].decode("utf-8", "replace").rstrip() == label:
            slot = s
    if slot is None:
        return None
    h = C.c_ulong(0)
    call("C_OpenSession", C.c_ulong(slot), C.c_ulong(CKF_SERIAL_SESSION), None, None, C.byref(h))
    call("C_Login", h, C.c_ulong(CKU_USER), C.c_char_p(pin.encode()), C.c_ulong(len(pin)))
    return h


def find_one(call, h, attr_type, value):
    """The one object whose attribute attr_type is value (bytes), or None."""
    buf = C.create_string_buffer(value, len(value))
    tmpl = Attribute(attr_type, C.cast(buf, C.c_void_p), len(value))
    call("C_FindObjectsInit", h, C.byref(tmpl), C.c_ulong(1))
    obj, count = C.c_ulong(0), C.c_ulong(0)
    call("C_FindObjects", h, C.byref(obj), C.c_ulong(1), C.byref(count))
    call("C_FindObjectsFinal", h)
    return obj if count.value == 1 else None


def main():
    if len(sys.argv) != 5:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    module, label, pin, id_hex = sys.argv[1:]
    lib, call = load(module)
    call("C_Initialize", None)
    try:
        h = user_session(call, label, pin)
        if h is None:
            print("read_secret: no token labelled %r" % label, file=sys.stderr)
            return 2
        obj = find_one(call, h, CKA_ID, bytes.fromhex(id_hex))
        if obj is None:
            print("read_secret: no object with CKA_ID %s" % id_hex, file=sys.stderr)
            return 2
        value = Attribute(CKA_VALUE, None, 0)
        rv = lib.C_GetAttributeValue(h, obj, C.byref(value), C.c_ulong(1))
        print("C_GetAttributeValue(CKA_VALUE) of %s -> %s" % (id_hex, CKR.get(rv, "0x%x" % rv)))
        return 0 if rv == 0x11 else 1
    finally:
        lib.C_Finalize(None)


if __name__ == "__main__":
    sys.exit(main())
