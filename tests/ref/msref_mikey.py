"""msref: MIKEY I_MESSAGE codec (RFC 3830 6, RFC 6043 6, RFC 4563 5, RFC 6509 4,
TS 33.180 E).  Decoding is strict: every length is checked against what
remains and each refusal names the offset and the field."""

import base64
import binascii
import re

from msref_common import MsrefError, i2osp, os2ip
from msref_eccsi import ECCSI_N, eccsi_sign, eccsi_verify
from msref_ident import NTP_UNIX_DELTA
from msref_prf import derive_key
from msref_sakke import SAKKE_DATA_LEN, sakke_encapsulate


PT_LAST, PT_KEMAC, PT_SIGN, PT_T, PT_ID, PT_CERT = 0, 1, 4, 5, 6, 7
PT_SP, PT_RAND, PT_IDR, PT_GENEXT, PT_SAKKE = 10, 11, 14, 21, 26
DATA_TYPE_SAKKE = 26
MAP_SRTP_ID, MAP_EMPTY, MAP_GENERIC_ID = 0, 1, 2
ROLE_I, ROLE_R, ROLE_KMS, ROLE_KMSI, ROLE_KMSR = 1, 2, 3, 6, 7
ROLE_UIDI, ROLE_UIDR = 8, 9          # TS 33.180 IDRuidi / IDRuidr
ID_TYPE_NAI, ID_TYPE_URI, ID_TYPE_BYTES = 0, 1, 2
SIGN_ECCSI = 2
GENEXT_SAKKE_TO_SELF, GENEXT_KEY_PARAMS = 6, 7
SRTP_ENC_NULL, SRTP_ENC_AES_CM, SRTP_ENC_AES_GCM = 0, 1, 6


class Reader:
    """Bounded cursor over the message; errors carry the offset.

    A Reader over a part of the message (SP parameters, SAKKE-to-self) gets
    the part's position as base, so offsets stay message offsets.
    """

    def __init__(self, data, base=0):
        self.data, self.pos, self.base = data, 0, base

    def sub(self, n, field):
        """A Reader over the next n octets."""
        return Reader(self.take(n, field), self.base + self.pos - n)

    def take(self, n, field):
        if n > len(self.data) - self.pos:
            raise MsrefError('malformed I_MESSAGE at offset %d: %s needs %d octets, '
                             '%d left' % (self.base + self.pos, field, n,
                                          len(self.data) - self.pos))
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self, field):
        return self.take(1, field)[0]

    def u16(self, field):
        return os2ip(self.take(2, field))


class IMessage:
    """Decoded I_MESSAGE.  Field names follow the RFC payload names."""

    def __init__(self, raw):
        self.raw = raw
        self.warnings = []
        self.crypto_sessions = []    # dicts: cs_id, policies, ssrc, ...
        self.idrs = []               # (role, id type, data)
        self.ids = []                # ID payloads (RFC 3830): (id type, data)
        self.sps = {}                # policy no -> {'prot': t, 'params': {type: bytes}}
        self.general = []            # (type, data)
        self.sakke = None            # {'params', 'scheme', 'data'}
        self.sakke_to_self = None
        self.ts_type = None
        self.ts_value = None
        self.rand = None
        self.sign_offset = None
        self.sign_type = None
        self.signature = None

    def idr(self, *roles):
        for role, _, data in self.idrs:
            if role in roles:
                return data
        return None

    def ntp_seconds(self):
        if self.ts_type in (0, 1):
            return os2ip(self.ts_value[:4])
        return None

    def unix_time(self):
        ntp = self.ntp_seconds()
        return None if ntp is None else ntp - NTP_UNIX_DELTA

    def signed_part(self, coverage):
        """Octets the signature covers.

        'rfc': RFC 3830 5.2, the whole message except the Signature field,
        i.e. including the SIGN payload's S type / length octets;
        'before-sign': older implementations that stop before the SIGN
        payload (the two header octets excluded).
        """
        if coverage == 'rfc':
            return self.raw[:self.sign_offset + 2]
        return self.raw[:self.sign_offset]


