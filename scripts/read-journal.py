#!/usr/bin/env python3
"""An independent reader for SealedJournal format version 2, written from FORMAT.md alone.

It shares no code with the Swift library: Ed25519 from `cryptography`, XChaCha20-Poly1305 from
`pycryptodome`, Argon2id from `argon2-cffi`, BLAKE2b and SHA-256 from Python's hashlib, NFC from
unicodedata.

    pip install cryptography pycryptodome argon2-cffi
    python3 scripts/read-journal.py JOURNAL --passphrase P      # print records, verify everything
    python3 scripts/read-journal.py JOURNAL --held CHECKPOINT.txt   # also compare with a held checkpoint (5.4)
    python3 scripts/read-journal.py --check-vectors [DIR]       # check the format-v2 vector files
    python3 scripts/read-journal.py --markdown [DIR]            # hex dumps for FORMAT.md's worked example
"""
import argparse, base64, binascii, datetime, hashlib, hmac, json, os, re, struct, sys, unicodedata
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey, Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization
from cryptography.exceptions import InvalidSignature
from Crypto.Cipher import ChaCha20_Poly1305
import argon2.low_level as a2

MAGIC = b"SJOURNAL"
VERSION = 2
COPY = 4096
FRAMES = 8192
SIGNED = COPY - 64
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DASH = "\u2014"
EMPTY_ROOT = hashlib.sha256(b"").digest()
MAX_PAYLOAD = 16 * 1024 * 1024
MIN_DAY, MAX_DAY = -719162, 2932896
MIN_MS, MAX_MS = -62135596800000, 253402300799999
# 3: L at most 112 + largest padded content + 16 + 32 (the padded size of 18 + 64 + 16 MiB is 9 * 2^21)
EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()


class FormatError(Exception):
    pass


class UnsupportedVersion(FormatError):
    pass


CHECKS = [0]


def ok(condition, message):
    """Every verified fact goes through here: counted, and a failure raises FormatError."""
    CHECKS[0] += 1
    if not condition:
        raise FormatError(message)


# ---------------------------------------------------------------- primitives

def b64(text, size=None, what="base64"):
    """Canonical RFC 4648 base64 with padding only (re-encodes to the same text)."""
    if not isinstance(text, str):
        raise FormatError(f"{what}: not a string")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise FormatError(f"{what}: not base64")
    if base64.b64encode(raw).decode() != text:
        raise FormatError(f"{what}: non-canonical base64")
    if size is not None and len(raw) != size:
        raise FormatError(f"{what}: {len(raw)} bytes, expected {size}")
    return raw


def e64(raw):
    return base64.b64encode(raw).decode()


def ed25519_ok(public_key, signature, message):
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
        return True
    except (InvalidSignature, ValueError):
        return False


def aead_open(key, nonce, sealed, aad):
    """crypto_aead_xchacha20poly1305_ietf_decrypt (pycryptodome: ChaCha20_Poly1305 with 24-byte nonce)."""
    if len(sealed) < 16:
        raise FormatError("sealed box shorter than its tag")
    cipher = ChaCha20_Poly1305.new(key=key, nonce=nonce)
    cipher.update(aad)
    try:
        return cipher.decrypt_and_verify(sealed[:-16], sealed[-16:])
    except ValueError:
        raise FormatError("authentication failed")


def kdf(master, subkey_id, context, length=32):
    # crypto_kdf_derive_from_key: keyed BLAKE2b, salt = LE64(id) || 0^8, personal = context || 0^8
    assert len(context) == 8
    return hashlib.blake2b(b"", key=master, salt=struct.pack("<Q", subkey_id) + bytes(8),
                           person=context + bytes(8), digest_size=length).digest()


def generichash(message, key, length=32):
    return hashlib.blake2b(message, key=key, digest_size=length).digest()


def fingerprint(public_key):
    h = hashlib.sha256(public_key).hexdigest()[:32]
    return ":".join(h[i:i + 4] for i in range(0, 32, 4))


def same_fingerprint(a, b):
    norm = lambda s: re.sub(r"[^0-9a-f]", "", s.lower())
    return norm(a) == norm(b)


def day_to_date(day):
    return datetime.date.fromordinal(day + EPOCH_ORDINAL).isoformat()


def date_to_day(text):
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise FormatError(f"not a YYYY-MM-DD date: {text!r}")
    try:
        return datetime.date.fromisoformat(text).toordinal() - EPOCH_ORDINAL
    except ValueError:
        raise FormatError(f"not a date: {text!r}")


def origin_of(journal_id):
    return "sealed-journal/" + journal_id.hex()


def key_id(name, public_key):
    return hashlib.sha256(name.encode() + b"\n\x01" + public_key).digest()[:4]


# ---------------------------------------------------------------- header (section 2)

def parse_header_copy(copy):
    if len(copy) != COPY:
        raise FormatError("short header copy")
    if copy[:8] != MAGIC:
        raise FormatError("bad magic")
    version, flags, used, sequence = struct.unpack_from("<HHIQ", copy, 8)
    if version != VERSION:
        raise UnsupportedVersion(f"unsupported version {version}")
    if flags != 0:
        raise FormatError("flags")
    if not 76 <= used <= SIGNED:
        raise FormatError("used length out of range")
    journal_id, public_key = copy[24:40], copy[40:72]
    if not ed25519_ok(public_key, copy[SIGNED:], copy[:SIGNED]):
        raise FormatError("header signature")
    count, pos, slots = copy[72], 73, []
    if not 1 <= count <= 8:
        raise FormatError("key slot count")
    for _ in range(count):
        if pos + 3 > used:
            raise FormatError("key slot runs past U")
        slot_type, length = copy[pos], struct.unpack_from("<H", copy, pos + 1)[0]
        if length > 1024 or pos + 3 + length > used:
            raise FormatError("key slot body length")
        body = bytes(copy[pos + 3:pos + 3 + length])
        pos += 3 + length
        if slot_type == 1:
            if length != 8 + 8 + 16 + 72:
                raise FormatError("passphrase slot body length")
            ops, mem = struct.unpack_from("<QQ", body, 0)
            slots.append({"type": 1, "ops": ops, "mem": mem, "salt": body[16:32], "params": body[:32],
                          "wrapped": body[32:]})
        elif slot_type == 2:
            if length != 72:
                raise FormatError("recovery slot body length")
            slots.append({"type": 2, "params": b"", "wrapped": body})
        else:
            slots.append({"type": slot_type, "reserved": body})
    if pos != used:
        raise FormatError("key slots do not end exactly at U")
    if sum(s["type"] == 1 for s in slots) > 1 or sum(s["type"] == 2 for s in slots) > 1:
        raise FormatError("more than one passphrase or recovery slot")
    if any(copy[used:SIGNED]):
        raise FormatError("header fill not zero")
    return {"sequence": sequence, "journal_id": bytes(journal_id), "public_key": bytes(public_key), "slots": slots,
            "used": used, "digest": hashlib.sha256(copy[:SIGNED]).digest(), "raw": bytes(copy)}


def decode_header_copies(data):
    copies, errors = [], []
    for i in range(2):
        try:
            copies.append(parse_header_copy(data[i * COPY:(i + 1) * COPY]))
            errors.append(None)
        except (FormatError, struct.error) as e:
            copies.append(None)
            errors.append(e)
    intact = [c for c in copies if c]
    if not intact:
        for e in errors:
            if isinstance(e, UnsupportedVersion):
                raise e
        raise FormatError("damaged header")
    if len(intact) == 2 and (intact[0]["journal_id"] != intact[1]["journal_id"]
                             or intact[0]["public_key"] != intact[1]["public_key"]):
        raise FormatError("header copies belong to different journals")
    return copies, errors


def header_in_force(copies, bound_sequence, bound_digest):
    """Section 2.3: returns (copy, state) with state 'committed', 'uncommitted' or raises on rollback."""
    intact = [c for c in copies if c]
    highest = max(c["sequence"] for c in intact)
    exact = [c for c in intact if c["sequence"] == bound_sequence and c["digest"] == bound_digest]
    if exact and highest <= bound_sequence:
        return exact[0], "committed"
    top = max(intact, key=lambda c: c["sequence"])
    if top["sequence"] > bound_sequence:
        return top, "uncommitted"
    raise FormatError("header rolled back: no intact copy matches the last checkpoint's header line")


def slot_aad(journal_id, slot):
    return b"SJ-keyslot-v2" + journal_id + bytes([slot["type"]]) + slot["params"]


def unwrap(wrapping_key, journal_id, slot):
    w = slot["wrapped"]
    return aead_open(wrapping_key, w[:24], w[24:], slot_aad(journal_id, slot))


def normalise_passphrase(passphrase):
    if isinstance(passphrase, bytes):
        try:
            passphrase = passphrase.decode("utf-8")
        except UnicodeDecodeError:
            raise FormatError("passphrase is not valid UTF-8")
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def unlock_passphrase(header, passphrase):
    for slot in header["slots"]:
        if slot["type"] != 1:
            continue
        ops, mem = slot["ops"], slot["mem"]
        if not (1 <= ops <= 16 and 8 * 1024 <= mem <= 1 << 30 and ops * mem <= 8 << 30):
            raise FormatError("Argon2id parameters outside the limits")
        key = a2.hash_secret_raw(normalise_passphrase(passphrase), slot["salt"], time_cost=ops,
                                 memory_cost=mem // 1024, parallelism=1, hash_len=32, type=a2.Type.ID,
                                 version=19)
        return unwrap(key, header["journal_id"], slot)
    raise FormatError("no passphrase slot")


def decode_recovery_key(text):
    values = []
    for c in text.upper():
        if c in "- ":
            continue
        c = {"I": "1", "L": "1", "O": "0"}.get(c, c)
        if c not in ALPHABET:
            raise FormatError("recovery key: not Crockford base32")
        values.append(ALPHABET.index(c))
    if len(values) != 55:
        raise FormatError("recovery key: wrong length")
    n = 0
    for v in values:
        n = (n << 5) | v
    pad = 55 * 5 - 34 * 8   # 3 padding bits
    if n & ((1 << pad) - 1):
        raise FormatError("recovery key: non-zero padding bits")
    raw = (n >> pad).to_bytes(34, "big")
    key, check = raw[:32], raw[32:]
    if generichash(b"SJrecovery-check", key, 16)[:2] != check:
        raise FormatError("recovery key checksum")
    return key


def encode_recovery_key(key):
    raw = key + generichash(b"SJrecovery-check", key, 16)[:2]
    n = int.from_bytes(raw, "big") << 3
    chars = "".join(ALPHABET[(n >> (5 * (54 - i))) & 31] for i in range(55))
    return "-".join(chars[i:i + 5] for i in range(0, 55, 5))


def unlock_recovery(header, recovery_key):
    wrapping = kdf(recovery_key, 1, b"SJrecovr")
    for slot in header["slots"]:
        if slot["type"] == 2:
            return unwrap(wrapping, header["journal_id"], slot)
    raise FormatError("no recovery slot")


def signing_key(master):
    seed = kdf(master, 1, b"SJsignky")
    private = Ed25519PrivateKey.from_private_bytes(seed)
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return private, public


def record_root_key(master):
    return kdf(master, 1, b"SJrecrd2")


# ---------------------------------------------------------------- Merkle tree (5.1)

def leaf_hash(frame):
    return hashlib.sha256(b"\x00" + frame).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves):
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


def compact_range(leaves):
    """Roots of the perfect subtrees of the tree, largest first."""
    out, start, n = [], 0, len(leaves)
    for bit in range(63, -1, -1):
        if n & (1 << bit):
            out.append(merkle_root(leaves[start:start + (1 << bit)]))
            start += 1 << bit
    return out


