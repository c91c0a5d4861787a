#!/usr/bin/env python3
"""msref self-tests: The vendor I_MESSAGEs and key sets of tests/vectors/interop_vectors.json,
and decoder robustness (truncations, mutations)."""

import base64
import os
import random
import unittest

from msref_testdata import (m, INTEROP, VECTORS, flip, interop_messages, scratch)


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


if __name__ == '__main__':
    unittest.main(verbosity=2)
