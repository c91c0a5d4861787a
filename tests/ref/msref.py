#!/usr/bin/env python3
"""msref: an independent reference implementation of MIKEY-SAKKE.

Written from the RFC texts only (RFC 6507 ECCSI, RFC 6508 SAKKE, RFC 6509
MIKEY-SAKKE, RFC 3830 / 6043 / 4563 MIKEY) and 3GPP TS 33.180 (Annex F UID,
Annex D KMS XML), with the Python standard library alone, so that the C code
of mstoken can be checked against something that shares none of its code.

Clarity over speed: affine coordinates, Python integers, no constant-time
claims.  This is a test oracle; it must never hold production keys (Python
cannot wipe or lock memory and its big-integer arithmetic branches on values).

Every failure raises MsrefError with one line naming what is wrong; the CLI
prints it as "msref: <reason>" and exits 1.
"""

import argparse
import base64
import binascii
import calendar
import datetime
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
import tempfile
import time
import xml.etree.ElementTree as ET


class MsrefError(Exception):
    """A refusal: bad input, failed check or invalid cryptographic object."""


def i2osp(value, length):
    """RFC 6507 3.2 / RFC 6508 4: big-endian, left-padded to length octets."""
    return value.to_bytes(length, 'big')


def os2ip(octets):
    return int.from_bytes(octets, 'big')


def unhex(text, what):
    """Hex text to bytes; whitespace is ignored (XML values may be wrapped)."""
    cleaned = re.sub(r'\s+', '', text or '')
    if cleaned.lower().startswith('0x'):
        cleaned = cleaned[2:]
    if not cleaned or len(cleaned) % 2 or not re.fullmatch(r'[0-9a-fA-F]+', cleaned):
        raise MsrefError('%s is not a hex string' % what)
    return bytes.fromhex(cleaned)


# ---------------------------------------------------------------------------
# ECCSI (RFC 6507) on NIST P-256 with SHA-256, as RFC 6509 2.1.1 requires.
# ---------------------------------------------------------------------------

P256_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
P256_Q = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
          0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)
ECCSI_N = 32    # N = Ceiling(n/8) octets


class Curve:
    """Short Weierstrass curve y^2 = x^3 - 3x + b over F_p, affine points.

    Both curves of this module have a = -3 (P-256 and the SAKKE curve with
    b = 0), which keeps one set of formulas for the two.  The point at
    infinity is None.
    """

    def __init__(self, p, b, order, name):
        self.p, self.b, self.order, self.name = p, b, order, name
        self.flen = (p.bit_length() + 7) // 8

    def on_curve(self, pt):
        if pt is None:
            return False
        x, y = pt
        p = self.p
        return 0 <= x < p and 0 <= y < p and (y * y - x * x * x + 3 * x - self.b) % p == 0

    def neg(self, pt):
        return None if pt is None else (pt[0], (-pt[1]) % self.p)

    def add(self, a, b):
        if a is None:
            return b
        if b is None:
            return a
        p = self.p
        if a[0] == b[0]:
            if (a[1] + b[1]) % p == 0:
                return None
            lam = (3 * a[0] * a[0] - 3) * pow(2 * a[1], -1, p) % p
        else:
            lam = (b[1] - a[1]) * pow(b[0] - a[0], -1, p) % p
        x = (lam * lam - a[0] - b[0]) % p
        return (x, (lam * (a[0] - x) - a[1]) % p)

    def mul(self, k, pt):
        """[k]pt by left-to-right double and add.

        The accumulator is kept in Jacobian coordinates (x = X/Z^2,
        y = Y/Z^3) so that only one inversion is needed at the end; this
        is what makes the 1024-bit SAKKE curve usable from Python.
        """
        if k < 0:
            return self.mul(-k, self.neg(pt))
        if pt is None or k == 0:
            return None
        acc = None
        for bit in bin(k)[2:]:
            acc = self._jdouble(acc)
            if bit == '1':
                acc = self._jadd_affine(acc, pt)
        return self._to_affine(acc)

    def _jdouble(self, a):
        """Jacobian doubling for a = -3 (alpha = 3(X - Z^2)(X + Z^2))."""
        if a is None or a[1] == 0:
            return None
        p = self.p
        x, y, z = a
        delta = z * z % p
        gamma = y * y % p
        beta = x * gamma % p
        alpha = 3 * (x - delta) * (x + delta) % p
        x3 = (alpha * alpha - 8 * beta) % p
        z3 = ((y + z) * (y + z) - gamma - delta) % p
        y3 = (alpha * (4 * beta - x3) - 8 * gamma * gamma) % p
        return (x3, y3, z3)

    def _jadd_affine(self, a, b):
        """Jacobian a plus affine b."""
        if a is None:
            return (b[0], b[1], 1)
        p = self.p
        x1, y1, z1 = a
        z1z1 = z1 * z1 % p
        h = (b[0] * z1z1 - x1) % p
        r = (b[1] * z1 * z1z1 - y1) % p
        if h == 0:
            return self._jdouble(a) if r == 0 else None
        hh = h * h % p
        hhh = h * hh % p
        v = x1 * hh % p
        x3 = (r * r - hhh - 2 * v) % p
        y3 = (r * (v - x3) - y1 * hhh) % p
        return (x3, y3, z1 * h % p)

    def _to_affine(self, a):
        if a is None:
            return None
        p = self.p
        zi = pow(a[2], -1, p)
        zi2 = zi * zi % p
        return (a[0] * zi2 % p, a[1] * zi2 * zi % p)

    def encode(self, pt):
        """RFC 5480 2.2 uncompressed form 0x04 || x || y."""
        return b'\x04' + i2osp(pt[0], self.flen) + i2osp(pt[1], self.flen)

    def decode(self, octets, what):
        """Parse 0x04 || x || y and check the point is on this curve."""
        if len(octets) != 2 * self.flen + 1 or octets[0] != 4:
            raise MsrefError('%s: expected an uncompressed %s point of %d octets '
                             '(04 || x || y), got %d octets'
                             % (what, self.name, 2 * self.flen + 1, len(octets)))
        pt = (os2ip(octets[1:1 + self.flen]), os2ip(octets[1 + self.flen:]))
        if not self.on_curve(pt):
            raise MsrefError('%s: point is not on the %s curve' % (what, self.name))
        return pt


P256 = Curve(P256_P, P256_B, P256_Q, 'P-256')


def sha256(data):
    return hashlib.sha256(data).digest()


def eccsi_hs(kpak, ident, pvt):
    """HS = hash(G || KPAK || ID || PVT) (RFC 6507 5.1.1 step 3)."""
    return os2ip(sha256(P256.encode(P256_G) + P256.encode(kpak) + ident + P256.encode(pvt)))


def eccsi_issue(ksak, kpak, ident, v=None):
    """KMS side (RFC 6507 5.1.1): returns (SSK, PVT) for ID."""
    while True:
        vv = v if v is not None else 1 + secrets.randbelow(P256_Q - 1)
        pvt = P256.mul(vv, P256_G)
        hs = eccsi_hs(kpak, ident, pvt)
        ssk = (ksak + hs * vv) % P256_Q
        if ssk and hs % P256_Q:
            return ssk, pvt
        if v is not None:
            raise MsrefError('ECCSI: the given v yields SSK or HS = 0; choose another')


def eccsi_validate(kpak, ident, ssk, pvt):
    """RFC 6507 5.1.2: raise unless KPAK = [SSK]G - [HS]PVT."""
    if not P256.on_curve(kpak):
        raise MsrefError('ECCSI: KPAK is not on the P-256 curve')
    if not P256.on_curve(pvt):
        raise MsrefError('ECCSI: PVT is not on the P-256 curve')
    if not 0 < ssk < P256_Q:
        raise MsrefError('ECCSI: SSK is not in the range 1..q-1')
    hs = eccsi_hs(kpak, ident, pvt)
    if P256.add(P256.mul(ssk, P256_G), P256.neg(P256.mul(hs, pvt))) != kpak:
        raise MsrefError('ECCSI: SSK/PVT do not validate against KPAK and the '
                         'identifier (RFC 6507 5.1.2: KPAK != [SSK]G - [HS]PVT)')
    return hs


def eccsi_sign_detail(kpak, ident, ssk, pvt, msg, j=None):
    """RFC 6507 5.2.1; returns every intermediate (for the Appendix A test)."""
    hs = eccsi_hs(kpak, ident, pvt)
    while True:
        jj = j if j is not None else 1 + secrets.randbelow(P256_Q - 1)
        jpt = P256.mul(jj, P256_G)
        r = jpt[0]
        he = os2ip(sha256(i2osp(hs, ECCSI_N) + i2osp(r, ECCSI_N) + msg))
        t = (he + r * ssk) % P256_Q
        if t:
            break
        if j is not None:
            raise MsrefError('ECCSI: the given j makes HE + r*SSK = 0; choose another')
    s_prime = pow(t, -1, P256_Q) * jj % P256_Q
    s = P256_Q - s_prime if s_prime >= 1 << (8 * ECCSI_N) else s_prime
    sig = i2osp(r, ECCSI_N) + i2osp(s, ECCSI_N) + P256.encode(pvt)
    return {'HS': hs, 'J': jpt, 'r': r, 'HE': he, "s'": s_prime, 's': s, 'sig': sig}