def fold_compact(compact):
    if not compact:
        return EMPTY_ROOT
    r = compact[-1]
    for h in reversed(compact[:-1]):
        r = node_hash(h, r)
    return r


def verify_inclusion(index, size, leaf, proof, root):
    # RFC 9162 section 2.1.3.2
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(m, n, old_root, new_root, proof):
    # RFC 9162 section 2.1.4.2
    if m == n:
        return not proof and old_root == new_root
    if m == 0:
        return not proof   # RFC 9162: the empty tree is consistent with everything (empty proof)
    if m > n or not proof:
        return False
    if m & (m - 1) == 0:
        proof = [old_root] + proof
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


# ---------------------------------------------------------------- frames (section 3)

def frames(data):
    pos = FRAMES
    while pos < len(data):
        if pos + 9 > len(data):
            raise FormatError(f"torn frame at byte offset {pos}")
        length, kind = struct.unpack_from("<IB", data, pos)
        end = pos + 9 + length
        if end > len(data) or struct.unpack_from("<I", data, end - 4)[0] != length:
            raise FormatError(f"bad frame at byte offset {pos}")
        if kind == 0 or 4 <= kind <= 127:
            raise FormatError(f"invalid frame kind {kind} at byte offset {pos}")
        if length > MAX_FRAME_BODY:
            raise FormatError(f"frame body too long at byte offset {pos}")
        if kind == 2 and length > 6171:
            raise FormatError("checkpoint body too long")
        if kind == 3 and length > 65536:
            raise FormatError("lineage statement too long")
        yield pos, kind, bytes(data[pos:end]), bytes(data[pos + 5:end - 4])
        pos = end


def split_record_frame(frame):
    """Returns (nonce, sealed envelope, sealed content, owner tag)."""
    if len(frame) < 9:
        raise FormatError("record frame too short")
    length, kind = struct.unpack_from("<IB", frame, 0)
    if kind != 1 or len(frame) != length + 9 or struct.unpack_from("<I", frame, len(frame) - 4)[0] != length:
        raise FormatError("record frame not well formed")
    body = frame[5:-4]
    if len(body) < 24 + 88 + 256 + 16 + 32:   # smallest padded content is 256 bytes; owner tag 32
        raise FormatError("record frame body too short")
    if length > 112 + pad_size(18 + 64 + MAX_PAYLOAD) + 16 + 32:
        raise FormatError("record frame body too long")
    # nonce, sealed envelope, sealed content (ends 32 bytes before the end), owner tag
    return body[:24], body[24:112], body[112:-32], body[-32:]


def owner_tag(root_key, journal_id, sequence, body_before_tag):
    """4.1: keyed BLAKE2b-256 with the record root key over "SJrecmac" || journal id || LE64(seq) || body[:-32]."""
    return generichash(b"SJrecmac" + journal_id + struct.pack("<Q", sequence) + body_before_tag, root_key)


def check_owner_tag(root_key, journal_id, sequence, frame):
    split_record_frame(frame)
    body = frame[5:-4]
    ok(hmac.compare_digest(owner_tag(root_key, journal_id, sequence, body[:-32]), body[-32:]),
       f"record #{sequence}: owner tag does not verify (altered record)")


# ---------------------------------------------------------------- records (section 4)

def step(m):
    return 256 if m <= 4096 else 1 << (m.bit_length() - 1 - 3)


