#!/usr/bin/env python3
"""kms_serve_check: an independent look at a response of "mstoken-kms serve".

    kms_serve_check.py RESPONSE ENROL COMMUNITY KIND [--keysets N] [--keys-out FILE]
                       [--new-keys N] [--new-keys-out FILE]

Reads the SignedKmsResponse with Python's ElementTree (no code shared with
mstoken), checks its shape for KIND (init, keyprov, certcache) and that it
is addressed to the enrolled user, opens each xenc:EncryptedKey with the
user's TrK from the enrolment file by `openssl enc -d -id-aes256-wrap[-pad]`
(RFC 3394 / RFC 5649, the Algorithm the element names, KeyName = trk-id),
and checks every key set it holds with msref (tests/ref, RFC 6507 5.1.2 and
RFC 6508 6.1.2, identifier and period).  --keys-out writes the hex of the
opened keys (upper and lower case, one a line) for the caller's "is this
key anywhere it must not be" greps.  For init, NewTransportKey and
NewIntegrityKey (rotation) are opened too; --new-keys-out writes them as
new-trk-id=, new-trk=, new-ink-id=, new-ink= lines.  The XML signature is checked by the
caller with xmlsec1.  Prints one line "ok ..." or "kms_serve_check: <why>"
and exits 1.
"""

import base64
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'ref'))
import msref  # noqa: E402

KMS = '{urn:3gpp:ns:mcsecKMSInterface:1.0}'
XENC = '{http://www.w3.org/2001/04/xmlenc#}'
DS = '{http://www.w3.org/2000/09/xmldsig#}'
XSI_TYPE = '{http://www.w3.org/2001/XMLSchema-instance}type'
KW = 'http://www.w3.org/2001/04/xmlenc#kw-aes256'
KW_PAD = 'http://www.w3.org/2009/xmlenc11#kw-aes-256-pad'


class Fail(Exception):
    pass


def one(el, tag, what):
    found = el.findall(tag)
    if len(found) != 1:
        raise Fail('%s: %d elements, expected 1' % (what, len(found)))
    return found[0]


def enrolment(path):
    values = {}
    with open(path, encoding='ascii') as fh:
        for line in fh:
            name, _, value = line.rstrip('\n').partition('=')
            values[name] = value
    for name in ('kms-uri', 'user-uri', 'trk-id', 'trk', 'ink-id', 'ink'):
        if name not in values:
            raise Fail('%s: no %s' % (path, name))
    return values


def unwrap(el, name, enrol, expect_len):
    """The key inside element el (EncKeyContentType) opened with the TrK."""
    if el.get(XSI_TYPE) != 'EncKeyContentType':
        raise Fail('%s: xsi:type is %r, expected EncKeyContentType' % (name, el.get(XSI_TYPE)))
    if (el.text or '').strip():
        raise Fail('%s: holds text besides the EncryptedKey' % name)
    ek = one(el, XENC + 'EncryptedKey', name + '/EncryptedKey')
    alg = one(ek, XENC + 'EncryptionMethod', name + '/EncryptionMethod').get('Algorithm')
    key_name = one(one(ek, DS + 'KeyInfo', name + '/KeyInfo'), DS + 'KeyName', name + '/KeyName').text
    if key_name != enrol['trk-id']:
        raise Fail('%s: KeyName %r is not the TrK %r' % (name, key_name, enrol['trk-id']))
    cipher = base64.b64decode(one(one(ek, XENC + 'CipherData', name + '/CipherData'),
                                  XENC + 'CipherValue', name + '/CipherValue').text)
    if alg == KW:
        mode, iv = '-id-aes256-wrap', 'A6A6A6A6A6A6A6A6'
    elif alg == KW_PAD:
        mode, iv = '-id-aes256-wrap-pad', 'A65959A6'
    else:
        raise Fail('%s: unexpected EncryptionMethod %r' % (name, alg))
    want = KW if expect_len % 8 == 0 else KW_PAD
    if alg != want:
        raise Fail('%s: %d octets wrapped with %s, expected %s' % (name, expect_len, alg, want))
    out = subprocess.run(['openssl', 'enc', '-d', mode, '-K', enrol['trk'], '-iv', iv],
                         input=cipher, capture_output=True, check=False)
    if out.returncode != 0:
        raise Fail('%s: does not unwrap under the TrK' % name)
    if len(out.stdout) != expect_len:
        raise Fail('%s: %d octets, expected %d' % (name, len(out.stdout), expect_len))
    return out.stdout


