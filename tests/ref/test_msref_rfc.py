#!/usr/bin/env python3
"""msref self-tests: RFC 6507 and RFC 6508 Appendix A (every value), identifiers (RFC 6509, TS 33.180
UID vectors), GUK-ID/DPCK and the MIKEY PRF vectors."""

import os
import re
import unittest

from msref_testdata import (m, ECCSI_HE, ECCSI_HS, ECCSI_ID, ECCSI_J, ECCSI_JPT, ECCSI_KPAK,
                            ECCSI_KSAK, ECCSI_M, ECCSI_PVT, ECCSI_R, ECCSI_S, ECCSI_SIG,
                            ECCSI_SSK, ECCSI_V, ECCSI_Y, H2IR_A, H2IR_H, H2IR_M, H2IR_V,
                            INTEROP, RFC_RSK, RFC_Z, SAKKE_B, SAKKE_GR, SAKKE_H, SAKKE_MASK,
                            SAKKE_R, SAKKE_RBX, SAKKE_RBY, SAKKE_SSV, SAKKE_Z_SECRET, VECTORS,
                            flip)


class TestEccsiRfc6507(unittest.TestCase):
    def test_appendix_a_every_value(self):
        kpak = m.P256.mul(ECCSI_KSAK, m.P256_G)
        self.assertEqual(m.P256.encode(kpak), ECCSI_KPAK)
        ssk, pvt = m.eccsi_issue(ECCSI_KSAK, kpak, ECCSI_ID, v=ECCSI_V)
        self.assertEqual(m.P256.encode(pvt), ECCSI_PVT)
        self.assertEqual(m.eccsi_hs(kpak, ECCSI_ID, pvt), ECCSI_HS)
        self.assertEqual(ssk, ECCSI_SSK)
        self.assertEqual(m.eccsi_validate(kpak, ECCSI_ID, ssk, pvt), ECCSI_HS)
        d = m.eccsi_sign_detail(kpak, ECCSI_ID, ssk, pvt, ECCSI_M, j=ECCSI_J)
        self.assertEqual(m.P256.encode(d['J']), ECCSI_JPT)
        self.assertEqual(d['r'], ECCSI_R)
        self.assertEqual(d['HE'], ECCSI_HE)
        self.assertEqual(d["s'"], ECCSI_S)
        self.assertEqual(d['s'], ECCSI_S)
        self.assertEqual(d['sig'], ECCSI_SIG)
        ok, _, v = m.eccsi_verify_detail(kpak, ECCSI_ID, ECCSI_M, ECCSI_SIG)
        self.assertTrue(ok)
        self.assertEqual(m.P256.encode(v['Y']), ECCSI_Y)
        self.assertEqual(v['HE'], ECCSI_HE)
        self.assertEqual(v['J'][0], ECCSI_R)

    def test_random_signature_verifies(self):
        kpak = m.P256.decode(ECCSI_KPAK, 'kpak')
        pvt = m.P256.decode(ECCSI_PVT, 'pvt')
        sig = m.eccsi_sign(kpak, ECCSI_ID, ECCSI_SSK, pvt, b'another message')
        self.assertTrue(m.eccsi_verify(kpak, ECCSI_ID, b'another message', sig))

    def test_flipped_bits_refused(self):
        kpak = m.P256.decode(ECCSI_KPAK, 'kpak')
        for where in (0, 31, 32, 63, 64, 100, 128):      # r, s, PVT (prefix and x/y)
            for bit in (0, 7):
                self.assertFalse(m.eccsi_verify(kpak, ECCSI_ID, ECCSI_M,
                                                flip(ECCSI_SIG, where, bit)), (where, bit))
        self.assertFalse(m.eccsi_verify(kpak, ECCSI_ID, flip(ECCSI_M, 0), ECCSI_SIG))
        self.assertFalse(m.eccsi_verify(kpak, flip(ECCSI_ID, 3), ECCSI_M, ECCSI_SIG))
        self.assertFalse(m.eccsi_verify(kpak, ECCSI_ID, ECCSI_M, ECCSI_SIG[:-1]))
        zero_r = bytes(32) + ECCSI_SIG[32:]
        self.assertFalse(m.eccsi_verify(kpak, ECCSI_ID, ECCSI_M, zero_r))

    def test_bad_keys_refused(self):
        kpak = m.P256.decode(ECCSI_KPAK, 'kpak')
        pvt = m.P256.decode(ECCSI_PVT, 'pvt')
        with self.assertRaisesRegex(m.MsrefError, '5.1.2'):
            m.eccsi_validate(kpak, ECCSI_ID, ECCSI_SSK + 1, pvt)
        with self.assertRaisesRegex(m.MsrefError, '5.1.2'):
            m.eccsi_validate(kpak, b'2011-03\x00tel:+447700900123\x00', ECCSI_SSK, pvt)
        with self.assertRaisesRegex(m.MsrefError, 'not on the P-256 curve'):
            m.P256.decode(flip(ECCSI_PVT, 64), 'PVT')
        with self.assertRaisesRegex(m.MsrefError, 'range'):
            m.eccsi_validate(kpak, ECCSI_ID, 0, pvt)
        with self.assertRaisesRegex(m.MsrefError, 'uncompressed'):
            m.P256.decode(b'\x02' + ECCSI_PVT[1:33], 'PVT')


