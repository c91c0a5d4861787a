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


def main():
    if len(sys.argv) != 5:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    module, label, pin, id_hex = sys.argv[1:]
    lib = C.CDLL(module)

    def call(name, *args):
        rv = getattr(lib, name)(*args)
        if rv != 0:
            raise RuntimeError("%s: 0x%x" % (name, rv))

    call("C_Initialize", None)
    try:
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
            print("read_secret: no token labelled %r" % label, file=sys.stderr)
            return 2
        h = C.c_ulong(0)
        call("C_OpenSession", C.c_ulong(slot), C.c_ulong(CKF_SERIAL_SESSION), None, None, C.byref(h))
        call("C_Login", h, C.c_ulong(CKU_USER), C.c_char_p(pin.encode()), C.c_ulong(len(pin)))
        idb = C.create_string_buffer(bytes.fromhex(id_hex), len(id_hex) // 2)
        tmpl = Attribute(CKA_ID, C.cast(idb, C.c_void_p), len(id_hex) // 2)
        call("C_FindObjectsInit", h, C.byref(tmpl), C.c_ulong(1))
        obj, count = C.c_ulong(0), C.c_ulong(0)
        call("C_FindObjects", h, C.byref(obj), C.c_ulong(1), C.byref(count))
        call("C_FindObjectsFinal", h)
        if count.value != 1:
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
