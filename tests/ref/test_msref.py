#!/usr/bin/env python3
"""Self-tests of msref: RFC vectors, vendor interop data, KMS round trips,
I_MESSAGE round trips and refusals.

The RFC values are written here from RFC 6507 / 6508 / 6509 Appendix A; the
interop data is read from the repository copy in tests/vectors/.
"""

import base64
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import msref as m  # noqa: E402

VECTORS = os.path.join(HERE, '..', 'vectors')
MSREF = os.path.join(HERE, 'msref.py')


def h(text):
    """Hex from the RFC layout (spaces, line breaks) to an integer."""
    return int(re.sub(r'\s+', '', text), 16)


def hb(text):
    return bytes.fromhex(re.sub(r'\s+', '', text))


def load_json():
    with open(os.path.join(VECTORS, 'interop_vectors.json')) as fh:
        return json.load(fh)


INTEROP = load_json()


# --- RFC 6507 Appendix A ----------------------------------------------------

ECCSI_KSAK = 0x12345
ECCSI_KPAK = hb('04 50D4670B DE75244F 28D2838A 0D25558A 7A72686D 4522D4C8 273FB644 2AEBFA93'
                '   DBDD3755 1AFD263B 5DFD617F 3960C65A 8C298850 FF99F203 66DCE7D4 367217F4')
ECCSI_ID = b'2011-02\x00tel:+447700900123\x00'
ECCSI_V = 0x23456
ECCSI_PVT = hb('04 758A1427 79BE89E8 29E71984 CB40EF75 8CC4AD77 5FC5B9A3 E1C8ED52 F6FA36D9'
               '   A79D2476 92F4EDA3 A6BDAB77 D6AA6474 A464AE49 34663C52 65BA7018 BA091F79')
ECCSI_HS = h('490F3FEB BC1C902F 6289723D 7F8CBF79 DB889308 49D19F38 F0295B5C 276C14D1')
ECCSI_SSK = h('23F374AE 1F4033F3 E9DBDDAA EF20F4CF 0B86BBD5 A138A5AE 9E7E006B 34489A0D')
ECCSI_M = b'message\x00'
ECCSI_J = 0x34567
ECCSI_JPT = hb('04 269D4C8F DEB66A74 E4EF8C0D 5DCC597D DFE6029C 2AFFC493 6008CD2C C1045D81'
               '   6DDA6A13 10F4B067 BD5DABDA D741B7CE F36457E1 96B1BFA9 7FD5F8FB B3926ADB')
ECCSI_R = h('269D4C8F DEB66A74 E4EF8C0D 5DCC597D DFE6029C 2AFFC493 6008CD2C C1045D81')
ECCSI_HE = h('111F90EA E8271C96 DF9B3D67 26768D9E E9B18145 D7EC152C FA9C23D1 C4F02285')
ECCSI_S = h('E09B528D 0EF8D6DF 1AA3ECBF 80110CFC EC9FC682 52CEBB67 9F413484 6940CCFD')
ECCSI_SIG = hb('269D4C8F DEB66A74 E4EF8C0D 5DCC597D DFE6029C 2AFFC493 6008CD2C C1045D81'
               'E09B528D 0EF8D6DF 1AA3ECBF 80110CFC EC9FC682 52CEBB67 9F413484 6940CCFD 04'
               '758A1427 79BE89E8 29E71984 CB40EF75 8CC4AD77 5FC5B9A3 E1C8ED52 F6FA36D9'
               'A79D2476 92F4EDA3 A6BDAB77 D6AA6474 A464AE49 34663C52 65BA7018 BA091F79')
ECCSI_Y = hb('04 833898D9 39C0013B B0502728 6F95CCE0 37C11BD2 5799423C 76E48362 A4959978'
             '   95D0473A 1CD6186E E9F0C104 B472499E 1A24D6CE 3D85173F 02EBBD94 5C25F604')

# --- RFC 6508 Appendix A ----------------------------------------------------

SAKKE_Z_SECRET = h('AFF429D3 5F84B110 D094803B 3595A6E2 998BC99F')
SAKKE_ZX = h('''5958EF1B 1679BF09 9B3A030D F255AA6A 23C1D8F1 43D4D23F 753E69BD 27A832F3
    8CB4AD53 DDEF4260 B0FE8BB4 5C4C1FF5 10EFFE30 0367A37B 61F701D9 14AEF097
    24825FA0 707D61A6 DFF4FBD7 273566CD DE352A0B 04B7C16A 78309BE6 40697DE7
    47613A5F C195E8B9 F328852A 579DB8F9 9B1D0034 479EA9C5 595F47C4 B2F54FF2''')
SAKKE_ZY = h('''1508D375 14DCF7A8 E143A605 8C09A6BF 2C9858CA 37C25806 5AE6BF75 32BC8B5B
    63383866 E0753C5A C0E72709 F8445F2E 6178E065 857E0EDA 10F68206 B63505ED
    87E534FB 2831FF95 7FB7DC61 9DAE6130 1EEACC2F DA3680EA 4999258A 833CEA8F
    C67C6D19 487FB449 059F26CC 8AAB655A B58B7CC7 96E24E9A 39409575 4F5F8BAE''')
SAKKE_B = hb('3230 31312D30 32007465 6C3A2B34 34373730 30393030 31323300')
SAKKE_SSV = hb('12345678 9ABCDEF0 12345678 9ABCDEF0')
SAKKE_R = h('''13EE3E1B 8DAC5DB1 68B1CEB3 2F0566A4 C273693F 78BAFFA2 A2EE6A68 6E6BD90F
    8206CCAB 84E7F42E D39BD4FB 131012EC CA2ECD21 19414560 C17CAB46 B956A80F
    58A3302E B3E2C9A2 28FBA7ED 34D8ACA2 392DA1FF B0B17B23 20AE09AA EDFD0235
    F6FE0EB6 5337A63F 9CC97728 B8E5AD04 60FADE14 4369AA5B 21662132 47712096''')
