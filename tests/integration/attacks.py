#!/usr/bin/env python3
"""Black-box attacks on the mstoken module (issue 11, "How it is checked").

    attacks.py forge   SOFTHSM2_MODULE STORE_LABEL PIN WORKDIR
    attacks.py records SOFTHSM2_MODULE STORE_LABEL PIN WORKDIR OUTFILE
    attacks.py api     MODULE LABEL SO_PIN PIN WORKDIR
    attacks.py forged  MODULE LABEL PIN WORKDIR

Written from the issue, DESIGN.md, README, doc/*.md and the public header,
not from the fixes' tests.  WORKDIR holds the genuine community.xml and
alice.keyset.xml (imported by attacks.sh) and evil/community.xml and
mallory.keyset.xml, an attacker's community.  Each attack prints
"attack NAME: defeated (CKR_...)"; one that succeeds prints
"attack NAME: SUCCEEDED ..." and the program exits 1 (2: a problem of the
test itself).  A crash of the module kills this process: attacks.sh
reports the signal.
"""
import ctypes as C
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", "."), "tests", "ref"))
from msref_eccsi import P256, eccsi_sign, eccsi_verify_detail  # noqa: E402
from msref_prf import derive_key  # noqa: E402
from msref_sakke import sakke_encapsulate, sakke_point  # noqa: E402

# PKCS#11 2.40 numbers used here
CKR_NAMES = {
    0x0: "CKR_OK", 0x5: "CKR_GENERAL_ERROR", 0x6: "CKR_FUNCTION_FAILED",
    0x7: "CKR_ARGUMENTS_BAD", 0x10: "CKR_ATTRIBUTE_READ_ONLY",
    0x11: "CKR_ATTRIBUTE_SENSITIVE", 0x12: "CKR_ATTRIBUTE_TYPE_INVALID",
    0x13: "CKR_ATTRIBUTE_VALUE_INVALID", 0x1B: "CKR_ACTION_PROHIBITED",
    0x30: "CKR_DEVICE_ERROR", 0x54: "CKR_FUNCTION_NOT_SUPPORTED",
    0x60: "CKR_KEY_HANDLE_INVALID", 0x62: "CKR_KEY_SIZE_RANGE",
    0x63: "CKR_KEY_TYPE_INCONSISTENT", 0x68: "CKR_KEY_FUNCTION_NOT_PERMITTED",
    0x69: "CKR_KEY_NOT_WRAPPABLE", 0x6A: "CKR_KEY_UNEXTRACTABLE",
    0x70: "CKR_MECHANISM_INVALID", 0x71: "CKR_MECHANISM_PARAM_INVALID",
    0x82: "CKR_OBJECT_HANDLE_INVALID", 0x91: "CKR_OPERATION_NOT_INITIALIZED",
    0xA0: "CKR_PIN_INCORRECT", 0xA4: "CKR_PIN_LOCKED",
    0xB3: "CKR_SESSION_HANDLE_INVALID", 0xB5: "CKR_SESSION_READ_ONLY",
    0xD0: "CKR_TEMPLATE_INCOMPLETE", 0xD1: "CKR_TEMPLATE_INCONSISTENT",
    0x100: "CKR_USER_ALREADY_LOGGED_IN", 0x101: "CKR_USER_NOT_LOGGED_IN",
    0x110: "CKR_WRAPPED_KEY_INVALID", 0x113: "CKR_WRAPPING_KEY_HANDLE_INVALID",
    0x115: "CKR_WRAPPING_KEY_TYPE_INCONSISTENT", 0xF0: "CKR_UNWRAPPING_KEY_HANDLE_INVALID",
    0x130: "CKR_DOMAIN_PARAMS_INVALID",
    0x150: "CKR_BUFFER_TOO_SMALL", 0x190: "CKR_CRYPTOKI_NOT_INITIALIZED",
}
CKO_DATA, CKO_PUBLIC_KEY, CKO_PRIVATE_KEY, CKO_SECRET_KEY = 0, 2, 3, 4
CKK_GENERIC_SECRET = 0x10
CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_LABEL = 0x0, 0x1, 0x2, 0x3
CKA_APPLICATION, CKA_VALUE, CKA_TRUSTED = 0x10, 0x11, 0x86
CKA_KEY_TYPE, CKA_ID, CKA_SENSITIVE, CKA_ENCRYPT = 0x100, 0x102, 0x103, 0x104
CKA_WRAP, CKA_UNWRAP, CKA_SIGN, CKA_DERIVE = 0x106, 0x107, 0x108, 0x10C
CKA_VALUE_LEN, CKA_EXTRACTABLE, CKA_NEVER_EXTRACTABLE = 0x161, 0x162, 0x164
CKA_MODIFIABLE, CKA_COPYABLE, CKA_WRAP_WITH_TRUSTED = 0x170, 0x171, 0x210
CKM_GENERIC_SECRET_KEY_GEN = 0x350
CKU_SO, CKU_USER = 0, 1
CKF_RW_SESSION, CKF_SERIAL_SESSION = 0x2, 0x4
CK_UNAVAILABLE_INFORMATION = C.c_ulong(-1).value
# include/mstoken/pkcs11-mstoken.h
CKM_MSTOKEN_ECCSI, CKM_MSTOKEN_SAKKE, CKM_MSTOKEN_MIKEY_PRF = 0xCD530001, 0xCD530002, 0xCD530003
CKK_MSTOKEN_ECCSI, CKK_MSTOKEN_SAKKE = 0xCD530101, 0xCD530102
CKA_MSTOKEN_KMS_URI, CKA_MSTOKEN_POINT = 0xCD530201, 0xCD53020B


def ckr(rv):
    return CKR_NAMES.get(rv, "CKR 0x%x" % rv)


class Attack(Exception):
    """An attack that got through."""


class Broken(Exception):
    """The test could not do what it meant to (not a finding)."""


class Attr(C.Structure):
    _fields_ = [("type", C.c_ulong), ("pValue", C.c_void_p), ("ulValueLen", C.c_ulong)]


class Mech(C.Structure):
    _fields_ = [("mechanism", C.c_ulong), ("pParameter", C.c_void_p),
                ("ulParameterLen", C.c_ulong)]


class MechInfo(C.Structure):
    _fields_ = [("ulMinKeySize", C.c_ulong), ("ulMaxKeySize", C.c_ulong), ("flags", C.c_ulong)]


class PrfParams(C.Structure):
    _fields_ = [("prf", C.c_ulong), ("keyKind", C.c_ulong), ("csId", C.c_ubyte),
                ("csbId", C.c_ulong), ("pRand", C.c_void_p), ("ulRandLen", C.c_ulong)]


class IdParams(C.Structure):   # ECCSI verify / SAKKE wrap parameter
    _fields_ = [("pIdentifier", C.c_void_p), ("ulIdentifierLen", C.c_ulong)]


