"""msref common pieces: the refusal type, octet-string conversions (RFC 6507
3.2, RFC 6508 4) and short Weierstrass curves with a = -3, shared by the
ECCSI curve (P-256) and the SAKKE curve (y^2 = x^3 - 3x)."""

import hashlib
import re


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


def sha256(data):
    return hashlib.sha256(data).digest()


class Curve:
    """Short Weierstrass curve y^2 = x^3 - 3x + b over F_p.

    Points are affine tuples (x, y) at the interface; jdouble / jadd_affine
    work on Jacobian triples (X, Y, Z) for scalar multiplication and the
    pairing.

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
            acc = self.jdouble(acc)
            if bit == '1':
                acc = self.jadd_affine(acc, pt)
        return self.to_affine(acc)

    def jdouble(self, a):
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

    def jadd_affine(self, a, b):
        """Jacobian a plus affine b."""
        if a is None:
            return (b[0], b[1], 1)
        p = self.p
        x1, y1, z1 = a
        z1z1 = z1 * z1 % p
        h = (b[0] * z1z1 - x1) % p
        r = (b[1] * z1 * z1z1 - y1) % p
        if h == 0:
            return self.jdouble(a) if r == 0 else None
        hh = h * h % p
        hhh = h * hh % p
        v = x1 * hh % p
        x3 = (r * r - hhh - 2 * v) % p
        y3 = (r * (v - x3) - y1 * hhh) % p
        return (x3, y3, z1 * h % p)

    def to_affine(self, a):
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
