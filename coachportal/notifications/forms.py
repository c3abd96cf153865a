from django import forms

from .models import Kind
from .services import Choice


class PreferencesForm(forms.Form):
    """Two checkboxes per kind: in the portal, and by email."""

    def __init__(self, *args, choices: dict[str, Choice] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = choices or {kind: Choice(True, True) for kind in Kind.values}
        self.kinds = []
        for kind in Kind:
            self.fields[f"{kind.value}_in_app"] = forms.BooleanField(
                label="In the portal", required=False, initial=choices[kind.value].in_app
            )
            self.fields[f"{kind.value}_email"] = forms.BooleanField(
                label="By email", required=False, initial=choices[kind.value].email
            )
            self.kinds.append((kind.label, self[f"{kind.value}_in_app"], self[f"{kind.value}_email"]))

    def chosen(self) -> dict[str, Choice]:
        data = self.cleaned_data
        return {k: Choice(data[f"{k}_in_app"], data[f"{k}_email"]) for k in Kind.values}
