"""msref: KMS XML (TS 33.180 Annex D, namespace urn:3gpp:ns:mcsecKMSInterface:1.0)."""

import calendar
import datetime
import json
import os
import re
import secrets
import tempfile
import time
import xml.etree.ElementTree as ET

from msref_common import MsrefError, i2osp, os2ip, unhex
from msref_eccsi import ECCSI_N, P256, P256_G, P256_Q, eccsi_issue, eccsi_validate
from msref_ident import (key_period_no, key_period_start, month_start, rfc6509_identifier,
                         uid, utc)
from msref_sakke import (SAKKE_CURVE, SAKKE_P_POINT, SAKKE_Q, sakke_issue_rsk, sakke_point,
                         sakke_validate_rsk)


KMS_NS = 'urn:3gpp:ns:mcsecKMSInterface:1.0'
XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance'
# The key elements have an abstract schema type: plain hex content must say
# which concrete type it is for the document to validate.
KEY_CONTENT = ' xsi:type="KeyContentType"'


def read_file(path, what='file'):
    try:
        with open(path, 'rb') as fh:
            return fh.read()
    except OSError as exc:
        raise MsrefError('cannot read %s %s: %s' % (what, path, exc.strerror)) from None


def _xml_root(path):
    data = read_file(path, 'XML')
    # No DTDs: a key file has no use for entities, and refusing them keeps
    # entity-expansion tricks out of the parser.
    if b'<!DOCTYPE' in data or b'<!ENTITY' in data:
        raise MsrefError('%s: DTDs and entities are not accepted' % path)
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise MsrefError('%s: malformed XML: %s' % (path, exc)) from None


def _kms_element(path, name):
    """The one <name> element of the document (bare, or inside KmsResponse)."""
    root = _xml_root(path)
    tag = '{%s}%s' % (KMS_NS, name)
    found = [el for el in root.iter() if el.tag == tag]
    if not found:
        stray = [el.tag for el in root.iter() if el.tag.split('}')[-1] == name]
        if stray:
            raise MsrefError('%s: %s is not in namespace %s' % (path, name, KMS_NS))
        raise MsrefError('%s: no %s element' % (path, name))
    if len(found) > 1:
        raise MsrefError('%s: %d %s elements; give exactly one' % (path, len(found), name))
    return found[0]


def _child(el, name, path, required=True):
    child = el.find('{%s}%s' % (KMS_NS, name))
    if child is None:
        if required:
            raise MsrefError('%s: missing <%s>' % (path, name))
        return None
    if len(child):
        raise MsrefError('%s: <%s> holds elements (encrypted key content, '
                         'xenc:EncryptedKey, is not supported)' % (path, name))
    return (child.text or '').strip()


def _int_field(el, name, path, minimum=0):
    text = _child(el, name, path)
    if not re.fullmatch(r'[0-9]+', text):
        raise MsrefError('%s: <%s> is not a non-negative integer: %r' % (path, name, text))
    value = int(text)
    if value < minimum:
        raise MsrefError('%s: <%s> must be at least %d' % (path, name, minimum))
    return value


def parse_datetime(text, what):
    """xs:dateTime to Unix seconds; no zone means UTC."""
    m = re.fullmatch(r'(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?'
                     r'(Z|[+-]\d{2}:\d{2})?', text or '')
    if not m:
        raise MsrefError('%s is not an xs:dateTime: %r' % (what, text))
    try:
        base = calendar.timegm(datetime.datetime(*map(int, m.groups()[:6])).timetuple())
    except ValueError as exc:
        raise MsrefError('%s: %s' % (what, exc)) from None
    zone = m.group(8)
    if zone and zone != 'Z':
        sign = 1 if zone[0] == '+' else -1
        base -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return base


def format_datetime(unix_time):
    t = utc(unix_time)
    return t.strftime('%Y-%m-%dT%H:%M:%SZ')


def _refuse_revoked(el, path, what):
    revoked = _child(el, 'Revoked', path, required=False)
    if revoked is not None and revoked.lower() in ('true', '1'):
        raise MsrefError('%s: the %s is marked Revoked' % (path, what))


