#!/usr/bin/env python3
"""Cross-checks Tests/SealedJournalTests/Vectors/crypto-vectors.json (typed in from the RFCs)
against independent implementations (PyPI: cryptography, pycryptodome), and regenerates
argon2id-vectors.json with argon2-cffi (the reference Argon2 C code).

    pip install cryptography pycryptodome argon2-cffi
    python3 scripts/check-crypto-vectors.py
"""
import hashlib, hmac, json, os, sys
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import hashes, serialization
from Crypto.Cipher import ChaCha20_Poly1305
import argon2.low_level as a2

here = os.path.join(os.path.dirname(__file__), "..", "Tests", "SealedJournalTests", "Vectors")
v = json.load(open(os.path.join(here, "crypto-vectors.json")))
h = bytes.fromhex
raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
for c in v["ed25519"]["cases"]:
    sk = ed25519.Ed25519PrivateKey.from_private_bytes(h(c["seed"]))
    assert sk.public_key().public_bytes(*raw).hex() == c["publicKey"], c["name"]
    assert sk.sign(h(c["message"])).hex() == c["signature"], c["name"]
for c in v["blake2b"]["cases"]:
    assert hashlib.blake2b(h(c["message"]), digest_size=c["outputByteCount"]).hexdigest() == c["digest"]
for c in v["sha256"]["cases"]:
    assert hashlib.sha256(h(c["message"])).hexdigest() == c["digest"], c["name"]
for c in v["hmacSHA256"]["cases"]:
    assert hmac.new(h(c["key"]), h(c["message"]), "sha256").hexdigest() == c["mac"], c["name"]
for c in v["hkdfSHA256"]["cases"]:
    prk = hmac.new(h(c["salt"]) or bytes(32), h(c["ikm"]), "sha256").hexdigest()
    assert prk == c["prk"], c["name"]
    okm = HKDF(hashes.SHA256(), c["length"], h(c["salt"]) or None, h(c["info"])).derive(h(c["ikm"]))
    assert okm.hex() == c["okm"], c["name"]
for c in v["xchacha20Poly1305"]["cases"]:
    ci = ChaCha20_Poly1305.new(key=h(c["key"]), nonce=h(c["nonce"])); ci.update(h(c["aad"]))
    ct, tag = ci.encrypt_and_digest(h(c["plaintext"]))
    assert ct.hex() == c["ciphertext"] and tag.hex() == c["tag"], c["name"]
for c in v["chacha20Poly1305"]["cases"]:
    out = ChaCha20Poly1305(h(c["key"])).encrypt(h(c["nonce"]), h(c["plaintext"]), h(c["aad"]))
    assert out.hex() == c["ciphertext"] + c["tag"], c["name"]
for c in v["x25519"]["cases"]:
    a = x25519.X25519PrivateKey.from_private_bytes(h(c["alicePrivate"]))
    b = x25519.X25519PrivateKey.from_private_bytes(h(c["bobPrivate"]))
    assert a.public_key().public_bytes(*raw).hex() == c["alicePublic"]
    assert b.public_key().public_bytes(*raw).hex() == c["bobPublic"]
    assert a.exchange(b.public_key()).hex() == c["shared"]

# Argon2id: libsodium's crypto_pwhash is Argon2id v1.3 with parallelism 1, memory in bytes.
cases = []
for name, pw, salt, t, m_kib, n in [
    ("t=2 m=64KiB", b"correct horse battery staple", bytes(range(16)), 2, 64, 32),
    ("t=3 m=256KiB unicode", "pässwörd ✓".encode(), bytes(range(0xa0, 0xb0)), 3, 256, 32),
    ("t=1 m=8KiB 64-byte output", b"p", b"saltsaltsaltsalt", 1, 8, 64),
]:
    out = a2.hash_secret_raw(pw, salt, time_cost=t, memory_cost=m_kib, parallelism=1, hash_len=n, type=a2.Type.ID)
    cases.append({"name": name, "passphrase": pw.hex(), "salt": salt.hex(), "opsLimit": t,
                  "memoryLimitBytes": m_kib * 1024, "key": out.hex()})
json.dump({"argon2id": {"source": "argon2-cffi (reference Argon2 C implementation), Argon2id v1.3, p=1",
                        "cases": cases}}, open(os.path.join(here, "argon2id-vectors.json"), "w"), indent=1)
print("crypto vectors agree with independent implementations; argon2id vectors regenerated")
