"""Encrypt provider API keys at rest with the operator's Fernet keys (FIELD_ENCRYPTION_KEYS, newest first)."""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class KeyUnreadable(Exception):
    """A stored key cannot be decrypted with any of the configured encryption keys."""


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


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
    """Raise ValueError naming the position of the first key that is not a valid Fernet key."""
    if not keys:
        raise ValueError("no keys given")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ValueError(
                f"key #{position} is not a valid Fernet key (32 url-safe base64-encoded bytes)"
            ) from None
