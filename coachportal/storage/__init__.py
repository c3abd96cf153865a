"""Video files kept for a while before a provider has them: one pipeline for uploads and matches.

- `limits`: how large a file may be, and the messages for an empty or oversized one;
- `keys`: server-chosen storage names under an organization's prefix;
- `receive`: the streaming receive of a form's file (hashed to a temporary file, body size checked);
- `direct`: the browser-to-S3 flow (presign, then finish with owner, size, first-bytes and probe checks);
- `purge`: when a stored copy may go (the provider has had its own for the organization's retention).

Features (uploads, matches) plug their own checks in; this package imports none of them.
"""