def pad_size(n):
    m = n + 1
    s = step(m)
    return -(-m // s) * s


MAX_FRAME_BODY = 112 + 9 * (1 << 21) + 16 + 32   # 18,874,528 bytes ("about 18.9 MB")


def sodium_unpad(buf, blocksize):
    if blocksize <= 0 or len(buf) < blocksize:
        raise FormatError("padding: buffer shorter than block")
    tail = buf[len(buf) - blocksize:]
    i = len(tail) - 1
    while i >= 0 and tail[i] == 0:
        i -= 1
    if i < 0 or tail[i] != 0x80:
        raise FormatError("padding marker missing")
    return len(buf) - blocksize + i


def record_keys(root_key, sequence, nonce):
    seq = struct.pack("<Q", sequence)
    return (generichash(b"SJenvkey" + seq + nonce, root_key), generichash(b"SJcntkey" + seq + nonce, root_key))


def record_aad(journal_id, sequence, part):
    return journal_id + struct.pack("<QBHB", sequence, 1, 2, part)


def content_aad(journal_id, sequence, sealed_envelope):
    """4.1: AAD(2) || SHA-256(the 88 sealed envelope bytes)."""
    return record_aad(journal_id, sequence, 2) + hashlib.sha256(sealed_envelope).digest()


def parse_envelope(envelope):
    ok(len(envelope) == 72, "envelope length")
    if envelope[0] != 1:
        raise FormatError(f"unsupported envelope version {envelope[0]}")
    k = envelope[1]
    ok(1 <= k <= 64, "envelope kind length")
    try:
        kind = envelope[2:2 + k].decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError("envelope kind not UTF-8")
    ok(not any(envelope[2 + k:66]), "envelope kind fill not zero")
    day = struct.unpack_from("<i", envelope, 66)[0]
    ok(envelope[70:72] == b"\0\0", "envelope reserved field not zero")
    ok(MIN_DAY <= day <= MAX_DAY, "envelope day out of range")
    return kind, day


def parse_content(padded):
    # the encoding version comes first: a content that authenticates with another version is
    # "unsupported record encoding", whatever its padding (4.3, 8.1)
    if len(padded) < 1 or padded[0] != 2:
        raise FormatError("unsupported record encoding")
    ok(len(padded) >= 256, "padded content too short")
    unpadded = sodium_unpad(padded, step(len(padded)))
    ok(pad_size(unpadded) == len(padded), "padded size is not the size the rule gives")
    body = padded[:unpadded]
    ok(len(body) >= 2, "content too short")
    k = body[1]
    ok(1 <= k <= 64, "content kind length")
    ok(len(body) >= 18 + k, "content too short for its kind")
    try:
        kind = body[2:2 + k].decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError("content kind not UTF-8")
    recorded_at, offset, p = struct.unpack_from("<qiI", body, 2 + k)
    ok(p <= MAX_PAYLOAD, "payload too long")
    ok(18 + k + p == len(body), "payload length does not end at the padding")
    ok(MIN_MS <= recorded_at <= MAX_MS, "recorded-at time out of range")
    ok(-64800 <= offset <= 64800, "UTC offset out of range")
    raw = body[18 + k:]
    try:
        text = raw.decode("utf-8")
        pairs = []
        value = json.loads(text, object_pairs_hook=lambda kv: (pairs.append([k for k, _ in kv]), dict(kv))[1])
    except (UnicodeDecodeError, ValueError):
        raise FormatError("payload is not UTF-8 JSON")
    ok(isinstance(value, dict), "payload is not a JSON object")
    ok(all(keys == sorted(keys) for keys in pairs), "payload keys not sorted")
    return kind, recorded_at, offset, text, value


def expected_day(kind, recorded_at, offset, payload):
    if kind == "checkIn":
        return date_to_day(payload.get("day"))
    return (recorded_at + offset * 1000) // 86400000


def open_record(journal_id, sequence, frame, envelope_key, content_key=None, root_key=None):
    """With root_key (a key holder), the owner tag is checked before either part is opened (4.1);
    an auditor (disclosed keys only) passes root_key=None and cannot check it."""
    nonce, sealed_envelope, sealed_content, _ = split_record_frame(frame)
    if root_key is not None:
        check_owner_tag(root_key, journal_id, sequence, frame)
    env_kind, day = parse_envelope(aead_open(envelope_key, nonce, sealed_envelope, record_aad(journal_id, sequence, 1)))
    result = {"sequence": sequence, "envelopeKind": env_kind, "day": day}
    if content_key is not None:
        kind, recorded_at, offset, text, payload = parse_content(
            aead_open(content_key, nonce, sealed_content, content_aad(journal_id, sequence, sealed_envelope)))
        ok(kind == env_kind, f"record #{sequence}: envelope kind {env_kind} does not match content kind {kind}")
        ok(day == expected_day(kind, recorded_at, offset, payload), f"record #{sequence}: envelope day does not match")
        result.update(kind=kind, recordedAt=recorded_at, utcOffset=offset, payload=text, data=payload)
    return result


# ---------------------------------------------------------------- checkpoints (section 5)

def parse_checkpoint_frame(body):
    ok(len(body) >= 27, "checkpoint body too short")
    size, own, previous, count = struct.unpack_from("<QQQB", body, 0)
    ok(count == bin(size).count("1") and count <= 64, "compact range count is not popcount(tree size)")
    pos = 25
    ok(len(body) >= pos + 32 * count + 2, "checkpoint body too short for its range")
    compact = [body[pos + 32 * i:pos + 32 * (i + 1)] for i in range(count)]
    pos += 32 * count
    n = struct.unpack_from("<H", body, pos)[0]
    ok(n <= 4096 and len(body) == pos + 2 + n, "checkpoint note length")
    try:
        note = body[pos + 2:].decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError("checkpoint note not UTF-8")
    return {"size": size, "offset": own, "previous": previous, "compact": compact, "note": note}


NOTE_RE = re.compile(r"(sealed-journal/[0-9a-f]{32})\n(0|[1-9][0-9]*)\n([A-Za-z0-9+/=]+)\n"
                     r"header (0|[1-9][0-9]*) ([A-Za-z0-9+/=]+)\n"
                     r"offset (0|[1-9][0-9]*)\n\n\u2014 (\S+) ([A-Za-z0-9+/=]+)\n")


def verify_note(note, public_key, journal_id):
    """Section 5.3, exactly: returns (size, root, header sequence, header digest, offset)."""
    ok(len(note.encode()) <= 4096, "checkpoint note longer than 4096 bytes")
    m = NOTE_RE.fullmatch(note)
    if not m:
        raise FormatError("checkpoint note is not in the exact 5.3 form")
    origin, size, root, hseq, hdigest, note_offset, name, sig = m.groups()
    if origin != origin_of(journal_id):
        raise FormatError("authentic checkpoint of another journal")
    ok(name == origin, "signature key name is not the origin")
    root, hdigest, sig = b64(root, 32, "root"), b64(hdigest, 32, "header digest"), b64(sig, 68, "signature")
    body = note[:note.index("\n\n") + 1].encode()
    ok(sig[:4] == key_id(origin, public_key), "checkpoint key id")
    ok(ed25519_ok(public_key, sig[4:], body), "checkpoint not signed by this journal's key")
    return int(size), root, int(hseq), hdigest, int(note_offset)


# ---------------------------------------------------------------- a checkpoint someone holds (5.4)

SIG_DASHES = ("\u2014", "\u2013", "\u2015", "--", "-")
SIG_LINE_RE = re.compile(r"(?:\u2014|\u2013|\u2015|--|-)[ \t]+(\S+)[ \t]+(\S+)")


def _sig_line_shape(line):
    """Step 4: a dash, then a key name and base64 (at least 5 bytes), separated by spaces or tabs."""
    m = SIG_LINE_RE.fullmatch(line)
    if not m:
        return None
    try:
        raw = base64.b64decode(m.group(2), validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) < 5:
        return None
    return m.group(1), m.group(2)


def read_held_checkpoint(text, public_key, journal_id):
    """5.4: read leniently, rebuild canonically, verify exactly. Returns {size, root, hseq, hdigest, offset, note}.
    Failures are told apart by their message prefix: "garbled", "checkpoint of another journal",
    "forged or altered"."""
    raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    ok(len(raw) <= 65536, "garbled: held checkpoint text above 64 KiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError("garbled: held checkpoint is not UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.strip(" \t\u00a0>") for line in text.split("\n")]
    start = next((i for i, line in enumerate(lines) if line.startswith("sealed-journal/")), None)
    if start is None:
        raise FormatError("garbled: no line starts with sealed-journal/")
    body = [lines[start]]
    i = start + 1
    if i >= len(lines) or not re.fullmatch(r"[0-9]+", lines[i]):
        raise FormatError(f"garbled: line {i + 1} is not a record count")
    body.append(lines[i])
    i += 1
    try:
        b64(lines[i] if i < len(lines) else "", 32)
    except FormatError:
        raise FormatError(f"garbled: line {i + 1} is not a hash")
    body.append(lines[i])
    i += 1
    extensions = []
    while i < len(lines) and lines[i] != "" and not lines[i].startswith(SIG_DASHES):
        extensions.append(lines[i])
        i += 1
    ok(len(extensions) <= 8, "garbled: more than 8 extension lines")
    body += extensions
    while i < len(lines) and lines[i] == "":   # the blank line (several in a pasted text; none tolerated)
        i += 1
    sigs = []
    while i < len(lines):
        shape = _sig_line_shape(lines[i])
        if shape is None:
            break   # "Best regards", or anything else: reading stops
        sigs.append(shape)
        i += 1
    ok(sigs, f"garbled: line {i + 1} is not a signature line (at least one is required)")
    note = "".join(line + "\n" for line in body) + "\n" + "".join(f"{DASH} {n} {b}\n" for n, b in sigs)
    ok(len(note.encode()) <= 65536, "garbled: rebuilt note above 64 KiB")
    # parse the rebuilt note as in 5.3
    origin, size, root = body[0], body[1], body[2]
    ok(re.fullmatch(r"sealed-journal/[0-9a-f]{32}", origin) is not None, "garbled: origin line malformed")
    ok(re.fullmatch(r"0|[1-9][0-9]*", size) is not None, "garbled: record count has leading zeros")
    root = b64(root, 32, "garbled: root")
    hseq = hdigest = note_offset = None
    for ext in extensions:
        word = ext.split(" ", 1)[0]
        if word == "header":
            m = re.fullmatch(r"header (0|[1-9][0-9]*) ([A-Za-z0-9+/=]+)", ext)
            ok(m is not None and hseq is None, "garbled: header line malformed or repeated")
            hseq, hdigest = int(m.group(1)), b64(m.group(2), 32, "garbled: header digest")
        elif word == "offset":
            m = re.fullmatch(r"offset (0|[1-9][0-9]*)", ext)
            ok(m is not None and note_offset is None, "garbled: offset line malformed or repeated")
            note_offset = int(m.group(1))
        # other extension lines: ignored (8.2)
    if origin != origin_of(journal_id):
        raise FormatError(f"checkpoint of another journal ({origin})")
    signed = "".join(line + "\n" for line in body).encode()
    want_id = key_id(origin, public_key)
    mine = []
    for name, sig in sigs:   # other signers' lines are skipped whatever their shape
        if name != origin:
            continue
        try:
            rawsig = b64(sig, 68)
        except FormatError:
            continue
        if rawsig[:4] == want_id:
            mine.append(rawsig)
    if not mine:
        raise FormatError("forged or altered: no signature line by this journal's key")
    ok(all(ed25519_ok(public_key, s[4:], signed) for s in mine),
       "forged or altered: the signature by this journal's key does not verify")
    ok(hseq is not None and note_offset is not None, "garbled: a journal checkpoint has a header and an offset line")
    return {"size": int(size), "root": root, "hseq": hseq, "hdigest": hdigest, "offset": note_offset, "note": note}


# ---------------------------------------------------------------- repair (6.5) and rekey (7) record rules

def last_intact_commit(data, public_key, journal_id):
    """The end of the last checkpoint reached by walking frames forward while everything verifies
    (a simplification of 6.1 sufficient for appended tails); returns (end offset, leaves, last checkpoint)."""
    leaves, end, last, pos = [], FRAMES, None, FRAMES
    pending = []
    while pos + 9 <= len(data):
        length, kind = struct.unpack_from("<IB", data, pos)
        stop = pos + 9 + length
        if stop > len(data) or struct.unpack_from("<I", data, stop - 4)[0] != length:
            break
        frame = bytes(data[pos:stop])
        if kind == 1:
            pending.append(leaf_hash(frame))
        elif kind == 2:
            try:
                cp = parse_checkpoint_frame(frame[5:-4])
                size, root, _, _, note_offset = verify_note(cp["note"], public_key, journal_id)
            except FormatError:
                break
            if not (cp["offset"] == note_offset == pos and size == len(leaves) + len(pending)
                    and merkle_root(leaves + pending) == root):
                break
            leaves += pending
            pending, end, last = [], stop, dict(cp, root=root)
        elif kind in (0,) or 4 <= kind <= 127:
            break
        pos = stop
    return end, leaves, last


def repair_recommits(data, master):
    """6.5: the record frames in the bytes after the last intact commit that are complete, carry a valid owner
    tag and authenticate at the next positions, passing over checkpoint and extension frames, stopping at the first
    record that does not or at an unreadable frame. Returns (cut offset, [frames])."""
    copies, _ = decode_header_copies(data)
    c = next(c for c in copies if c)
    journal_id, public_key = c["journal_id"], c["public_key"]
    ok(signing_key(master)[1] == public_key, "the key slots unlock a different journal's key")
    root_key = record_root_key(master)
    end, leaves, _ = last_intact_commit(data, public_key, journal_id)
    pos, out = end, []
    while pos + 9 <= len(data):
        length, kind = struct.unpack_from("<IB", data, pos)
        stop = pos + 9 + length
        if not (kind in (1, 2) or kind >= 128) or stop > len(data) or struct.unpack_from("<I", data, stop - 4)[0] != length:
            break
        if kind != 1:          # a checkpoint or extension frame of a broken commit: passed over
            pos = stop
            continue
        frame = bytes(data[pos:stop])
        seq = len(leaves) + len(out)
        try:
            nonce = split_record_frame(frame)[0]
            env_key, cnt_key = record_keys(root_key, seq, nonce)
            open_record(journal_id, seq, frame, env_key, cnt_key, root_key=root_key)
        except FormatError:
            break
        out.append(frame)
        pos = stop
    return end, out


def rekey_precheck(master, journal_id, record_frames, signed_size, signed_root):
    """7: the records a rekey carries must be exactly the history the last checkpoint signed (tree root equals
    the signed root) with valid owner tags; otherwise rekey refuses."""
    root_key = record_root_key(master)
    for seq, f in enumerate(record_frames):   # owner tags first: an altered record is named as such
        check_owner_tag(root_key, journal_id, seq, f)
    ok(len(record_frames) == signed_size, "rekey: records are not the signed history (count)")
    ok(merkle_root([leaf_hash(f) for f in record_frames]) == signed_root, "rekey: records do not give the signed root")
    return True


def verify_cosigned_note(note, public_key, journal_id):
    """10.4: a bundle's checkpoint is a signed note as in 5.3 that may carry cosignature lines (C2SP
    tlog-cosignature), which are ignored: the body and this journal's signature line are exactly 5.3, other
    signature lines follow it in canonical `— name base64` form. Returns verify_note's tuple."""
    if not isinstance(note, str):
        raise FormatError("checkpoint is not a string")
    ok(len(note.encode()) <= 65536, "checkpoint with cosignatures above 64 KiB")
    head, sep, sigs = note.partition("\n\n")
    ok(sep and sigs.endswith("\n"), "checkpoint note is not in the exact 5.3 form")
    sig_lines = sigs[:-1].split("\n")
    origin = head.split("\n", 1)[0]
    mine = [l for l in sig_lines if l.startswith(f"{DASH} {origin} ")]
    ok(len(mine) == 1, "checkpoint: exactly one signature line by the journal's key name is required")
    for l in sig_lines:
        ok(re.fullmatch(DASH + r" \S+ [A-Za-z0-9+/=]+", l) is not None, "checkpoint: malformed signature line")
    return verify_note(head + "\n\n" + mine[0] + "\n", public_key, journal_id)


# ---------------------------------------------------------------- lineage (section 7)

def parse_ranges(text, count, tree):
    if text == "-":
        ok(count == 0, "omitted '-' with a non-zero count")
        return []
    positions, last = [], None
    for part in text.split(","):
        m = re.fullmatch(r"(0|[1-9][0-9]*)(?:-(0|[1-9][0-9]*))?", part)
        ok(m is not None, f"omitted range {part!r}")
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) is not None else a
        ok(a < b if m.group(2) is not None else True, f"omitted range {part!r} is not a-b with a < b")
        ok(last is None or a > last + 1, "omitted ranges not ascending, disjoint and non-adjacent")
        positions.extend(range(a, b + 1))
        last = b
    ok(len(positions) == count, "omitted count is not the number of omitted positions")
    ok(all(p < tree for p in positions), "omitted position not below predecessor-tree")
    return positions


LINEAGE_RE = re.compile(
    r"sealed-journal-succession/v1\n"
    r"predecessor (sealed-journal/[0-9a-f]{32}) ([A-Za-z0-9+/=]+)\n"
    r"predecessor-tree (0|[1-9][0-9]*) ([A-Za-z0-9+/=]+)\n"
    r"successor (sealed-journal/[0-9a-f]{32}) ([A-Za-z0-9+/=]+)\n"
    r"carried (0|[1-9][0-9]*) ([A-Za-z0-9+/=]+)\n"
    r"omitted (0|[1-9][0-9]*) (\S+)\n"
    r"\n\u2014 (\S+) ([A-Za-z0-9+/=]+)\n")


def verify_lineage(text):
    m = LINEAGE_RE.fullmatch(text)
    if not m:
        raise FormatError("lineage statement is not in the section 7 form")
    (p_origin, p_key, p_tree, p_root, s_origin, s_key, carried, c_root, o_count, o_ranges, name, sig) = m.groups()
    p_key, s_key = b64(p_key, 32, "predecessor key"), b64(s_key, 32, "successor key")
    p_root, c_root, sig = b64(p_root, 32, "predecessor root"), b64(c_root, 32, "carried root"), b64(sig, 68, "sig")
    ok(name == p_origin, "lineage key name is not the predecessor origin")
    ok(sig[:4] == key_id(p_origin, p_key), "lineage key id")
    body = text[:text.index("\n\n") + 1].encode()
    ok(ed25519_ok(p_key, sig[4:], body), "lineage statement not signed by the predecessor key")
    p_tree, carried, o_count = int(p_tree), int(carried), int(o_count)
    omitted = parse_ranges(o_ranges, o_count, p_tree)
    ok(carried == p_tree - o_count, "carried is not predecessor-tree minus omitted")
    return {"predecessor_id": bytes.fromhex(p_origin.split("/")[1]), "predecessor_key": p_key,
            "predecessor_tree": p_tree, "predecessor_root": p_root,
            "successor_id": bytes.fromhex(s_origin.split("/")[1]), "successor_key": s_key,
            "carried": carried, "carried_root": c_root, "omitted": omitted}


# ---------------------------------------------------------------- the whole file

