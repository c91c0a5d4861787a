"""msref: MIKEY PRF and key derivation (RFC 3830 4.1.2-4.1.3, RFC 6043 6.1)."""

import hashlib
import hmac

from msref_common import MsrefError


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
