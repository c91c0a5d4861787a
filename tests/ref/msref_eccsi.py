"""ECCSI (RFC 6507) on NIST P-256 with SHA-256, as RFC 6509 2.1.1 requires."""

import secrets

from msref_common import Curve, MsrefError, i2osp, os2ip, sha256


P256_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
P256_Q = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
          0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)
ECCSI_N = 32    # N = Ceiling(n/8) octets


P256 = Curve(P256_P, P256_B, P256_Q, 'P-256')


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