def read(data, master=None, pinned=None, held=None):
    """Verify a journal (6.4) and, with the master key, open every record (owner tag first, 4.1).
    held: a checkpoint read as in 5.4 (read_held_checkpoint). Raises FormatError on any failure."""
    ok(len(data) >= FRAMES, "file shorter than the two header copies")
    copies, errors = decode_header_copies(data)
    for i, e in enumerate(errors):
        if e is not None:
            raise FormatError(f"header copy {i + 1} damaged: {e}")
    any_copy = copies[0]
    journal_id, public_key = any_copy["journal_id"], any_copy["public_key"]
    root_key = None
    if master is not None:
        private, derived = signing_key(master)
        ok(derived == public_key, "the key slots unlock a different journal's key")
        root_key = record_root_key(master)
    leaves, frames_seen, records, checkpoints, lineage = [], [], [], [], []
    phase = "lineage"   # lineage -> commits
    pending = 0          # record frames since the last checkpoint
    pending_frames = 0   # frames of any kind since the last checkpoint (6.4, 8.2)
    for offset, kind, frame, body in frames(data):
        if kind != 2:
            pending_frames += 1
        if kind == 3:
            ok(phase == "lineage", f"lineage frame after the creation checkpoint at {offset}")
            try:
                lineage.append(verify_lineage(body.decode("utf-8")))
            except UnicodeDecodeError:
                raise FormatError("lineage statement not UTF-8")
        elif kind == 1:
            ok(phase == "commits", f"record frame before the creation checkpoint at {offset}")
            sequence = len(leaves)
            leaves.append(leaf_hash(frame))
            frames_seen.append(frame)
            pending += 1
            nonce, _, _, _ = split_record_frame(frame)
            if root_key is not None:
                env_key, cnt_key = record_keys(root_key, sequence, nonce)
                r = open_record(journal_id, sequence, frame, env_key, cnt_key, root_key=root_key)
                r.update(offset=offset, frame=frame, nonce=nonce, envelopeKey=env_key, contentKey=cnt_key)
                records.append(r)
        elif kind >= 128:
            ok(phase == "commits" and checkpoints, "extension frame outside a commit")
        else:   # kind 2
            cp = parse_checkpoint_frame(body)
            size, root, hseq, hdigest, note_offset = verify_note(cp["note"], public_key, journal_id)
            ok(cp["offset"] == offset, f"checkpoint at {offset} records offset {cp['offset']}")
            ok(note_offset == offset, f"checkpoint at {offset}: its signed offset line says {note_offset}")
            ok(size == cp["size"] == len(leaves), f"checkpoint at {offset}: tree size")
            if phase == "lineage":
                ok(size == 0 and cp["previous"] == 0, "creation checkpoint must have tree size 0 and previous 0")
                phase = "commits"
            else:
                ok(cp["previous"] == checkpoints[-1]["offset"], f"checkpoint at {offset} not linked to the previous")
                ok(pending >= 1 and size > checkpoints[-1]["size"], f"checkpoint at {offset} commits no record")
                ok(hseq >= checkpoints[-1]["hseq"], "header sequence lower than the previous checkpoint's")
            ok(root == merkle_root(leaves), f"checkpoint at {offset}: root")
            ok(cp["compact"] == compact_range(leaves), f"checkpoint at {offset}: compact range")
            ok(fold_compact(cp["compact"]) == root, f"checkpoint at {offset}: compact range fold")
            cp.update(root=root, hseq=hseq, hdigest=hdigest, frame=frame)
            checkpoints.append(cp)
            pending = pending_frames = 0
    ok(checkpoints, "no creation checkpoint")
    ok(pending == 0, "records after the last checkpoint")
    ok(pending_frames == 0, "frames after the last checkpoint")
    last = checkpoints[-1]
    in_force, state = header_in_force(copies, last["hseq"], last["hdigest"])
    ok(state == "committed", "header changed but not yet committed")
    # lineage chain
    if lineage:
        for a, b in zip(lineage, lineage[1:]):
            ok(a["successor_id"] == b["predecessor_id"] and a["successor_key"] == b["predecessor_key"],
               "lineage chain broken")
        ok(lineage[-1]["successor_id"] == journal_id and lineage[-1]["successor_key"] == public_key,
           "lineage does not end at this journal")
        ok(len(leaves) >= lineage[-1]["carried"], "fewer records than carried")
        ok(merkle_root(leaves[:lineage[-1]["carried"]]) == lineage[-1]["carried_root"], "carried root")
    if pinned is not None:
        keys = [public_key] + [s["predecessor_key"] for s in lineage]
        ok(any(same_fingerprint(pinned, fingerprint(k)) for k in keys), "pinned fingerprint does not match")
    if held is not None:   # 6.4: a checkpoint held from earlier (already verified with this key by 5.4)
        ok(held["size"] <= len(leaves), f"held checkpoint of {held['size']} records, journal has {len(leaves)}: "
                                        "records were removed (truncation or rollback)")
        ok(merkle_root(leaves[:held["size"]]) == held["root"],
           f"root of the first {held['size']} records differs from the held checkpoint (rollback or rewrite)")
        if held.get("hseq") is not None:
            ok(held["hseq"] <= in_force["sequence"], "held checkpoint binds a newer header: header rolled back")
    return {"copies": copies, "header": in_force, "records": records, "checkpoints": checkpoints,
            "lineage": lineage, "leaves": leaves, "frames": frames_seen}


def unlock(data, passphrase=None, recovery=None, header=None):
    if header is None:
        copies, _ = decode_header_copies(data)
        header = max((c for c in copies if c), key=lambda c: c["sequence"])
    if passphrase is not None:
        return unlock_passphrase(header, passphrase)
    return unlock_recovery(header, decode_recovery_key(recovery))


# ---------------------------------------------------------------- audit bundle (10.4)

def verify_bundle(bundle, pinned=None, held=None):
    if not isinstance(bundle, dict) or bundle.get("format") != "sealed-journal-audit-bundle":
        raise FormatError("not an audit bundle")
    if bundle.get("version") != 2:
        raise FormatError(f"unsupported audit bundle version {bundle.get('version')}")
    journal_hex = bundle.get("journalID")
    ok(isinstance(journal_hex, str) and re.fullmatch(r"[0-9a-f]{32}", journal_hex), "journalID")
    journal_id = bytes.fromhex(journal_hex)
    public_key = b64(bundle.get("publicKey"), 32, "publicKey")
    # 10.4 lineage: the statements of section 7, oldest first, a chain ending at this journal
    statements = []
    if "lineage" in bundle:
        texts = bundle["lineage"]
        ok(isinstance(texts, list) and 0 < len(texts) <= 64, "lineage")
        statements = [verify_lineage(t) for t in texts]
        for i, st in enumerate(statements):
            nxt = (statements[i + 1]["predecessor_id"], statements[i + 1]["predecessor_key"]) if i + 1 < len(statements) \
                else (journal_id, public_key)
            ok((st["successor_id"], st["successor_key"]) == nxt, f"lineage statement {i + 1} names another successor")
    followed = None
    if pinned is not None and not same_fingerprint(pinned, fingerprint(public_key)):
        ok(any(same_fingerprint(pinned, fingerprint(st["predecessor_key"])) for st in statements),
           "pinned fingerprint does not match (nor any key the journal was re-keyed from)")
        followed = pinned
    ok(same_fingerprint(bundle.get("fingerprint", ""), fingerprint(public_key)), "fingerprint does not match publicKey")
    size, root, hseq, hdigest, _ = verify_cosigned_note(bundle["checkpoint"], public_key, journal_id)
    result = {"size": size, "root": root, "consistencyFrom": None, "followed": followed,
              "omitted": [st["omitted"] for st in statements]}
    if "consistency" in bundle:
        c = bundle["consistency"]
        old_size, old_root, old_hseq, _, _ = verify_cosigned_note(c["fromCheckpoint"], public_key, journal_id)
        proof = [b64(h, 32, "consistency hash") for h in c["proof"]]
        ok(len(proof) <= 128, "too many consistency hashes")
        ok(verify_consistency(old_size, size, old_root, root, proof), "consistency proof")
        result["consistencyFrom"] = old_size
    if held is not None:   # a checkpoint of the verifier's own, read as in 5.4
        if isinstance(held, str):
            held = read_held_checkpoint(held, public_key, journal_id)
        h_size, h_root = held["size"], held["root"]
        if h_size == size:
            ok(h_root == root, "held checkpoint: same size, different root")
        else:
            ok(result["consistencyFrom"] == h_size, "no consistency proof from the held checkpoint")
    scope = bundle.get("scope")
    complete = bool(scope and scope.get("complete"))
    records = bundle.get("records")
    ok(isinstance(records, list) and len(records) <= 200000, "records")
    seen, frames_by_seq, opened = set(), {}, []
    for r in records:
        seq = r.get("sequence")
        ok(isinstance(seq, int) and not isinstance(seq, bool) and 0 <= seq < size, "record sequence")
        ok(seq not in seen, f"record #{seq} listed twice")
        seen.add(seq)
        frame = b64(r["frame"], None, "frame")
        proof = [b64(h, 32, "inclusion hash") for h in r.get("inclusionProof", [])]
        ok(len(proof) <= 64, "too many inclusion hashes")
        if complete:
            ok(not proof, "complete bundle with an inclusion proof")
        else:
            ok(verify_inclusion(seq, size, leaf_hash(frame), proof, root), f"record #{seq}: inclusion proof")
        frames_by_seq[seq] = frame
        env_key = b64(r["envelopeKey"], 32, "envelopeKey")
        cnt_key = b64(r["contentKey"], 32, "contentKey") if "contentKey" in r else None
        opened.append(open_record(journal_id, seq, frame, env_key, cnt_key))
    if complete:
        ok(seen == set(range(size)), "complete bundle does not hold every record")
        ok(merkle_root([leaf_hash(frames_by_seq[i]) for i in range(size)]) == root, "complete bundle: root")
        if statements:   # the records the last rekey carried over, recomputed from the frames
            carried = statements[-1]["carried"]
            ok(carried <= size and merkle_root([leaf_hash(frames_by_seq[i]) for i in range(carried)]) == statements[-1]["carried_root"],
               "complete bundle: the carried root of the last lineage statement")
        kinds = scope.get("kinds")
        lo = date_to_day(scope["from"]) if scope.get("from") is not None else None
        hi = date_to_day(scope["to"]) if scope.get("to") is not None else None
        for r in sorted(opened, key=lambda r: r["sequence"]):
            in_scope = ((kinds is None or r["envelopeKind"] in kinds) and (lo is None or r["day"] >= lo)
                        and (hi is None or r["day"] <= hi))
            if in_scope:
                ok("kind" in r, f"incomplete: the {r['envelopeKind']} of {day_to_date(r['day'])} "
                                f"(record #{r['sequence']}) is in scope but not disclosed")
    result["records"] = sorted(opened, key=lambda r: r["sequence"])
    return result



# ---------------------------------------------------------------- an independent writer (to rebuild the vectors)

def aead_seal(key, nonce, plaintext, aad):
    cipher = ChaCha20_Poly1305.new(key=key, nonce=nonce)
    cipher.update(aad)
    ciphertext, tag = cipher.encrypt_and_digest(plaintext)
    return ciphertext + tag


def deterministic_draws(seed, count, size=64):
    """randombytes_buf_deterministic(buf, size, BLAKE2b-256(seed || LE64(counter))): ChaCha20 (IETF) keystream
    under that key with the nonce "LibsodiumDRG"."""
    from Crypto.Cipher import ChaCha20
    return [ChaCha20.new(key=hashlib.blake2b(seed + struct.pack("<Q", i), digest_size=32).digest(),
                         nonce=b"LibsodiumDRG").encrypt(bytes(size)) for i in range(count)]


def frame_bytes(kind, body):
    return struct.pack("<IB", len(body), kind) + body + struct.pack("<I", len(body))


