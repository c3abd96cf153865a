from django import forms

from . import shapes as drawing
from .models import MAX_SECONDS, MAX_TEXT

EMPTY_NOTE = "Write something or draw on the frame before saving."


class NoteForm(forms.Form):
    at_seconds = forms.FloatField(
        label="At (seconds)", min_value=0, max_value=MAX_SECONDS, initial=0,
        widget=forms.NumberInput(attrs={"step": "0.001", "inputmode": "decimal"}),
    )  # fmt: skip
    text = forms.CharField(
        label="Note text", required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    shapes = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200_000)
    aspect = forms.FloatField(required=False, min_value=0.2, max_value=5, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        aspect = data.get("aspect") or 16 / 9
        data["aspect"] = aspect
        try:
            data["shapes"] = drawing.clean(data.get("shapes"), aspect=aspect)
        except drawing.InvalidShapes as exc:
            self.add_error(None, str(exc))
            data["shapes"] = []
        if "text" in data and not data.get("text", "").strip() and not data["shapes"] and not self.errors:
            raise forms.ValidationError(EMPTY_NOTE)
        return data


class NoteEditForm(forms.Form):
    at_seconds = NoteForm.base_fields["at_seconds"]
    text = NoteForm.base_fields["text"]