class NullValue:
    """A template value pValue = NULL with ulValueLen = n."""

    def __init__(self, n):
        self.n = n


def template(items):
    """[(type, value)] -> (array, keep-alive list); bool -> CK_BBOOL,
    int -> CK_ULONG, bytes/str -> octets, NullValue -> NULL pointer."""
    arr = (Attr * max(1, len(items)))()
    keep = []
    for i, (t, v) in enumerate(items):
        if isinstance(v, NullValue):
            arr[i] = Attr(t, None, v.n)
            continue
        if isinstance(v, bool):
            buf = C.c_ubyte(1 if v else 0)
            size = 1
        elif isinstance(v, int):
            buf = C.c_ulong(v)
            size = C.sizeof(buf)
        else:
            raw = v.encode() if isinstance(v, str) else bytes(v)
            buf = C.create_string_buffer(raw, max(1, len(raw)))
            size = len(raw)
        keep.append(buf)
        arr[i] = Attr(t, C.cast(C.pointer(buf), C.c_void_p), size)
    return arr, keep


def mech(m, param=None):
    if param is None:
        return Mech(m, None, 0), None
    return Mech(m, C.cast(C.pointer(param), C.c_void_p), C.sizeof(param)), param


class P11:
    def __init__(self, path):
        self.lib = C.CDLL(path)
        self.ok("C_Initialize", None)

    def call(self, name, *args):
        return getattr(self.lib, name)(*args)

    def ok(self, name, *args):
        rv = self.call(name, *args)
        if rv != 0:
            raise Broken("%s: %s" % (name, ckr(rv)))

    def slot(self, label):
        n = C.c_ulong(0)
        self.ok("C_GetSlotList", C.c_ubyte(1), None, C.byref(n))
        slots = (C.c_ulong * max(1, n.value))()
        self.ok("C_GetSlotList", C.c_ubyte(1), slots, C.byref(n))
        for s in slots[: n.value]:
            info = C.create_string_buffer(1024)   # CK_TOKEN_INFO starts with label[32]
            self.ok("C_GetTokenInfo", C.c_ulong(s), info)
            if info.raw[:32].decode("utf-8", "replace").rstrip() == label:
                return s
        raise Broken("no token labelled %r" % label)

    def session(self, slot, rw=True):
        h = C.c_ulong(0)
        flags = CKF_SERIAL_SESSION | (CKF_RW_SESSION if rw else 0)
        self.ok("C_OpenSession", C.c_ulong(slot), C.c_ulong(flags), None, None, C.byref(h))
        return h

    def login(self, s, user, pin):
        return self.call("C_Login", s, C.c_ulong(user), C.c_char_p(pin.encode()),
                         C.c_ulong(len(pin)))

    def find(self, s, items):
        t, keep = template(items)
        self.ok("C_FindObjectsInit", s, t, C.c_ulong(len(items)))
        out = []
        buf, n = (C.c_ulong * 64)(), C.c_ulong(0)
        while True:
            self.ok("C_FindObjects", s, buf, C.c_ulong(64), C.byref(n))
            if n.value == 0:
                break
            out += list(buf[: n.value])
        self.ok("C_FindObjectsFinal", s)
        del keep
        return out

    def get(self, s, h, attr):
        """(rv, value bytes or None)."""
        a = Attr(attr, None, 0)
        rv = self.call("C_GetAttributeValue", s, C.c_ulong(h), C.byref(a), C.c_ulong(1))
        if rv != 0:
            return rv, None
        if a.ulValueLen == CK_UNAVAILABLE_INFORMATION:
            return 0x11, None
        buf = C.create_string_buffer(max(1, a.ulValueLen))
        a.pValue = C.cast(buf, C.c_void_p)
        rv = self.call("C_GetAttributeValue", s, C.c_ulong(h), C.byref(a), C.c_ulong(1))
        return rv, (buf.raw[: a.ulValueLen] if rv == 0 else None)

    def create(self, s, items):
        t, keep = template(items)
        h = C.c_ulong(0)
        rv = self.call("C_CreateObject", s, t, C.c_ulong(len(items)), C.byref(h))
        del keep
        return rv, h.value

    def generate(self, s, items):
        t, keep = template(items)
        m, _ = mech(CKM_GENERIC_SECRET_KEY_GEN)
        h = C.c_ulong(0)
        rv = self.call("C_GenerateKey", s, C.byref(m), t, C.c_ulong(len(items)), C.byref(h))
        del keep
        return rv, h.value

    def unwrap(self, s, rsk, data, items):
        t, keep = template(items)
        m, _ = mech(CKM_MSTOKEN_SAKKE)
        buf = C.create_string_buffer(data, len(data))
        h = C.c_ulong(0)
        rv = self.call("C_UnwrapKey", s, C.byref(m), C.c_ulong(rsk), buf, C.c_ulong(len(data)),
                       t, C.c_ulong(len(items)), C.byref(h))
        del keep
        return rv, h.value

    def wrap(self, s, z, key, ident):
        idbuf = C.create_string_buffer(ident, len(ident))
        p = IdParams(C.cast(idbuf, C.c_void_p), len(ident))
        m, _ = mech(CKM_MSTOKEN_SAKKE, p)
        out, n = C.create_string_buffer(512), C.c_ulong(512)
        rv = self.call("C_WrapKey", s, C.byref(m), C.c_ulong(z), C.c_ulong(key), out, C.byref(n))
        return rv, (out.raw[: n.value] if rv == 0 else None)

    def sign(self, s, key, msg):
        m, _ = mech(CKM_MSTOKEN_ECCSI)
        rv = self.call("C_SignInit", s, C.byref(m), C.c_ulong(key))
        if rv != 0:
            return rv, None
        out, n = C.create_string_buffer(256), C.c_ulong(256)
        rv = self.call("C_Sign", s, msg, C.c_ulong(len(msg)), out, C.byref(n))
        return rv, (out.raw[: n.value] if rv == 0 else None)

    def verify(self, s, kpak, ident, msg, sig):
        idbuf = C.create_string_buffer(ident, len(ident))
        p = IdParams(C.cast(idbuf, C.c_void_p), len(ident))
        m, _ = mech(CKM_MSTOKEN_ECCSI, p)
        rv = self.call("C_VerifyInit", s, C.byref(m), C.c_ulong(kpak))
        if rv != 0:
            return rv
        return self.call("C_Verify", s, msg, C.c_ulong(len(msg)), sig, C.c_ulong(len(sig)))

    def prf(self, s, key, rand, csb=0x1234):
        """An extractable 16-octet TEK derived from key (the one kind of
        key that may leave the token): (rv, value)."""
        rbuf = C.create_string_buffer(rand, len(rand))
        p = PrfParams(1, 0, 0, csb, C.cast(rbuf, C.c_void_p), len(rand))
        m, _ = mech(CKM_MSTOKEN_MIKEY_PRF, p)
        t, keep = template([(CKA_CLASS, CKO_SECRET_KEY), (CKA_KEY_TYPE, CKK_GENERIC_SECRET),
                            (CKA_VALUE_LEN, 16), (CKA_SENSITIVE, False),
                            (CKA_EXTRACTABLE, True)])
        h = C.c_ulong(0)
        rv = self.call("C_DeriveKey", s, C.byref(m), C.c_ulong(key), t, C.c_ulong(5), C.byref(h))
        del keep
        if rv != 0:
            return rv, None
        return self.get(s, h.value, CKA_VALUE)


