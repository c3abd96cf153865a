"""What athletes tell the library (a layer above, which links its sessions to athletes).

The library connects its receivers in its AppConfig.ready(); athletes never import it.
"""

from django.dispatch import Signal

# An athlete's AiKYNETIX user id was set, changed or cleared (kwargs: athlete).
user_id_changed = Signal()

# Many athletes of an organization may have new user ids at once, a CSV import say (kwargs: organization).
roster_user_ids_changed = Signal()

# Asked, not told: how many library sessions each AiKYNETIX user id has (kwargs: organization,
# user_ids); each receiver answers with a {user_id: count} dict.
session_counts_wanted = Signal()