def load_certificate(path):
    """KmsCertificate -> dict (KPAK and Z_T decoded and checked)."""
    el = _kms_element(path, 'KmsCertificate')
    _refuse_revoked(el, path, 'KmsCertificate')
    param_set = _child(el, 'ParameterSet', path, required=False)
    if param_set is not None and param_set != '1':
        raise MsrefError('%s: ParameterSet %r; only SAKKE parameter set 1 (RFC 6509 '
                         'Appendix A) is known' % (path, param_set))
    fmt = _child(el, 'UserIdFormat', path)
    if fmt not in ('1', '2'):
        raise MsrefError('%s: UserIdFormat %r is neither 1 (RFC 6509) nor 2 '
                         '(TS 33.180 UID)' % (path, fmt))
    cert = {
        'kms_uri': _child(el, 'KmsUri', path),
        'id_format': int(fmt),
        'key_period': _int_field(el, 'UserKeyPeriod', path, 1),
        'key_offset': _int_field(el, 'UserKeyOffset', path),
    }
    cert['z'] = sakke_point(unhex(_child(el, 'PubEncKey', path), 'PubEncKey'),
                            '%s: PubEncKey (Z_T)' % path)
    cert['kpak'] = P256.decode(unhex(_child(el, 'PubAuthKey', path), 'PubAuthKey'),
                               '%s: PubAuthKey (KPAK)' % path)
    return cert


def load_keyset(path):
    """KmsKeySet -> dict (points decoded; validation is keyset_check's job)."""
    el = _kms_element(path, 'KmsKeySet')
    _refuse_revoked(el, path, 'KmsKeySet')
    ks = {
        'kms_uri': _child(el, 'KmsUri', path),
        'uri': _child(el, 'UserUri', path),
        'user_id': unhex(_child(el, 'UserID', path), '%s: UserID' % path),
        'period_no': _int_field(el, 'KeyPeriodNo', path),
    }
    for name, key in (('ValidFrom', 'valid_from'), ('ValidTo', 'valid_to')):
        text = _child(el, name, path, required=False)
        ks[key] = None if text is None else parse_datetime(text, '%s: %s' % (path, name))
    ks['rsk'] = sakke_point(unhex(_child(el, 'UserDecryptKey', path), 'UserDecryptKey'),
                            '%s: UserDecryptKey (RSK)' % path)
    ssk = unhex(_child(el, 'UserSigningKeySSK', path), 'UserSigningKeySSK')
    if len(ssk.lstrip(b'\x00')) > ECCSI_N:
        raise MsrefError('%s: UserSigningKeySSK is longer than %d octets' % (path, ECCSI_N))
    ks['ssk'] = os2ip(ssk)
    ks['pvt'] = P256.decode(unhex(_child(el, 'UserPubTokenPVT', path), 'UserPubTokenPVT'),
                            '%s: UserPubTokenPVT (PVT)' % path)
    return ks


def identifier_for(cert, uri, unix_time, kms_uri=None):
    """The identifier of uri at unix_time under the community's format."""
    if cert['id_format'] == 1:
        return rfc6509_identifier(uri, unix_time)
    n = key_period_no(unix_time, cert['key_period'], cert['key_offset'])
    return uid(uri, kms_uri or cert['kms_uri'], cert['key_period'], cert['key_offset'], n)


def keyset_check(cert, ks):
    """Everything a token must check before importing a key set."""
    if ks['kms_uri'] != cert['kms_uri']:
        raise MsrefError('key set KmsUri %s is not the certificate KmsUri %s'
                         % (ks['kms_uri'], cert['kms_uri']))
    period, offset = cert['key_period'], cert['key_offset']
    vf, vt = ks['valid_from'], ks['valid_to']
    if vf is not None:
        n = key_period_no(vf, period, offset)
        if n != ks['period_no']:
            raise MsrefError('KeyPeriodNo %d does not match ValidFrom %s (period %d, '
                             'counted from 1900-01-01 with UserKeyPeriod %d and '
                             'UserKeyOffset %d, TS 33.180)'
                             % (ks['period_no'], format_datetime(vf), n, period, offset))
        end = key_period_start(n, period, offset) + period
        if vt is not None and not vf < vt <= end:
            raise MsrefError('ValidTo %s is not after ValidFrom %s and within key '
                             'period %d (ends %s)' % (format_datetime(vt),
                                                      format_datetime(vf), n,
                                                      format_datetime(end)))
    elif vt is not None:
        raise MsrefError('ValidTo without ValidFrom')
    if cert['id_format'] == 1:
        if vf is None:
            raise MsrefError('UserIdFormat 1 needs ValidFrom: the identifier holds '
                             'its month')
        expected = rfc6509_identifier(ks['uri'], vf)
    else:
        expected = uid(ks['uri'], cert['kms_uri'], period, offset, ks['period_no'])
    if ks['user_id'] != expected:
        raise MsrefError('UserID %s is not the identifier recomputed from UserUri '
                         '(%s, format %d)' % (ks['user_id'].hex(), expected.hex(),
                                              cert['id_format']))
    eccsi_validate(cert['kpak'], ks['user_id'], ks['ssk'], ks['pvt'])
    sakke_validate_rsk(cert['z'], ks['user_id'], ks['rsk'])