def build_header(master, journal_id, passphrase, ops, mem, salt, pass_nonce, recovery_key, recovery_nonce, sequence=1):
    private, public = signing_key(master)
    params = struct.pack("<QQ", ops, mem) + salt
    pw = a2.hash_secret_raw(normalise_passphrase(passphrase), salt, time_cost=ops, memory_cost=mem // 1024,
                            parallelism=1, hash_len=32, type=a2.Type.ID, version=19)
    slot1 = pass_nonce + aead_seal(pw, pass_nonce, master, b"SJ-keyslot-v2" + journal_id + b"\x01" + params)
    slot2 = recovery_nonce + aead_seal(kdf(recovery_key, 1, b"SJrecovr"), recovery_nonce, master,
                                       b"SJ-keyslot-v2" + journal_id + b"\x02")
    slots = (b"\x01" + struct.pack("<H", 32 + len(slot1)) + params + slot1 +
             b"\x02" + struct.pack("<H", len(slot2)) + slot2)
    used = 73 + len(slots)
    fields = (MAGIC + struct.pack("<HHIQ", VERSION, 0, used, sequence) + journal_id + public + b"\x02" + slots)
    signed = fields + bytes(SIGNED - len(fields))
    return signed + private.sign(signed)


def sign_note(private, public, origin, body_lines):
    body = "".join(line + "\n" for line in body_lines)
    sig = key_id(origin, public) + private.sign(body.encode())
    return body + "\n" + DASH + " " + origin + " " + e64(sig) + "\n"


def build_record(root_key, journal_id, sequence, nonce, kind, recorded_at, utc_offset, payload):
    k, p = kind.encode(), payload.encode()
    content = bytes([2, len(k)]) + k + struct.pack("<qiI", recorded_at, utc_offset, len(p)) + p
    padded = content + b"\x80" + bytes(pad_size(len(content)) - len(content) - 1)
    day = expected_day(kind, recorded_at, utc_offset, json.loads(payload))
    envelope = bytes([1, len(k)]) + k.ljust(64, b"\0") + struct.pack("<ih", day, 0)
    env_key, cnt_key = record_keys(root_key, sequence, nonce)
    sealed_envelope = aead_seal(env_key, nonce, envelope, record_aad(journal_id, sequence, 1))
    body = (nonce + sealed_envelope +
            aead_seal(cnt_key, nonce, padded, content_aad(journal_id, sequence, sealed_envelope)))
    return frame_bytes(1, body + owner_tag(root_key, journal_id, sequence, body))


def build_journal(master, journal_id, header, records, commit_sizes, lineage_texts=(), note_offset_delta=0,
                  extensions=None):
    """records: [(nonce, kind, recordedAt, utcOffset, payload)], commit_sizes: tree size after each commit.
    note_offset_delta != 0 builds a bad journal (for a negative check) whose signed offset lines are off.
    extensions: {tree size of a commit: [(kind, body)]}: extension frames written inside that commit (8.2)."""
    private, public = signing_key(master)
    root_key = record_root_key(master)
    origin = origin_of(journal_id)
    digest = hashlib.sha256(header[:SIGNED]).digest()
    sequence = struct.unpack_from("<Q", header, 16)[0]
    out = bytearray(header + header)
    for text in lineage_texts:
        out += frame_bytes(3, text.encode())
    leaves, previous, done = [], 0, 0
    for size in [0] + list(commit_sizes):
        for seq in range(done, size):
            nonce, kind, recorded_at, utc_offset, payload = records[seq]
            f = build_record(root_key, journal_id, seq, nonce, kind, recorded_at, utc_offset, payload)
            leaves.append(leaf_hash(f))
            out += f
        done = size
        for kind, ext in (extensions or {}).get(size, []) if size else []:
            out += frame_bytes(kind, ext)
        offset = len(out)
        note = sign_note(private, public, origin, [origin, str(size), e64(merkle_root(leaves)),
                                                    f"header {sequence} {e64(digest)}",
                                                    f"offset {offset + (note_offset_delta if size else 0)}"]).encode()
        compact = compact_range(leaves)
        body = (struct.pack("<QQQB", size, offset, previous, len(compact)) + b"".join(compact) +
                struct.pack("<H", len(note)) + note)
        out += frame_bytes(2, body)
        previous = offset
    return bytes(out)


def format_ranges(positions):
    if not positions:
        return "-"
    out, start = [], positions[0]
    for a, b in zip(positions, positions[1:] + [None]):
        if b != a + 1:
            out.append(str(start) if start == a else f"{start}-{a}")
            start = b
    return ",".join(out)


def build_lineage(old_master, old_id, old_tree, old_root, new_id, new_public, carried, carried_root, omitted):
    private, public = signing_key(old_master)
    origin = origin_of(old_id)
    return sign_note(private, public, origin, [
        "sealed-journal-succession/v1",
        f"predecessor {origin} {e64(public)}",
        f"predecessor-tree {old_tree} {e64(old_root)}",
        f"successor {origin_of(new_id)} {e64(new_public)}",
        f"carried {carried} {e64(carried_root)}",
        f"omitted {len(omitted)} {format_ranges(omitted)}"])


def rebuild_vectors(expected, rexp, data, rdata):
    """Rebuild both vector journals byte for byte from FORMAT.md, the JSON values and the deterministic draws."""
    draws = deterministic_draws(expected["seed"].encode(), 20)
    master = draws[0][:32]
    ok(master.hex() == expected["masterKey"], "draw 0 is the master key")
    recovery = draws[1][:32]
    ok(encode_recovery_key(recovery) == expected["recoveryKey"], "draw 1 is the recovery key")
    jid = draws[2][:16]
    ok(jid.hex() == expected["journalID"], "draw 2 is the journal id")
    a = expected["argon2id"]
    header = build_header(master, jid, expected["passphrase"], a["opsLimit"], a["memoryLimitBytes"], draws[3][:16],
                          draws[4][:24], recovery, draws[5][:24])
    records = []
    for i, r in enumerate(expected["records"]):
        ok(draws[6 + i][:24].hex() == r["nonce"], f"draw {6 + i} is record #{i}'s nonce")
        records.append((draws[6 + i][:24], r["kind"], r["recordedAtMilliseconds"], r["timeZoneOffsetSeconds"],
                        r["payload"]))
    sizes = [c["treeSize"] for c in expected["checkpoints"][1:]]
    built = build_journal(master, jid, header, records, sizes)
    ok(built == data, "format-v2.sjournal rebuilt byte for byte")
    # the rekey
    new_master, new_recovery, new_id = draws[10][:32], draws[11][:32], draws[12][:16]
    ok(new_master.hex() == rexp["masterKey"] and new_id.hex() == rexp["journalID"], "draws 10 and 12")
    ok(encode_recovery_key(new_recovery) == rexp["recoveryKey"], "draw 11 is the new recovery key")
    new_header = build_header(new_master, new_id, rexp["passphrase"], a["opsLimit"], a["memoryLimitBytes"],
                              draws[13][:16], draws[14][:24], new_recovery, draws[15][:24])
    omitted = rexp["omitted"]
    kept = [r for r in expected["records"] if r["sequence"] not in omitted]
    new_records = []
    for i, r in enumerate(kept):
        payload = r["payload"]
        if r["kind"] == "amendment":
            d = json.loads(payload)
            d["amends"] -= sum(1 for o in omitted if o < d["amends"])
            payload = json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        new_records.append((draws[17 + i][:24], r["kind"], r["recordedAtMilliseconds"], r["timeZoneOffsetSeconds"],
                            payload))
    root_key = record_root_key(new_master)
    new_leaves = [leaf_hash(build_record(root_key, new_id, i, *rec)) for i, rec in enumerate(new_records)]
    old_leaves = [leaf_hash(bytes.fromhex(r["frame"])) for r in expected["records"]]
    statement = build_lineage(master, jid, len(old_leaves), merkle_root(old_leaves), new_id,
                              signing_key(new_master)[1], len(new_records), merkle_root(new_leaves), omitted)
    ok(statement == rexp["lineage"][0], "lineage statement rebuilt")
    rebuilt = build_journal(new_master, new_id, new_header, new_records, [len(new_records)], [statement])
    ok(rebuilt == rdata, "format-v2-rekeyed.sjournal rebuilt byte for byte")
    return draws


def inclusion_path(index, leaves):
    # RFC 9162 2.1.3.1 PATH(m, D[n])
    n = len(leaves)
    if n <= 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if index < k:
        return inclusion_path(index, leaves[:k]) + [merkle_root(leaves[k:])]
    return inclusion_path(index - k, leaves[k:]) + [merkle_root(leaves[:k])]


