"""msref: Receiving and initiating (RFC 6509 2.2)."""

import base64
import secrets
import time

from msref_common import MsrefError
from msref_kms import format_datetime, identifier_for
from msref_mikey import (ROLE_I, ROLE_KMS, ROLE_KMSI, ROLE_KMSR, ROLE_R, ROLE_UIDI, ROLE_UIDR,
                         build_imessage, parse_imessage, srtp_keys, verify_imessage_signature)
from msref_prf import PRF_HASHES
from msref_sakke import SAKKE_N, sakke_decapsulate


def _idr_text(data):
    # Some deployed implementations NUL-terminate IDR URIs.
    return data.rstrip(b'\x00').decode('utf-8', 'replace')


def responder_identifier(msg, cert, ks):
    """Identifier the SAKKE payload was made for, from IDRuidr or IDRr."""
    uidr = msg.idr(ROLE_UIDR)
    uri_r = msg.idr(ROLE_R)
    if uidr is not None:
        return uidr
    if uri_r is not None:
        kmsr = msg.idr(ROLE_KMSR, ROLE_KMS)
        return identifier_for(cert, _idr_text(uri_r), msg.unix_time(),
                              None if kmsr is None else _idr_text(kmsr))
    return ks['user_id']


def accept_imessage(cert, ks, raw, now=None, window=300, explicit=None, from_cert=None):
    """Process one I_MESSAGE for the key set's user; raise MsrefError if refused.

    cert is the responder's community (Z_T, identifier format); from_cert,
    when the initiator belongs to another KMS (RFC 6509 2.1), gives its KPAK
    and identifier parameters.
    explicit: optional dict signer_id / receiver_id, for messages whose
    identities are not carried in the message (test vectors).
    Returns dict initiator, csb_id, coverage, ssv, keys, msg.
    """
    msg = parse_imessage(raw)
    t = msg.unix_time()
    if t is None:
        raise MsrefError('T payload is a COUNTER; RFC 6509 2.2.1 needs NTP time')
    if window:
        now = time.time() if now is None else now
        if abs(t - now) > window:
            raise MsrefError('outside the window: message time %s, now %s, window %d s'
                             % (format_datetime(t), format_datetime(int(now)), window))
    explicit = explicit or {}
    icert = from_cert or cert
    kmsi = msg.idr(ROLE_KMSI, ROLE_KMS)
    if kmsi is not None and _idr_text(kmsi) != icert['kms_uri'] and 'signer_id' not in explicit:
        raise MsrefError('unknown signer: initiator KMS %s is not the KMS %s whose KPAK '
                         'is known' % (_idr_text(kmsi), icert['kms_uri']))
    uidi, uri_i = msg.idr(ROLE_UIDI), msg.idr(ROLE_I)
    initiator = None
    if 'signer_id' in explicit:
        signer = explicit['signer_id']
    elif uri_i is not None:
        initiator = _idr_text(uri_i)
        signer = identifier_for(icert, initiator, t)
        if uidi is not None and uidi != signer:
            raise MsrefError('unknown signer: IDRuidi %s is not the identifier of IDRi %s '
                             'at the message time (%s)' % (uidi.hex(), initiator,
                                                           signer.hex()))
    elif uidi is not None:
        signer = uidi
    else:
        raise MsrefError('unknown signer: no IDRi or IDRuidi in the I_MESSAGE')
    coverage = verify_imessage_signature(msg, icert['kpak'], signer)
    uri_r = msg.idr(ROLE_R)
    if uri_r is not None and 'receiver_id' not in explicit and _idr_text(uri_r) != ks['uri']:
        raise MsrefError('not for this user: IDRr is %s, the key set is for %s'
                         % (_idr_text(uri_r), ks['uri']))
    receiver = explicit.get('receiver_id') or responder_identifier(msg, cert, ks)
    if receiver != ks['user_id']:
        raise MsrefError('not for this user: responder identifier %s is not the key '
                         'set UserID %s' % (receiver.hex(), ks['user_id'].hex()))
    if msg.sakke['params'] != 1:
        raise MsrefError('cannot decapsulate: SAKKE params %d (only parameter set 1)'
                         % msg.sakke['params'])
    try:
        ssv = sakke_decapsulate(cert['z'], receiver, ks['rsk'], msg.sakke['data'])
    except MsrefError as exc:
        raise MsrefError('cannot decapsulate: %s' % exc) from None
    return {'initiator': initiator or signer.hex(), 'csb_id': msg.csb_id,
            'coverage': coverage, 'ssv': ssv, 'keys': srtp_keys(msg, ssv), 'msg': msg}


def pick_addressed(cert, ks, candidates):
    """From the I_MESSAGEs of an offer, the one addressed to the key set."""
    if len(candidates) == 1:
        return candidates[0]
    for raw in candidates:
        try:
            msg = parse_imessage(raw)
            if msg.unix_time() is not None and responder_identifier(msg, cert, ks) == ks['user_id']:
                return raw
        except MsrefError:
            continue
    raise MsrefError('not for this user: none of the %d I_MESSAGEs is addressed to %s'
                     % (len(candidates), ks['uri']))


def create_imessages(cert, ks, to_cert, to_uris, prf=None, suite=None, now=None):
    """Group-capable initiation: one I_MESSAGE per recipient, same SSV.

    Returns (list of I_MESSAGE bytes, [(cs_id, key, salt)]).
    """
    t = time.time() if now is None else now
    me = identifier_for(cert, ks['uri'], t)
    if me != ks['user_id']:
        raise MsrefError('the key set (KeyPeriodNo %d) is not for the message time %s'
                         % (ks['period_no'], format_datetime(int(t))))
    prf = (1 if cert['id_format'] == 2 else 0) if prf is None else prf
    suite = suite or ('aes-gcm' if to_cert['id_format'] == 2 else 'aes-cm')
    if prf not in PRF_HASHES:
        raise MsrefError('--prf must be 0 or 1')
    ssv = secrets.token_bytes(SAKKE_N // 8)
    csb_id = secrets.token_bytes(4)
    rand = secrets.token_bytes(16)
    sign_key = {'kpak': cert['kpak'], 'ssk': ks['ssk'], 'pvt': ks['pvt'], 'id': me,
                'uri': ks['uri'], 'kms_uri': cert['kms_uri'], 'format': cert['id_format']}
    out = []
    for uri in to_uris:
        recipient = {'z': to_cert['z'], 'uri': uri, 'kms_uri': to_cert['kms_uri'],
                     'id': identifier_for(to_cert, uri, t), 'format': to_cert['id_format']}
        out.append(build_imessage(sign_key, recipient, csb_id, rand, t, prf, suite, ssv))
    keys = srtp_keys(parse_imessage(out[0]), ssv)
    return out, keys


def sdp_offer(messages):
    """An SDP offer (RFC 4566/4567) with one a=key-mgmt line per I_MESSAGE."""
    lines = ['v=0', 'o=- %d 1 IN IP4 127.0.0.1' % secrets.randbelow(1 << 31),
             's=msref', 'c=IN IP4 127.0.0.1', 't=0 0']
    lines += ['a=key-mgmt:mikey ' + base64.b64encode(m).decode() for m in messages]
    lines += ['m=audio 49170 RTP/SAVP 0']
    return '\r\n'.join(lines) + '\r\n'
