#!/usr/bin/env python3
"""msref self-tests: msref's development KMS, keyset-check and its refusals, KMS XML."""

import os
import re
import shutil
import subprocess
import unittest

from msref_testdata import (m, ECCSI_KPAK, KmsFixture, RFC_Z, VECTORS, run_cli, scratch)


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


if __name__ == '__main__':
    unittest.main(verbosity=2)
