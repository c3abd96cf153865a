"""FIELD_ENCRYPTION_KEYS: Fernet keys, or long generated secrets (as app.json's generator makes them)."""

import secrets

import pytest
from cryptography.fernet import Fernet

from coachportal.organizations import crypto


def test_a_generated_hex_secret_encrypts_and_decrypts_like_a_fernet_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = [secrets.token_hex(32)]
    token = crypto.encrypt("api-key-123")
    assert token != "api-key-123" and crypto.decrypt(token) == "api-key-123"


def test_a_secret_and_a_fernet_key_rotate_together(settings):
    old = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    token = crypto.encrypt("api-key-123")
    new = secrets.token_hex(32)
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    rotated = crypto.rotate(token)
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated) == "api-key-123"


def test_different_secrets_do_not_read_each_others_tokens(settings):
    settings.FIELD_ENCRYPTION_KEYS = [secrets.token_hex(32)]
    token = crypto.encrypt("api-key-123")
    settings.FIELD_ENCRYPTION_KEYS = [secrets.token_hex(32)]
    with pytest.raises(crypto.KeyUnreadable):
        crypto.decrypt(token)


@pytest.mark.parametrize("weak", ["not-a-fernet-key", "x" * 31, ""])
def test_a_short_value_that_is_not_a_fernet_key_is_refused_by_position(weak):
    with pytest.raises(ValueError, match="key #2 is not a valid Fernet key"):
        crypto.validate_keys([Fernet.generate_key().decode(), weak])