# ---------------------------------------------------------------- fixtures
def hexof(path, element):
    m = re.search(r"<(?:\w+:)?%s[^>]*>\s*([0-9A-Fa-f]+)\s*<" % element, open(path).read())
    if not m:
        raise Broken("no %s in %s" % (element, path))
    return bytes.fromhex(m.group(1))


def textof(path, element):
    m = re.search(r"<(?:\w+:)?%s[^>]*>\s*([^<]+?)\s*<" % element, open(path).read())
    if not m:
        raise Broken("no %s in %s" % (element, path))
    return m.group(1)


class World:
    """What the test knows: the genuine community and alice's keys, an
    attacker's community and user, and secrets that must never come out."""

    def __init__(self, work):
        self.work = work
        cert, ks = os.path.join(work, "community.xml"), os.path.join(work, "alice.keyset.xml")
        ecert, eks = os.path.join(work, "evil", "community.xml"), os.path.join(work, "mallory.keyset.xml")
        self.cert_xml, self.evil_cert_xml = open(cert, "rb").read(), open(ecert, "rb").read()
        self.kms_uri = textof(cert, "KmsUri")
        self.uid = hexof(ks, "UserID")
        self.kpak, self.z = hexof(cert, "PubAuthKey"), hexof(cert, "PubEncKey")
        self.ssk, self.rsk = hexof(ks, "UserSigningKeySSK"), hexof(ks, "UserDecryptKey")
        self.evil_uid = hexof(eks, "UserID")
        self.evil_kpak, self.evil_z = hexof(ecert, "PubAuthKey"), hexof(ecert, "PubEncKey")
        self.evil_ssk, self.evil_pvt = hexof(eks, "UserSigningKeySSK"), hexof(eks, "UserPubTokenPVT")
        # secrets: identity keys (SSK, RSK coordinates), and SSVs this test makes
        self.secrets = [self.ssk.lstrip(b"\0"), self.rsk[1:65], self.rsk[65:129]]

    def encapsulate(self, ssv=None):
        """An msref SAKKE payload to alice; its SSV becomes a secret."""
        data, ssv = sakke_encapsulate(sakke_point(self.z, "Z_T"), self.uid, ssv)
        self.secrets.append(ssv)
        return data, ssv


# every attribute that holds octets: the standard ones and the vendor range
VALUE_ATTRS = [CKA_VALUE, CKA_LABEL, CKA_APPLICATION, CKA_ID, 0x12] + \
    list(range(0xCD530201, 0xCD53020E))


def leaks(p, s, w):
    """Every object the session sees with an attribute that reads back and
    holds a secret of w: [(handle, attribute, what)]."""
    found = []
    for h in p.find(s, []):
        for attr in VALUE_ATTRS:
            rv, v = p.get(s, h, attr)
            if rv == 0 and v:
                for sec in w.secrets:
                    if len(sec) >= 16 and sec in v:
                        found.append((h, hex(attr), sec[:4].hex()))
    return found


def attacks_oracles(p, s, w):
    """Searching by a secret value, deriving from an identity key, copying
    or editing the trusted Z_T: none gives a secret or a new trusted key."""
    ssk, rsk = user_key(p, s, w, 1), user_key(p, s, w, 2)
    _, ssv = w.encapsulate()
    rv, h = p.unwrap(s, rsk, w.encapsulate(ssv)[0], [(CKA_TOKEN, False)])
    if rv != 0:
        raise Broken("unwrap: %s" % ckr(rv))
    for name, items in (("ssk", [(CKA_CLASS, CKO_PRIVATE_KEY), (CKA_VALUE, w.ssk)]),
                        ("ssk-stripped", [(CKA_VALUE, w.ssk.lstrip(b"\0"))]),
                        ("rsk", [(CKA_CLASS, CKO_PRIVATE_KEY), (CKA_VALUE, w.rsk)]),
                        ("ssv", [(CKA_CLASS, CKO_SECRET_KEY), (CKA_VALUE, ssv)])):
        hit = p.find(s, items)
        if hit:
            finding("attack search-oracle-%s: a search by the secret value found %s" % (name, hit))
        else:
            defeated("search-oracle-" + name, "no object")
    for name, key in (("ssk", ssk), ("rsk", rsk)):
        rv, _ = p.prf(s, key, bytes(16))
        report("derive-from-" + name, rv, [0x68, 0x63, 0x60, 0x82])
    z = community(p, s, w, CKK_MSTOKEN_SAKKE)
    for items in ([(CKA_TOKEN, False)], [(CKA_MSTOKEN_POINT, w.evil_z)]):
        t, keep = template(items)
        nh = C.c_ulong(0)
        rv = p.call("C_CopyObject", s, C.c_ulong(z), t, C.c_ulong(len(items)), C.byref(nh))
        report("copy-trusted-zt", rv, [0x1B, 0x10])
    for attr, val in ((CKA_MSTOKEN_POINT, w.evil_z), (CKA_TRUSTED, True),
                      (CKA_MSTOKEN_KMS_URI, "evil.example.org")):
        t, keep = template([(attr, val)])
        rv = p.call("C_SetAttributeValue", s, C.c_ulong(z), t, C.c_ulong(1))
        report("edit-trusted-zt-0x%x" % attr, rv, [0x1B, 0x10])
    if p.get(s, z, CKA_MSTOKEN_POINT)[1] != w.z:
        finding("attack edit-trusted-zt: the Z_T's point changed")


# ATTACKS_KEEP_GOING=1 (by hand, e.g. against old code): a wrong answer
# is printed and the run goes on; the exit status is still 1
FINDINGS = []


def finding(msg):
    if os.environ.get("ATTACKS_KEEP_GOING") != "1":
        raise Attack(msg)
    print(msg, flush=True)
    FINDINGS.append(msg)


def report(name, rv, allowed):
    """An attack whose answer must be one of allowed (CKR values)."""
    if rv not in allowed:
        finding("attack %s: SUCCEEDED or wrong answer: %s (want %s)"
                % (name, ckr(rv), " or ".join(ckr(a) for a in allowed)))
        return
    print("attack %s: defeated (%s)" % (name, ckr(rv)), flush=True)


def defeated(name, why):
    print("attack %s: defeated (%s)" % (name, why), flush=True)


