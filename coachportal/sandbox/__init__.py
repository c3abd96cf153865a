"""Local, contract-faithful emulators of the providers' APIs (dev, demo and tests only)."""