class TestSakkeRfc6508(unittest.TestCase):
    def test_parameters_and_g(self):
        self.assertEqual(SAKKE_R.bit_length() <= m.SAKKE_Q.bit_length(), True)
        self.assertEqual((m.SAKKE_P + 1) % m.SAKKE_Q, 0)
        self.assertEqual(m.SAKKE_P % 4, 3)
        self.assertTrue(m.SAKKE_CURVE.on_curve(m.SAKKE_P_POINT))
        self.assertEqual(m.pairing(m.SAKKE_P_POINT, m.SAKKE_P_POINT), m.SAKKE_G)

    def test_hash_to_integer_range_example(self):
        trace = {}
        self.assertEqual(m.hash_to_integer_range(H2IR_M, m.SAKKE_Q, trace), SAKKE_R)
        self.assertEqual(trace['A'], H2IR_A)
        self.assertEqual(trace['h'], H2IR_H)
        self.assertEqual(trace['v'], H2IR_V)

    def test_appendix_a_every_value(self):
        z_pt = m.SAKKE_CURVE.mul(SAKKE_Z_SECRET, m.SAKKE_P_POINT)
        self.assertEqual(z_pt, RFC_Z)
        d = m.sakke_encapsulate_detail(z_pt, SAKKE_B, SAKKE_SSV)
        self.assertEqual(d['r'], SAKKE_R)
        self.assertEqual(d['R'], (SAKKE_RBX, SAKKE_RBY))
        self.assertEqual(d['g^r'], SAKKE_GR)
        self.assertEqual(d['mask'], SAKKE_MASK)
        self.assertEqual(d['H'], SAKKE_H)
        self.assertEqual(len(d['data']), 273)
        rsk = m.sakke_issue_rsk(SAKKE_Z_SECRET, SAKKE_B)
        self.assertEqual(rsk, RFC_RSK)
        m.sakke_validate_rsk(z_pt, SAKKE_B, rsk)
        dd = m.sakke_decapsulate_detail(z_pt, SAKKE_B, rsk, d['data'])
        self.assertEqual(dd['w'], SAKKE_GR)
        self.assertEqual(dd['mask'], SAKKE_MASK)
        self.assertEqual(dd['ssv'], SAKKE_SSV)
        self.assertEqual(dd['r'], SAKKE_R)
        self.assertEqual(dd['TEST'], (SAKKE_RBX, SAKKE_RBY))

    def test_flipped_bits_refused(self):
        data, _ = m.sakke_encapsulate(RFC_Z, SAKKE_B, SAKKE_SSV)
        for where, what in ((1, 'not on the SAKKE curve'), (200, 'not on the SAKKE curve'),
                            (257, 'TEST != R'), (272, 'TEST != R')):
            with self.assertRaisesRegex(m.MsrefError, what):
                m.sakke_decapsulate(RFC_Z, SAKKE_B, RFC_RSK, flip(data, where))
        with self.assertRaisesRegex(m.MsrefError, 'TEST != R'):
            m.sakke_decapsulate(RFC_Z, flip(SAKKE_B, 2), RFC_RSK, data)
        with self.assertRaisesRegex(m.MsrefError, '273'):
            m.sakke_decapsulate(RFC_Z, SAKKE_B, RFC_RSK, data[:-1])

    def test_bad_rsk_refused(self):
        wrong = m.SAKKE_CURVE.add(RFC_RSK, m.SAKKE_P_POINT)
        with self.assertRaisesRegex(m.MsrefError, '6.1.2'):
            m.sakke_validate_rsk(RFC_Z, SAKKE_B, wrong)
        with self.assertRaisesRegex(m.MsrefError, '6.1.2'):
            m.sakke_validate_rsk(RFC_Z, flip(SAKKE_B, 0), RFC_RSK)
        off = m.SAKKE_CURVE.encode(RFC_RSK)
        with self.assertRaisesRegex(m.MsrefError, 'not on the SAKKE curve'):
            m.sakke_point(flip(off, 100), 'RSK')