def user_key(p, s, w, suffix, missing=Broken):
    hs = p.find(s, [(CKA_CLASS, CKO_PRIVATE_KEY), (CKA_ID, w.uid + bytes([suffix]))])
    if len(hs) != 1:
        raise missing("%d keys with CKA_ID UserID||%02x" % (len(hs), suffix))
    return hs[0]


def community(p, s, w, key_type):
    hs = p.find(s, [(CKA_CLASS, CKO_PUBLIC_KEY), (CKA_KEY_TYPE, key_type),
                    (CKA_MSTOKEN_KMS_URI, w.kms_uri)])
    if len(hs) != 1:
        raise Broken("%d community keys of type 0x%x" % (len(hs), key_type))
    return hs[0]


def sign_still_works(p, s, w, what):
    msg = b"signed after " + what.encode()
    rv, sig = p.sign(s, user_key(p, s, w, 1, Attack), msg)
    if rv != 0:
        raise Attack("attack %s: the ECCSI key no longer signs (%s)" % (what, ckr(rv)))
    ok, reason, _ = eccsi_verify_detail(P256.decode(w.kpak, "KPAK"), w.uid, msg, sig)
    if not ok:
        raise Attack("attack %s: the signature does not verify (%s)" % (what, reason))


def unwrap_still_works(p, s, w, what):
    data, ssv = w.encapsulate()
    rv, h = p.unwrap(s, user_key(p, s, w, 2, Attack), data, [(CKA_TOKEN, False)])
    if rv != 0:
        raise Attack("attack %s: the SAKKE key no longer unwraps (%s)" % (what, ckr(rv)))
    rand = bytes(range(16))
    rv, got = p.prf(s, h, rand)
    want = derive_key(1, ssv, "tek", 0, (0x1234).to_bytes(4, "big"), rand, 128)
    if rv != 0 or got != want:
        raise Attack("attack %s: the unwrapped SSV is not the one sent (%s)" % (what, ckr(rv)))


# ------------------------------------------- item 2: never a readable SSV
def attacks_readable(p, s, w):
    rsk = user_key(p, s, w, 2)
    data, _ = w.encapsulate()
    readable = [("sensitive-false", [(CKA_SENSITIVE, False)]),
                ("extractable-true", [(CKA_EXTRACTABLE, True)]),
                ("both", [(CKA_SENSITIVE, False), (CKA_EXTRACTABLE, True)]),
                ("pkcs11-tool-default", [(CKA_CLASS, CKO_SECRET_KEY),
                                         (CKA_KEY_TYPE, CKK_GENERIC_SECRET),
                                         (CKA_VALUE_LEN, 16), (CKA_SENSITIVE, False),
                                         (CKA_TOKEN, True), (CKA_LABEL, "ssv")])]
    before = len(p.find(s, [(CKA_CLASS, CKO_SECRET_KEY)]))
    for name, items in readable:
        rv, _ = p.unwrap(s, rsk, data, items)
        report("readable-unwrap-" + name, rv, [0xD1])
        rv, _ = p.generate(s, [(CKA_VALUE_LEN, 16)] +
                           [i for i in items if i[0] in (CKA_SENSITIVE, CKA_EXTRACTABLE)])
        report("readable-generate-" + name, rv, [0xD1])
    if len(p.find(s, [(CKA_CLASS, CKO_SECRET_KEY)])) != before:
        raise Attack("attack readable-unwrap: a refused template left a key")
    # the defaults are unreadable, and cannot be made readable afterwards
    rv, ssv_h = p.unwrap(s, rsk, data, [(CKA_TOKEN, False)])
    if rv != 0:
        raise Broken("unwrap with the default template: %s" % ckr(rv))
    rv, gen_h = p.generate(s, [(CKA_VALUE_LEN, 16), (CKA_TOKEN, False)])
    if rv != 0:
        raise Broken("generate with the default template: %s" % ckr(rv))
    for kname, h in (("unwrapped", ssv_h), ("generated", gen_h)):
        report("read-%s-ssv" % kname, p.get(s, h, CKA_VALUE)[0], [0x11])
        for attr, val in ((CKA_SENSITIVE, False), (CKA_EXTRACTABLE, True)):
            t, keep = template([(attr, val)])
            rv = p.call("C_SetAttributeValue", s, C.c_ulong(h), t, C.c_ulong(1))
            report("set-readable-%s-0x%x" % (kname, attr), rv, [0x10, 0x1B, 0xD1, 0x13])
            t, keep = template([(attr, val)])
            nh = C.c_ulong(0)
            rv = p.call("C_CopyObject", s, C.c_ulong(h), t, C.c_ulong(1), C.byref(nh))
            report("copy-readable-%s-0x%x" % (kname, attr), rv, [0x10, 0x1B, 0xD1, 0x13])
    return gen_h


def attack_wrap_to_self(p, s, w, gen_h):
    """A generated (never extractable) SSV wrapped to alice herself under the
    trusted Z_T, then unwrapped with every template: never readable."""
    z = community(p, s, w, CKK_MSTOKEN_SAKKE)
    rv, data = p.wrap(s, z, gen_h, w.uid)
    if rv != 0:
        raise Broken("wrap-with-trusted of a generated SSV to oneself: %s" % ckr(rv))
    rsk = user_key(p, s, w, 2)
    for items in ([(CKA_SENSITIVE, False)], [(CKA_EXTRACTABLE, True)],
                  [(CKA_SENSITIVE, False), (CKA_EXTRACTABLE, True), (CKA_TOKEN, False)]):
        rv, _ = p.unwrap(s, rsk, data, items)
        report("wrap-to-self-readable", rv, [0xD1])
    rv, h = p.unwrap(s, rsk, data, [(CKA_TOKEN, False)])
    if rv != 0:
        raise Broken("unwrap of a payload to oneself: %s" % ckr(rv))
    report("wrap-to-self-read", p.get(s, h, CKA_VALUE)[0], [0x11])
    rv, v = p.get(s, h, CKA_EXTRACTABLE)
    if rv != 0 or v != b"\0":
        raise Attack("attack wrap-to-self: the unwrapped copy is extractable")
    # and the copy cannot go to anyone the SO did not trust
    rv, v = p.prf(s, gen_h, bytes(16))
    rv2, v2 = p.prf(s, h, bytes(16))
    if rv or rv2 or v != v2:
        raise Broken("the key unwrapped from oneself is not the SSV wrapped")