SAKKE_RBX = h('''44E8AD44 AB8592A6 A5A3DDCA 5CF896C7 18043606 A01D650D EF37A01F 37C228C3
    32FC3173 54E2C274 D4DAF8AD 001054C7 6CE57971 C6F4486D 57230432 61C506EB
    F5BE438F 53DE04F0 67C776E0 DD3B71A6 29013328 3725A532 F21AF145 126DC1D7
    77ECC27B E50835BD 28098B8A 73D9F801 D893793A 41FF5C49 B87E79F2 BE4D56CE''')
SAKKE_RBY = h('''557E134A D85BB1D4 B9CE4F8B E4B08A12 BABF55B1 D6F1D7A6 38019EA2 8E15AB1C
    9F76375F DD1210D4 F4351B9A 009486B7 F3ED46C9 65DED2D8 0DADE4F3 8C6721D5
    2C3AD103 A10EBD29 59248B4E F006836B F097448E 6107C9ED EE9FB704 823DF199
    F832C905 AE45F8A2 47A072D8 EF729EAB C5E27574 B07739B3 4BE74A53 2F747B86''')
SAKKE_GR = h('''7D2A8438 E6291C64 9B6579EB 3B79EAE9 48B1DE9E 5F7D1F40 70A08F8D B6B3C515
    6F2201AF FBB5CB9D 82AA3EC0 D0398B89 ABC78A13 A760C0BF 3F77E63D 0DF3F1A3
    41A41B88 11DF197F D6CD0F00 3125606F 4F109F40 0F7292A1 0D255E3C 0EBCCB42
    53FB182C 68F09CF6 CD9C4A53 DA6C74AD 007AF36B 8BCA979D 5895E282 F483FCD6''')
SAKKE_MASK = h('9BD4EA1E 801D37E6 2AD2FAB0 D4F5BBF7')
SAKKE_H = h('89E0BC66 1AA1E916 38E6ACC8 4E496507')
SAKKE_KBX = h('''93AF67E5 007BA6E6 A80DA793 DA300FA4 B52D0A74 E25E6E7B 2B3D6EE9 D18A9B5C
    5023597B D82D8062 D3401956 3BA1D25C 0DC56B7B 979D74AA 50F29FBF 11CC2C93
    F5DFCA61 5E609279 F6175CEA DB00B58C 6BEE1E7A 2A47C4F0 C456F052 59A6FA94
    A634A40D AE1DF593 D4FECF68 8D5FC678 BE7EFC6D F3D68353 25B83B2C 6E69036B''')
SAKKE_KBY = h('''155F0A27 241094B0 4BFB0BDF AC6C670A 65C325D3 9A069F03 659D44CA 27D3BE8D
    F311172B 55416018 1CBE94A2 A783320C ED590BC4 2644702C F371271E 496BF20F
    588B78A1 BC01ECBB 6559934B DD2FB65D 2884318A 33D1A42A DF5E33CC 5800280B
    28356497 F87135BA B9612A17 26042440 9AC15FEE 996B744C 33215123 5DECB0F5''')
H2IR_M = hb('''12345678 9ABCDEF0 12345678 9ABCDEF0 32303131 2D303200 74656C3A 2B343437
    37303039 30303132 3300''')
H2IR_A = hb('E04D4EF6 9DF86893 22B39AE3 80284617 4A93BEDB 1E3D2A2C 5F2C7EA0 05513EBA')
H2IR_H = [hb('66687AAD F862BD77 6C8FC18B 8E9F8E20 08971485 6EE233B3 902A591D 0D5F2925'),
          hb('2B32DB6C 2C0A6235 FB1397E8 225EA85E 0F0E6E8C 7B126D00 16CCBDE0 E667151E'),
          hb('12771355 E46CD47C 71ED1721 FD5319B3 83CCA3A1 F9FCE3AA 1C8CD3BD 37AF20D7'),
          hb('FE15C0D3 EBE314FA D720A08B 839A004C 2E6386F5 AECC19EC 74807D19 20CB6AEB')]
H2IR_V = [hb('FA2656CA 1D2DBD79 015AE918 773DFEDC 24957C91 E3C9C335 40D6BF6D 7C3C0055'),
          hb('F016CD67 59620AD7 87669E3A DD887DF6 25895A91 0CEE1486 91A06735 B2F0A248'),
          hb('AC45C6F9 7F83BCE0 A2BBD0A1 4CF4D7F4 CB3590FB FAF93AE7 1C64E426 185710B5'),
          hb('E65D50BD 551A54EF 981F535E 072DE98D 2223ACAD 4621E026 3B0A61EA C56DB078')]

RFC_Z = (SAKKE_ZX, SAKKE_ZY)
RFC_RSK = (SAKKE_KBX, SAKKE_KBY)


def scratch(test):
    """A temporary folder removed when the test ends."""
    d = tempfile.mkdtemp(prefix='msref-test-')
    test.addCleanup(shutil.rmtree, d, True)
    return d


def tearDownModule():
    for d, _, _ in KmsFixture.cache.values():
        shutil.rmtree(d, True)


def flip(data, index, bit=0):
    out = bytearray(data)
    out[index] ^= 1 << bit
    return bytes(out)


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


def interop_messages():
    """(block name, block, message) for every verified I_MESSAGE."""
    for name, block in INTEROP.items():
        if name == 'unverified' or not isinstance(block, dict):
            continue
        for msg in block.get('messages', []):
            yield name, block, msg


