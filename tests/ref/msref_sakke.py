"""msref: SAKKE (RFC 6508) with parameter set 1 of RFC 6509 Appendix A."""

import secrets

from msref_common import Curve, MsrefError, i2osp, os2ip, sha256


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
        c_pt = curve.jdouble(c_pt)
        if bit == '1':
            x, y, z = c_pt
            z2 = z * z % p
            z3 = z2 * z % p
            dx = (x - rx * z2) % p
            line = (((y - ry * z3) * (qx * z2 + x) - y * dx) % p,
                    qy * z3 * dx % p)
            v = fp2_mul(v, line)
            c_pt = curve.jadd_affine(c_pt, r_pt)
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
