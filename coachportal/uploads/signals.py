"""What uploads tell the features above them (notifications), which they never import.

Receivers connect in their AppConfig.ready().
"""

from django.dispatch import Signal

# Uploads reached the end of their way, failed or done (kwargs: organization_id, upload_ids). Sent as
# the state changes, inside the transaction that changed it: receivers queue work with on_commit.
uploads_settled = Signal()