class TestInteropMessages(unittest.TestCase):
    def test_every_verified_message(self):
        count = 0
        for name, block, vec in interop_messages():
            with self.subTest(block=name, message=vec['name']):
                self.check_message(block, vec)
                count += 1
        self.assertEqual(count, 18)

    def check_message(self, block, vec):
        raw = m.decode_text_imessages(vec['imessage'])[0]
        if 'imessage_hex' in vec:
            self.assertEqual(raw.hex(), vec['imessage_hex'])
        msg = m.parse_imessage(raw)
        users = block['users']
        ini, res = users[vec['initiator']], users[vec['responder']]
        if vec.get('explicit_ids'):
            signer, receiver = bytes.fromhex(ini['uid']), bytes.fromhex(res['uid'])
        else:
            signer, receiver = msg.idr(m.ROLE_UIDI), msg.idr(m.ROLE_UIDR)
            self.assertEqual(signer.hex(), ini['uid'])
            self.assertEqual(receiver.hex(), res['uid'])
        kpak = m.P256.decode(bytes.fromhex(block['kms']['kpak']), 'kpak')
        z_pt = m.sakke_point(bytes.fromhex(block['kms']['Z']), 'Z')
        coverage = m.verify_imessage_signature(msg, kpak, signer)
        expected_cov = vec.get('msref', {}).get('coverage', 'rfc3830-5.2')
        self.assertEqual(coverage, {'rfc3830-5.2': 'rfc',
                                    'before-sign-payload': 'before-sign'}[expected_cov])
        rsk = m.sakke_point(bytes.fromhex(res['rsk']), 'rsk')
        self.assertEqual(m.sakke_decapsulate(z_pt, receiver, rsk, msg.sakke['data']).hex(),
                         vec['expected_ssv'])
        if 'expected_rand' in vec:
            self.assertEqual(msg.rand.hex(), vec['expected_rand'])
        if 'csb_id' in vec:
            self.assertEqual(msg.csb_id.hex(), vec['csb_id'])
        # The other coverage must not verify, and a flipped bit breaks both.
        other = 'before-sign' if coverage == 'rfc' else 'rfc'
        self.assertFalse(m.eccsi_verify(kpak, signer, msg.signed_part(other), msg.signature))
        bad = m.parse_imessage(flip(raw, len(raw) // 3))
        with self.assertRaisesRegex(m.MsrefError, 'bad signature'):
            m.verify_imessage_signature(bad, kpak, signer)

    def test_user_key_material(self):
        """Published key sets without UID parameters (the others go through
        interop-export and keyset_check below) validate, except those the
        data marks invalid."""
        count = 0
        for name, block in INTEROP.items():
            if not isinstance(block, dict) or 'kms' not in block:
                continue
            kpak = m.P256.decode(bytes.fromhex(block['kms']['kpak']), 'kpak')
            z_pt = m.sakke_point(bytes.fromhex(block['kms']['Z']), 'Z')
            for uname, user in block['users'].items():
                if 'rsk' not in user or ('uid_params' in user and 'uri' in user):
                    continue
                ident = bytes.fromhex(user['uid'])
                with self.subTest(block=name, user=uname):
                    def validate(user=user, ident=ident):
                        m.eccsi_validate(kpak, ident, int(user['ssk'], 16),
                                         m.P256.decode(bytes.fromhex(user['pvt']), 'pvt'))
                        m.sakke_validate_rsk(z_pt, ident,
                                             m.sakke_point(bytes.fromhex(user['rsk']), 'rsk'))
                    if user.get('expect_valid', True):
                        validate()
                    else:
                        self.assertRaises(m.MsrefError, validate)
                    count += 1
        self.assertEqual(count, 8)

    def test_interop_export(self):
        """17 vendor key sets become KMS XML pairs that pass keyset_check."""
        d = scratch(self)
        written = m.interop_export(os.path.join(VECTORS, 'interop_vectors.json'), d)
        self.assertEqual(len(written), 17)
        for sub in written:
            block, user = sub.split(os.sep)[-2:]
            cert = m.load_certificate(os.path.join(sub, 'community.xml'))
            ks = m.load_keyset(os.path.join(sub, 'keyset.xml'))
            src = INTEROP[block]['users'][user]
            self.assertEqual(ks['user_id'].hex(), src['uid'])
            self.assertEqual(m.SAKKE_CURVE.encode(ks['rsk']).hex(), src['rsk'])
            self.assertEqual(ks['ssk'], int(src['ssk'], 16))
            self.assertEqual(m.P256.encode(cert['kpak']).hex(), INTEROP[block]['kms']['kpak'])
            self.assertEqual(ks['period_no'], src['uid_params']['key_period_no'])
        self.assertIsNone(m.load_keyset(os.path.join(d, 'eazon', 'gms', 'keyset.xml'))['valid_to'])

    def test_streamwide_gmk_csb_id_is_guk_id(self):
        block = INTEROP['streamwide']
        vec = block['messages'][0]
        msg = m.parse_imessage(m.decode_text_imessages(vec['imessage'])[0])
        self.assertEqual(m.guk_id(bytes.fromhex(vec['expected_ssv']), bytes.fromhex(vec['key_id']),
                                  block['users']['alice']['uri']), msg.csb_id)
        self.assertEqual(msg.crypto_sessions[0]['spi'][:4].hex(), vec['key_id'])
        self.assertEqual(m.srtp_policy(msg, msg.crypto_sessions[0]), (6, 16, 12))

    def test_unverified_messages_parse(self):
        vecs = INTEROP['unverified']['messages']
        self.assertEqual(len(vecs), 10)
        kpak = m.P256.decode(bytes.fromhex(INTEROP['eazon']['kms']['kpak']), 'kpak')
        for vec in vecs:
            with self.subTest(message=vec['name']):
                raw = m.decode_text_imessages(vec['imessage'])[0]
                self.assertEqual(raw.hex(), vec['imessage_hex'])
                msg = m.parse_imessage(raw)
                if vec['msref'].get('signature') == 'valid':
                    signer = bytes.fromhex(vec['msref']['signer_id'])
                    self.assertEqual(m.verify_imessage_signature(msg, kpak, signer),
                                     'before-sign')

    def test_mutations_never_crash(self):
        """Seeded random edits of every interop message: only MsrefError."""
        rng = random.Random(6509)
        raws = [m.decode_text_imessages(v['imessage'])[0] for _, _, v in interop_messages()]
        refused = 0
        for _ in range(1500):
            raw = bytearray(rng.choice(raws))
            for _ in range(rng.randint(1, 4)):
                pos, op = rng.randrange(len(raw)), rng.random()
                if op < 0.6:
                    raw[pos] = rng.randrange(256)
                elif op < 0.8:
                    del raw[pos:pos + rng.randint(1, 20)]
                else:
                    raw[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 5)))
            try:
                msg = m.parse_imessage(bytes(raw))
                m.srtp_keys(msg, bytes(16))
            except m.MsrefError:
                refused += 1
        self.assertGreater(refused, 100)

    def test_input_forms(self):
        vec = INTEROP['streamwide_v4']['messages'][0]
        raw = bytes.fromhex(vec['imessage_hex'])
        b64 = base64.b64encode(raw).decode()
        for text in (vec['imessage'], b64 + '\n', vec['imessage_hex'].upper(),
                     'v=0\r\na=key-mgmt:mikey %s\r\nm=audio 1 RTP/SAVP 0\r\n' % b64):
            self.assertEqual(m.decode_text_imessages(text), [raw])
        with self.assertRaisesRegex(m.MsrefError, 'no I_MESSAGE'):
            m.decode_text_imessages('  \n')

    def test_truncations_never_crash(self):
        raw = m.decode_text_imessages(INTEROP['streamwide']['messages'][0]['imessage'])[0]
        for cut in range(len(raw)):
            with self.assertRaisesRegex(m.MsrefError, 'malformed I_MESSAGE'):
                m.parse_imessage(raw[:cut])
        with self.assertRaisesRegex(m.MsrefError, 'after the SIGN payload'):
            m.parse_imessage(raw + b'\x00')
        with self.assertRaisesRegex(m.MsrefError, 'data type 27'):
            m.parse_imessage(raw[:1] + b'\x1b' + raw[2:])
        with self.assertRaisesRegex(m.MsrefError, 'CS ID map type 9'):
            m.parse_imessage(raw[:9] + b'\x09' + raw[10:])
        # A bad length inside the SP payload is reported at its message offset.
        sp = raw.find(bytes([m.PT_SAKKE, 0, 0, 0, 0x1b]))
        bad = bytearray(raw)
        bad[sp + 6] = 0x40
        with self.assertRaisesRegex(m.MsrefError, 'offset %d: SP param value' % (sp + 7)):
            m.parse_imessage(bytes(bad))
        with self.assertRaisesRegex(m.MsrefError, 'neither valid base64 nor hex'):
            m.decode_text_imessages('not/base64!')