def eccsi_sign(kpak, ident, ssk, pvt, msg, j=None):
    return eccsi_sign_detail(kpak, ident, ssk, pvt, msg, j)['sig']


def eccsi_verify_detail(kpak, ident, msg, sig):
    """RFC 6507 5.2.2.  Returns (valid, reason, intermediates)."""
    if len(sig) != 4 * ECCSI_N + 1:
        return False, 'signature is %d octets, not %d' % (len(sig), 4 * ECCSI_N + 1), {}
    r = os2ip(sig[:ECCSI_N])
    s = os2ip(sig[ECCSI_N:2 * ECCSI_N])
    try:
        pvt = P256.decode(sig[2 * ECCSI_N:], 'PVT in the signature')
    except MsrefError as exc:
        return False, str(exc), {}
    hs = eccsi_hs(kpak, ident, pvt)
    he = os2ip(sha256(i2osp(hs, ECCSI_N) + sig[:ECCSI_N] + msg))
    y = P256.add(P256.mul(hs, pvt), kpak)
    jpt = P256.mul(s, P256.add(P256.mul(he, P256_G), P256.mul(r, y)))
    detail = {'HS': hs, 'HE': he, 'Y': y, 'J': jpt}
    if jpt is None or jpt[0] % P256_P == 0:
        return False, 'J is the point at infinity or Jx = 0', detail
    if jpt[0] % P256_P != r % P256_P:
        return False, 'Jx != r', detail
    return True, 'ok', detail


def eccsi_verify(kpak, ident, msg, sig):
    return eccsi_verify_detail(kpak, ident, msg, sig)[0]


# ---------------------------------------------------------------------------
# SAKKE (RFC 6508) with parameter set 1 of RFC 6509 Appendix A.
# ---------------------------------------------------------------------------

SAKKE_P = int(
    '997ABB1F0A563FDA65C61198DAD0657A416C0CE19CB48261BE9AE358B3E01A2E'
    'F40AAB27E2FC0F1B228730D531A59CB0E791B39FF7C88A19356D27F4A666A6D0'
    'E26C6487326B4CD4512AC5CD65681CE1B6AFF4A831852A82A7CF3C521C3C09AA'
    '9F94D6AF56971F1FFCE3E82389857DB080C5DF10AC7ACE87666D807AFEA85FEB', 16)
SAKKE_Q = int(
    '265EAEC7C2958FF69971846636B4195E905B0338672D20986FA6B8D62CF8068B'
    'BD02AAC9F8BF03C6C8A1CC354C69672C39E46CE7FDF222864D5B49FD2999A9B4'
    '389B1921CC9AD335144AB173595A07386DABFD2A0C614AA0A9F3CF14870F026A'
    'A7E535ABD5A5C7C7FF38FA08E2615F6C203177C42B1EB3A1D99B601EBFAA17FB', 16)
SAKKE_PX = int(
    '53FC09EE332C29AD0A7990053ED9B52A2B1A2FD60AEC69C698B2F204B6FF7CBF'
    'B5EDB6C0F6CE2308AB10DB9030B09E1043D5F22CDB9DFA55718BD9E7406CE890'
    '9760AF765DD5BCCB337C86548B72F2E1A702C3397A60DE74A7C1514DBA66910D'
    'D5CFB4CC80728D87EE9163A5B63F73EC80EC46C4967E0979880DC8ABEAE63895', 16)
SAKKE_PY = int(
    '0A8249063F6009F1F9F1F0533634A135D3E82016029906963D778D821E141178'
    'F5EA69F4654EC2B9E7F7F5E5F0DE55F66B598CCF9A140B2E416CFF0CA9E032B9'
    '70DAE117AD547C6CCAD696B5B7652FE0AC6F1E80164AA989492D979FC5A4D5F2'
    '13515AD7E9CB99A980BDAD5AD5BB4636ADB9B5706A67DCDE75573FD71BEF16D7', 16)
SAKKE_G = int(
    '66FC2A432B6EA392148F15867D623068C6A87BD1FB94C41E27FABE658E015A87'
    '371E94744C96FEDA449AE9563F8BC446CBFDA85D5D00EF577072DA8F541721BE'
    'EE0FAED1828EAB90B99DFB0138C7843355DF0460B4A9FD74B4F1A32BCAFA1FFA'
    'D682C033A7942BCCE3720F20B9B7B0403C8CAE87B7A0042ACDE0FAB36461EA46', 16)
SAKKE_P_POINT = (SAKKE_PX, SAKKE_PY)
SAKKE_N = 128       # bits of SSV
SAKKE_L = 128       # octets of an F_p element
SAKKE_DATA_LEN = 2 * SAKKE_L + 1 + SAKKE_N // 8   # 273

SAKKE_CURVE = Curve(SAKKE_P, 0, SAKKE_Q, 'SAKKE')


def sakke_point(octets, what):
    """Decode a point and check it has order q (RFC 6508 2.2: Z, RSK, R)."""
    pt = SAKKE_CURVE.decode(octets, what)
    if SAKKE_CURVE.mul(SAKKE_Q, pt) is not None:
        raise MsrefError('%s: point is not in the subgroup of order q' % what)
    return pt


def fp2_mul(a, b, p=SAKKE_P):
    """(a0 + i a1)(b0 + i b1) in F_p[i], i^2 = -1."""
    return ((a[0] * b[0] - a[1] * b[1]) % p, (a[0] * b[1] + a[1] * b[0]) % p)


def fp2_pow(a, e, p=SAKKE_P):
    acc = (1, 0)
    for bit in bin(e)[2:]:
        acc = fp2_mul(acc, acc, p)
        if bit == '1':
            acc = fp2_mul(acc, a, p)
    return acc


def pf_repr(t, p=SAKKE_P):
    """Representative in F_p of an element of PF_p (RFC 6508 3.2): b/a."""
    if t[0] % p == 0:
        raise MsrefError('SAKKE: PF_p element with zero real part has no representative')
    return t[1] * pow(t[0], -1, p) % p