# ------------------------------- item 3: trust is the SO's, not the user's
def attacks_user_trust(p, s, w, public_s):
    before = sorted(p.find(s, []))
    for name, sess, token in (("user", s, True), ("user-session-object", s, False),
                              ("public", public_s, True)):
        rv, _ = p.create(sess, [(CKA_CLASS, CKO_DATA), (CKA_TOKEN, token),
                                (CKA_PRIVATE, False),
                                (CKA_APPLICATION, "3GPP KmsCertificate"),
                                (CKA_VALUE, w.evil_cert_xml)])
        report("import-kmscertificate-" + name, rv, [0x101])
    if sorted(p.find(s, [])) != before:
        raise Attack("attack import-kmscertificate: a refused import left objects")
    # no other way to a trusted community key either
    rv, _ = p.create(s, [(CKA_CLASS, CKO_PUBLIC_KEY), (CKA_KEY_TYPE, CKK_MSTOKEN_SAKKE),
                         (CKA_TOKEN, False), (CKA_WRAP, True), (CKA_TRUSTED, True),
                         (CKA_MSTOKEN_KMS_URI, "evil.example.org"),
                         (CKA_MSTOKEN_POINT, w.evil_z)])
    if rv == 0:
        raise Attack("attack create-trusted-zt: a user created a trusted Z_T")
    defeated("create-trusted-zt", ckr(rv))
    rv, h = p.create(s, [(CKA_CLASS, CKO_SECRET_KEY), (CKA_KEY_TYPE, CKK_GENERIC_SECRET),
                         (CKA_TOKEN, False), (CKA_VALUE, bytes(16)), (CKA_WRAP, True)])
    if rv != 0:
        raise Broken("a secret key of the user's: %s" % ckr(rv))
    t, keep = template([(CKA_TRUSTED, True)])
    rv = p.call("C_SetAttributeValue", s, C.c_ulong(h), t, C.c_ulong(1))
    report("set-trusted-by-user", rv, [0x10, 0x12, 0x13, 0xD1, 0x1B])
    rv, _ = p.wrap(s, h, generated(p, s), w.evil_uid)
    if rv == 0:
        raise Attack("attack wrap-under-user-key: an SSV left under a user's key")
    defeated("wrap-under-user-key", ckr(rv))


def generated(p, s):
    rv, h = p.generate(s, [(CKA_VALUE_LEN, 16), (CKA_TOKEN, False)])
    if rv != 0:
        raise Broken("generate: %s" % ckr(rv))
    return h


# ------------------------------------------ item 5: signing after logout
def attacks_logout(p, slot, pin, w):
    s1, s2 = p.session(slot), p.session(slot)
    if p.login(s1, CKU_USER, pin) != 0:
        raise Broken("login")
    ssk = user_key(p, s1, w, 1)
    m, _ = mech(CKM_MSTOKEN_ECCSI)
    out, n = C.create_string_buffer(256), C.c_ulong(256)
    msg = b"after logout"
    # C_SignInit, C_Logout, C_Sign (same session, other session, re-login)
    for name, relogin in (("sign-after-logout", False), ("sign-after-relogin", True)):
        for sess in (s1, s2):
            p.ok("C_SignInit", sess, C.byref(m), C.c_ulong(ssk))
        p.ok("C_Logout", s1)
        if relogin and p.login(s1, CKU_USER, pin) != 0:
            raise Broken("login")
        for tag, sess in (("", s1), ("-other-session", s2)):
            n.value = 256
            rv = p.call("C_Sign", sess, msg, C.c_ulong(len(msg)), out, C.byref(n))
            report(name + tag, rv, [0x91, 0x101, 0x60])
        if relogin:
            ssk = user_key(p, s1, w, 1)
        else:
            rv = p.call("C_SignInit", s1, C.byref(m), C.c_ulong(ssk))
            report("signinit-after-logout", rv, [0x101, 0x60, 0x82])
            if p.login(s1, CKU_USER, pin) != 0:
                raise Broken("login")
            ssk = user_key(p, s1, w, 1)
    # multi-part: C_SignUpdate / C_SignFinal after logout
    p.ok("C_SignInit", s1, C.byref(m), C.c_ulong(ssk))
    p.ok("C_SignUpdate", s1, msg, C.c_ulong(len(msg)))
    p.ok("C_Logout", s1)
    report("signupdate-after-logout", p.call("C_SignUpdate", s1, msg, C.c_ulong(len(msg))),
           [0x91, 0x101])
    n.value = 256
    report("signfinal-after-logout", p.call("C_SignFinal", s1, out, C.byref(n)), [0x91, 0x101])
    # a search begun logged in shows no private object after logout
    if p.login(s1, CKU_USER, pin) != 0:
        raise Broken("login")
    old_rsk = user_key(p, s1, w, 2)
    t, keep = template([(CKA_CLASS, CKO_PRIVATE_KEY)])
    p.ok("C_FindObjectsInit", s1, t, C.c_ulong(1))
    p.ok("C_Logout", s1)
    buf, cnt = (C.c_ulong * 8)(), C.c_ulong(0)
    rv = p.call("C_FindObjects", s1, buf, C.c_ulong(8), C.byref(cnt))
    if rv == 0 and cnt.value:
        raise Attack("attack find-after-logout: %d private keys found" % cnt.value)
    defeated("find-after-logout", ckr(rv) if rv else "no object")
    p.call("C_FindObjectsFinal", s1)
    # the old key handle is dead, for unwrap too
    data, _ = w.encapsulate()
    rv, _ = p.unwrap(s1, old_rsk, data, [(CKA_TOKEN, False)])
    report("unwrap-after-logout", rv, [0x101, 0xF0])
    p.ok("C_CloseSession", s1)
    p.ok("C_CloseSession", s2)


