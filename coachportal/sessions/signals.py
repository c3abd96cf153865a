"""What the library tells the features built on it (uploads, matches), which it never imports.

They connect their receivers in their AppConfig.ready().
"""

from django.dispatch import Signal

# The organization's AiKYNETIX mirror was just brought up to date (kwargs: organization; since: when the
# sync started, so every session it wrote or marked deleted has synced_at >= since; written: what its
# batches changed in the key-metric rows, a stored_metrics.Written, for the library's own receiver).
mirror_updated = Signal()

# The library's background sync of an organization ran, whatever its outcome (kwargs: organization, full).
library_synced = Signal()

# Sessions were deleted here or found deleted upstream; their status is now "deleted" (kwargs:
# organization, session_ids). Features that keep the organization's own data on a session (notes,
# share links) drop it.
sessions_deleted = Signal()