def pairing(r_pt, q_pt):
    """<R,Q> of RFC 6508 3.2: Miller loop with Barreto's trick, then ^c.

    The line through C (and C or R) evaluated at the distorted point
    [i]Q = (-Q_x, i*Q_y) is l*(Q_x + C_x) + (i*Q_y - C_y).  Any factor in
    F_p* vanishes in PF_p = (F_p^2)*/(F_p)*, so C is kept in Jacobian
    coordinates (C_x = X/Z^2, C_y = Y/Z^3) and each line is multiplied by
    its F_p denominator instead of dividing: no inversion in the loop.
      doubling, times 2*Y*Z^3:
        3(X^2 - Z^4)(Q_x Z^2 + X) - 2Y^2  +  i * 2 Y Z^3 Q_y
      addition with R = (R_x, R_y), times Z^3 (X - R_x Z^2):
        (Y - R_y Z^3)(Q_x Z^2 + X) - Y (X - R_x Z^2)  +  i * Q_y Z^3 (X - R_x Z^2)
    """
    p = SAKKE_P
    curve = SAKKE_CURVE
    if r_pt is None or q_pt is None:
        raise MsrefError('SAKKE: pairing of the point at infinity')
    qx, qy = q_pt
    rx, ry = r_pt
    v = (1, 0)
    c_pt = (rx, ry, 1)
    for bit in bin(SAKKE_Q - 1)[3:]:
        x, y, z = c_pt
        z2 = z * z % p
        z3 = z2 * z % p
        line = ((3 * (x * x - z2 * z2) * (qx * z2 + x) - 2 * y * y) % p,
                2 * y * z3 * qy % p)
        v = fp2_mul(fp2_mul(v, v), line)
        c_pt = curve._jdouble(c_pt)
        if bit == '1':
            x, y, z = c_pt
            z2 = z * z % p
            z3 = z2 * z % p
            dx = (x - rx * z2) % p
            line = (((y - ry * z3) * (qx * z2 + x) - y * dx) % p,
                    qy * z3 * dx % p)
            v = fp2_mul(v, line)
            c_pt = curve._jadd_affine(c_pt, r_pt)
        if c_pt is None:
            raise MsrefError('SAKKE: pairing input is not of order q')
    return pf_repr(fp2_pow(v, (p + 1) // SAKKE_Q))


def pf_pow(g, e):
    """g^e in PF_p[q] for g given by its F_p representative.

    g stands for the coset of 1 + i*g; exponentiating that element of F_p^2
    and taking b/a is the square-and-multiply of RFC 6508 6.2.1 step 4a.
    """
    return pf_repr(fp2_pow((1, g), e))


def hash_to_integer_range(s, n, trace=None):
    """HashToIntegerRange(s, n, SHA-256) of RFC 6508 5.1."""
    a = sha256(s)
    h = bytes(32)
    # l = Ceiling(lg(n)/hashlen); Ceiling(lg(n)) is exact for any n > 1.
    count = -(-_lg_ceil_bits(n) // 256)
    vs = []
    for _ in range(count):
        h = sha256(h)
        vs.append(sha256(h + a))
        if trace is not None:
            trace.setdefault('h', []).append(h)
    if trace is not None:
        trace['A'] = a
        trace['v'] = vs
    return os2ip(b''.join(vs)) % n


def _lg_ceil_bits(n):
    """Smallest k with 2^k >= n, i.e. Ceiling(lg(n))."""
    return (n - 1).bit_length()


def sakke_identifier_int(ident):
    return os2ip(ident)


def sakke_issue_rsk(z, ident):
    """KMS side (RFC 6508 6.1.1): K = [(a + z)^-1]P."""
    s = (sakke_identifier_int(ident) + z) % SAKKE_Q
    if s == 0:
        raise MsrefError('SAKKE: identifier + z = 0 mod q; no RSK exists')
    return SAKKE_CURVE.mul(pow(s, -1, SAKKE_Q), SAKKE_P_POINT)


def sakke_validate_rsk(z_pt, ident, rsk):
    """RFC 6508 6.1.2: < [a]P + Z, K_a > == g."""
    qa = SAKKE_CURVE.add(SAKKE_CURVE.mul(sakke_identifier_int(ident), SAKKE_P_POINT), z_pt)
    if qa is None:
        raise MsrefError('SAKKE: [a]P + Z is the point at infinity')
    if pairing(qa, rsk) != SAKKE_G:
        raise MsrefError('SAKKE: RSK does not validate (RFC 6508 6.1.2: '
                         '<[a]P + Z, RSK> != g)')


def sakke_encapsulate_detail(z_pt, ident, ssv=None):
    """RFC 6508 6.2.1; returns the Encapsulated Data and intermediates."""
    if ssv is None:
        ssv = secrets.token_bytes(SAKKE_N // 8)
    if len(ssv) != SAKKE_N // 8:
        raise MsrefError('SAKKE: SSV must be %d octets' % (SAKKE_N // 8))
    b = sakke_identifier_int(ident)
    r = hash_to_integer_range(ssv + ident, SAKKE_Q)
    qb = SAKKE_CURVE.add(SAKKE_CURVE.mul(b, SAKKE_P_POINT), z_pt)
    r_pt = SAKKE_CURVE.mul(r, qb)
    if r_pt is None:
        raise MsrefError('SAKKE: R is the point at infinity (r = 0)')
    gr = pf_pow(SAKKE_G, r)
    mask = hash_to_integer_range(i2osp(gr, SAKKE_L), 1 << SAKKE_N)
    h = os2ip(ssv) ^ mask
    data = SAKKE_CURVE.encode(r_pt) + i2osp(h, SAKKE_N // 8)
    return {'ssv': ssv, 'r': r, 'R': r_pt, 'g^r': gr, 'mask': mask, 'H': h, 'data': data}


def sakke_encapsulate(z_pt, ident, ssv=None):
    d = sakke_encapsulate_detail(z_pt, ident, ssv)
    return d['data'], d['ssv']


def sakke_decapsulate_detail(z_pt, ident, rsk, data):
    """RFC 6508 6.2.2; raises MsrefError when TEST != R (step 5)."""
    if len(data) != SAKKE_DATA_LEN:
        raise MsrefError('SAKKE: Encapsulated Data is %d octets, expected %d'
                         % (len(data), SAKKE_DATA_LEN))
    r_pt = SAKKE_CURVE.decode(data[:2 * SAKKE_L + 1], 'SAKKE: R in the Encapsulated Data')
    h = os2ip(data[2 * SAKKE_L + 1:])
    w = pairing(r_pt, rsk)
    mask = hash_to_integer_range(i2osp(w, SAKKE_L), 1 << SAKKE_N)
    ssv = i2osp(h ^ mask, SAKKE_N // 8)
    b = sakke_identifier_int(ident)
    r = hash_to_integer_range(ssv + ident, SAKKE_Q)
    test = SAKKE_CURVE.mul(r, SAKKE_CURVE.add(SAKKE_CURVE.mul(b, SAKKE_P_POINT), z_pt))
    if test != r_pt:
        raise MsrefError('SAKKE: Encapsulated Data does not verify for this '
                         'identifier and RSK (RFC 6508 6.2.2 step 5: TEST != R)')
    return {'w': w, 'mask': mask, 'ssv': ssv, 'r': r, 'TEST': test}


def sakke_decapsulate(z_pt, ident, rsk, data):
    return sakke_decapsulate_detail(z_pt, ident, rsk, data)['ssv']


# ---------------------------------------------------------------------------
# Identifiers: RFC 6509 3.2 (format 1) and TS 33.180 Annex F.2.1 (format 2).
# Key periods count from 0h UTC 1 January 1900 (the NTP epoch), as the
# UserKeyOffset of TS 33.180 Annex D does.
# ---------------------------------------------------------------------------

NTP_UNIX_DELTA = 2208988800   # seconds from 1900-01-01 to 1970-01-01


def utc(unix_time):
    try:
        return datetime.datetime.fromtimestamp(int(unix_time), datetime.timezone.utc)
    except (OverflowError, ValueError, OSError):
        raise MsrefError('time %d is outside the years 1..9999' % unix_time) from None


def uid_int_octets(value):
    """TS 33.180 F.2.1: minimal big-endian octets, 0 as a single 0x00."""
    if value < 0:
        raise MsrefError('UID parameter must not be negative')
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), 'big')


def uid(uri, kms_uri, key_period, key_offset, period_no):
    """UID = SHA-256(FC=0x00 || P0 || L0 || ... || P5 || L5), Annex F.2.1."""
    def param(octets):
        if len(octets) > 0xFFFF:
            raise MsrefError('UID parameter longer than 65535 octets')
        return octets + len(octets).to_bytes(2, 'big')
    s = b'\x00' + param(b'MIKEY-SAKKE-UID') + param(uri.encode()) + param(kms_uri.encode())
    s += param(uid_int_octets(key_period)) + param(uid_int_octets(key_offset))
    s += param(uid_int_octets(period_no))
    return sha256(s)


def rfc6509_identifier(uri, unix_time):
    """'YYYY-MM' NUL URI NUL for the UTC month of unix_time (RFC 6509 3.2)."""
    t = utc(unix_time)
    return ('%04d-%02d' % (t.year, t.month)).encode() + b'\x00' + uri.encode() + b'\x00'


def key_period_no(unix_time, key_period, key_offset):
    if key_period <= 0:
        raise MsrefError('UserKeyPeriod must be positive')
    n = (int(unix_time) + NTP_UNIX_DELTA - key_offset) // key_period
    if n < 0:
        raise MsrefError('time lies before the first key period (UserKeyOffset)')
    return n


def month_start(unix_time, months_later=0):
    """Unix time of 00:00 UTC on the first day of unix_time's month (+n)."""
    t = utc(unix_time)
    index = t.year * 12 + t.month - 1 + months_later
    return calendar.timegm((index // 12, index % 12 + 1, 1, 0, 0, 0))


def key_period_start(period_no, key_period, key_offset):
    """Unix time at which key period period_no begins."""
    return key_offset + period_no * key_period - NTP_UNIX_DELTA


def kdf_33220(key, fc, *params):
    """TS 33.220 B.2 KDF: HMAC-SHA-256(key, FC || P0 || L0 || ...)."""
    s = bytes([fc])
    for p in params:
        s += p + len(p).to_bytes(2, 'big')
    return hmac.new(key, s, hashlib.sha256).digest()


def guk_id(gmk, gmk_id, uri):
    """TS 33.180: GUK-ID = GMK-ID XOR 28 low bits of KDF(GMK, 0x50, URI)."""
    mask = os2ip(kdf_33220(gmk, 0x50, uri.encode())) & 0x0FFFFFFF
    return i2osp(os2ip(gmk_id) ^ mask, 4)


def dpck(gmk, dppk_id):
    """TS 33.180: DPCK = 128 low bits of KDF(GMK, 0x53, DPPK-ID)."""
    return kdf_33220(gmk, 0x53, dppk_id)[-16:]


# ---------------------------------------------------------------------------
# MIKEY PRF and key derivation (RFC 3830 4.1.2-4.1.3, RFC 6043 6.1).
# ---------------------------------------------------------------------------

PRF_HASHES = {0: (hashlib.sha1, 160), 1: (hashlib.sha256, 256)}
KEY_CONSTANTS = {'tek': 0x2AD01C64, 'auth': 0x1B5C7973, 'enc': 0x15798CEF,
                 'salt': 0x39A2C14B}


def mikey_prf(prf_func, inkey, label, outkey_bits):
    """PRF(inkey, label) = P(s_1, label, m) XOR ... XOR P(s_n, label, m)."""
    if prf_func not in PRF_HASHES:
        raise MsrefError('unknown MIKEY PRF func %d (known: 0 MIKEY-1, '
                         '1 PRF-HMAC-SHA-256)' % prf_func)
    digest, out_bits = PRF_HASHES[prf_func]
    m = -(-outkey_bits // out_bits)
    blocks = [inkey[i:i + 32] for i in range(0, len(inkey), 32)] or [b'']
    out = bytes(m * out_bits // 8)
    for s in blocks:
        a = label
        chunk = b''
        for _ in range(m):
            a = hmac.new(s, a, digest).digest()
            chunk += hmac.new(s, a + label, digest).digest()
        out = bytes(x ^ y for x, y in zip(out, chunk))
    nbytes = -(-outkey_bits // 8)
    res = bytearray(out[:nbytes])
    if outkey_bits % 8:
        res[-1] &= (0xFF << (8 - outkey_bits % 8)) & 0xFF
    return bytes(res)


def derive_key(prf_func, tgk, kind, cs_id, csb_id, rand, bits):
    """RFC 3830 4.1.3: label = constant || cs_id || csb_id || RAND."""
    label = KEY_CONSTANTS[kind].to_bytes(4, 'big') + bytes([cs_id]) + csb_id + rand
    return mikey_prf(prf_func, tgk, label, bits)


# ---------------------------------------------------------------------------
# MIKEY I_MESSAGE codec (RFC 3830 6, RFC 6043 6, RFC 4563 5, RFC 6509 4,
# TS 33.180 E).  Decoding is strict: every length is checked against what
# remains and each refusal names the offset and the field.
# ---------------------------------------------------------------------------

PT_LAST, PT_KEMAC, PT_SIGN, PT_T, PT_ID, PT_CERT = 0, 1, 4, 5, 6, 7
PT_SP, PT_RAND, PT_IDR, PT_GENEXT, PT_SAKKE = 10, 11, 14, 21, 26
DATA_TYPE_SAKKE = 26
MAP_SRTP_ID, MAP_EMPTY, MAP_GENERIC_ID = 0, 1, 2
ROLE_I, ROLE_R, ROLE_KMS, ROLE_KMSI, ROLE_KMSR = 1, 2, 3, 6, 7
ROLE_UIDI, ROLE_UIDR = 8, 9          # TS 33.180 IDRuidi / IDRuidr
ID_TYPE_NAI, ID_TYPE_URI, ID_TYPE_BYTES = 0, 1, 2
SIGN_ECCSI = 2
GENEXT_SAKKE_TO_SELF, GENEXT_KEY_PARAMS = 6, 7
SRTP_ENC_NULL, SRTP_ENC_AES_CM, SRTP_ENC_AES_GCM = 0, 1, 6


class Reader:
    """Bounded cursor over the message; errors carry the offset."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n, field):
        if n > len(self.data) - self.pos:
            raise MsrefError('malformed I_MESSAGE at offset %d: %s needs %d octets, '
                             '%d left' % (self.pos, field, n, len(self.data) - self.pos))
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self, field):
        return self.take(1, field)[0]

    def u16(self, field):
        return os2ip(self.take(2, field))


class IMessage:
    """Decoded I_MESSAGE.  Field names follow the RFC payload names."""

    def __init__(self, raw):
        self.raw = raw
        self.warnings = []
        self.crypto_sessions = []    # dicts: cs_id, policies, ssrc, ...
        self.idrs = []               # (role, id type, data)
        self.ids = []                # ID payloads (RFC 3830): (id type, data)
        self.sps = {}                # policy no -> {'prot': t, 'params': {type: bytes}}
        self.general = []            # (type, data)
        self.sakke = None            # {'params', 'scheme', 'data'}
        self.sakke_to_self = None
        self.ts_type = None
        self.ts_value = None
        self.rand = None
        self.sign_offset = None
        self.sign_type = None
        self.signature = None

    def idr(self, *roles):
        for role, _, data in self.idrs:
            if role in roles:
                return data
        return None

    def ntp_seconds(self):
        if self.ts_type in (0, 1):
            return os2ip(self.ts_value[:4])
        return None

    def unix_time(self):
        ntp = self.ntp_seconds()
        return None if ntp is None else ntp - NTP_UNIX_DELTA

    def signed_part(self, coverage):
        """Octets the signature covers.

        'rfc': RFC 3830 5.2, the whole message except the Signature field,
        i.e. including the SIGN payload's S type / length octets;
        'before-sign': older implementations that stop before the SIGN
        payload (the two header octets excluded).
        """
        if coverage == 'rfc':
            return self.raw[:self.sign_offset + 2]
        return self.raw[:self.sign_offset]


def _parse_hdr(rd, msg):
    msg.version = rd.u8('HDR version')
    if msg.version != 1:
        raise MsrefError('malformed I_MESSAGE at offset 0: HDR version %d, expected 1'
                         % msg.version)
    msg.data_type = rd.u8('HDR data type')
    if msg.data_type != DATA_TYPE_SAKKE:
        raise MsrefError('malformed I_MESSAGE at offset 1: HDR data type %d is not a '
                         'SAKKE msg (26)' % msg.data_type)
    nxt = rd.u8('HDR next payload')
    vprf = rd.u8('HDR V/PRF func')
    msg.v_flag, msg.prf = vprf >> 7, vprf & 0x7F
    if msg.v_flag:
        msg.warnings.append('RFC 6509 4.1: V MUST be 0 in a SAKKE msg (ignored)')
    msg.csb_id = rd.take(4, 'HDR CSB ID')
    ncs = rd.u8('HDR #CS')
    map_off = rd.pos
    msg.map_type = rd.u8('HDR CS ID map type')
    if msg.map_type == MAP_SRTP_ID:
        for i in range(ncs):
            pol = rd.u8('SRTP-ID Policy_no_%d' % (i + 1))
            ssrc = rd.take(4, 'SRTP-ID SSRC_%d' % (i + 1))
            roc = rd.take(4, 'SRTP-ID ROC_%d' % (i + 1))
            # RFC 3830 6.1.1: the stream with SSRC_i has CS ID i.
            msg.crypto_sessions.append({'cs_id': i + 1, 'policies': [pol],
                                        'ssrc': ssrc, 'roc': roc})
    elif msg.map_type == MAP_EMPTY:
        if ncs:
            msg.warnings.append('RFC 4563 5: Empty map with #CS = %d' % ncs)
    elif msg.map_type == MAP_GENERIC_ID:
        for i in range(ncs):
            cs_id = rd.u8('GENERIC-ID CS ID')
            prot = rd.u8('GENERIC-ID Prot type')
            snp = rd.u8('GENERIC-ID S/#P')
            pols = list(rd.take(snp & 0x7F, 'GENERIC-ID Ps'))
            sdata = rd.take(rd.u16('GENERIC-ID Session Data Length'), 'GENERIC-ID Session Data')
            spi = rd.take(rd.u8('GENERIC-ID SPI Length'), 'GENERIC-ID SPI')
            msg.crypto_sessions.append({'cs_id': cs_id, 'prot': prot, 's': snp >> 7,
                                        'policies': pols, 'session_data': sdata,
                                        'spi': spi})
    else:
        raise MsrefError('malformed I_MESSAGE at offset %d: unknown CS ID map type %d'
                         % (map_off, msg.map_type))
    return nxt


def _parse_sakke_payload(rd, where, msg):
    """SAKKE payload body (RFC 6509 4.2).  Parameter sets other than 1 and
    other data lengths still parse (with a warning); decapsulation refuses."""
    params = rd.u8(where + ' SAKKE params')
    scheme = rd.u8(where + ' ID scheme')
    length = rd.u16(where + ' SAKKE data length')
    data = rd.take(length, where + ' SAKKE data')
    if params != 1:
        msg.warnings.append('%s: SAKKE params %d is not parameter set 1' % (where, params))
    if length != SAKKE_DATA_LEN:
        msg.warnings.append('%s: SAKKE data length %d, parameter set 1 has %d'
                            % (where, length, SAKKE_DATA_LEN))
    return {'params': params, 'scheme': scheme, 'data': data}


def parse_imessage(raw):
    """Decode an I_MESSAGE (bytes) into an IMessage; raise MsrefError."""
    rd = Reader(bytes(raw))
    msg = IMessage(rd.data)
    nxt = _parse_hdr(rd, msg)
    while nxt != PT_LAST:
        start = rd.pos
        if nxt == PT_SIGN:
            st_len = rd.u16('SIGN S type/length')
            msg.sign_offset = start
            msg.sign_type, slen = st_len >> 12, st_len & 0x0FFF
            msg.signature = rd.take(slen, 'SIGN signature')
            if rd.pos != len(rd.data):
                raise MsrefError('malformed I_MESSAGE at offset %d: %d octets after '
                                 'the SIGN payload' % (rd.pos, len(rd.data) - rd.pos))
            break
        cur, nxt = nxt, rd.u8('next payload')
        if cur == PT_T:
            msg.ts_type = rd.u8('T TS type')
            if msg.ts_type not in (0, 1, 2):
                raise MsrefError('malformed I_MESSAGE at offset %d: unknown TS type %d'
                                 % (start + 1, msg.ts_type))
            msg.ts_value = rd.take(4 if msg.ts_type == 2 else 8, 'T TS value')
        elif cur == PT_RAND:
            msg.rand = rd.take(rd.u8('RAND len'), 'RAND')
        elif cur == PT_IDR:
            role = rd.u8('IDR ID Role')
            idtype = rd.u8('IDR ID Type')
            msg.idrs.append((role, idtype, rd.take(rd.u16('IDR ID len'), 'IDR ID Data')))
        elif cur in (PT_ID, PT_CERT):
            idtype = rd.u8('ID/CERT type')
            data = rd.take(rd.u16('ID/CERT len'), 'ID/CERT data')
            if cur == PT_ID:
                msg.ids.append((idtype, data))
        elif cur == PT_SP:
            pol = rd.u8('SP Policy no')
            prot = rd.u8('SP Prot type')
            body = Reader(rd.take(rd.u16('SP Policy param length'), 'SP Policy param'))
            params = {}
            while body.pos < len(body.data):
                ptype = body.u8('SP param type')
                params[ptype] = body.take(body.u8('SP param length'), 'SP param value')
            msg.sps[pol] = {'prot': prot, 'params': params}
        elif cur == PT_SAKKE:
            if msg.sakke is not None:
                raise MsrefError('malformed I_MESSAGE at offset %d: second SAKKE payload'
                                 % start)
            msg.sakke = _parse_sakke_payload(rd, 'SAKKE', msg)
        elif cur == PT_GENEXT:
            gtype = rd.u8('General Ext. type')
            gdata = rd.take(rd.u16('General Ext. length'), 'General Ext. data')
            msg.general.append((gtype, gdata))
            if gtype == GENEXT_SAKKE_TO_SELF:
                inner = Reader(gdata)
                inner.u8('SAKKE-to-self next payload')
                msg.sakke_to_self = _parse_sakke_payload(inner, 'SAKKE-to-self', msg)
        else:
            raise MsrefError('malformed I_MESSAGE at offset %d: unsupported payload '
                             'type %d' % (start, cur))
    if msg.signature is None:
        raise MsrefError('malformed I_MESSAGE: no SIGN payload')
    if msg.sakke is None:
        raise MsrefError('malformed I_MESSAGE: no SAKKE payload')
    if msg.ts_value is None:
        raise MsrefError('malformed I_MESSAGE: no T payload')
    if msg.rand is None:
        raise MsrefError('malformed I_MESSAGE: no RAND payload')
    if msg.map_type == MAP_EMPTY and msg.sps:
        msg.warnings.append('RFC 4563 5: Empty map but SP payload(s) present')
    return msg


def verify_imessage_signature(msg, kpak, signer_id):
    """ECCSI signature, RFC coverage first, then the older one.

    Returns 'rfc' or 'before-sign' (the coverage that verified); raises
    MsrefError when neither does.
    """
    if msg.sign_type != SIGN_ECCSI:
        raise MsrefError('SIGN payload S type %d is not ECCSI (2)' % msg.sign_type)
    for coverage in ('rfc', 'before-sign'):
        if eccsi_verify(kpak, signer_id, msg.signed_part(coverage), msg.signature):
            return coverage
    raise MsrefError('bad signature: ECCSI verification failed for the signer '
                     'identifier %s' % signer_id.hex())


def srtp_policy(msg, cs):
    """SRTP master key / salt lengths of a crypto session (RFC 3830 6.10.1).

    Lengths come from the SP payload the session names (types 1 and 4);
    without them, the defaults of the encryption algorithm: AES-CM 16/14
    (RFC 3711), AES-GCM 16/12 (RFC 7714).  No SP at all: AES-CM.
    """
    params = {}
    for pol in cs.get('policies', []):
        if pol in msg.sps:
            params = msg.sps[pol]['params']
            break
    enc = os2ip(params[0]) if 0 in params else SRTP_ENC_AES_CM
    key_len = os2ip(params[1]) if 1 in params else 16
    salt_len = os2ip(params[4]) if 4 in params else (12 if enc == SRTP_ENC_AES_GCM else 14)
    if not 1 <= key_len <= 64 or not 0 <= salt_len <= 64:
        raise MsrefError('SP payload: session key length %d / salt length %d octets is '
                         'not usable for SRTP' % (key_len, salt_len))
    return enc, key_len, salt_len


def srtp_keys(msg, ssv):
    """[(cs_id, master key, master salt)] for every crypto session of msg."""
    out = []
    for cs in msg.crypto_sessions:
        _, key_len, salt_len = srtp_policy(msg, cs)
        key = derive_key(msg.prf, ssv, 'tek', cs['cs_id'], msg.csb_id, msg.rand, key_len * 8)
        salt = derive_key(msg.prf, ssv, 'salt', cs['cs_id'], msg.csb_id, msg.rand,
                          salt_len * 8)
        out.append((cs['cs_id'], key, salt))
    return out


def decode_text_imessages(text):
    """I_MESSAGE bytes from text: an SDP (a=key-mgmt:mikey ...), base64 or hex.

    Returns a list (an SDP offer for a group carries one per member).
    """
    found = re.findall(r'a=key-mgmt:\s*mikey\s+(\S+)', text)
    if found:
        return [_b64(item) for item in found]
    body = text.strip()
    if body.startswith('mikey '):
        body = body[6:].strip()
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    if not lines:
        raise MsrefError('input holds no I_MESSAGE')
    out = []
    for ln in lines:
        if ln.startswith('mikey '):
            ln = ln[6:].strip()
        if re.fullmatch(r'(?:[0-9a-fA-F]{2})+', ln):
            out.append(bytes.fromhex(ln))
        else:
            out.append(_b64(ln))
    return out


def _b64(text):
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise MsrefError('I_MESSAGE is neither valid base64 nor hex') from None


# --- building (RFC 6509 2.2.1) ----------------------------------------------

def ntp_timestamp(unix_time):
    """NTP-UTC 64-bit: seconds since 1900 and a binary fraction."""
    secs = int(unix_time)
    frac = int((unix_time - secs) * (1 << 32)) & 0xFFFFFFFF
    return i2osp(secs + NTP_UNIX_DELTA, 4) + i2osp(frac, 4)


def srtp_policy_params(suite):
    """SP Policy param TLVs (RFC 3830 6.10.1, RFC 7714 14.3) for a suite."""
    if suite == 'aes-cm':
        tlv = [(0, SRTP_ENC_AES_CM), (1, 16), (2, 1), (3, 20), (4, 14), (5, 0),
               (7, 1), (8, 1), (10, 1), (11, 10)]
    elif suite == 'aes-gcm':
        tlv = [(0, SRTP_ENC_AES_GCM), (1, 16), (4, 12), (5, 0), (20, 16)]
    else:
        raise MsrefError('unknown SRTP suite %r (aes-cm or aes-gcm)' % suite)
    return b''.join(bytes([t, 1, v]) for t, v in tlv)


def _idr(nxt, role, idtype, data):
    return bytes([nxt, role, idtype]) + i2osp(len(data), 2) + data


def build_imessage(sign_key, recipient, csb_id, rand, unix_time, prf, suite, ssv):
    """One I_MESSAGE to one recipient; same SSV, CSB ID and RAND for a group.

    sign_key:  dict kpak, ssk, pvt, id (signer identifier), uri, kms_uri, format
    recipient: dict z, id (SAKKE identifier), uri, kms_uri, format
    Format 2 (TS 33.180) adds IDRuidi/IDRuidr and the KMS IDRs to the
    IDRi/IDRr URIs; the SAKKE ID scheme is 1 (RFC 6509) or 2 (hashed UID).
    """
    if recipient['format'] == 1:
        # SRTP-ID map, one crypto session (CS ID 1), policy 0, SSRC/ROC 0.
        cs_map = bytes([1, MAP_SRTP_ID, 0]) + bytes(8)
    else:
        # GENERIC-ID map: CS ID 1, SRTP, #P = 1 (policy 0), no session data/SPI.
        cs_map = bytes([1, MAP_GENERIC_ID, 1, 0, 1, 0]) + b'\x00\x00' + b'\x00'
    out = bytes([1, DATA_TYPE_SAKKE, PT_T, prf & 0x7F]) + csb_id + cs_map
    out += bytes([PT_RAND, 0]) + ntp_timestamp(unix_time)
    out += bytes([PT_IDR, len(rand)]) + rand
    idrs = [(ROLE_I, ID_TYPE_URI, sign_key['uri'].encode()),
            (ROLE_R, ID_TYPE_URI, recipient['uri'].encode())]
    if sign_key['format'] == 2:
        idrs.append((ROLE_UIDI, ID_TYPE_BYTES, sign_key['id']))
    if recipient['format'] == 2:
        idrs.append((ROLE_UIDR, ID_TYPE_BYTES, recipient['id']))
    if 2 in (sign_key['format'], recipient['format']):
        idrs += [(ROLE_KMSI, ID_TYPE_URI, sign_key['kms_uri'].encode()),
                 (ROLE_KMSR, ID_TYPE_URI, recipient['kms_uri'].encode())]
    for i, (role, idtype, data) in enumerate(idrs):
        out += _idr(PT_IDR if i + 1 < len(idrs) else PT_SP, role, idtype, data)
    params = srtp_policy_params(suite)
    out += bytes([PT_SAKKE, 0, 0]) + i2osp(len(params), 2) + params
    data, _ = sakke_encapsulate(recipient['z'], recipient['id'], ssv)
    out += bytes([PT_SIGN, 1, recipient['format']]) + i2osp(len(data), 2) + data
    sig_len = 4 * ECCSI_N + 1
    out += bytes([(SIGN_ECCSI << 4) | (sig_len >> 8), sig_len & 0xFF])
    sig = eccsi_sign(sign_key['kpak'], sign_key['id'], sign_key['ssk'], sign_key['pvt'], out)
    return out + sig


# ---------------------------------------------------------------------------
# KMS XML (TS 33.180 Annex D, namespace urn:3gpp:ns:mcsecKMSInterface:1.0).
# ---------------------------------------------------------------------------

KMS_NS = 'urn:3gpp:ns:mcsecKMSInterface:1.0'


def read_file(path, what='file'):
    try:
        with open(path, 'rb') as fh:
            return fh.read()
    except OSError as exc:
        raise MsrefError('cannot read %s %s: %s' % (what, path, exc.strerror)) from None


def _xml_root(path):
    data = read_file(path, 'XML')
    # No DTDs: a key file has no use for entities, and refusing them keeps
    # entity-expansion tricks out of the parser.
    if b'<!DOCTYPE' in data or b'<!ENTITY' in data:
        raise MsrefError('%s: DTDs and entities are not accepted' % path)
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise MsrefError('%s: malformed XML: %s' % (path, exc)) from None


def _kms_element(path, name):
    """The one <name> element of the document (bare, or inside KmsResponse)."""
    root = _xml_root(path)
    tag = '{%s}%s' % (KMS_NS, name)
    found = [el for el in root.iter() if el.tag == tag]
    if not found:
        stray = [el.tag for el in root.iter() if el.tag.split('}')[-1] == name]
        if stray:
            raise MsrefError('%s: %s is not in namespace %s' % (path, name, KMS_NS))
        raise MsrefError('%s: no %s element' % (path, name))
    if len(found) > 1:
        raise MsrefError('%s: %d %s elements; give exactly one' % (path, len(found), name))
    return found[0]


def _child(el, name, path, required=True):
    child = el.find('{%s}%s' % (KMS_NS, name))
    if child is None:
        if required:
            raise MsrefError('%s: missing <%s>' % (path, name))
        return None
    if len(child):
        raise MsrefError('%s: <%s> holds elements (encrypted key content, '
                         'xenc:EncryptedKey, is not supported)' % (path, name))
    return (child.text or '').strip()


def _int_field(el, name, path, minimum=0):
    text = _child(el, name, path)
    if not re.fullmatch(r'[0-9]+', text):
        raise MsrefError('%s: <%s> is not a non-negative integer: %r' % (path, name, text))
    value = int(text)
    if value < minimum:
        raise MsrefError('%s: <%s> must be at least %d' % (path, name, minimum))
    return value


def parse_datetime(text, what):
    """xs:dateTime to Unix seconds; no zone means UTC."""
    m = re.fullmatch(r'(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?'
                     r'(Z|[+-]\d{2}:\d{2})?', text or '')
    if not m:
        raise MsrefError('%s is not an xs:dateTime: %r' % (what, text))
    try:
        base = calendar.timegm(datetime.datetime(*map(int, m.groups()[:6])).timetuple())
    except ValueError as exc:
        raise MsrefError('%s: %s' % (what, exc)) from None
    zone = m.group(8)
    if zone and zone != 'Z':
        sign = 1 if zone[0] == '+' else -1
        base -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return base


def format_datetime(unix_time):
    t = utc(unix_time)
    return t.strftime('%Y-%m-%dT%H:%M:%SZ')


def load_certificate(path):
    """KmsCertificate -> dict (KPAK and Z_T decoded and checked)."""
    el = _kms_element(path, 'KmsCertificate')
    fmt = _child(el, 'UserIdFormat', path)
    if fmt not in ('1', '2'):
        raise MsrefError('%s: UserIdFormat %r is neither 1 (RFC 6509) nor 2 '
                         '(TS 33.180 UID)' % (path, fmt))
    cert = {
        'kms_uri': _child(el, 'KmsUri', path),
        'id_format': int(fmt),
        'key_period': _int_field(el, 'UserKeyPeriod', path, 1),
        'key_offset': _int_field(el, 'UserKeyOffset', path),
    }
    cert['z'] = sakke_point(unhex(_child(el, 'PubEncKey', path), 'PubEncKey'),
                            '%s: PubEncKey (Z_T)' % path)
    cert['kpak'] = P256.decode(unhex(_child(el, 'PubAuthKey', path), 'PubAuthKey'),
                               '%s: PubAuthKey (KPAK)' % path)
    return cert


def load_keyset(path):
    """KmsKeySet -> dict (points decoded; validation is keyset_check's job)."""
    el = _kms_element(path, 'KmsKeySet')
    ks = {
        'kms_uri': _child(el, 'KmsUri', path),
        'uri': _child(el, 'UserUri', path),
        'user_id': unhex(_child(el, 'UserID', path), '%s: UserID' % path),
        'period_no': _int_field(el, 'KeyPeriodNo', path),
    }
    for name, key in (('ValidFrom', 'valid_from'), ('ValidTo', 'valid_to')):
        text = _child(el, name, path, required=False)
        ks[key] = None if text is None else parse_datetime(text, '%s: %s' % (path, name))
    ks['rsk'] = sakke_point(unhex(_child(el, 'UserDecryptKey', path), 'UserDecryptKey'),
                            '%s: UserDecryptKey (RSK)' % path)
    ssk = unhex(_child(el, 'UserSigningKeySSK', path), 'UserSigningKeySSK')
    if len(ssk.lstrip(b'\x00')) > ECCSI_N:
        raise MsrefError('%s: UserSigningKeySSK is longer than %d octets' % (path, ECCSI_N))
    ks['ssk'] = os2ip(ssk)
    ks['pvt'] = P256.decode(unhex(_child(el, 'UserPubTokenPVT', path), 'UserPubTokenPVT'),
                            '%s: UserPubTokenPVT (PVT)' % path)
    return ks


def identifier_for(cert, uri, unix_time, kms_uri=None):
    """The identifier of uri at unix_time under the community's format."""
    if cert['id_format'] == 1:
        return rfc6509_identifier(uri, unix_time)
    n = key_period_no(unix_time, cert['key_period'], cert['key_offset'])
    return uid(uri, kms_uri or cert['kms_uri'], cert['key_period'], cert['key_offset'], n)


def keyset_check(cert, ks):
    """Everything a token must check before importing a key set."""
    if ks['kms_uri'] != cert['kms_uri']:
        raise MsrefError('key set KmsUri %s is not the certificate KmsUri %s'
                         % (ks['kms_uri'], cert['kms_uri']))
    period, offset = cert['key_period'], cert['key_offset']
    vf, vt = ks['valid_from'], ks['valid_to']
    if vf is not None:
        n = key_period_no(vf, period, offset)
        if n != ks['period_no']:
            raise MsrefError('KeyPeriodNo %d does not match ValidFrom %s (period %d, '
                             'counted from 1900-01-01 with UserKeyPeriod %d and '
                             'UserKeyOffset %d, TS 33.180)'
                             % (ks['period_no'], format_datetime(vf), n, period, offset))
        end = key_period_start(n, period, offset) + period
        if vt is not None and not vf < vt <= end:
            raise MsrefError('ValidTo %s is not after ValidFrom %s and within key '
                             'period %d (ends %s)' % (format_datetime(vt),
                                                      format_datetime(vf), n,
                                                      format_datetime(end)))
    elif vt is not None:
        raise MsrefError('ValidTo without ValidFrom')
    if cert['id_format'] == 1:
        if vf is None:
            raise MsrefError('UserIdFormat 1 needs ValidFrom: the identifier holds '
                             'its month')
        expected = rfc6509_identifier(ks['uri'], vf)
    else:
        expected = uid(ks['uri'], cert['kms_uri'], period, offset, ks['period_no'])
    if ks['user_id'] != expected:
        raise MsrefError('UserID %s is not the identifier recomputed from UserUri '
                         '(%s, format %d)' % (ks['user_id'].hex(), expected.hex(),
                                              cert['id_format']))
    eccsi_validate(cert['kpak'], ks['user_id'], ks['ssk'], ks['pvt'])
    sakke_validate_rsk(cert['z'], ks['user_id'], ks['rsk'])


# --- a development KMS, independent of mstoken-kms --------------------------

def _atomic_write(path, data, mode=0o644):
    """Temporary file in the same folder, then rename: never half-written."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix='.msref-', dir=folder)
    except OSError as exc:
        raise MsrefError('cannot write in %s: %s' % (folder, exc.strerror)) from None
    try:
        with os.fdopen(fd, 'wb') as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        os.unlink(tmp)
        raise MsrefError('cannot write %s: %s' % (path, exc.strerror)) from None


def _xml_text(value):
    return str(value).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def _xml_doc(root, attrs, fields):
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<%s xmlns="%s"%s>' % (root, KMS_NS, attrs)]
    lines += ['  <%s>%s</%s>' % (k, _xml_text(v), k) for k, v in fields]
    lines.append('</%s>' % root)
    return ('\n'.join(lines) + '\n').encode()


def certificate_xml(cert):
    return _xml_doc('KmsCertificate', ' Version="1.1.0" Role="Root"', [
        ('KmsUri', cert['kms_uri']), ('UserIdFormat', cert['id_format']),
        ('UserKeyPeriod', cert['key_period']), ('UserKeyOffset', cert['key_offset']),
        ('PubEncKey', SAKKE_CURVE.encode(cert['z']).hex().upper()),
        ('PubAuthKey', P256.encode(cert['kpak']).hex().upper())])


def kms_community(folder, kms_uri, id_format=2, key_period=2592000, key_offset=0):
    """Fresh KMS secrets (KSAK, z_T) and the matching KmsCertificate."""
    if id_format not in (1, 2):
        raise MsrefError('--user-id-format must be 1 or 2')
    if key_period <= 0 or key_offset < 0:
        raise MsrefError('--key-period must be positive and --key-offset not negative')
    if not os.path.isdir(folder):
        raise MsrefError('%s is not a folder' % folder)
    ksak = 1 + secrets.randbelow(P256_Q - 1)
    z = 2 + secrets.randbelow(SAKKE_Q - 2)
    cert = {'kms_uri': kms_uri, 'id_format': id_format, 'key_period': key_period,
            'key_offset': key_offset, 'z': SAKKE_CURVE.mul(z, SAKKE_P_POINT),
            'kpak': P256.mul(ksak, P256_G)}
    secret = {'kms_uri': kms_uri, 'user_id_format': id_format, 'key_period': key_period,
              'key_offset': key_offset, 'ksak': '%064x' % ksak, 'z': '%x' % z}
    _atomic_write(os.path.join(folder, 'kms-secrets.json'),
                  (json.dumps(secret, indent=1) + '\n').encode(), 0o600)
    _atomic_write(os.path.join(folder, 'community.xml'), certificate_xml(cert))
    return cert


def kms_issue(folder, uri, period_no=None, at=None):
    """A KmsKeySet for uri, checked with keyset_check before it is returned."""
    try:
        secret = json.loads(read_file(os.path.join(folder, 'kms-secrets.json'), 'KMS secrets'))
        ksak, z = int(secret['ksak'], 16), int(secret['z'], 16)
        cert = {'kms_uri': secret['kms_uri'], 'id_format': int(secret['user_id_format']),
                'key_period': int(secret['key_period']),
                'key_offset': int(secret['key_offset'])}
    except (ValueError, KeyError, TypeError) as exc:
        raise MsrefError('%s/kms-secrets.json is not a msref KMS secrets file (%s)'
                         % (folder, exc)) from None
    cert['z'] = SAKKE_CURVE.mul(z, SAKKE_P_POINT)
    cert['kpak'] = P256.mul(ksak, P256_G)
    period, offset = cert['key_period'], cert['key_offset']
    if period_no is None:
        at = int(time.time() if at is None else at)
        period_no = key_period_no(at, period, offset)
    start = key_period_start(period_no, period, offset)
    valid_from, valid_to = start, start + period
    if cert['id_format'] == 2:
        ident = uid(uri, cert['kms_uri'], period, offset, period_no)
    else:
        # RFC 6509 identifiers change every month: the key set is valid for
        # the part of the key period inside the month it is issued for.
        when = start if at is None else at
        valid_from = max(start, month_start(when))
        valid_to = min(valid_to, month_start(when, 1))
        ident = rfc6509_identifier(uri, valid_from)
    ssk, pvt = eccsi_issue(ksak, cert['kpak'], ident)
    ks = {'kms_uri': cert['kms_uri'], 'uri': uri, 'user_id': ident, 'period_no': period_no,
          'valid_from': valid_from, 'valid_to': valid_to,
          'rsk': sakke_issue_rsk(z, ident), 'ssk': ssk, 'pvt': pvt}
    keyset_check(cert, ks)
    return ks


def keyset_xml(ks):
    return _xml_doc('KmsKeySet', ' Version="1.1.0"', [
        ('KmsUri', ks['kms_uri']), ('UserUri', ks['uri']),
        ('UserID', ks['user_id'].hex()),
        ('ValidFrom', format_datetime(ks['valid_from'])),
        ('ValidTo', format_datetime(ks['valid_to'])),
        ('KeyPeriodNo', ks['period_no']),
        ('UserDecryptKey', SAKKE_CURVE.encode(ks['rsk']).hex().upper()),
        ('UserSigningKeySSK', i2osp(ks['ssk'], ECCSI_N).hex().upper()),
        ('UserPubTokenPVT', P256.encode(ks['pvt']).hex().upper())])


# ---------------------------------------------------------------------------
# Receiving and initiating (RFC 6509 2.2).
# ---------------------------------------------------------------------------

def _idr_text(data):
    # Some deployed implementations NUL-terminate IDR URIs.
    return data.rstrip(b'\x00').decode('utf-8', 'replace')


def responder_identifier(msg, cert, ks):
    """Identifier the SAKKE payload was made for, from IDRuidr or IDRr."""
    uidr = msg.idr(ROLE_UIDR)
    uri_r = msg.idr(ROLE_R)
    if uidr is not None:
        return uidr
    if uri_r is not None:
        kmsr = msg.idr(ROLE_KMSR, ROLE_KMS)
        return identifier_for(cert, _idr_text(uri_r), msg.unix_time(),
                              None if kmsr is None else _idr_text(kmsr))
    return ks['user_id']


def accept_imessage(cert, ks, raw, now=None, window=300, explicit=None):
    """Process one I_MESSAGE for the key set's user; raise MsrefError if refused.

    explicit: optional dict signer_id / receiver_id, for messages whose
    identities are not carried in the message (test vectors).
    Returns dict initiator, csb_id, coverage, ssv, keys, msg.
    """
    msg = parse_imessage(raw)
    t = msg.unix_time()
    if t is None:
        raise MsrefError('T payload is a COUNTER; RFC 6509 2.2.1 needs NTP time')
    if window:
        now = time.time() if now is None else now
        if abs(t - now) > window:
            raise MsrefError('outside the window: message time %s, now %s, window %d s'
                             % (format_datetime(t), format_datetime(int(now)), window))
    explicit = explicit or {}
    kmsi = msg.idr(ROLE_KMSI, ROLE_KMS)
    if kmsi is not None and _idr_text(kmsi) != cert['kms_uri'] and 'signer_id' not in explicit:
        raise MsrefError('unknown signer: initiator KMS %s is not the community KMS %s'
                         % (_idr_text(kmsi), cert['kms_uri']))
    uidi, uri_i = msg.idr(ROLE_UIDI), msg.idr(ROLE_I)
    initiator = None
    if 'signer_id' in explicit:
        signer = explicit['signer_id']
    elif uri_i is not None:
        initiator = _idr_text(uri_i)
        signer = identifier_for(cert, initiator, t)
        if uidi is not None and uidi != signer:
            raise MsrefError('unknown signer: IDRuidi %s is not the identifier of IDRi %s '
                             'at the message time (%s)' % (uidi.hex(), initiator,
                                                           signer.hex()))
    elif uidi is not None:
        signer = uidi
    else:
        raise MsrefError('unknown signer: no IDRi or IDRuidi in the I_MESSAGE')
    coverage = verify_imessage_signature(msg, cert['kpak'], signer)
    uri_r = msg.idr(ROLE_R)
    if uri_r is not None and 'receiver_id' not in explicit and _idr_text(uri_r) != ks['uri']:
        raise MsrefError('not for this user: IDRr is %s, the key set is for %s'
                         % (_idr_text(uri_r), ks['uri']))
    receiver = explicit.get('receiver_id') or responder_identifier(msg, cert, ks)
    if receiver != ks['user_id']:
        raise MsrefError('not for this user: responder identifier %s is not the key '
                         'set UserID %s' % (receiver.hex(), ks['user_id'].hex()))
    if msg.sakke['params'] != 1:
        raise MsrefError('cannot decapsulate: SAKKE params %d (only parameter set 1)'
                         % msg.sakke['params'])
    try:
        ssv = sakke_decapsulate(cert['z'], receiver, ks['rsk'], msg.sakke['data'])
    except MsrefError as exc:
        raise MsrefError('cannot decapsulate: %s' % exc) from None
    return {'initiator': initiator or signer.hex(), 'csb_id': msg.csb_id,
            'coverage': coverage, 'ssv': ssv, 'keys': srtp_keys(msg, ssv), 'msg': msg}


def pick_addressed(cert, ks, candidates):
    """From the I_MESSAGEs of an offer, the one addressed to the key set."""
    if len(candidates) == 1:
        return candidates[0]
    for raw in candidates:
        try:
            msg = parse_imessage(raw)
            if msg.unix_time() is not None and responder_identifier(msg, cert, ks) == ks['user_id']:
                return raw
        except MsrefError:
            continue
    raise MsrefError('not for this user: none of the %d I_MESSAGEs is addressed to %s'
                     % (len(candidates), ks['uri']))


def create_imessages(cert, ks, to_cert, to_uris, prf=None, suite=None, now=None):
    """Group-capable initiation: one I_MESSAGE per recipient, same SSV.

    Returns (list of I_MESSAGE bytes, [(cs_id, key, salt)]).
    """
    t = time.time() if now is None else now
    me = identifier_for(cert, ks['uri'], t)
    if me != ks['user_id']:
        raise MsrefError('the key set (KeyPeriodNo %d) is not for the message time %s'
                         % (ks['period_no'], format_datetime(int(t))))
    prf = (1 if cert['id_format'] == 2 else 0) if prf is None else prf
    suite = suite or ('aes-gcm' if to_cert['id_format'] == 2 else 'aes-cm')
    if prf not in PRF_HASHES:
        raise MsrefError('--prf must be 0 or 1')
    ssv = secrets.token_bytes(SAKKE_N // 8)
    csb_id = secrets.token_bytes(4)
    rand = secrets.token_bytes(16)
    sign_key = {'kpak': cert['kpak'], 'ssk': ks['ssk'], 'pvt': ks['pvt'], 'id': me,
                'uri': ks['uri'], 'kms_uri': cert['kms_uri'], 'format': cert['id_format']}
    out = []
    for uri in to_uris:
        recipient = {'z': to_cert['z'], 'uri': uri, 'kms_uri': to_cert['kms_uri'],
                     'id': identifier_for(to_cert, uri, t), 'format': to_cert['id_format']}
        out.append(build_imessage(sign_key, recipient, csb_id, rand, t, prf, suite, ssv))
    keys = srtp_keys(parse_imessage(out[0]), ssv)
    return out, keys


def sdp_offer(messages):
    """An SDP offer (RFC 4566/4567) with one a=key-mgmt line per I_MESSAGE."""
    lines = ['v=0', 'o=- %d 1 IN IP4 127.0.0.1' % secrets.randbelow(1 << 31),
             's=msref', 'c=IN IP4 127.0.0.1', 't=0 0']
    lines += ['a=key-mgmt:mikey ' + base64.b64encode(m).decode() for m in messages]
    lines += ['m=audio 49170 RTP/SAVP 0']
    return '\r\n'.join(lines) + '\r\n'


# ---------------------------------------------------------------------------
# Command line (the contract other parts' shell tests rely on).
# ---------------------------------------------------------------------------

def _hex_arg(text, what):
    return unhex(text, what)


def cmd_keyset_check(a):
    keyset_check(load_certificate(a.cert), load_keyset(a.keyset))
    print('ok')


def cmd_eccsi_verify(a):
    kpak = P256.decode(_hex_arg(a.kpak, '--kpak'), '--kpak')
    ok, reason, _ = eccsi_verify_detail(kpak, _hex_arg(a.id, '--id'),
                                        read_file(a.msg, 'message'),
                                        read_file(a.sig, 'signature'))
    if not ok:
        raise MsrefError('bad signature: ' + reason)
    print('ok')


def cmd_eccsi_sign(a):
    kpak = P256.decode(_hex_arg(a.kpak, '--kpak'), '--kpak')
    pvt = P256.decode(_hex_arg(a.pvt, '--pvt'), '--pvt')
    ssk = os2ip(_hex_arg(a.ssk, '--ssk'))
    ident = _hex_arg(a.id, '--id')
    eccsi_validate(kpak, ident, ssk, pvt)
    _atomic_write(a.out, eccsi_sign(kpak, ident, ssk, pvt, read_file(a.msg, 'message')))


def cmd_sakke_encap(a):
    z = sakke_point(_hex_arg(a.z, '--z'), '--z')
    ssv = None if a.ssv is None else _hex_arg(a.ssv, '--ssv')
    data, ssv = sakke_encapsulate(z, _hex_arg(a.id, '--id'), ssv)
    _atomic_write(a.out, data)
    print(ssv.hex())


def cmd_sakke_decap(a):
    z = sakke_point(_hex_arg(a.z, '--z'), '--z')
    rsk = sakke_point(_hex_arg(a.rsk, '--rsk'), '--rsk')
    print(sakke_decapsulate(z, _hex_arg(a.id, '--id'), rsk, read_file(a.infile, 'input')).hex())


def cmd_kms_community(a):
    kms_community(a.dir, a.kms_uri, a.user_id_format, a.key_period, a.key_offset)


def cmd_kms_issue(a):
    ks = kms_issue(a.dir, a.uri, a.period_no, a.at)
    _atomic_write(a.out, keyset_xml(ks))


def cmd_imessage_accept(a):
    cert, ks = load_certificate(a.cert), load_keyset(a.keyset)
    text = read_file(a.infile, 'input').decode('ascii', 'replace')
    raw = pick_addressed(cert, ks, decode_text_imessages(text))
    res = accept_imessage(cert, ks, raw, a.now, a.window)
    print('initiator=%s csb-id=%s' % (res['initiator'], res['csb_id'].hex()))
    for cs_id, key, salt in res['keys']:
        print('cs=%d srtp-master-key=%s srtp-master-salt=%s' % (cs_id, key.hex(), salt.hex()))


def cmd_imessage_create(a):
    cert, ks = load_certificate(a.cert), load_keyset(a.keyset)
    msgs, keys = create_imessages(cert, ks, load_certificate(a.to_cert), a.to, a.prf,
                                  a.srtp, a.now)
    if a.format == 'sdp':
        sys.stdout.write(sdp_offer(msgs))
    else:
        for m in msgs:
            print(base64.b64encode(m).decode())
    if a.show_keys:
        for cs_id, key, salt in keys:
            print('cs=%d srtp-master-key=%s srtp-master-salt=%s' % (cs_id, key.hex(), salt.hex()))


def build_parser():
    ap = argparse.ArgumentParser(prog='msref.py', description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='command', required=True)

    def add(name, func, *args):
        p = sub.add_parser(name)
        for spec in args:
            flag, kw = spec[0], dict(spec[1]) if len(spec) > 1 else {}
            kw.setdefault('required', not kw.get('action') and 'default' not in kw
                          and kw.get('nargs') is None)
            p.add_argument(flag, **kw)
        p.set_defaults(func=func)

    add('keyset-check', cmd_keyset_check, ('--cert',), ('--keyset',))
    add('eccsi-verify', cmd_eccsi_verify, ('--kpak',), ('--id',), ('--msg',), ('--sig',))
    add('eccsi-sign', cmd_eccsi_sign, ('--kpak',), ('--id',), ('--ssk',), ('--pvt',),
        ('--msg',), ('--out',))
    add('sakke-encap', cmd_sakke_encap, ('--z',), ('--id',), ('--ssv', {'default': None}),
        ('--out',))
    add('sakke-decap', cmd_sakke_decap, ('--z',), ('--id',), ('--rsk',),
        ('--in', {'dest': 'infile'}))
    add('kms-community', cmd_kms_community, ('--dir',), ('--kms-uri',),
        ('--user-id-format', {'type': int, 'default': 2, 'choices': (1, 2)}),
        ('--key-period', {'type': int, 'default': 2592000}),
        ('--key-offset', {'type': int, 'default': 0}))
    add('kms-issue', cmd_kms_issue, ('--dir',), ('--uri',),
        ('--period-no', {'type': int, 'default': None}),
        ('--at', {'type': int, 'default': None}), ('--out',))
    add('imessage-accept', cmd_imessage_accept, ('--cert',), ('--keyset',),
        ('--in', {'dest': 'infile'}), ('--now', {'type': float, 'default': None}),
        ('--window', {'type': int, 'default': 300}))
    add('imessage-create', cmd_imessage_create, ('--cert',), ('--keyset',), ('--to-cert',),
        ('--to', {'action': 'append', 'required': True}),
        ('--prf', {'type': int, 'default': None, 'choices': (0, 1)}),
        ('--srtp', {'default': None, 'choices': ('aes-cm', 'aes-gcm')}),
        ('--format', {'default': 'base64', 'choices': ('base64', 'sdp')}),
        ('--show-keys', {'action': 'store_true'}),
        ('--now', {'type': float, 'default': None}))
    return ap


def main(argv=None):
    args = build_parser().parse_args(argv)
    if getattr(args, 'period_no', None) is not None and getattr(args, 'at', None) is not None:
        print('msref: give --period-no or --at, not both', file=sys.stderr)
        return 2
    try:
        args.func(args)
    except MsrefError as exc:
        print('msref: %s' % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