# -------------------------------------- item 7: NULL values in templates
def attacks_null_template(p, s, w, so_key):
    """Every template-taking function, NULL pValue with a non-zero
    ulValueLen (and CK_UNAVAILABLE_INFORMATION), at each position, for
    several types; a search that starts is also run."""
    rsk = user_key(p, s, w, 2)
    data, _ = w.encapsulate()
    good = {
        "C_CreateObject": [(CKA_CLASS, CKO_DATA), (CKA_TOKEN, False), (CKA_LABEL, "x"),
                           (CKA_VALUE, b"v")],
        "C_FindObjectsInit": [(CKA_CLASS, CKO_DATA), (CKA_LABEL, "x")],
        "C_SetAttributeValue": [(CKA_LABEL, "y"), (CKA_VALUE, b"w")],
        "C_CopyObject": [(CKA_LABEL, "z"), (CKA_TOKEN, False)],
        "C_GenerateKey": [(CKA_VALUE_LEN, 16), (CKA_TOKEN, False), (CKA_LABEL, "g")],
        "C_UnwrapKey": [(CKA_TOKEN, False), (CKA_LABEL, "u")],
        "C_DeriveKey": [(CKA_VALUE_LEN, 16), (CKA_TOKEN, False), (CKA_LABEL, "d")],
    }
    rv, data_h = p.create(s, good["C_CreateObject"])
    if rv != 0:
        raise Broken("data object: %s" % ckr(rv))
    rbuf = C.create_string_buffer(bytes(16), 16)
    prf = PrfParams(1, 0, 0, 1, C.cast(rbuf, C.c_void_p), 16)
    count = 0
    for fn, items in good.items():
        for pos in range(len(items) + 1):
            for bad_type in (CKA_CLASS, CKA_LABEL, CKA_VALUE, CKA_ID, CKA_APPLICATION,
                             CKA_VALUE_LEN, CKA_MSTOKEN_POINT, 0x7FFFFF01):
                # 1 and 8: the length of a CK_BBOOL / CK_ULONG an object has,
                # so a search would compare the NULL value with it
                for bad_len in (1, 8, 16, CK_UNAVAILABLE_INFORMATION):
                    bad = list(items)
                    bad.insert(pos, (bad_type, NullValue(bad_len)))
                    t, keep = template(bad)
                    n = C.c_ulong(len(bad))
                    h = C.c_ulong(0)
                    if fn == "C_CreateObject":
                        rv = p.call(fn, s, t, n, C.byref(h))
                    elif fn == "C_FindObjectsInit":
                        rv = p.call(fn, s, t, n)
                        if rv == 0:
                            hs, cnt = (C.c_ulong * 8)(), C.c_ulong(0)
                            p.call("C_FindObjects", s, hs, C.c_ulong(8), C.byref(cnt))
                            p.call("C_FindObjectsFinal", s)
                    elif fn == "C_SetAttributeValue":
                        rv = p.call(fn, s, C.c_ulong(data_h), t, n)
                    elif fn == "C_CopyObject":
                        rv = p.call(fn, s, C.c_ulong(data_h), t, n, C.byref(h))
                    elif fn == "C_GenerateKey":
                        m, _ = mech(CKM_GENERIC_SECRET_KEY_GEN)
                        rv = p.call(fn, s, C.byref(m), t, n, C.byref(h))
                    elif fn == "C_UnwrapKey":
                        m, _ = mech(CKM_MSTOKEN_SAKKE)
                        rv = p.call(fn, s, C.byref(m), C.c_ulong(rsk), data, C.c_ulong(len(data)),
                                    t, n, C.byref(h))
                    else:
                        m, _ = mech(CKM_MSTOKEN_MIKEY_PRF, prf)
                        rv = p.call(fn, s, C.byref(m), C.c_ulong(so_key), t, n, C.byref(h))
                    if rv not in (0x7, 0x13):
                        finding("attack null-template %s: type 0x%x at %d, length %d: %s "
                                     "(want CKR_ARGUMENTS_BAD or CKR_ATTRIBUTE_VALUE_INVALID)"
                                     % (fn, bad_type, pos, bad_len, ckr(rv)))
                    count += 1
        # a NULL template with a count
        h = C.c_ulong(0)
        if fn == "C_FindObjectsInit":
            rv = p.call(fn, s, None, C.c_ulong(1))
        elif fn == "C_CreateObject":
            rv = p.call(fn, s, None, C.c_ulong(1), C.byref(h))
        elif fn == "C_SetAttributeValue":
            rv = p.call(fn, s, C.c_ulong(data_h), None, C.c_ulong(1))
        elif fn == "C_CopyObject":
            rv = p.call(fn, s, C.c_ulong(data_h), None, C.c_ulong(1), C.byref(h))
        elif fn == "C_GenerateKey":
            m, _ = mech(CKM_GENERIC_SECRET_KEY_GEN)
            rv = p.call(fn, s, C.byref(m), None, C.c_ulong(1), C.byref(h))
        elif fn == "C_UnwrapKey":
            m, _ = mech(CKM_MSTOKEN_SAKKE)
            rv = p.call(fn, s, C.byref(m), C.c_ulong(rsk), data, C.c_ulong(len(data)), None,
                        C.c_ulong(1), C.byref(h))
        else:
            m, _ = mech(CKM_MSTOKEN_MIKEY_PRF, prf)
            rv = p.call(fn, s, C.byref(m), C.c_ulong(so_key), None, C.c_ulong(1), C.byref(h))
        if rv != 0x7:
            finding("attack null-template %s: NULL template, count 1: %s" % (fn, ckr(rv)))
        count += 1
        defeated("null-template-" + fn, "CKR_ARGUMENTS_BAD / CKR_ATTRIBUTE_VALUE_INVALID")
    # nothing was made or changed on the way
    rv, v = p.get(s, data_h, CKA_VALUE)
    if rv != 0 or v != b"v":
        raise Attack("attack null-template: the data object changed (%s)" % ckr(rv))
    print("null-template: %d bad templates, no crash, no object" % count, flush=True)


# --------------------------------------------- item 8: conformance answers
def attacks_conformance(p, slot, pin, so_pin, w):
    info = MechInfo()
    p.ok("C_GetMechanismInfo", C.c_ulong(slot), C.c_ulong(CKM_GENERIC_SECRET_KEY_GEN), C.byref(info))
    if (info.ulMinKeySize, info.ulMaxKeySize) != (128, 256):
        finding("attack mechanism-sizes: CKM_GENERIC_SECRET_KEY_GEN %d..%d (want 128..256 bits)"
                % (info.ulMinKeySize, info.ulMaxKeySize))
    else:
        defeated("mechanism-sizes", "CKM_GENERIC_SECRET_KEY_GEN 128..256 bits")
    # C_SetPIN in a R/W public session: the user PIN, the old one checked
    ro, rw = p.session(slot, rw=False), p.session(slot)
    new = pin + "9"

    def setpin(sess, old, nw):
        return p.call("C_SetPIN", sess, C.c_char_p(old.encode()), C.c_ulong(len(old)),
                      C.c_char_p(nw.encode()), C.c_ulong(len(nw)))
    report("setpin-read-only-session", setpin(ro, pin, new), [0xB5])
    report("setpin-public-wrong-old", setpin(rw, pin + "0", new), [0xA0])
    rv = setpin(rw, pin, new)
    if rv != 0:
        finding("attack setpin-public-session: %s (want CKR_OK)" % ckr(rv))
    else:
        if p.login(rw, CKU_USER, pin) != 0xA0 or p.login(rw, CKU_USER, new) != 0:
            raise Attack("attack setpin-public-session: the PIN did not change")
        p.ok("C_Logout", rw)
        if setpin(rw, new, pin) != 0:
            raise Broken("C_SetPIN back")
        defeated("setpin-public-session", "CKR_OK, old PIN checked")
    p.ok("C_CloseSession", ro)
    # the kept 3GPP data objects: not modifiable, not copyable
    if p.login(rw, CKU_USER, pin) != 0:
        raise Broken("login")
    for app in ("3GPP KmsKeySet", "3GPP KmsCertificate"):
        hs = p.find(rw, [(CKA_CLASS, CKO_DATA), (CKA_APPLICATION, app)])
        if not hs:
            raise Broken("no kept %s" % app)
        h = hs[0]
        _, before = p.get(rw, h, CKA_VALUE)
        for attr, val in ((CKA_VALUE, w.cert_xml if "Cert" in app else b"<x/>"),
                          (CKA_LABEL, "edited"), (CKA_APPLICATION, "other"),
                          (CKA_MODIFIABLE, True)):
            t, keep = template([(attr, val)])
            rv = p.call("C_SetAttributeValue", rw, C.c_ulong(h), t, C.c_ulong(1))
            report("modify-kept-%s-0x%x" % (app.split()[1], attr), rv, [0x1B, 0x10])
        t, keep = template([(CKA_TOKEN, False)])
        nh = C.c_ulong(0)
        rv = p.call("C_CopyObject", rw, C.c_ulong(h), t, C.c_ulong(1), C.byref(nh))
        report("copy-kept-" + app.split()[1], rv, [0x1B])
        if p.get(rw, h, CKA_VALUE)[1] != before:
            finding("attack modify-kept: the kept %s changed" % app)
    # destroying the kept key set's record leaves the keys whole
    h = p.find(rw, [(CKA_CLASS, CKO_DATA), (CKA_APPLICATION, "3GPP KmsKeySet")])[0]
    rv = p.call("C_DestroyObject", rw, C.c_ulong(h))
    if rv != 0:
        raise Attack("attack destroy-kept: %s (the kept record is destroyable)" % ckr(rv))
    if p.find(rw, [(CKA_CLASS, CKO_DATA), (CKA_APPLICATION, "3GPP KmsKeySet")]):
        raise Attack("attack destroy-kept: the record is still there")
    sign_still_works(p, rw, w, "destroy-kept")
    defeated("destroy-kept", "record gone, the keys still sign")
    p.ok("C_CloseSession", rw)


