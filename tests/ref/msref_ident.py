"""msref: Identifiers: RFC 6509 3.2 (format 1) and TS 33.180 Annex F.2.1 (format 2).
Key periods count from 0h UTC 1 January 1900 (the NTP epoch), as the
UserKeyOffset of TS 33.180 Annex D does.  Also the TS 33.220 B.2 KDF and
the TS 33.180 GUK-ID / DPCK derived with it."""

import calendar
import datetime
import hashlib
import hmac

from msref_common import MsrefError, i2osp, os2ip, sha256


NTP_UNIX_DELTA = 2208988800   # seconds from 1900-01-01 to 1970-01-01


def utc(unix_time):
    try:
        return datetime.datetime.fromtimestamp(int(unix_time), datetime.timezone.utc)
    except (OverflowError, ValueError, OSError):
        raise MsrefError('time %d is outside the years 1..9999' % unix_time) from None


def uid_int_octets(value):
    """TS 33.180 F.2.1: minimal big-endian octets, 0 as a single 0x00."""
    if value < 0:
        raise MsrefError('UID parameter must not be negative')
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), 'big')


def uid(uri, kms_uri, key_period, key_offset, period_no):
    """UID = SHA-256(FC=0x00 || P0 || L0 || ... || P5 || L5), Annex F.2.1."""
    def param(octets):
        if len(octets) > 0xFFFF:
            raise MsrefError('UID parameter longer than 65535 octets')
        return octets + len(octets).to_bytes(2, 'big')
    s = b'\x00' + param(b'MIKEY-SAKKE-UID') + param(uri.encode()) + param(kms_uri.encode())
    s += param(uid_int_octets(key_period)) + param(uid_int_octets(key_offset))
    s += param(uid_int_octets(period_no))
    return sha256(s)


def rfc6509_identifier(uri, unix_time):
    """'YYYY-MM' NUL URI NUL for the UTC month of unix_time (RFC 6509 3.2)."""
    t = utc(unix_time)
    return ('%04d-%02d' % (t.year, t.month)).encode() + b'\x00' + uri.encode() + b'\x00'


def key_period_no(unix_time, key_period, key_offset):
    if key_period <= 0:
        raise MsrefError('UserKeyPeriod must be positive')
    n = (int(unix_time) + NTP_UNIX_DELTA - key_offset) // key_period
    if n < 0:
        raise MsrefError('time lies before the first key period (UserKeyOffset)')
    return n


def month_start(unix_time, months_later=0):
    """Unix time of 00:00 UTC on the first day of unix_time's month (+n)."""
    t = utc(unix_time)
    index = t.year * 12 + t.month - 1 + months_later
    return calendar.timegm((index // 12, index % 12 + 1, 1, 0, 0, 0))


def key_period_start(period_no, key_period, key_offset):
    """Unix time at which key period period_no begins."""
    return key_offset + period_no * key_period - NTP_UNIX_DELTA


def kdf_33220(key, fc, *params):
    """TS 33.220 B.2 KDF: HMAC-SHA-256(key, FC || P0 || L0 || ...)."""
    s = bytes([fc])
    for p in params:
        s += p + len(p).to_bytes(2, 'big')
    return hmac.new(key, s, hashlib.sha256).digest()


def guk_id(gmk, gmk_id, uri):
    """TS 33.180: GUK-ID = GMK-ID XOR 28 low bits of KDF(GMK, 0x50, URI)."""
    mask = os2ip(kdf_33220(gmk, 0x50, uri.encode())) & 0x0FFFFFFF
    return i2osp(os2ip(gmk_id) ^ mask, 4)


def dpck(gmk, dppk_id):
    """TS 33.180: DPCK = 128 low bits of KDF(GMK, 0x53, DPPK-ID)."""
    return kdf_33220(gmk, 0x53, dppk_id)[-16:]
