"""msref: the vendor key material of interop_vectors.json as 3GPP KMS XML.

Each user with a published key set and TS 33.180 UID parameters becomes a
KmsCertificate (the block's KPAK and Z_T, the user's KmsUri, UserKeyPeriod,
UserKeyOffset, format 2) and a KmsKeySet, so tokens can be provisioned with
third-party key sets exactly as with mstoken-kms ones.  Every pair is
checked with keyset_check before it is written."""

import json
import os
import re

from msref_common import MsrefError, unhex
from msref_eccsi import P256
from msref_ident import key_period_start, uid, utc
from msref_kms import atomic_write, certificate_xml, keyset_check, keyset_xml, read_file
from msref_sakke import sakke_point


def _validity(period_no, period, offset):
    """ValidFrom/ValidTo of the period, or None when beyond year 9999."""
    start = key_period_start(period_no, period, offset)
    try:
        utc(start)
        utc(start + period)
    except MsrefError:
        return None, None
    return start, start + period


def interop_key_sets(json_path):
    """[(block, user, cert, ks)] for every exportable user of the JSON file."""
    try:
        data = json.loads(read_file(json_path, 'interop vectors'))
    except ValueError as exc:
        raise MsrefError('%s is not JSON: %s' % (json_path, exc)) from None
    out = []
    for block_name, block in data.items():
        if not isinstance(block, dict) or 'kms' not in block:
            continue
        z_pt = sakke_point(unhex(block['kms']['Z'], 'Z'), '%s: Z' % block_name)
        kpak = P256.decode(unhex(block['kms']['kpak'], 'kpak'), '%s: KPAK' % block_name)
        for user_name, user in block.get('users', {}).items():
            p = user.get('uid_params')
            if not p or 'rsk' not in user or 'uri' not in user \
                    or not user.get('expect_valid', True):
                continue
            ident = uid(user['uri'], p['kms_uri'], p['key_period'], p['key_offset'],
                        p['key_period_no'])
            if ident.hex() != user['uid']:
                raise MsrefError('%s/%s: uid does not follow from uid_params'
                                 % (block_name, user_name))
            cert = {'kms_uri': p['kms_uri'], 'id_format': 2, 'key_period': p['key_period'],
                    'key_offset': p['key_offset'], 'z': z_pt, 'kpak': kpak}
            valid_from, valid_to = _validity(p['key_period_no'], p['key_period'],
                                             p['key_offset'])
            ks = {'kms_uri': p['kms_uri'], 'uri': user['uri'], 'user_id': ident,
                  'period_no': p['key_period_no'], 'valid_from': valid_from,
                  'valid_to': valid_to,
                  'rsk': sakke_point(unhex(user['rsk'], 'rsk'), '%s/%s: RSK'
                                     % (block_name, user_name)),
                  'ssk': int(user['ssk'], 16),
                  'pvt': P256.decode(unhex(user['pvt'], 'pvt'), '%s/%s: PVT'
                                     % (block_name, user_name))}
            out.append((block_name, user_name, cert, ks))
    return out


def interop_export(json_path, folder, check=True):
    """Write <folder>/<block>/<user>/{community,keyset}.xml; return the paths."""
    written = []
    for block_name, user_name, cert, ks in interop_key_sets(json_path):
        if check:
            keyset_check(cert, ks)
        sub = os.path.join(folder, block_name, re.sub(r'[^A-Za-z0-9_.-]', '_', user_name))
        try:
            os.makedirs(sub, exist_ok=True)
        except OSError as exc:
            raise MsrefError('cannot create %s: %s' % (sub, exc.strerror)) from None
        atomic_write(os.path.join(sub, 'community.xml'), certificate_xml(cert))
        atomic_write(os.path.join(sub, 'keyset.xml'), keyset_xml(ks))
        written.append(sub)
    return written