class KmsFixture:
    """A msref KMS community with two users, made once per format."""
    cache = {}

    @classmethod
    def get(cls, fmt):
        if fmt not in cls.cache:
            d = tempfile.mkdtemp(prefix='msref-test-')
            m.kms_community(d, 'kms%d.example.org' % fmt, fmt, 2592000, 0)
            cert = m.load_certificate(os.path.join(d, 'community.xml'))
            keys = {}
            for who in ('alice', 'bob', 'carol'):
                path = os.path.join(d, who + '.xml')
                with open(path, 'wb') as fh:
                    fh.write(m.keyset_xml(m.kms_issue(d, 'sip:%s@example.org' % who,
                                                      at=NOW)))
                keys[who] = (path, m.load_keyset(path))
            cls.cache[fmt] = (d, cert, keys)
        return cls.cache[fmt]


NOW = 1790000000


def run_cli(*args):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE='1')
    return subprocess.run([sys.executable, MSREF] + list(args), capture_output=True,
                          text=True, env=env)


class TestKmsAndKeysets(unittest.TestCase):
    def test_both_formats_pass_keyset_check(self):
        for fmt in (1, 2):
            d, cert, keys = KmsFixture.get(fmt)
            path, ks = keys['alice']
            m.keyset_check(cert, ks)
            if fmt == 1:
                self.assertTrue(ks['user_id'].startswith(b'2026-') and ks['user_id'].endswith(b'\x00'))
            r = run_cli('keyset-check', '--cert', os.path.join(d, 'community.xml'),
                        '--keyset', path)
            self.assertEqual((r.returncode, r.stdout), (0, 'ok\n'), r.stderr)
            self.assertEqual(os.stat(os.path.join(d, 'kms-secrets.json')).st_mode & 0o777, 0o600)
            with self.assertRaisesRegex(m.MsrefError, 'already holds a KMS community'):
                m.kms_community(d, 'kms.example.org')

    def test_cli_kms_issue_and_period_no(self):
        d, cert, _ = KmsFixture.get(2)
        out = os.path.join(d, 'dave.xml')
        r = run_cli('kms-issue', '--dir', d, '--uri', 'sip:dave@example.org',
                    '--period-no', '1500', '--out', out, '--wrapped')
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as fh:
            self.assertIn('<KmsKeyProv Version="1.0.0">', fh.read())
        ks = m.load_keyset(out)
        self.assertEqual(ks['period_no'], 1500)
        wrapped = os.path.join(d, 'wrapped-community.xml')
        with open(wrapped, 'wb') as fh:
            fh.write(m.certificate_xml(cert, wrapped=True))
        self.assertEqual(m.load_certificate(wrapped), cert)
        self.assertEqual(m.key_period_no(ks['valid_from'], 2592000, 0), 1500)
        m.keyset_check(cert, ks)

    def test_format1_key_set_stays_in_one_month(self):
        d, cert, keys = KmsFixture.get(1)
        ks = m.kms_issue(d, 'tel:+447700900123', period_no=1542)   # 2026-08-28 .. 09-27
        self.assertEqual(ks['user_id'], b'2026-08\x00tel:+447700900123\x00')
        self.assertEqual(m.format_datetime(ks['valid_from']), '2026-08-28T00:00:00Z')
        self.assertEqual(m.format_datetime(ks['valid_to']), '2026-09-01T00:00:00Z')
        self.assertEqual(keys['alice'][1]['user_id'], b'2026-09\x00sip:alice@example.org\x00')
        self.assertEqual(m.format_datetime(keys['alice'][1]['valid_from']), '2026-09-01T00:00:00Z')

    def test_keyset_refusals(self):
        d, cert, keys = KmsFixture.get(2)
        path, _ = keys['alice']
        with open(path) as fh:
            xml = fh.read()
        other = keys['bob'][1]

        def check(text, reason):
            bad = os.path.join(d, 'bad.xml')
            with open(bad, 'w') as fh:
                fh.write(text)
            with self.assertRaisesRegex(m.MsrefError, reason):
                m.keyset_check(cert, m.load_keyset(bad))

        def swap(tag, value):
            out, n = re.subn(r'<(%s[^>]*)>[^<]*</%s>' % (tag, tag),
                             lambda mt: '<%s>%s</%s>' % (mt.group(1), value, tag), xml)
            self.assertEqual(n, 1, tag)
            return out

        check(swap('UserID', other['user_id'].hex()), 'not the identifier recomputed')
        check(swap('UserUri', 'sip:mallory@example.org'), 'not the identifier recomputed')
        check(swap('KeyPeriodNo', '1543'), 'KeyPeriodNo 1543 does not match ValidFrom')
        check(swap('ValidTo', '2030-01-01T00:00:00Z'), 'ValidTo')
        check(swap('ValidFrom', 'yesterday'), 'xs:dateTime')
        check(swap('UserSigningKeySSK', '%064X' % other['ssk']), '5.1.2')
        check(swap('UserPubTokenPVT', m.P256.encode(other['pvt']).hex()), '5.1.2')
        check(swap('UserDecryptKey', m.SAKKE_CURVE.encode(other['rsk']).hex()), '6.1.2')
        check(swap('UserPubTokenPVT', '04' + '11' * 64), 'not on the P-256 curve')
        check(swap('UserDecryptKey', '04' + '22' * 256), 'not on the SAKKE curve')
        check(swap('UserDecryptKey', 'zz'), 'not a hex string')
        check(swap('KmsUri', 'kms.other.org'), 'KmsUri')
        check(xml.replace('mcsecKMSInterface', 'other'), 'not in namespace')
        check(xml.replace('</UserID>', '</UserId>'), 'malformed XML')
        check(re.sub(r'<KeyPeriodNo>.*</KeyPeriodNo>', '', xml), 'missing <KeyPeriodNo>')
        check('<!DOCTYPE x [<!ENTITY a "b">]>' + xml.split('?>', 1)[1], 'DTD')
        check(xml.replace('</KeyPeriodNo>', '</KeyPeriodNo><Revoked>true</Revoked>'), 'Revoked')
        with open(os.path.join(d, 'community.xml')) as fh:
            cert_xml = fh.read()
        bad_cert = os.path.join(d, 'bad-cert.xml')
        for text, reason in ((cert_xml.replace('</PubAuthKey>', '</PubAuthKey><ParameterSet>2'
                                               '</ParameterSet>'), 'ParameterSet'),
                             (cert_xml.replace('>2</UserIdFormat>', '>3</UserIdFormat>'),
                              'UserIdFormat'),
                             (re.sub(r'<PubEncKey>..', '<PubEncKey>05', cert_xml), 'PubEncKey'),
                             (cert_xml.replace('<UserKeyPeriod>2592000', '<UserKeyPeriod>0'),
                              'UserKeyPeriod')):
            with open(bad_cert, 'w') as fh:
                fh.write(text)
            with self.assertRaisesRegex(m.MsrefError, reason):
                m.load_certificate(bad_cert)
        r = run_cli('keyset-check', '--cert', os.path.join(d, 'community.xml'),
                    '--keyset', os.path.join(d, 'bad.xml'))
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r'^msref: .*Revoked')
        self.assertEqual(r.stderr.count('\n'), 1)

    def test_xml_validates_against_the_schema(self):
        """msref's XML, bare and wrapped, against tests/vectors/kms-interface.xsd
        (its xmldsig / xenc / KRR references replaced by wildcards: those
        schemas are not in the repository).  Needs xmllint."""
        if not shutil.which('xmllint'):
            self.skipTest('xmllint not installed')
        d = scratch(self)
        with open(os.path.join(VECTORS, 'kms-interface.xsd')) as fh:
            xsd = fh.read()
        xsd = re.sub(r'<xsd:element ref="(ds|xenc):\w+"[^>]*/>',
                     '<xsd:any processContents="skip" namespace="##other" minOccurs="0"/>', xsd)
        xsd = re.sub(r'type="krr:\w+"', 'type="xsd:anyType"', xsd)
        files = {'schema.xsd': xsd.encode()}
        for fmt in (1, 2):
            _, cert, keys = KmsFixture.get(fmt)
            ks = keys['alice'][1]
            for wrapped in (False, True):
                files['c%d%d.xml' % (fmt, wrapped)] = m.certificate_xml(cert, wrapped)
                files['k%d%d.xml' % (fmt, wrapped)] = m.keyset_xml(ks, wrapped)
        for name, data in files.items():
            with open(os.path.join(d, name), 'wb') as fh:
                fh.write(data)
        names = sorted(n for n in files if n.endswith('.xml'))
        r = subprocess.run(['xmllint', '--noout', '--schema', 'schema.xsd'] + names, cwd=d,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.count(' validates'), 8)

    def test_sample_kms_response_pair(self):
        """The vendor KmsResponse samples parse; the UserID matches, but the key
        set was not issued under that certificate's KPAK (5.1.2 fails)."""
        cert = m.load_certificate(os.path.join(VECTORS, 'kms-init-response.xml'))
        ks = m.load_keyset(os.path.join(VECTORS, 'kms-keyprov-response.xml'))
        self.assertEqual(cert['z'], RFC_Z)
        self.assertEqual(m.P256.encode(cert['kpak']), ECCSI_KPAK)
        self.assertEqual(ks['user_id'], m.uid('alice@org.com', 'localhost:8080', 2592000, 0, 625))
        with self.assertRaisesRegex(m.MsrefError, '5.1.2'):
            m.keyset_check(cert, ks)


