"""What share links tell the features above them (notifications), which they never import."""

from django.dispatch import Signal

# A link was opened for the first time (kwargs: link).
first_viewed = Signal()
