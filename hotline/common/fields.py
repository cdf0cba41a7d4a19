"""Form fields the platform's forms share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .params import MAX_ID


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, refusing a chosen id beyond a 64-bit integer as an invalid choice before
    it reaches the query. Django bounds an exact look-up (so ModelChoiceField is safe) but not
    ``pk__in``, where SQLite raised OverflowError: a 500 for a form anyone could post."""

    def _check_values(self, value):
        for chosen in value:
            try:
                number = int(chosen)
            except (TypeError, ValueError):
                continue  # not a number: Django's own check refuses it
            if not -MAX_ID - 1 <= number <= MAX_ID:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": chosen},
                )
        return super()._check_values(value)