def _parse_hdr(rd, msg):
    msg.version = rd.u8('HDR version')
    if msg.version != 1:
        raise MsrefError('malformed I_MESSAGE at offset 0: HDR version %d, expected 1'
                         % msg.version)
    msg.data_type = rd.u8('HDR data type')
    if msg.data_type != DATA_TYPE_SAKKE:
        raise MsrefError('malformed I_MESSAGE at offset 1: HDR data type %d is not a '
                         'SAKKE msg (26)' % msg.data_type)
    nxt = rd.u8('HDR next payload')
    vprf = rd.u8('HDR V/PRF func')
    msg.v_flag, msg.prf = vprf >> 7, vprf & 0x7F
    if msg.v_flag:
        msg.warnings.append('RFC 6509 4.1: V MUST be 0 in a SAKKE msg (ignored)')
    msg.csb_id = rd.take(4, 'HDR CSB ID')
    ncs = rd.u8('HDR #CS')
    map_off = rd.pos
    msg.map_type = rd.u8('HDR CS ID map type')
    if msg.map_type == MAP_SRTP_ID:
        for i in range(ncs):
            pol = rd.u8('SRTP-ID Policy_no_%d' % (i + 1))
            ssrc = rd.take(4, 'SRTP-ID SSRC_%d' % (i + 1))
            roc = rd.take(4, 'SRTP-ID ROC_%d' % (i + 1))
            # RFC 3830 6.1.1: the stream with SSRC_i has CS ID i.
            msg.crypto_sessions.append({'cs_id': i + 1, 'policies': [pol],
                                        'ssrc': ssrc, 'roc': roc})
    elif msg.map_type == MAP_EMPTY:
        if ncs:
            msg.warnings.append('RFC 4563 5: Empty map with #CS = %d' % ncs)
    elif msg.map_type == MAP_GENERIC_ID:
        for i in range(ncs):
            cs_id = rd.u8('GENERIC-ID CS ID')
            prot = rd.u8('GENERIC-ID Prot type')
            snp = rd.u8('GENERIC-ID S/#P')
            pols = list(rd.take(snp & 0x7F, 'GENERIC-ID Ps'))
            sdata = rd.take(rd.u16('GENERIC-ID Session Data Length'), 'GENERIC-ID Session Data')
            spi = rd.take(rd.u8('GENERIC-ID SPI Length'), 'GENERIC-ID SPI')
            msg.crypto_sessions.append({'cs_id': cs_id, 'prot': prot, 's': snp >> 7,
                                        'policies': pols, 'session_data': sdata,
                                        'spi': spi})
    else:
        raise MsrefError('malformed I_MESSAGE at offset %d: unknown CS ID map type %d'
                         % (map_off, msg.map_type))
    return nxt


def _parse_sakke_payload(rd, where, msg):
    """SAKKE payload body (RFC 6509 4.2).  Parameter sets other than 1 and
    other data lengths still parse (with a warning); decapsulation refuses."""
    params = rd.u8(where + ' SAKKE params')
    scheme = rd.u8(where + ' ID scheme')
    length = rd.u16(where + ' SAKKE data length')
    data = rd.take(length, where + ' SAKKE data')
    if params != 1:
        msg.warnings.append('%s: SAKKE params %d is not parameter set 1' % (where, params))
    if length != SAKKE_DATA_LEN:
        msg.warnings.append('%s: SAKKE data length %d, parameter set 1 has %d'
                            % (where, length, SAKKE_DATA_LEN))
    return {'params': params, 'scheme': scheme, 'data': data}


