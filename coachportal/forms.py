from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Render every form field with the project's accessible template (label, input, error, help)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