def run_api(module, label, so_pin, pin, work):
    w = World(work)
    p = P11(module)
    slot = p.slot(label)
    pub = p.session(slot)
    s = p.session(slot)
    if p.login(s, CKU_USER, pin) != 0:
        raise Broken("user login")
    sign_still_works(p, s, w, "none")
    unwrap_still_works(p, s, w, "none")
    gen_h = attacks_readable(p, s, w)
    attack_wrap_to_self(p, s, w, gen_h)
    attacks_user_trust(p, s, w, pub)
    attacks_oracles(p, s, w)
    attacks_null_template(p, s, w, gen_h)
    found = leaks(p, s, w)
    if found:
        raise Attack("attack readable: objects %s hold a secret" % found)
    p.ok("C_CloseSession", s)
    p.ok("C_CloseSession", pub)
    attacks_logout(p, slot, pin, w)
    attacks_conformance(p, slot, pin, so_pin, w)
    p.ok("C_Finalize", None)


# ----------------------------------- item 1: forged records in SoftHSM2
# doc/keystore.md: a record is a CKO_DATA object, CKA_APPLICATION "mstoken",
# CKA_LABEL = the name, value version(1)=1 | kind(4) | generation(8) | body;
# pkcs11/objcodec.h: ".a" body "MSTO" 1 | class u64 | count u32 | {type u32,
# len u32, value}, CK_ULONG and CK_BBOOL as in memory (little-endian here).
def codec(cls, attrs):
    out = b"MSTO\x01" + cls.to_bytes(8, "big") + len(attrs).to_bytes(4, "big")
    for t, v in attrs:
        if isinstance(v, bool):
            v = bytes([1 if v else 0])
        elif isinstance(v, int):
            v = v.to_bytes(C.sizeof(C.c_ulong), sys.byteorder)
        elif isinstance(v, str):
            v = v.encode()
        out += t.to_bytes(4, "big") + len(v).to_bytes(4, "big") + v
    return out


def uncodec(body):
    if body[:5] != b"MSTO\x01":
        return None, []
    cls, n, pos, out = int.from_bytes(body[5:13], "big"), int.from_bytes(body[13:17], "big"), 17, []
    for _ in range(n):
        t, ln = int.from_bytes(body[pos:pos + 4], "big"), int.from_bytes(body[pos + 4:pos + 8], "big")
        out.append((t, body[pos + 8:pos + 8 + ln]))
        pos += 8 + ln
    return cls, out


def record(kind, gen, body):
    return b"\x01" + kind.to_bytes(4, "big") + gen.to_bytes(8, "big") + body


def store_records(p, s):
    """{(name, private): [(kind, generation, value)]} of the backing token."""
    recs = {}
    for h in p.find(s, [(CKA_CLASS, CKO_DATA), (CKA_APPLICATION, "mstoken")]):
        _, name = p.get(s, h, CKA_LABEL)
        _, priv = p.get(s, h, CKA_PRIVATE)
        _, val = p.get(s, h, CKA_VALUE)
        key = (name.decode(), priv == b"\x01")
        recs.setdefault(key, []).append((int.from_bytes(val[1:5], "big"),
                                         int.from_bytes(val[5:13], "big"), val))
    return recs


def softhsm_session(module, store, pin):
    p = P11(module)
    s = p.session(p.slot(store))
    return p, s


def run_records(module, store, pin, work, out):
    """The private records (names, generations), seen with the PIN."""
    p, s = softhsm_session(module, store, pin)
    if p.login(s, CKU_USER, pin) != 0:
        raise Broken("SoftHSM2 login")
    recs = store_records(p, s)
    json.dump(sorted("%s gen %d" % (n, g) for (n, priv), copies in recs.items() if priv
                     for _, g, _ in copies), open(os.path.join(work, out), "w"), indent=0)
    p.ok("C_Logout", s)
    p.ok("C_Finalize", None)