def parse_imessage(raw):
    """Decode an I_MESSAGE (bytes) into an IMessage; raise MsrefError."""
    rd = Reader(bytes(raw))
    msg = IMessage(rd.data)
    nxt = _parse_hdr(rd, msg)
    while nxt != PT_LAST:
        start = rd.pos
        if nxt == PT_SIGN:
            st_len = rd.u16('SIGN S type/length')
            msg.sign_offset = start
            msg.sign_type, slen = st_len >> 12, st_len & 0x0FFF
            msg.signature = rd.take(slen, 'SIGN signature')
            if rd.pos != len(rd.data):
                raise MsrefError('malformed I_MESSAGE at offset %d: %d octets after '
                                 'the SIGN payload' % (rd.pos, len(rd.data) - rd.pos))
            break
        cur, nxt = nxt, rd.u8('next payload')
        if cur == PT_T:
            msg.ts_type = rd.u8('T TS type')
            if msg.ts_type not in (0, 1, 2):
                raise MsrefError('malformed I_MESSAGE at offset %d: unknown TS type %d'
                                 % (start + 1, msg.ts_type))
            msg.ts_value = rd.take(4 if msg.ts_type == 2 else 8, 'T TS value')
        elif cur == PT_RAND:
            msg.rand = rd.take(rd.u8('RAND len'), 'RAND')
        elif cur == PT_IDR:
            role = rd.u8('IDR ID Role')
            idtype = rd.u8('IDR ID Type')
            msg.idrs.append((role, idtype, rd.take(rd.u16('IDR ID len'), 'IDR ID Data')))
        elif cur in (PT_ID, PT_CERT):
            idtype = rd.u8('ID/CERT type')
            data = rd.take(rd.u16('ID/CERT len'), 'ID/CERT data')
            if cur == PT_ID:
                msg.ids.append((idtype, data))
        elif cur == PT_SP:
            pol = rd.u8('SP Policy no')
            prot = rd.u8('SP Prot type')
            body = rd.sub(rd.u16('SP Policy param length'), 'SP Policy param')
            params = {}
            while body.pos < len(body.data):
                ptype = body.u8('SP param type')
                params[ptype] = body.take(body.u8('SP param length'), 'SP param value')
            msg.sps[pol] = {'prot': prot, 'params': params}
        elif cur == PT_SAKKE:
            if msg.sakke is not None:
                raise MsrefError('malformed I_MESSAGE at offset %d: second SAKKE payload'
                                 % start)
            msg.sakke = _parse_sakke_payload(rd, 'SAKKE', msg)
        elif cur == PT_GENEXT:
            gtype = rd.u8('General Ext. type')
            body = rd.sub(rd.u16('General Ext. length'), 'General Ext. data')
            msg.general.append((gtype, body.data))
            if gtype == GENEXT_SAKKE_TO_SELF:
                body.u8('SAKKE-to-self next payload')
                msg.sakke_to_self = _parse_sakke_payload(body, 'SAKKE-to-self', msg)
        else:
            raise MsrefError('malformed I_MESSAGE at offset %d: unsupported payload '
                             'type %d' % (start, cur))
    if msg.signature is None:
        raise MsrefError('malformed I_MESSAGE: no SIGN payload')
    if msg.sakke is None:
        raise MsrefError('malformed I_MESSAGE: no SAKKE payload')
    if msg.ts_value is None:
        raise MsrefError('malformed I_MESSAGE: no T payload')
    if msg.rand is None:
        raise MsrefError('malformed I_MESSAGE: no RAND payload')
    if msg.map_type == MAP_EMPTY and msg.sps:
        msg.warnings.append('RFC 4563 5: Empty map but SP payload(s) present')
    return msg


def verify_imessage_signature(msg, kpak, signer_id):
    """ECCSI signature, RFC coverage first, then the older one.

    Returns 'rfc' or 'before-sign' (the coverage that verified); raises
    MsrefError when neither does.
    """
    if msg.sign_type != SIGN_ECCSI:
        raise MsrefError('SIGN payload S type %d is not ECCSI (2)' % msg.sign_type)
    for coverage in ('rfc', 'before-sign'):
        if eccsi_verify(kpak, signer_id, msg.signed_part(coverage), msg.signature):
            return coverage
    raise MsrefError('bad signature: ECCSI verification failed for the signer '
                     'identifier %s' % signer_id.hex())


def srtp_policy(msg, cs):
    """SRTP master key / salt lengths of a crypto session (RFC 3830 6.10.1).

    Lengths come from the SP payload the session names (types 1 and 4);
    without them, the defaults of the encryption algorithm: AES-CM 16/14
    (RFC 3711), AES-GCM 16/12 (RFC 7714).  No SP at all: AES-CM.
    """
    params = {}
    for pol in cs.get('policies', []):
        if pol in msg.sps:
            params = msg.sps[pol]['params']
            break
    enc = os2ip(params[0]) if 0 in params else SRTP_ENC_AES_CM
    key_len = os2ip(params[1]) if 1 in params else 16
    salt_len = os2ip(params[4]) if 4 in params else (12 if enc == SRTP_ENC_AES_GCM else 14)
    if not 1 <= key_len <= 64 or not 0 <= salt_len <= 64:
        raise MsrefError('SP payload: session key length %d / salt length %d octets is '
                         'not usable for SRTP' % (key_len, salt_len))
    return enc, key_len, salt_len


def srtp_keys(msg, ssv):
    """[(cs_id, master key, master salt)] for every crypto session of msg."""
    out = []
    for cs in msg.crypto_sessions:
        _, key_len, salt_len = srtp_policy(msg, cs)
        key = derive_key(msg.prf, ssv, 'tek', cs['cs_id'], msg.csb_id, msg.rand, key_len * 8)
        salt = derive_key(msg.prf, ssv, 'salt', cs['cs_id'], msg.csb_id, msg.rand,
                          salt_len * 8)
        out.append((cs['cs_id'], key, salt))
    return out


def decode_text_imessages(text):
    """I_MESSAGE bytes from text: an SDP (a=key-mgmt:mikey ...), base64 or hex.

    Returns a list (an SDP offer for a group carries one per member).
    """
    found = re.findall(r'a=key-mgmt:\s*mikey\s+(\S+)', text)
    if found:
        return [_b64(item) for item in found]
    body = text.strip()
    if body.startswith('mikey '):
        body = body[6:].strip()
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    if not lines:
        raise MsrefError('input holds no I_MESSAGE')
    out = []
    for ln in lines:
        if ln.startswith('mikey '):
            ln = ln[6:].strip()
        if re.fullmatch(r'(?:[0-9a-fA-F]{2})+', ln):
            out.append(bytes.fromhex(ln))
        else:
            out.append(_b64(ln))
    return out