class TestImessageRoundTrip(unittest.TestCase):
    def test_formats_prfs_suites(self):
        for fmt, prf, suite in ((1, 0, 'aes-cm'), (1, 1, 'aes-gcm'), (2, 1, 'aes-gcm'),
                                (2, 0, 'aes-cm')):
            with self.subTest(fmt=fmt, prf=prf, suite=suite):
                _, cert, keys = KmsFixture.get(fmt)
                alice, bob = keys['alice'][1], keys['bob'][1]
                t = alice['valid_from'] + 60
                msgs, keys_i = m.create_imessages(cert, alice, cert, ['sip:bob@example.org'],
                                                  prf, suite, t)
                res = m.accept_imessage(cert, bob, msgs[0], t + 30)
                self.assertEqual(res['initiator'], 'sip:alice@example.org')
                self.assertEqual(res['coverage'], 'rfc')
                self.assertEqual(res['keys'], keys_i)
                self.assertEqual(res['msg'].prf, prf)
                salt = 12 if suite == 'aes-gcm' else 14
                self.assertEqual([(len(k), len(s)) for _, k, s in keys_i], [(16, salt)])
                self.assertEqual(res['msg'].map_type, m.MAP_SRTP_ID if fmt == 1 else m.MAP_GENERIC_ID)
                self.assertEqual(res['msg'].sakke['scheme'], fmt)

    def test_created_message_layout(self):
        """Every field msref writes, read back (RFC 6509 2.2.1, 4)."""
        for fmt in (1, 2):
            _, cert, keys = KmsFixture.get(fmt)
            alice = keys['alice'][1]
            t = alice['valid_from'] + 3600.5
            msgs, _ = m.create_imessages(cert, alice, cert, ['sip:bob@example.org',
                                                             'sip:carol@example.org'], now=t)
            first, second = (m.parse_imessage(raw) for raw in msgs)
            for msg in (first, second):
                self.assertEqual((msg.version, msg.data_type, msg.v_flag), (1, 26, 0))
                self.assertEqual(msg.prf, 1 if fmt == 2 else 0)
                self.assertEqual(msg.ts_type, 0)
                self.assertEqual(msg.unix_time(), int(t))
                self.assertEqual(m.os2ip(msg.ts_value[4:]), 1 << 31)   # .5 s
                self.assertEqual(len(msg.rand), 16)
                self.assertEqual([c['cs_id'] for c in msg.crypto_sessions], [1])
                self.assertEqual(msg.idr(m.ROLE_I), b'sip:alice@example.org')
                self.assertEqual(msg.sign_type, m.SIGN_ECCSI)
                self.assertEqual(len(msg.signature), 129)
                self.assertEqual((msg.sakke['params'], msg.sakke['scheme']), (1, fmt))
                self.assertEqual(msg.warnings, [])
                enc = m.os2ip(msg.sps[0]['params'][0])
                self.assertEqual(enc, m.SRTP_ENC_AES_GCM if fmt == 2 else m.SRTP_ENC_AES_CM)
                roles = [r for r, _, _ in msg.idrs]
                self.assertEqual(roles, [1, 2, 8, 9, 6, 7] if fmt == 2 else [1, 2])
            self.assertEqual((first.csb_id, first.rand), (second.csb_id, second.rand))
            self.assertEqual(second.idr(m.ROLE_R), b'sip:carol@example.org')
            if fmt == 2:
                self.assertEqual(first.idr(m.ROLE_UIDI), alice['user_id'])
                self.assertEqual(first.idr(m.ROLE_UIDR), keys['bob'][1]['user_id'])
            ssv_b = m.accept_imessage(cert, keys['bob'][1], msgs[0], t)['ssv']
            ssv_c = m.accept_imessage(cert, keys['carol'][1], msgs[1], t)['ssv']
            self.assertEqual(ssv_b, ssv_c)

    def test_group_sdp_via_cli(self):
        d, cert, keys = KmsFixture.get(2)
        c = os.path.join(d, 'community.xml')
        r = run_cli('imessage-create', '--cert', c, '--keyset', keys['alice'][0],
                    '--to-cert', c, '--to', 'sip:bob@example.org', '--to', 'sip:carol@example.org',
                    '--format', 'sdp', '--show-keys', '--now', str(NOW + 10))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.count('a=key-mgmt:mikey '), 2)
        key_lines = [ln for ln in r.stdout.splitlines() if ln.startswith('cs=')]
        offer = os.path.join(d, 'offer.sdp')
        with open(offer, 'w') as fh:
            fh.write(r.stdout)
        for who in ('bob', 'carol'):
            a = run_cli('imessage-accept', '--cert', c, '--keyset', keys[who][0], '--in', offer,
                        '--now', str(NOW + 20))
            self.assertEqual(a.returncode, 0, a.stderr)
            lines = a.stdout.splitlines()
            self.assertRegex(lines[0], r'^initiator=sip:alice@example.org csb-id=[0-9a-f]{8}$')
            self.assertEqual(lines[1:], key_lines)
        a = run_cli('imessage-accept', '--cert', c, '--keyset', keys['alice'][0], '--in', offer,
                    '--now', str(NOW + 20))
        self.assertEqual(a.returncode, 1)
        self.assertIn('msref: not for this user', a.stderr)

    def test_refusals(self):
        _, cert, keys = KmsFixture.get(2)
        bob = keys['bob'][1]
        msgs, _ = m.create_imessages(cert, keys['alice'][1], cert, ['sip:bob@example.org'],
                                     now=NOW)
        raw = msgs[0]
        msg = m.parse_imessage(raw)
        # One flipped bit in every payload (HDR .. SAKKE data, SIGN r/s/PVT).
        positions = list(range(0, msg.sign_offset, 23)) + [msg.sign_offset - 1, msg.sign_offset + 1,
                                                          msg.sign_offset + 2, len(raw) - 1]
        for pos in positions:
            with self.subTest(pos=pos):
                with self.assertRaises(m.MsrefError):
                    m.accept_imessage(cert, bob, flip(raw, pos), NOW)
        with self.assertRaisesRegex(m.MsrefError, 'outside the window'):
            m.accept_imessage(cert, bob, raw, NOW + 301)
        m.accept_imessage(cert, bob, raw, NOW + 10 ** 6, window=0)
        with self.assertRaisesRegex(m.MsrefError, 'not for this user'):
            m.accept_imessage(cert, keys['carol'][1], raw, NOW)
        other_cert = dict(cert, kpak=m.P256.mul(7, m.P256_G))
        with self.assertRaisesRegex(m.MsrefError, 'bad signature'):
            m.accept_imessage(other_cert, bob, raw, NOW)
        with self.assertRaisesRegex(m.MsrefError, 'not for the message time'):
            m.create_imessages(cert, keys['alice'][1], cert, ['sip:bob@example.org'],
                               now=NOW + 40 * 86400)

    def test_two_kms(self):
        """Initiator and responder provisioned by different KMSs (RFC 6509 2.1)."""
        _, cert1, keys1 = KmsFixture.get(1)
        d2, cert2, keys2 = KmsFixture.get(2)
        alice, bob = keys1['alice'][1], keys2['bob'][1]
        t = alice['valid_from'] + 60
        raw = m.create_imessages(cert1, alice, cert2, ['sip:bob@example.org'], now=t)[0][0]
        res = m.accept_imessage(cert2, bob, raw, t, from_cert=cert1)
        self.assertEqual(res['initiator'], 'sip:alice@example.org')
        with self.assertRaisesRegex(m.MsrefError, 'unknown signer'):
            m.accept_imessage(cert2, bob, raw, t)
        self.assertEqual(m.parse_imessage(raw).idr(m.ROLE_KMSI), b'kms1.example.org')

    def test_old_coverage_accepted(self):
        """A message signed without the SIGN header octets is still accepted."""
        _, cert, keys = KmsFixture.get(2)
        alice, bob = keys['alice'][1], keys['bob'][1]
        raw = m.create_imessages(cert, alice, cert, ['sip:bob@example.org'], now=NOW)[0][0]
        msg = m.parse_imessage(raw)
        sig = m.eccsi_sign(cert['kpak'], alice['user_id'], alice['ssk'], alice['pvt'],
                           msg.signed_part('before-sign'))
        res = m.accept_imessage(cert, bob, raw[:msg.sign_offset + 2] + sig, NOW)
        self.assertEqual(res['coverage'], 'before-sign')

    def test_accept_with_explicit_identities(self):
        """The thales message binds TS 33.180 UIDs it does not carry: accept it
        with the identities given, through the whole accept pipeline."""
        block = INTEROP['thales']
        vec = block['messages'][0]
        user1 = block['users']['user1']
        cert = {'kms_uri': 'KMS@streamwide.com', 'id_format': 2, 'key_period': 2592000,
                'key_offset': 0, 'z': RFC_Z, 'kpak': m.P256.decode(ECCSI_KPAK, 'kpak')}
        ks = {'uri': user1['uri'], 'user_id': bytes.fromhex(user1['uid']),
              'rsk': m.sakke_point(bytes.fromhex(user1['rsk']), 'rsk')}
        explicit = {'signer_id': bytes.fromhex(block['users']['gms']['uid']),
                    'receiver_id': ks['user_id']}
        raw = bytes.fromhex(vec['imessage_hex'])
        res = m.accept_imessage(cert, ks, raw, window=0, explicit=explicit)
        self.assertEqual(res['ssv'].hex(), vec['expected_ssv'])
        self.assertEqual(res['keys'], [])           # Empty map: no crypto session
        with self.assertRaisesRegex(m.MsrefError, 'unknown signer'):
            m.accept_imessage(cert, ks, raw, window=0)

    def test_cli_interop_message(self):
        """imessage-accept on a vendor message, with key files written from the JSON."""
        block = INTEROP['streamwide']
        vec = block['messages'][2]          # PCK alice -> bob, empty CS map
        d = scratch(self)
        cert = {'kms_uri': 'kms.mydev.streamwide.com', 'id_format': 2, 'key_period': 16777215,
                'key_offset': 0, 'z': m.sakke_point(bytes.fromhex(block['kms']['Z']), 'Z'),
                'kpak': m.P256.decode(bytes.fromhex(block['kms']['kpak']), 'kpak')}
        bob = block['users']['bob']
        ks = {'kms_uri': cert['kms_uri'], 'uri': bob['uri'], 'user_id': bytes.fromhex(bob['uid']),
              'period_no': 236, 'valid_from': m.key_period_start(236, 16777215, 0),
              'rsk': m.sakke_point(bytes.fromhex(bob['rsk']), 'rsk'), 'ssk': int(bob['ssk'], 16),
              'pvt': m.P256.decode(bytes.fromhex(bob['pvt']), 'pvt')}
        ks['valid_to'] = ks['valid_from'] + 16777215
        files = {'c.xml': m.certificate_xml(cert), 'k.xml': m.keyset_xml(ks),
                 'in.txt': vec['imessage'].encode()}
        for name, data in files.items():
            with open(os.path.join(d, name), 'wb') as fh:
                fh.write(data)
        r = run_cli('keyset-check', '--cert', os.path.join(d, 'c.xml'),
                    '--keyset', os.path.join(d, 'k.xml'))
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run_cli('imessage-accept', '--cert', os.path.join(d, 'c.xml'), '--keyset',
                    os.path.join(d, 'k.xml'), '--in', os.path.join(d, 'in.txt'), '--window', '0')
        self.assertEqual(r.returncode, 0, r.stderr)
        initiator = block['users'][vec['initiator']]['uid']
        self.assertEqual(r.stdout, 'initiator=%s csb-id=%s\n' % (initiator, vec['key_id']))