def keyset(el, enrol, cert, keys):
    ks = {
        'kms_uri': one(el, KMS + 'KmsUri', 'KmsUri').text,
        'uri': one(el, KMS + 'UserUri', 'UserUri').text,
        'user_id': msref.unhex(one(el, KMS + 'UserID', 'UserID').text, 'UserID'),
        'period_no': int(one(el, KMS + 'KeyPeriodNo', 'KeyPeriodNo').text),
    }
    if ks['uri'] != enrol['user-uri']:
        raise Fail('key set of %s, enrolled user is %s' % (ks['uri'], enrol['user-uri']))
    for tag, key in (('ValidFrom', 'valid_from'), ('ValidTo', 'valid_to')):
        ks[key] = msref.parse_datetime(one(el, KMS + tag, tag).text, tag)
    rsk = unwrap(one(el, KMS + 'UserDecryptKey', 'UserDecryptKey'), 'UserDecryptKey', enrol, 257)
    ssk = unwrap(one(el, KMS + 'UserSigningKeySSK', 'UserSigningKeySSK'), 'UserSigningKeySSK',
                 enrol, 32)
    keys += [rsk, ssk]
    ks['rsk'] = msref.sakke_point(rsk, 'UserDecryptKey (RSK)')
    ks['ssk'] = msref.os2ip(ssk)
    ks['pvt'] = msref.P256.decode(msref.unhex(one(el, KMS + 'UserPubTokenPVT', 'PVT').text, 'PVT'),
                                  'UserPubTokenPVT')
    msref.keyset_check(cert, ks)
    return ks['period_no']


def check(argv):
    if len(argv) < 4:
        raise Fail('usage: RESPONSE ENROL COMMUNITY KIND [--keysets N] [--keys-out FILE]')
    path, enrol, kind = argv[0], enrolment(argv[1]), argv[3]
    cert = msref.load_certificate(argv[2])
    opts = dict(zip(argv[4::2], argv[5::2]))
    root = ET.parse(path).getroot()
    if root.tag != KMS + 'SignedKmsResponse':
        raise Fail('root is %s, expected SignedKmsResponse' % root.tag)
    resp = one(root, KMS + 'KmsResponse', 'KmsResponse')
    one(root, DS + 'Signature', 'ds:Signature')
    if not resp.get('Id'):
        raise Fail('KmsResponse has no Id')
    if one(resp, KMS + 'UserUri', 'UserUri').text != enrol['user-uri']:
        raise Fail('addressed to another user')
    if one(resp, KMS + 'KmsUri', 'KmsUri').text != enrol['kms-uri']:
        raise Fail('KmsUri is not the enrolment kms-uri')
    msg = one(resp, KMS + 'KmsMessage', 'KmsMessage')
    keys = []
    if kind in ('init', 'certcache'):
        body = one(msg, KMS + ('KmsInit' if kind == 'init' else 'KmsCertCache'), kind)
        c = one(body, KMS + 'KmsCertificate', 'KmsCertificate')
        kpak = msref.P256.decode(msref.unhex(one(c, KMS + 'PubAuthKey', 'PubAuthKey').text,
                                             'PubAuthKey'), 'PubAuthKey')
        z = msref.sakke_point(msref.unhex(one(c, KMS + 'PubEncKey', 'PubEncKey').text,
                                          'PubEncKey'), 'PubEncKey')
        if kpak != cert['kpak'] or z != cert['z']:
            raise Fail('KPAK or Z_T differs from the community')
        if one(c, KMS + 'KmsUri', 'KmsUri').text != cert['kms_uri']:
            raise Fail('KmsCertificate of another community')
        result = 'ok %s: KmsCertificate of %s' % (kind, cert['kms_uri'])
        new = []
        for tag, what in (('NewTransportKey', 'trk'), ('NewIntegrityKey', 'ink')):
            for el in body.findall(KMS + tag):
                key = unwrap(el, tag, enrol, 32)
                ek = one(el, XENC + 'EncryptedKey', tag + '/EncryptedKey')
                carried = one(ek, XENC + 'CarriedKeyName', tag + '/CarriedKeyName').text
                new.append('new-%s-id=%s\nnew-%s=%s\n' % (what, carried, what, key.hex()))
        if '--new-keys' in opts and len(new) != int(opts['--new-keys']):
            raise Fail('%d new TrK/InK, expected %s' % (len(new), opts['--new-keys']))
        if new:
            result += ', %d new keys opened with the TrK' % len(new)
        if '--new-keys-out' in opts:
            with open(opts['--new-keys-out'], 'w', encoding='ascii') as fh:
                fh.write(''.join(new))
    elif kind == 'keyprov':
        body = one(msg, KMS + 'KmsKeyProv', 'KmsKeyProv')
        sets = body.findall(KMS + 'KmsKeySet')
        if '--keysets' in opts and len(sets) != int(opts['--keysets']):
            raise Fail('%d key sets, expected %s' % (len(sets), opts['--keysets']))
        periods = [keyset(el, enrol, cert, keys) for el in sets]
        if periods != list(range(periods[0], periods[0] + len(periods))):
            raise Fail('key periods %s are not consecutive' % periods)
        result = 'ok keyprov: %d key set(s), periods %s, opened with the TrK, valid' % (
            len(sets), ' '.join(map(str, periods)))
    else:
        raise Fail('unknown KIND %r' % kind)
    if '--keys-out' in opts:
        with open(opts['--keys-out'], 'w', encoding='ascii') as fh:
            for k in keys:
                fh.write(k.hex() + '\n' + k.hex().upper() + '\n')
    return result


def main():
    try:
        print(check(sys.argv[1:]))
    except (Fail, msref.MsrefError, ET.ParseError, OSError, ValueError) as exc:
        print('kms_serve_check: %s' % exc)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
