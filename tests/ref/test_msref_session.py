#!/usr/bin/env python3
"""msref self-tests: imessage-create / imessage-accept round trips and refusals, and the CLI of
the primitive commands."""

import os
import unittest

from msref_testdata import (m, ECCSI_ID, ECCSI_KPAK, ECCSI_M, ECCSI_PVT, ECCSI_SIG, ECCSI_SSK,
                            INTEROP, KmsFixture, NOW, RFC_RSK, RFC_Z, SAKKE_B, SAKKE_H,
                            SAKKE_SSV, flip, run_cli, scratch)


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
