"""Encrypt provider API keys at rest with the operator's keys (FIELD_ENCRYPTION_KEYS, newest first).

Each key is a Fernet key, or a long random secret (at least 32 characters, such as the 64 hex characters
a platform's secret generator makes for app.json) from which a Fernet key is derived with SHA-256.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

MIN_SECRET_LENGTH = 32


def fernet_key(value: str) -> bytes:
    """The Fernet key for one configured value: itself when it is one, else derived from the secret."""
    try:
        Fernet(value)
    except (ValueError, TypeError):
        if len(value) < MIN_SECRET_LENGTH:
            raise ValueError("too short") from None
        digest = hashlib.sha256(b"coachportal field encryption\0" + value.encode()).digest()
        return base64.urlsafe_b64encode(digest)
    return value.encode()


class KeyUnreadable(Exception):
    """A stored key cannot be decrypted with any of the configured encryption keys."""


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(fernet_key(key)) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise KeyUnreadable(
            "The stored key cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS."
        ) from None


def rotate(token: str) -> str:
    """Re-encrypt `token` with the newest key (it may have been written with any configured key)."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise KeyUnreadable("A stored key cannot be decrypted with any configured key.") from None


def validate_keys(keys: list[str]) -> None:
    """Raise ValueError naming the position of the first key that is neither a Fernet key nor a secret."""
    if not keys:
        raise ValueError("no keys given")
    for position, key in enumerate(keys, start=1):
        try:
            fernet_key(key)
        except ValueError:
            raise ValueError(
                f"key #{position} is not a valid Fernet key (32 url-safe base64-encoded bytes) nor a random "
                f"secret of at least {MIN_SECRET_LENGTH} characters"
            ) from None