def consistency_proof(m, leaves, complete=True):
    # RFC 9162 2.1.4.1 SUBPROOF(m, D[n], b)
    n = len(leaves)
    if m == n:
        return [] if complete else [merkle_root(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return consistency_proof(m, leaves[:k], complete) + [merkle_root(leaves[k:])]
    return consistency_proof(m - k, leaves[k:], False) + [merkle_root(leaves[:k])]

# ---------------------------------------------------------------- vectors

def hex_dump(data):
    return "\n".join(f"{i:04x}  " + " ".join(f"{b:02x}" for b in data[i:i + 16]) for i in range(0, len(data), 16))


def expect_failure(label, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except (FormatError, KeyError, ValueError, struct.error) as e:
        CHECKS[0] += 1
        return f"{label}: detected ({e})"
    raise FormatError(f"negative check not detected: {label}")


def check_journal(data, expected, passphrase_check=True):
    """Everything about one vector journal; returns the read result and master key."""
    ok(len(data) == expected["fileSize"], "file size")
    copies, _ = decode_header_copies(data)
    ok(all(copies), "both header copies intact")
    for c in copies:
        ok(c["journal_id"].hex() == expected["journalID"], "journal id")
        ok(c["public_key"].hex() == expected["publicKey"], "public key")
        ok(sorted(s["type"] for s in c["slots"]) == [1, 2], "one passphrase and one recovery slot")
    ok(fingerprint(copies[0]["public_key"]) == expected["fingerprint"], "fingerprint")
    master = unlock(data, passphrase=expected["passphrase"])
    ok(master.hex() == expected["masterKey"], "master key from the passphrase slot")
    # NFC: the same passphrase, decomposed, must unlock too (it is ASCII here, so this is NFC(x) == x)
    ok(normalise_passphrase(unicodedata.normalize("NFD", expected["passphrase"])) == expected["passphrase"].encode(),
       "NFC of the passphrase")
    ok(normalise_passphrase("cafe\u0301") == normalise_passphrase("caf\u00e9") == "caf\u00e9".encode(), "NFC")
    try:
        normalise_passphrase(b"\xff")
        ok(False, "a passphrase that is not UTF-8 must be refused")
    except FormatError:
        ok(True, "")
    ok(unlock(data, recovery=expected["recoveryKey"]) == master, "master key from the recovery slot")
    sloppy = expected["recoveryKey"].lower().replace("-", " ").replace("1", "l").replace("0", "o")
    ok(decode_recovery_key(sloppy) == decode_recovery_key(expected["recoveryKey"]), "lenient recovery key text")
    ok(encode_recovery_key(decode_recovery_key(expected["recoveryKey"])) == expected["recoveryKey"],
       "recovery key text re-encodes")
    result = read(data, master)
    ok(signing_key(master)[1] == copies[0]["public_key"], "derived signing key equals the header key")
    return result, master


def check_vectors(directory):
    here = directory
    lines = []
    expected = json.load(open(os.path.join(here, "format-v2.json"), encoding="utf-8"))
    data = open(os.path.join(here, "format-v2.sjournal"), "rb").read()
    result, master = check_journal(data, expected)
    hdr = result["header"]
    slot1 = [s for s in hdr["slots"] if s["type"] == 1][0]
    ok((slot1["ops"], slot1["mem"]) == (expected["argon2id"]["opsLimit"], expected["argon2id"]["memoryLimitBytes"]),
       "Argon2id parameters")
    verify_record_list(result, expected)
    verify_checkpoint_list(result, expected, hdr)
    lines.append(f"format-v2: {len(result['records'])} records, {len(result['checkpoints'])} checkpoints, "
                 f"passphrase and recovery slots, keys, Merkle roots, compact ranges, signatures, header binding OK")

    # rekeyed journal
    rexp = json.load(open(os.path.join(here, "format-v2-rekeyed.json"), encoding="utf-8"))
    rdata = open(os.path.join(here, "format-v2-rekeyed.sjournal"), "rb").read()
    rres, rmaster = check_journal(rdata, rexp)
    verify_record_list(rres, rexp)
    verify_checkpoint_list(rres, rexp, rres["header"])
    ok(len(rres["lineage"]) == len(rexp["lineage"]) == 1, "one lineage statement")
    lineage_frames = [body for _, kind, _, body in frames(rdata) if kind == 3]
    ok([b.decode() for b in lineage_frames] == rexp["lineage"], "lineage statement text")
    st = rres["lineage"][-1]
    old_last = expected["checkpoints"][-1]
    old_size, old_root, _, _, _ = verify_note(old_last["text"], bytes.fromhex(expected["publicKey"]),
                                           bytes.fromhex(expected["journalID"]))
    ok(st["predecessor_id"].hex() == expected["journalID"], "lineage predecessor id")
    ok(st["predecessor_key"].hex() == expected["publicKey"], "lineage predecessor key")
    ok(st["predecessor_tree"] == old_size == len(expected["records"]), "lineage predecessor tree size")
    ok(st["predecessor_root"] == old_root, "lineage predecessor root = root of the last checkpoint")
    ok(st["successor_id"].hex() == rexp["journalID"] and st["successor_key"].hex() == rexp["publicKey"],
       "lineage successor")
    ok(st["omitted"] == rexp["omitted"], "omitted positions")
    ok(st["carried"] == len(rexp["records"]) == old_size - len(rexp["omitted"]), "carried count")
    ok(merkle_root(rres["leaves"][:st["carried"]]) == st["carried_root"], "carried root")
    ok(fingerprint(st["predecessor_key"]) == rexp["previousFingerprint"], "previous fingerprint")
    read(rdata, pinned=rexp["previousFingerprint"])   # an old pin is accepted through the lineage
    # carried records: same kind, time, offset, day, payload as the old ones they came from
    kept = [r for r in expected["records"] if r["sequence"] not in st["omitted"]]
    for new, old in zip(rres["records"], kept):
        ok((new["kind"], new["recordedAt"], new["utcOffset"], new["day"]) ==
           (old["kind"], old["recordedAtMilliseconds"], old["timeZoneOffsetSeconds"], old["envelopeDay"]),
           f"rekeyed record #{new['sequence']} carries the old record #{old['sequence']}")
        if new["kind"] != "amendment":
            ok(new["payload"] == old["payload"], "carried payload")
        else:   # amends renumbered
            target = json.loads(old["payload"])["amends"]
            ok(new["data"]["amends"] == target - sum(1 for o in st["omitted"] if o < target), "amends renumbered")
    ok(rmaster != master, "rekey changes the master key")
    rebuild_vectors(expected, rexp, data, rdata)
    lines.append("(writer)  format-v2.sjournal and format-v2-rekeyed.sjournal rebuilt byte for byte from "
                 "FORMAT.md, the JSON values and the deterministic draws (seed || LE64(counter), counters 0-15, 17-19)")
    lines.append(f"format-v2-rekeyed: lineage statement (signature, key id, counts, omitted {st['omitted']}), "
                 f"chain ends at this journal, carried root of {st['carried']} records, {len(rres['records'])} records OK")

    # audit bundle
    bundle_text = open(os.path.join(here, "audit-bundle-v2.json"), encoding="utf-8").read()
    bundle = json.loads(bundle_text)
    b = verify_bundle(bundle, pinned=expected["fingerprint"])
    ok(b["size"] == len(expected["records"]), "bundle tree size")
    ok(bundle["checkpoint"] == expected["checkpoints"][-1]["text"], "bundle checkpoint = last checkpoint")
    ok(bundle["consistency"]["fromCheckpoint"] == expected["checkpoints"][1]["text"], "bundle consistency source")
    ok(b["consistencyFrom"] == 1, "consistency from 1 record")
    disclosed = []
    for r, want in zip(b["records"], expected["records"]):
        ok(r["envelopeKind"] == want["kind"] and r["day"] == want["envelopeDay"], "bundle envelope")
        src = [x for x in bundle["records"] if x["sequence"] == r["sequence"]][0]
        ok(b64(src["frame"]).hex() == want["frame"], "bundle frame")
        ok(b64(src["envelopeKey"]).hex() == want["envelopeKey"], "bundle envelope key")
        if "kind" in r:
            disclosed.append(r["sequence"])
            ok(b64(src["contentKey"]).hex() == want["contentKey"], "bundle content key")
            ok((r["kind"], r["recordedAt"], r["utcOffset"], r["payload"]) ==
               (want["kind"], want["recordedAtMilliseconds"], want["timeZoneOffsetSeconds"], want["payload"]),
               "bundle content")
    # nothing out of scope is disclosed (10.4: "the content of those in scope, nothing else")
    sc = bundle["scope"]
    in_scope = [r["sequence"] for r in expected["records"] if r["kind"] in sc["kinds"]
                and sc["from"] <= r["envelopeDate"] <= sc["to"]]
    ok(disclosed == in_scope, "bundle discloses exactly the in-scope records")
    lines.append(f"audit-bundle-v2: checkpoint of {b['size']}, consistency from {b['consistencyFrom']}, complete "
                 f"scope, root recomputed, {len(b['records'])} envelopes opened, contents {disclosed} disclosed OK")

    leaves = [leaf_hash(bytes.fromhex(r["frame"])) for r in expected["records"]]
    ok([e64(h) for h in consistency_proof(1, leaves)] == bundle["consistency"]["proof"],
       "bundle consistency proof is the RFC 9162 SUBPROOF(1, D[4], true)")
    import copy as _copy
    # the same bundle without completeness, with RFC 9162 inclusion proofs, must verify too
    partial = _copy.deepcopy(bundle)
    partial["scope"]["complete"] = False
    for r in partial["records"]:
        r["inclusionProof"] = [e64(h) for h in inclusion_path(r["sequence"], leaves)]
    ok(verify_bundle(partial)["size"] == 4, "bundle with inclusion proofs")
    del partial["records"][0]
    ok(len(verify_bundle(partial)["records"]) == 3, "a partial bundle need not hold every record")
    lines.append("audit-bundle-v2 variant: not complete, RFC 9162 inclusion proofs for every record, OK")

    # the re-keyed journal's complete bundle carries its lineage: the old pin is followed
    rbundle = json.loads(open(os.path.join(here, "audit-bundle-v2-rekeyed.json"), encoding="utf-8").read())
    rb = verify_bundle(rbundle, pinned=expected["fingerprint"])
    ok(rb["followed"] is not None and rb["size"] == len(rres["records"]), "re-keyed bundle: pin followed")
    ok(rbundle["lineage"] == rexp["lineage"], "re-keyed bundle: the journal's lineage statements")
    stripped = _copy.deepcopy(rbundle)
    del stripped["lineage"]
    try:
        verify_bundle(stripped, pinned=expected["fingerprint"])
        raise AssertionError("a re-keyed bundle without its lineage passed the old pin")
    except FormatError:
        pass
    lines.append(f"audit-bundle-v2-rekeyed: lineage verified, old fingerprint followed, omitted {rb['omitted']}, "
                 "carried root recomputed; without its lineage the old pin fails, OK")

    # negative checks
    neg = []
    bad = _copy.deepcopy(partial)
    bad["records"][0]["inclusionProof"] = bad["records"][1]["inclusionProof"]
    neg.append(expect_failure("bundle (not complete): wrong inclusion proof", verify_bundle, bad))
    bad = _copy.deepcopy(bundle)
    f = bytearray(b64(bad["records"][2]["frame"]))
    f[200] ^= 1
    bad["records"][2]["frame"] = e64(bytes(f))
    neg.append(expect_failure("bundle: byte flipped in record #2's frame", verify_bundle, bad))
    bad = _copy.deepcopy(bundle)
    f = bytearray(b64(bad["records"][0]["frame"]))
    f[2] ^= 1   # in the length field: frame no longer well formed
    bad["records"][0]["frame"] = e64(bytes(f))
    neg.append(expect_failure("bundle: byte flipped in record #0's length field", verify_bundle, bad))
    bad = _copy.deepcopy(bundle)
    del bad["records"][1]["contentKey"]
    neg.append(expect_failure("bundle: contentKey of in-scope record #1 removed", verify_bundle, bad))
    bad = _copy.deepcopy(bundle)
    bad["checkpoint"] = bad["checkpoint"].replace("NohJ5M++", "NohJ5M+/")
    neg.append(expect_failure("bundle: header digest in the checkpoint altered", verify_bundle, bad))
    bad = _copy.deepcopy(bundle)
    bad["version"] = 1
    neg.append(expect_failure("bundle: version 1", verify_bundle, bad))
    bad = _copy.deepcopy(bundle)
    del bad["records"][3]
    neg.append(expect_failure("bundle: complete bundle missing record #3", verify_bundle, bad))
    bad = _copy.deepcopy(bundle)
    bad["consistency"]["proof"] = list(reversed(bad["consistency"]["proof"]))
    neg.append(expect_failure("bundle: consistency proof reordered", verify_bundle, bad))
    bad = _copy.deepcopy(bundle)
    bad["records"][0]["envelopeKey"], bad["records"][2]["envelopeKey"] = (bad["records"][2]["envelopeKey"],
                                                                         bad["records"][0]["envelopeKey"])
    neg.append(expect_failure("bundle: envelope keys swapped", verify_bundle, bad))
    neg.append(expect_failure("bundle: wrong pinned fingerprint", verify_bundle, bundle,
                              pinned=rexp["fingerprint"]))

    mutated = bytearray(data)
    mutated[expected["records"][1]["offset"] + 300] ^= 0x01
    neg.append(expect_failure("journal: byte flipped in record #1's frame (no key)", read, bytes(mutated)))
    neg.append(expect_failure("journal: byte flipped in record #1's frame (with key)", read, bytes(mutated), master))
    mutated = bytearray(data)
    mutated[100] ^= 0x01
    neg.append(expect_failure("journal: byte flipped in header copy 1", read, bytes(mutated)))
    # a re-signed header copy (valid signature, same sequence, different digest): the checkpoints' header
    # line no longer binds it -> rolled back
    private, _ = signing_key(master)
    resigned = bytearray(data)
    for i in range(2):
        c = bytearray(data[i * COPY:(i + 1) * COPY])
        # same sequence; change the passphrase slot's salt: still a well-formed, validly signed copy
        c[73 + 3 + 16] ^= 0xFF
        c[SIGNED:] = private.sign(bytes(c[:SIGNED]))
        resigned[i * COPY:(i + 1) * COPY] = c
    neg.append(expect_failure("journal: header copies re-signed with another digest (header rollback)",
                              read, bytes(resigned)))
    # a genuinely newer header copy (sequence 2) without a keyChange commit: changed but not committed
    newer = bytearray(resigned)
    for i in range(2):
        c = bytearray(newer[i * COPY:(i + 1) * COPY])
        c[16] = 2
        c[SIGNED:] = private.sign(bytes(c[:SIGNED]))
        newer[i * COPY:(i + 1) * COPY] = c
    neg.append(expect_failure("journal: header sequence 2 not yet committed", read, bytes(newer)))
    # checkpoint header digest altered (and so its signature)
    cp = expected["checkpoints"][-1]
    mutated = bytearray(data)
    pos = data.index(b"NohJ5M++", cp["offset"])
    mutated[pos + 6] = ord("/")
    neg.append(expect_failure("journal: header digest in the last checkpoint altered", read, bytes(mutated)))
    mutated = bytearray(data)
    mutated[8] = 1
    neg.append(expect_failure("journal: version 1 in both copies", read, bytes(mutated[:COPY]) + bytes(
        mutated[:COPY]) + data[FRAMES:]))
    neg.append(expect_failure("journal: truncated last commit", read, data[:cp["offset"]]))
    neg.append(expect_failure("journal: wrong passphrase", unlock, data, passphrase="correct horse battery stapl"))
    typo = list(expected["recoveryKey"])
    typo[0] = "Y" if typo[0] != "Y" else "X"
    neg.append(expect_failure("recovery key with a typo", decode_recovery_key, "".join(typo)))
    rmut = bytearray(rdata)
    lpos = rdata.index(b"carried 3 ") + len(b"carried 3 ")
    rmut[lpos] ^= 0x01
    neg.append(expect_failure("rekeyed: lineage carried root altered", read, bytes(rmut)))
    neg.append(expect_failure("rekeyed: pinned unrelated fingerprint", read, rdata,
                              pinned="0000:0000:0000:0000:0000:0000:0000:0000"))
    lines2, neg2 = check_revision_rules(expected, data, master, rexp, rdata, rmaster, bundle)
    return lines + lines2, neg + neg2


def reseal_content(frame, journal_id, sequence, content_key, mutate):
    """Someone holding a record's disclosed content key rewrites its content (same nonce, same AAD), keeping
    the old owner tag."""
    nonce, sealed_env, sealed_cnt, tag = split_record_frame(frame)
    aad = content_aad(journal_id, sequence, sealed_env)
    padded = bytearray(aead_open(content_key, nonce, sealed_cnt, aad))
    mutate(padded)
    body = nonce + sealed_env + aead_seal(content_key, nonce, bytes(padded), aad) + tag
    return frame_bytes(1, body)


def splice(data, offset, old_len, new):
    return bytes(data[:offset]) + new + bytes(data[offset + old_len:])


def shift_checkpoints(data):
    """Rewrite the unsigned offset fields (own and previous) of every checkpoint frame to match where it now is:
    what someone who inserted or removed a frame would do. Only the signed `offset` line can then tell."""
    out = bytearray(data)
    previous = 0
    for pos, kind, frame, body in frames(bytes(out)):
        if kind == 2:
            struct.pack_into("<QQ", out, pos + 5 + 8, pos, previous)
            previous = pos
    return bytes(out)


def check_revision_rules(expected, data, master, rexp, rdata, rmaster, bundle):
    """The rules of this revision: owner tag, content bound to the sealed envelope, signed offset line,
    extension frames, held checkpoints (5.4), repair (6.5) and rekey (7)."""
    lines, neg = [], []
    jid, pub = bytes.fromhex(expected["journalID"]), bytes.fromhex(expected["publicKey"])
    root_key = record_root_key(master)
    recs = expected["records"]
    # positive: every frame's last 32 bytes are the owner tag; the content AAD ends with SHA-256(sealed envelope)
    for r in recs:
        f = bytes.fromhex(r["frame"])
        nonce, senv, scnt, tag = split_record_frame(f)
        ok(tag == owner_tag(root_key, jid, r["sequence"], f[5:-4][:-32]), f"#{r['sequence']} owner tag")
        aead_open(bytes.fromhex(r["contentKey"]), nonce, scnt, content_aad(jid, r["sequence"], senv))
        try:
            aead_open(bytes.fromhex(r["contentKey"]), nonce, scnt, record_aad(jid, r["sequence"], 2))
            ok(False, "content must not open with AAD(2) alone")
        except FormatError:
            ok(True, "")
        ok(len(scnt) - 16 == pad_size(18 + len(r["kind"]) + len(r["payload"].encode())), "content ends before tag")
    ok(verify_note(expected["checkpoints"][1]["text"], pub, jid)[4] == 8960, "offset line of the worked example")
    for c in expected["checkpoints"] + rexp["checkpoints"]:
        ok(("\noffset %d\n\n" % c["offset"]) in c["text"], "offset line equals the frame offset in the JSON")
    lines.append("revision: owner tags (keyed BLAKE2b, record root key), content AAD || SHA-256(sealed envelope), "
                 "signed offset lines OK for every record and checkpoint")

    r1 = recs[1]
    f1, off1 = bytes.fromhex(r1["frame"]), r1["offset"]
    env1, cnt1 = bytes.fromhex(r1["envelopeKey"]), bytes.fromhex(r1["contentKey"])
    # (1) owner tag recomputed with a wrong key: the AEAD still opens (auditor's view) but the key holder rejects
    body = f1[5:-4]
    wrong = frame_bytes(1, body[:-32] + owner_tag(hashlib.sha256(b"not the record root key").digest(), jid, 1,
                                                  body[:-32]))
    ok(open_record(jid, 1, wrong, env1, cnt1)["payload"] == r1["payload"], "wrong-tag frame: AEAD still opens")
    neg.append(expect_failure("record #1 owner tag recomputed with a wrong key (AEAD opens; key holder)",
                              open_record, jid, 1, wrong, env1, cnt1, root_key=root_key))
    neg.append(expect_failure("journal: record #1 with an owner tag made with a wrong key (with key)", read,
                              splice(data, off1, len(f1), wrong), master))
    # (2) content re-encrypted with its disclosed content key, old tag kept
    def change(padded):
        i = bytes(padded).index(b'"mood":') + 7
        padded[i] = ord("1") if padded[i] != ord("1") else ord("2")
    forged = reseal_content(f1, jid, 1, cnt1, change)
    ok(len(forged) == len(f1) and forged[-36:-4] == f1[-36:-4], "forged frame keeps the old owner tag")
    ok(open_record(jid, 1, forged, env1, cnt1)["payload"] != r1["payload"], "re-encrypted content: AEAD opens")
    neg.append(expect_failure("record #1 content re-encrypted with its disclosed content key, old tag kept "
                              "(AEAD opens; key holder)", open_record, jid, 1, forged, env1, cnt1, root_key=root_key))
    neg.append(expect_failure("journal: record #1 content re-encrypted with its content key (with key)", read,
                              splice(data, off1, len(f1), forged), master))
    # (3) envelope re-encrypted with its envelope key (same nonce): the content no longer opens
    nonce, senv, scnt, tag = split_record_frame(f1)
    envelope = bytearray(aead_open(env1, nonce, senv, record_aad(jid, 1, 1)))
    struct.pack_into("<i", envelope, 66, struct.unpack_from("<i", envelope, 66)[0] + 1)   # move the day
    senv2 = aead_seal(env1, nonce, bytes(envelope), record_aad(jid, 1, 1))
    env_forged = frame_bytes(1, nonce + senv2 + scnt + tag)
    ok(parse_envelope(aead_open(env1, nonce, senv2, record_aad(jid, 1, 1)))[1] == r1["envelopeDay"] + 1,
       "re-encrypted envelope opens with the envelope key")
    neg.append(expect_failure("record #1 envelope re-encrypted with its envelope key (same nonce): content fails "
                              "to open (auditor with both keys)", open_record, jid, 1, env_forged, env1, cnt1))
    # (4) a checkpoint whose signed offset line does not match its place (validly signed by the owner)
    header = bytes(data[:COPY])
    records = [(bytes.fromhex(r["nonce"]), r["kind"], r["recordedAtMilliseconds"], r["timeZoneOffsetSeconds"],
                r["payload"]) for r in recs]
    sizes = [c["treeSize"] for c in expected["checkpoints"][1:]]
    ok(build_journal(master, jid, header, records, sizes) == data, "writer rebuild")
    neg.append(expect_failure("journal: checkpoints validly signed with offset lines 1 past their place", read,
                              build_journal(master, jid, header, records, sizes, note_offset_delta=1)))
    # (5) extension frames: inside a commit, written by the owner -> fine; inserted, removed or appended -> damage
    ext = frame_bytes(200, b"cosignatures would go here")
    with_ext = build_journal(master, jid, header, records, sizes, extensions={4: [(200, b"cosignatures would go here")]})
    res = read(with_ext, master)
    ok(len(res["records"]) == 4 and res["checkpoints"][-1]["root"] == read(data)["checkpoints"][-1]["root"],
       "an extension frame inside a commit is skipped when reading records and hashing the tree")
    last_cp = expected["checkpoints"][-1]["offset"]
    inserted = shift_checkpoints(splice(data, last_cp, 0, ext))
    neg.append(expect_failure("journal: extension frame (kind 200) inserted before the last checkpoint "
                              "(unsigned offset fields fixed up)", read, inserted))
    cp2 = expected["checkpoints"][2]["offset"]
    inserted = shift_checkpoints(splice(data, cp2, 0, ext))
    neg.append(expect_failure("journal: extension frame (kind 200) inserted before checkpoint 2 (fields fixed up)",
                              read, inserted, master))
    neg.append(expect_failure("journal: extension frame (kind 200) appended after the last checkpoint",
                              read, data + ext))
    neg.append(expect_failure("journal: extension frame (kind 200) appended after the last checkpoint (with key)",
                              read, data + ext, master))
    removed = with_ext[:last_cp] + with_ext[last_cp + len(ext):]
    neg.append(expect_failure("journal: extension frame removed from its commit (fields fixed up)", read,
                              shift_checkpoints(removed)))
    lines.append("revision: an extension frame (kind 200) inside a commit verifies and is not a leaf")

    # (6) held checkpoints (5.4)
    cp4 = expected["checkpoints"][-1]["text"]
    body, sigline = cp4.split("\n\n")
    foreign = [f"\u2013 witness.example/w{i} " + e64(hashlib.sha256(bytes([i])).digest() * 2 + b"\0" * 4)
               for i in range(60)]
    pasted = ("Hello,\r\n\r\nhere is the checkpoint:\r\ncheckpoint\r\n" +
              "".join(f"> {line}  \r\n" for line in body.split("\n") if line) +
              "\r\n" + "\r\n".join("> \u00a0" + line for line in foreign[:30]) + "\r\n" +
              "  -- " + sigline.strip()[2:] + "\t\r\n" +
              "\r\n".join(foreign[30:]) + "\r\n-- witness.example/odd not!base64\r\nBest regards\r\n")
    held = read_held_checkpoint(pasted, pub, jid)
    ok(len(held["note"].encode()) > 4096, "held note with cosignatures is above 4096 bytes")
    ok((held["size"], held["offset"], held["hseq"]) == (4, last_cp, 1), "held checkpoint values")
    ok(held["note"].startswith(cp4[:cp4.index("\n\n") + 2]), "held note rebuilt canonically")
    nolf = cp4.replace("\n\n", "\n")   # a missing blank line is tolerated
    ok(read_held_checkpoint(nolf, pub, jid)["root"] == held["root"], "missing blank line tolerated")
    read(data, held=held)
    verify_bundle(bundle, held=pasted)
    old = read_held_checkpoint(expected["checkpoints"][1]["text"], pub, jid)
    verify_bundle(bundle, held=old)   # consistency proof from exactly the held tree
    big = "x" * 30000 + "\n" + pasted
    ok(len(big.encode()) > 32768 and read_held_checkpoint(big, pub, jid)["size"] == 4, "held text of 32-64 KiB")
    lines.append(f"revision: held checkpoint pasted with CRLF, quote markers, 61 foreign signature lines "
                 f"({len(pasted.encode())} bytes, rebuilt note {len(held['note'].encode())} bytes) read and verified; "
                 "journal and bundle accept it")
    neg.append(expect_failure("held: text above 64 KiB", read_held_checkpoint, "x" * 65537 + "\n" + cp4, pub, jid))
    neg.append(expect_failure("held: garbled record count", read_held_checkpoint,
                              cp4.replace("\n4\n", "\nfour\n"), pub, jid))
    neg.append(expect_failure("held: checkpoint of another journal", read_held_checkpoint,
                              rexp["checkpoints"][-1]["text"], pub, jid))
    neg.append(expect_failure("held: only foreign signature lines (forged or altered)", read_held_checkpoint,
                              body + "\n\n" + foreign[0] + "\n", pub, jid))
    neg.append(expect_failure("held: offset line altered (forged or altered)", read_held_checkpoint,
                              cp4.replace("offset 11242", "offset 11243"), pub, jid))
    trunc = data[:recs[2]["offset"]]
    read(trunc)
    neg.append(expect_failure("journal truncated to 2 records, held checkpoint of 4", read, trunc, held=held))
    neg.append(expect_failure("bundle of 4 records, held checkpoint of 2 without a proof from it", verify_bundle,
                              bundle, held=expected["checkpoints"][2]["text"]))

    # (7) repair (6.5): a torn commit's record frames are recommitted only with a valid owner tag
    nonce4 = hashlib.sha256(b"nonce of record 4").digest()[:24]
    rec4 = build_record(root_key, jid, 4, nonce4, "entry", recs[3]["recordedAtMilliseconds"] + 1000,
                        recs[3]["timeZoneOffsetSeconds"], '{"text":"written, never committed"}')
    cut, good = repair_recommits(data + rec4 + b"\0" * 7, master)
    ok(cut == len(data) and good == [rec4], "repair recommits a complete record frame with a valid owner tag")
    _, cnt4 = record_keys(root_key, 4, nonce4)
    def change4(padded):
        i = bytes(padded).index(b"never")
        padded[i:i + 5] = b"NEVER"
    forged4 = reseal_content(rec4, jid, 4, cnt4, change4)
    ok(open_record(jid, 4, forged4, record_keys(root_key, 4, nonce4)[0], cnt4)["payload"].find("NEVER") > 0,
       "forged torn record opens with its content key")
    cut, good = repair_recommits(data + forged4, master)
    ok(cut == len(data), "repair cut point")
    if good:
        raise FormatError("negative check not detected: repair recommitted a re-encrypted record")
    CHECKS[0] += 1
    neg.append("repair: torn record frame re-encrypted with its content key (old owner tag): not recommitted: "
               "detected")
    ok(MAX_FRAME_BODY == 112 + pad_size(18 + 64 + MAX_PAYLOAD) + 16 + 32, "frame limit")
    cos = dict(bundle, checkpoint=bundle["checkpoint"] + "\n".join(DASH + l[1:] for l in foreign[:2]) + "\n")
    ok(verify_bundle(cos)["size"] == 4, "bundle checkpoint with cosignature lines")
    lines.append("revision: bundle checkpoint carrying 2 cosignature lines verifies (10.4)")
    cos = dict(bundle, checkpoint=bundle["checkpoint"].split("\n\n")[0] + "\n\n" + DASH + foreign[0][1:] + "\n")
    neg.append(expect_failure("bundle: checkpoint with only a cosignature line", verify_bundle, cos))
    neg.append(expect_failure("rekeyed: held predecessor checkpoint exactly at the rekey point (7: never vouches)",
                              compare_held_with_lineage, cp4, read(rdata)["lineage"]))
    neg.append(expect_failure("rekeyed: held predecessor checkpoint of 5 records vs predecessor-tree 4",
                              compare_held_with_lineage, sign_note(*signing_key(master), origin_of(jid),
                              [origin_of(jid), "5", e64(bytes(32)), "header 1 " + e64(bytes(32)), "offset 1"]),
                              read(rdata)["lineage"]))
    lines.append("revision: repair (6.5) recommits a torn record frame with a valid owner tag only")

    # (8) rekey (7): the carried records must be the signed history with valid owner tags
    frames_all = [bytes.fromhex(r["frame"]) for r in recs]
    last = read(data)["checkpoints"][-1]
    ok(rekey_precheck(master, jid, frames_all, last["size"], last["root"]), "rekey precheck")
    neg.append(expect_failure("rekey: record #1 re-encrypted with its content key (tag invalid, root differs)",
                              rekey_precheck, master, jid, frames_all[:1] + [forged] + frames_all[2:],
                              last["size"], last["root"]))
    neg.append(expect_failure("rekey: only 3 of the 4 signed records", rekey_precheck, master, jid,
                              frames_all[:3], last["size"], last["root"]))
    # the rekeyed vector's records carry owner tags made with the successor's record root key
    rroot = record_root_key(rmaster)
    rjid = bytes.fromhex(rexp["journalID"])
    for r in rexp["records"]:
        f = bytes.fromhex(r["frame"])
        ok(f[-36:-4] == owner_tag(rroot, rjid, r["sequence"], f[5:-36]), "rekeyed owner tag")
    return lines, neg


def compare_held_with_lineage(text, lineage):
    """7: a held checkpoint of a predecessor never vouches for the journal after the rekey (the
    records are re-sealed; the statement is signed by the retired key, which the owner holds).
    Always raises, naming the clearer cases."""
    for st in lineage:
        try:
            held = read_held_checkpoint(text, st["predecessor_key"], st["predecessor_id"])
        except FormatError as e:
            if str(e).startswith("checkpoint of another journal"):
                continue
            raise
        if held["size"] > st["predecessor_tree"]:
            raise FormatError(f"held checkpoint of the predecessor has {held['size']} records, the rekey started "
                              f"from {st['predecessor_tree']}: records were removed before the rekey")
        if held["size"] == st["predecessor_tree"] and held["root"] != st["predecessor_root"]:
            raise FormatError("held checkpoint of the predecessor: same size, other root (history rewritten)")
        raise FormatError("held checkpoint of a key the journal was re-keyed from: it cannot vouch for the re-sealed records")
    raise FormatError("the held checkpoint belongs to another journal (not this one or a predecessor)")


def verify_record_list(result, expected):
    recs = result["records"]
    ok(len(recs) == len(expected["records"]), "record count")
    for r, want in zip(recs, expected["records"]):
        s = r["sequence"]
        ok(s == want["sequence"], f"#{s} sequence")
        ok(r["offset"] == want["offset"], f"#{s} frame offset")
        ok(r["frame"].hex() == want["frame"], f"#{s} frame")
        ok(r["nonce"].hex() == want["nonce"], f"#{s} nonce")
        ok(r["envelopeKey"].hex() == want["envelopeKey"], f"#{s} envelope key")
        ok(r["contentKey"].hex() == want["contentKey"], f"#{s} content key")
        ok(r["kind"] == want["kind"] == r["envelopeKind"], f"#{s} kind")
        ok(r["day"] == want["envelopeDay"] and day_to_date(r["day"]) == want["envelopeDate"], f"#{s} envelope day")
        ok(r["recordedAt"] == want["recordedAtMilliseconds"], f"#{s} recorded at")
        ok(r["utcOffset"] == want["timeZoneOffsetSeconds"], f"#{s} UTC offset")
        ok(r["payload"] == want["payload"], f"#{s} payload")


def verify_checkpoint_list(result, expected, header):
    cps = result["checkpoints"]
    ok(len(cps) == len(expected["checkpoints"]), "checkpoint count")
    for cp, want in zip(cps, expected["checkpoints"]):
        ok(cp["offset"] == want["offset"], "checkpoint offset")
        ok(cp["size"] == want["treeSize"], "checkpoint tree size")
        ok(cp["note"] == want["text"], "checkpoint note")
        ok(cp["frame"].hex() == want["frame"], "checkpoint frame")
        ok(cp["hseq"] == header["sequence"] and cp["hdigest"] == header["digest"],
           "checkpoint binds the header copy in force")


def default_dir():
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "SealedJournalTests", "Vectors")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("journal", nargs="?")
    parser.add_argument("--passphrase")
    parser.add_argument("--recovery-key")
    parser.add_argument("--fingerprint", help="pin the journal's fingerprint")
    parser.add_argument("--held", metavar="FILE", help="a checkpoint held from earlier (text, read as in 5.4)")
    parser.add_argument("--check-vectors", nargs="?", const="", metavar="DIR")
    parser.add_argument("--markdown", nargs="?", const="", metavar="DIR")
    args = parser.parse_args()
    if args.markdown is not None:
        here = args.markdown or default_dir()
        data = open(os.path.join(here, "format-v2.sjournal"), "rb").read()
        expected = json.load(open(os.path.join(here, "format-v2.json"), encoding="utf-8"))
        master = unlock(data, passphrase=expected["passphrase"])
        res = read(data, master)
        print("Header copy 1, first 128 bytes:\n\n```\n" + hex_dump(data[:128]) + "\n```\n")
        print("Record 0 frame:\n\n```\n" + hex_dump(res["records"][0]["frame"]) + "\n```\n")
        print("Checkpoint after record 0 (note text):\n\n```\n" + res["checkpoints"][1]["note"] + "```")
        return 0
    if args.check_vectors is not None:
        here = args.check_vectors or default_dir()
        try:
            lines, neg = check_vectors(here)
        except (FormatError, KeyError, ValueError, struct.error, OSError) as e:
            print(f"MISMATCH after {CHECKS[0]} checks: {type(e).__name__}: {e}")
            return 1
        for line in lines:
            print(("independent writer: " + line[9:].lstrip()) if line.startswith("(writer) ") else ("independent reader: " + line))
        for line in neg:
            print("  negative check " + line)
        print(f"format vectors agree with FORMAT.md ({CHECKS[0]} checks, {len(neg)} negative checks detected)")
        return 0
    if not args.journal:
        parser.error("a JOURNAL, --check-vectors or --markdown is required")
    data = open(args.journal, "rb").read()
    try:
        master = None
        if args.passphrase is not None or args.recovery_key is not None:
            in_force = read(data, pinned=args.fingerprint)["header"]   # verify without the key first (6.4)
            try:
                master = unlock(data, passphrase=args.passphrase, recovery=args.recovery_key, header=in_force)
            except FormatError as e:
                raise FormatError(f"cannot unlock ({e}): wrong passphrase or recovery key?")
        held, held_text = None, open(args.held, "rb").read() if args.held else None
        if held_text is not None:
            c = next(c for c in decode_header_copies(data)[0] if c)
            try:
                held = read_held_checkpoint(held_text, c["public_key"], c["journal_id"])
            except FormatError as e:
                if not str(e).startswith("checkpoint of another journal"):
                    raise
        res = read(data, master, pinned=args.fingerprint, held=held)
        if held_text is not None and held is None:
            print(compare_held_with_lineage(held_text, res["lineage"]))
    except (FormatError, struct.error) as e:
        print(f"verification failed: {e}")
        return 1
    h = res["header"]
    print(f"journal {h['journal_id'].hex()} fingerprint {fingerprint(h['public_key'])}: "
          f"{len(res['checkpoints'])} checkpoints verified, {len(res['leaves'])} records, header sequence "
          f"{h['sequence']}, both header copies intact, {len(res['lineage'])} lineage statement(s)")
    for st in res["lineage"]:
        print(f"  re-keyed from sealed-journal/{st['predecessor_id'].hex()} ({fingerprint(st['predecessor_key'])}): "
              f"{st['carried']} of {st['predecessor_tree']} records carried, omitted {st['omitted'] or 'none'}")
    for r in res["records"]:
        t = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=r["recordedAt"])
        print(f"#{r['sequence']} {r['kind']} {t.isoformat(timespec='milliseconds')}Z "
              f"(UTC{r['utcOffset'] / 3600:+g}h, day {day_to_date(r['day'])}) {r['payload']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