class TestPrimitiveCli(unittest.TestCase):
    def test_usage_and_input_errors(self):
        r = run_cli('eccsi-verify', '--kpak', 'zz', '--id', '00', '--msg', '/nonexistent',
                    '--sig', '/nonexistent')
        self.assertEqual((r.returncode, r.stderr), (1, 'msref: --kpak is not a hex string\n'))
        r = run_cli('sakke-decap', '--z', m.SAKKE_CURVE.encode(RFC_Z).hex(), '--id', '00',
                    '--rsk', m.SAKKE_CURVE.encode(RFC_RSK).hex(), '--in', '/nonexistent')
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r'^msref: cannot read input /nonexistent: .*\n$')
        r = run_cli('kms-issue', '--dir', '/nonexistent', '--uri', 'x', '--out', '/tmp/x')
        self.assertEqual(r.returncode, 1)
        self.assertIn('cannot read KMS secrets', r.stderr)
        r = run_cli('kms-issue', '--dir', '/tmp', '--uri', 'x', '--period-no', '1', '--at', '1',
                    '--out', '/tmp/x')
        self.assertEqual(r.returncode, 2)
        r = run_cli('keyset-check', '--cert', 'c.xml')
        self.assertEqual(r.returncode, 2)
        self.assertIn('--keyset', r.stderr)

    def test_sign_verify_encap_decap(self):
        d = scratch(self)
        msg, sig, enc = (os.path.join(d, n) for n in ('msg', 'sig', 'enc'))
        with open(msg, 'wb') as fh:
            fh.write(ECCSI_M)
        ssk = '%064x' % ECCSI_SSK
        r = run_cli('eccsi-sign', '--kpak', ECCSI_KPAK.hex(), '--id', ECCSI_ID.hex(), '--ssk', ssk,
                    '--pvt', ECCSI_PVT.hex(), '--msg', msg, '--out', sig)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run_cli('eccsi-verify', '--kpak', ECCSI_KPAK.hex(), '--id', ECCSI_ID.hex(),
                    '--msg', msg, '--sig', sig)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(sig, 'wb') as fh:
            fh.write(flip(ECCSI_SIG, 40))
        r = run_cli('eccsi-verify', '--kpak', ECCSI_KPAK.hex(), '--id', ECCSI_ID.hex(),
                    '--msg', msg, '--sig', sig)
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith('msref: bad signature'))
        z = m.SAKKE_CURVE.encode(RFC_Z).hex()
        r = run_cli('sakke-encap', '--z', z, '--id', SAKKE_B.hex(), '--ssv', SAKKE_SSV.hex(),
                    '--out', enc)
        self.assertEqual((r.returncode, r.stdout.strip()), (0, SAKKE_SSV.hex()), r.stderr)
        with open(enc, 'rb') as fh:
            data = fh.read()
        self.assertEqual(data[-16:], m.i2osp(SAKKE_H, 16))
        rsk = m.SAKKE_CURVE.encode(RFC_RSK).hex()
        r = run_cli('sakke-decap', '--z', z, '--id', SAKKE_B.hex(), '--rsk', rsk, '--in', enc)
        self.assertEqual((r.returncode, r.stdout.strip()), (0, SAKKE_SSV.hex()), r.stderr)
        with open(enc, 'wb') as fh:
            fh.write(flip(data, 260))
        r = run_cli('sakke-decap', '--z', z, '--id', SAKKE_B.hex(), '--rsk', rsk, '--in', enc)
        self.assertEqual(r.returncode, 1)
        self.assertIn('TEST != R', r.stderr)


if __name__ == '__main__':
    unittest.main(verbosity=2)
