from django import forms

from .services import MAX_DAYS, MIN_DAYS

DAY_CHOICES = [(d, f"{d} day" if d == 1 else f"{d} days") for d in (1, 3, 7, 14, 30)]


class ShareLinkForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Expires after", choices=DAY_CHOICES, coerce=int, initial=7,
        help_text=f"Between {MIN_DAYS} and {MAX_DAYS} days; you can revoke it sooner.",
    )  # fmt: skip
    note = forms.CharField(
        label="Note for the recipient (optional)", required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