def run_forge(module, store, pin, work):
    w = World(work)
    p, s = softhsm_session(module, store, pin)
    # the strongest attacker learns the private records' names (here with
    # the PIN: SoftHSM2 hides private objects otherwise), then forges
    # without it, from a public read/write session as anyone can
    if p.login(s, CKU_USER, pin) != 0:
        raise Broken("SoftHSM2 login")
    recs = store_records(p, s)
    p.ok("C_Logout", s)
    p.ok("C_CloseSession", s)
    s = p.session(p.slot(store))
    forged = 0
    top = (1 << 64) - 1

    def put(name, kind, gen, body):
        nonlocal forged
        rv, _ = p.create(s, [(CKA_CLASS, CKO_DATA), (CKA_TOKEN, True), (CKA_PRIVATE, False),
                             (CKA_APPLICATION, "mstoken"), (CKA_LABEL, name),
                             (CKA_VALUE, record(kind, gen, body))])
        if rv != 0:
            raise Broken("forging %s in SoftHSM2: %s" % (name, ckr(rv)))
        forged += 1

    readable_secret = [(CKA_CLASS, CKO_SECRET_KEY), (CKA_TOKEN, True), (CKA_PRIVATE, False),
                       (CKA_KEY_TYPE, CKK_GENERIC_SECRET), (CKA_SENSITIVE, False),
                       (CKA_EXTRACTABLE, True), (CKA_NEVER_EXTRACTABLE, False),
                       (CKA_LABEL, "forged"), (CKA_ID, b"forged"), (CKA_SIGN, True),
                       (CKA_DERIVE, True), (CKA_UNWRAP, True)]
    readable_private = [(CKA_CLASS, CKO_PRIVATE_KEY), (CKA_TOKEN, True), (CKA_PRIVATE, False),
                        (CKA_KEY_TYPE, CKK_MSTOKEN_ECCSI), (CKA_SENSITIVE, False),
                        (CKA_EXTRACTABLE, True), (CKA_LABEL, "forged"), (CKA_ID, b"forged"),
                        (CKA_SIGN, True)]
    for (name, priv), copies in recs.items():
        if not priv:
            continue
        gen = max(g for _, g, _ in copies)
        kind = copies[0][0]
        if name.endswith(".a"):
            # shadow the attributes: a readable key the sealed value would join
            put(name, kind, top, codec(CKO_SECRET_KEY, readable_secret))
            put(name, kind, gen + 1, codec(CKO_PRIVATE_KEY, readable_private))
            put(name, kind, gen + 2, codec(CKO_DATA, [(CKA_CLASS, CKO_DATA), (CKA_TOKEN, True),
                                                      (CKA_PRIVATE, False),
                                                      (CKA_LABEL, "forged"),
                                                      (CKA_VALUE, b"forged")]))
        else:
            # shadow the sealed value: junk a careless reader would secmem_free
            put(name, kind, top, b"\xa5" * 300)
            put(name, kind, gen + 1, w.ssk)
    # a fresh public key record with a value of its own
    put("oforgedforged0001.a", 1, 1, codec(CKO_SECRET_KEY, readable_secret))
    put("oforgedforged0001.v", 2, 1, b"\x42" * 16)
    # the community: the Z_T and KPAK with the attacker's points, under their
    # own names (higher generation) and under a fresh name with a copy of
    # the genuine endorsement
    for (name, priv), copies in list(recs.items()):
        if priv or not name.endswith(".a"):
            continue
        kind, gen, val = max(copies, key=lambda c: c[1])
        cls, attrs = uncodec(val[13:])
        point = dict(attrs).get(CKA_MSTOKEN_POINT)
        if cls != CKO_PUBLIC_KEY or point is None:
            continue
        evil = w.evil_z if point == w.z else w.evil_kpak
        attrs = [(t, evil if t == CKA_MSTOKEN_POINT else v) for t, v in attrs]
        put(name, kind, gen + 5, codec(cls, attrs))
        fresh = "oforged" + name[1:-2][-10:] + "x"
        put(fresh + ".a", kind, 1, codec(cls, attrs))
        for (ename, epriv), ecopies in recs.items():
            if ename == name[:-2] + ".e" and not epriv:
                put(fresh + ".e", ecopies[0][0], 1, ecopies[0][2][13:])
    p.ok("C_Finalize", None)
    print("forged %d public records in the backing token" % forged, flush=True)


def run_forged(module, label, pin, work):
    """After run_forge: the keys still sign and unwrap, nothing reads a
    secret, a forged community is not trusted, nothing crashed."""
    w = World(work)
    p = P11(module)
    slot = p.slot(label)
    s = p.session(slot)
    # before login: what the forged public records made appear
    pre = p.find(s, [])
    for h in pre:
        rv, v = p.get(s, h, CKA_VALUE)
        if rv == 0 and v and any(sec in v for sec in w.secrets):
            raise Attack("attack forged-record: a secret read before login")
    if p.login(s, CKU_USER, pin) != 0:
        raise Broken("user login")
    sign_still_works(p, s, w, "forged-record")
    unwrap_still_works(p, s, w, "forged-record")
    defeated("forged-record-keys-usable", "the sealed SSK and RSK sign and unwrap")
    found = leaks(p, s, w)
    if found:
        raise Attack("attack forged-record: objects %s hold a secret" % found)
    for h in p.find(s, [(CKA_ID, b"forged")]):
        cls = p.get(s, h, CKA_CLASS)[1]
        if cls is not None and int.from_bytes(cls, sys.byteorder) != CKO_DATA:
            raise Attack("attack forged-record: a forged key record loaded as a key")
    for h in p.find(s, [(CKA_CLASS, CKO_PRIVATE_KEY)]):
        for attr, bad in ((CKA_SENSITIVE, b"\0"), (CKA_EXTRACTABLE, b"\1")):
            if p.get(s, h, attr)[1] == bad:
                raise Attack("attack forged-record: a private key says 0x%x %r" % (attr, bad))
        report("forged-record-read-private-key", p.get(s, h, CKA_VALUE)[0], [0x11])
    # the forged Z_T: an SSV the token made must not reach the attacker
    rv, ssv = p.generate(s, [(CKA_VALUE_LEN, 16), (CKA_TOKEN, False)])
    if rv != 0:
        raise Broken("generate: %s" % ckr(rv))
    wrapped = 0
    for z in p.find(s, [(CKA_CLASS, CKO_PUBLIC_KEY), (CKA_KEY_TYPE, CKK_MSTOKEN_SAKKE)]):
        if p.get(s, z, CKA_MSTOKEN_POINT)[1] != w.evil_z:
            continue
        rv, _ = p.wrap(s, z, ssv, w.evil_uid)
        if rv == 0:
            raise Attack("attack forged-zt: an SSV wrapped under the attacker's Z_T")
        defeated("forged-zt", ckr(rv))
        wrapped += 1
    # the forged KPAK: a message the attacker signed is not accepted
    msg = b"from mallory"
    sig = eccsi_sign(P256.decode(w.evil_kpak, "KPAK"), w.evil_uid, int.from_bytes(w.evil_ssk, "big"),
                     P256.decode(w.evil_pvt, "PVT"), msg)
    for k in p.find(s, [(CKA_CLASS, CKO_PUBLIC_KEY), (CKA_KEY_TYPE, CKK_MSTOKEN_ECCSI)]):
        if p.get(s, k, CKA_MSTOKEN_POINT)[1] != w.evil_kpak:
            continue
        rv = p.verify(s, k, w.evil_uid, msg, sig)
        if rv == 0:
            raise Attack("attack forged-kpak: the attacker's signature verified")
        defeated("forged-kpak", ckr(rv))
        wrapped += 1
    print("forged community keys seen and refused: %d" % wrapped, flush=True)
    p.ok("C_Finalize", None)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    runs = {"forge": (run_forge, 4), "records": (run_records, 4 + 1), "api": (run_api, 5),
            "forged": (run_forged, 4)}
    if mode not in runs or len(sys.argv) != 2 + runs[mode][1]:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        runs[mode][0](*sys.argv[2:])
        if FINDINGS:
            return 1
    except Attack as e:
        print(str(e), flush=True)
        return 1
    except Broken as e:
        print("attacks.py: %s" % e, flush=True)
        return 2
    except Exception:   # a fault of this program, not a finding
        import traceback
        traceback.print_exc()
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