class TestIdentifiers(unittest.TestCase):
    def test_streamwide_uid_vectors(self):
        """The five UID tests of tests/vectors/streamwide-test-vectors.md."""
        with open(os.path.join(VECTORS, 'streamwide-test-vectors.md')) as fh:
            text = fh.read()
        cases = re.findall(r'uri:\s+(\S+)\s+kms_uri:\s+(\S+)\s+key_period:\s+(\d+)\s+'
                           r'key_period_offset:\s+(\d+)\s+current_key_period_no :\s+(\d+)\s+'
                           r'generated uid ([0-9a-f]{64})', text)
        self.assertEqual(len(cases), 5)
        for uri, kms, period, offset, number, expected in cases:
            self.assertEqual(m.uid(uri, kms, int(period), int(offset), int(number)).hex(),
                             expected)

    def test_streamwide_key_set_user_ids(self):
        with open(os.path.join(VECTORS, 'streamwide-test-vectors.md')) as fh:
            text = fh.read()
        users = re.findall(r'UserUri\s+: (\S+)\s+\* UserID\s+: ([0-9a-f]{64})', text)
        self.assertEqual(len(users), 4)
        for uri, user_id in users:
            self.assertEqual(m.uid(uri, 'kms.mydev.streamwide.com', 16777215, 0, 236).hex(),
                             user_id)

    def test_interop_uid_params(self):
        count = 0
        for block in INTEROP.values():
            for user in (block.get('users') or {}).values() if isinstance(block, dict) else ():
                p = user.get('uid_params')
                if p and 'uri' in user:
                    self.assertEqual(m.uid(user['uri'], p['kms_uri'], p['key_period'],
                                           p['key_offset'], p['key_period_no']).hex(),
                                     user['uid'])
                    count += 1
        self.assertGreaterEqual(count, 20)

    def test_rfc6509_identifier(self):
        t = m.parse_datetime('2011-02-14T10:00:00Z', 't')
        self.assertEqual(m.rfc6509_identifier('tel:+447700900123', t), ECCSI_ID)

    def test_key_period_counts_from_1900(self):
        # T of the thales message: NTP 0xe43d14c0 lies in period 1477 of 30 days.
        unix = 0xe43d14c0 - m.NTP_UNIX_DELTA
        self.assertEqual(m.key_period_no(unix, 2592000, 0), 1477)
        start = m.key_period_start(1477, 2592000, 0)
        self.assertEqual(m.key_period_no(start, 2592000, 0), 1477)
        self.assertEqual(m.key_period_no(start - 1, 2592000, 0), 1476)

    def test_guk_id_and_dpck(self):
        for v in INTEROP['guk_id']['vectors']:
            self.assertEqual(m.guk_id(bytes.fromhex(v['gmk']), bytes.fromhex(v['gmk_id']),
                                      v['uri']).hex(), v['expected_guk_id'])
        for v in INTEROP['dpck_kdf']['vectors']:
            self.assertEqual(m.dpck(bytes.fromhex(v['gmk']), bytes.fromhex(v['dppk_id'])).hex(),
                             v['expected_dpck'])


class TestPrf(unittest.TestCase):
    def test_prf_vectors(self):
        count = 0
        for name in ('prf_hmac_sha256', 'etherstack_kdf', 'eazon_kdf'):
            for v in INTEROP[name]['vectors']:
                out = b''.join(m.derive_key(1, bytes.fromhex(v['ssv']), kind, v['cs_id'],
                                            bytes.fromhex(v['csb_id']),
                                            bytes.fromhex(v['rand']), bits)
                               for kind, bits in v['derive'])
                self.assertEqual(out.hex(), v['expected'], (name, v))
                count += 1
        self.assertEqual(count, 11)

    def test_prf_structure(self):
        # Longer outputs extend shorter ones (P-function chaining), both PRFs;
        # a 64-octet TGK is split in two 256-bit blocks whose outputs XOR.
        for prf in (0, 1):
            short = m.mikey_prf(prf, b'k' * 16, b'label', 128)
            self.assertEqual(m.mikey_prf(prf, b'k' * 16, b'label', 600)[:16], short)
        a = m.mikey_prf(0, b'a' * 32, b'l', 160)
        b = m.mikey_prf(0, b'b' * 32, b'l', 160)
        both = m.mikey_prf(0, b'a' * 32 + b'b' * 32, b'l', 160)
        self.assertEqual(both, bytes(x ^ y for x, y in zip(a, b)))
        with self.assertRaisesRegex(m.MsrefError, 'PRF func 2'):
            m.mikey_prf(2, b'k', b'l', 128)


if __name__ == '__main__':
    unittest.main(verbosity=2)