def _b64(text):
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise MsrefError('I_MESSAGE is neither valid base64 nor hex') from None


# --- building (RFC 6509 2.2.1) ----------------------------------------------

def ntp_timestamp(unix_time):
    """NTP-UTC 64-bit: seconds since 1900 and a binary fraction."""
    secs = int(unix_time)
    frac = int((unix_time - secs) * (1 << 32)) & 0xFFFFFFFF
    return i2osp(secs + NTP_UNIX_DELTA, 4) + i2osp(frac, 4)


def srtp_policy_params(suite):
    """SP Policy param TLVs (RFC 3830 6.10.1, RFC 7714 14.3) for a suite."""
    if suite == 'aes-cm':
        tlv = [(0, SRTP_ENC_AES_CM), (1, 16), (2, 1), (3, 20), (4, 14), (5, 0),
               (7, 1), (8, 1), (10, 1), (11, 10)]
    elif suite == 'aes-gcm':
        tlv = [(0, SRTP_ENC_AES_GCM), (1, 16), (4, 12), (5, 0), (20, 16)]
    else:
        raise MsrefError('unknown SRTP suite %r (aes-cm or aes-gcm)' % suite)
    return b''.join(bytes([t, 1, v]) for t, v in tlv)


def _idr(nxt, role, idtype, data):
    return bytes([nxt, role, idtype]) + i2osp(len(data), 2) + data


def build_imessage(sign_key, recipient, csb_id, rand, unix_time, prf, suite, ssv):
    """One I_MESSAGE to one recipient; same SSV, CSB ID and RAND for a group.

    sign_key:  dict kpak, ssk, pvt, id (signer identifier), uri, kms_uri, format
    recipient: dict z, id (SAKKE identifier), uri, kms_uri, format
    Format 2 (TS 33.180) adds IDRuidi/IDRuidr and the KMS IDRs to the
    IDRi/IDRr URIs; the SAKKE ID scheme is 1 (RFC 6509) or 2 (hashed UID).
    """
    if recipient['format'] == 1:
        # SRTP-ID map, one crypto session (CS ID 1), policy 0, SSRC/ROC 0.
        cs_map = bytes([1, MAP_SRTP_ID, 0]) + bytes(8)
    else:
        # GENERIC-ID map: CS ID 1, SRTP, #P = 1 (policy 0), no session data/SPI.
        cs_map = bytes([1, MAP_GENERIC_ID, 1, 0, 1, 0]) + b'\x00\x00' + b'\x00'
    out = bytes([1, DATA_TYPE_SAKKE, PT_T, prf & 0x7F]) + csb_id + cs_map
    out += bytes([PT_RAND, 0]) + ntp_timestamp(unix_time)
    out += bytes([PT_IDR, len(rand)]) + rand
    idrs = [(ROLE_I, ID_TYPE_URI, sign_key['uri'].encode()),
            (ROLE_R, ID_TYPE_URI, recipient['uri'].encode())]
    if sign_key['format'] == 2:
        idrs.append((ROLE_UIDI, ID_TYPE_BYTES, sign_key['id']))
    if recipient['format'] == 2:
        idrs.append((ROLE_UIDR, ID_TYPE_BYTES, recipient['id']))
    if 2 in (sign_key['format'], recipient['format']):
        idrs += [(ROLE_KMSI, ID_TYPE_URI, sign_key['kms_uri'].encode()),
                 (ROLE_KMSR, ID_TYPE_URI, recipient['kms_uri'].encode())]
    for i, (role, idtype, data) in enumerate(idrs):
        out += _idr(PT_IDR if i + 1 < len(idrs) else PT_SP, role, idtype, data)
    params = srtp_policy_params(suite)
    out += bytes([PT_SAKKE, 0, 0]) + i2osp(len(params), 2) + params
    data, _ = sakke_encapsulate(recipient['z'], recipient['id'], ssv)
    out += bytes([PT_SIGN, 1, recipient['format']]) + i2osp(len(data), 2) + data
    sig_len = 4 * ECCSI_N + 1
    out += bytes([(SIGN_ECCSI << 4) | (sig_len >> 8), sig_len & 0xFF])
    sig = eccsi_sign(sign_key['kpak'], sign_key['id'], sign_key['ssk'], sign_key['pvt'], out)
    return out + sig