# --- a development KMS, independent of mstoken-kms --------------------------

def atomic_write(path, data, mode=0o644):
    """Temporary file in the same folder, then rename: never half-written."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix='.msref-', dir=folder)
    except OSError as exc:
        raise MsrefError('cannot write in %s: %s' % (folder, exc.strerror)) from None
    try:
        with os.fdopen(fd, 'wb') as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        os.unlink(tmp)
        raise MsrefError('cannot write %s: %s' % (path, exc.strerror)) from None


def _xml_text(value):
    return str(value).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def _xml_doc(root, attrs, fields, wrap=None):
    """A KMS XML document: the element alone, or (wrap = (message element,
    UserUri, KmsUri)) inside KmsResponse / KmsMessage / <message element>
    as TS 33.180 Annex D delivers it."""
    body = ['<%s%s>' % (root, attrs)]
    body += ['  <%s>%s</%s>' % (f[0] + (f[2] if len(f) > 2 else ''), _xml_text(f[1]), f[0])
             for f in fields]
    body.append('</%s>' % root)
    if wrap is None:
        body[0] = '<%s xmlns="%s" xmlns:xsi="%s"%s>' % (root, KMS_NS, XSI_NS, attrs)
    else:
        kind, user_uri, kms_uri = wrap
        head = ['<KmsResponse xmlns="%s" xmlns:xsi="%s" Version="1.0.0">' % (KMS_NS, XSI_NS),
                '  <UserUri>%s</UserUri>' % _xml_text(user_uri),
                '  <KmsUri>%s</KmsUri>' % _xml_text(kms_uri),
                '  <Time>%s</Time>' % format_datetime(int(time.time())),
                '  <ClientReqUrl>msref:%s</ClientReqUrl>' % kind,
                '  <KmsMessage>', '    <%s Version="1.0.0">' % kind]
        body = head + ['      ' + ln for ln in body] + ['    </%s>' % kind, '  </KmsMessage>',
                                                       '</KmsResponse>']
    return ('\n'.join(['<?xml version="1.0" encoding="UTF-8"?>'] + body) + '\n').encode()


def certificate_xml(cert, wrapped=False):
    wrap = ('KmsInit', cert['kms_uri'], cert['kms_uri']) if wrapped else None
    return _xml_doc('KmsCertificate', ' Version="1.1.0" Role="Root"', [
        ('KmsUri', cert['kms_uri']), ('UserIdFormat', cert['id_format']),
        ('UserKeyPeriod', cert['key_period']), ('UserKeyOffset', cert['key_offset']),
        ('PubEncKey', SAKKE_CURVE.encode(cert['z']).hex().upper()),
        ('PubAuthKey', P256.encode(cert['kpak']).hex().upper())], wrap)


def kms_community(folder, kms_uri, id_format=2, key_period=2592000, key_offset=0,
                  wrapped=False):
    """Fresh KMS secrets (KSAK, z_T) and the matching KmsCertificate."""
    if id_format not in (1, 2):
        raise MsrefError('--user-id-format must be 1 or 2')
    if key_period <= 0 or key_offset < 0:
        raise MsrefError('--key-period must be positive and --key-offset not negative')
    if not os.path.isdir(folder):
        raise MsrefError('%s is not a folder' % folder)
    if os.path.exists(os.path.join(folder, 'kms-secrets.json')):
        # Overwriting would orphan every key set issued under the old secrets.
        raise MsrefError('%s already holds a KMS community (kms-secrets.json)' % folder)
    ksak = 1 + secrets.randbelow(P256_Q - 1)
    z = 2 + secrets.randbelow(SAKKE_Q - 2)
    cert = {'kms_uri': kms_uri, 'id_format': id_format, 'key_period': key_period,
            'key_offset': key_offset, 'z': SAKKE_CURVE.mul(z, SAKKE_P_POINT),
            'kpak': P256.mul(ksak, P256_G)}
    secret = {'kms_uri': kms_uri, 'user_id_format': id_format, 'key_period': key_period,
              'key_offset': key_offset, 'ksak': '%064x' % ksak, 'z': '%x' % z}
    atomic_write(os.path.join(folder, 'kms-secrets.json'),
                  (json.dumps(secret, indent=1) + '\n').encode(), 0o600)
    atomic_write(os.path.join(folder, 'community.xml'), certificate_xml(cert, wrapped))
    return cert


def kms_issue(folder, uri, period_no=None, at=None):
    """A KmsKeySet for uri, checked with keyset_check before it is returned."""
    try:
        secret = json.loads(read_file(os.path.join(folder, 'kms-secrets.json'), 'KMS secrets'))
        ksak, z = int(secret['ksak'], 16), int(secret['z'], 16)
        cert = {'kms_uri': secret['kms_uri'], 'id_format': int(secret['user_id_format']),
                'key_period': int(secret['key_period']),
                'key_offset': int(secret['key_offset'])}
    except (ValueError, KeyError, TypeError) as exc:
        raise MsrefError('%s/kms-secrets.json is not a msref KMS secrets file (%s)'
                         % (folder, exc)) from None
    cert['z'] = SAKKE_CURVE.mul(z, SAKKE_P_POINT)
    cert['kpak'] = P256.mul(ksak, P256_G)
    period, offset = cert['key_period'], cert['key_offset']
    if period_no is None:
        at = int(time.time() if at is None else at)
        period_no = key_period_no(at, period, offset)
    start = key_period_start(period_no, period, offset)
    valid_from, valid_to = start, start + period
    if cert['id_format'] == 2:
        ident = uid(uri, cert['kms_uri'], period, offset, period_no)
    else:
        # RFC 6509 identifiers change every month: the key set is valid for
        # the part of the key period inside the month it is issued for.
        when = start if at is None else at
        valid_from = max(start, month_start(when))
        valid_to = min(valid_to, month_start(when, 1))
        ident = rfc6509_identifier(uri, valid_from)
    ssk, pvt = eccsi_issue(ksak, cert['kpak'], ident)
    ks = {'kms_uri': cert['kms_uri'], 'uri': uri, 'user_id': ident, 'period_no': period_no,
          'valid_from': valid_from, 'valid_to': valid_to,
          'rsk': sakke_issue_rsk(z, ident), 'ssk': ssk, 'pvt': pvt}
    keyset_check(cert, ks)
    return ks


def keyset_xml(ks, wrapped=False):
    """A KmsKeySet (bare, or in a KmsResponse / KmsKeyProv when wrapped);
    ValidFrom/ValidTo are left out when unknown (None)."""
    wrap = ('KmsKeyProv', ks['uri'], ks['kms_uri']) if wrapped else None
    validity = [(name, format_datetime(ks[key])) for name, key in
                (('ValidFrom', 'valid_from'), ('ValidTo', 'valid_to'))
                if ks.get(key) is not None]
    return _xml_doc('KmsKeySet', ' Version="1.1.0"', [
        ('KmsUri', ks['kms_uri']), ('UserUri', ks['uri']),
        ('UserID', ks['user_id'].hex())] + validity + [
        ('KeyPeriodNo', ks['period_no']),
        ('UserDecryptKey', SAKKE_CURVE.encode(ks['rsk']).hex().upper(), KEY_CONTENT),
        ('UserSigningKeySSK', i2osp(ks['ssk'], ECCSI_N).hex().upper(), KEY_CONTENT),
        ('UserPubTokenPVT', P256.encode(ks['pvt']).hex().upper(), KEY_CONTENT)], wrap)
