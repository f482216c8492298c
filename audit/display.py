"""Showing entries to people: field names as the model labels them, ids as the objects' names."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

EMPTY = "—"


class ChangeFormatter:
    """Turns entries' `changes` (field -> [old, new]) into labelled, readable rows.

    The related objects the entries name (regions, states, themes, partners...) are looked up
    together, one query per related model, whatever the number of entries.
    """

    def __init__(self, model, change_sets):
        self.model = model
        self.names: dict[type, dict] = {}
        wanted = defaultdict(set)
        for changes in change_sets:
            for name, values in changes.items():
                related = self._related_model(name)
                if related is None:
                    continue
                for value in values:
                    wanted[related].update(self._ids(name, value))
        for related, ids in wanted.items():
            ids.discard(None)
            found = related._base_manager.filter(pk__in=ids) if ids else []
            self.names[related] = {obj.pk: str(obj) for obj in found}

    def _field(self, name):
        try:
            return self.model._meta.get_field(name)
        except FieldDoesNotExist:  # a field removed since the entry was written
            return None

    def _related_model(self, name):
        field = self._field(name)
        return field.related_model if field is not None and field.is_relation else None

    def _ids(self, name, value) -> set:
        if value is None:
            return set()
        field = self._field(name)
        if isinstance(field, models.ManyToManyField):
            if name == "partners":
                return {row[0] for row in value}
            return set(value)
        return {value}

    def label(self, name: str) -> str:
        field = self._field(name)
        return capfirst(field.verbose_name) if field is not None else name

    def value(self, name: str, value) -> str:
        field = self._field(name)
        if value is None or value == "" or value == []:
            return EMPTY
        if field is None:
            return str(value)
        if field.is_relation:
            names = self.names.get(field.related_model, {})
            if name == "partners":
                roles = dict(field.remote_field.through._meta.get_field("role").flatchoices)
                return "; ".join(
                    f"{self._name(names, pid)} ({roles.get(role, role)})" for pid, role in value
                )
            if isinstance(field, models.ManyToManyField):
                return "; ".join(self._name(names, pk) for pk in value)
            return self._name(names, value)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        return str(value)

    @staticmethod
    def _name(names: dict, pk) -> str:
        if pk in names:
            return names[pk]
        return _("#%(id)s (deleted)") % {"id": pk}

    def rows(self, changes: dict) -> list[dict]:
        """[{label, old, new}] in the model's field order."""
        order = {field.name: index for index, field in enumerate(self.model._meta.get_fields())}
        return [
            {
                "name": name,
                "label": self.label(name),
                "old": self.value(name, old),
                "new": self.value(name, new),
            }
            for name, (old, new) in sorted(
                changes.items(), key=lambda item: order.get(item[0], len(order))
            )
        ]
