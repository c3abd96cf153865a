"""Print a .env for local development: DEBUG on and secrets generated for this machine only."""

import secrets

from cryptography.fernet import Fernet

if __name__ == "__main__":
    print("# Local development settings, written by `make`. Not for production; never commit.")
    print("DEBUG=1")
    print(f"SECRET_KEY={secrets.token_urlsafe(50)}")
    print(f"FIELD_ENCRYPTION_KEYS={Fernet.generate_key().decode()}")
    print("AIKYNETIX_BASE_URL=http://127.0.0.1:8765")
    print("AIONTHEBALL_BASE_URL=http://127.0.0.1:8766/api/v1")
