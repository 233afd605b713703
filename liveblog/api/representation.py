"""Output serializers' fast path: what their declared fields show, without DRF's per-call work.

The output serializers (``liveblog.api.serializers``) own the JSON shape clients see: the
API, its OpenAPI schema and the push channel all follow their declared fields. DRF's own
``Serializer.to_representation`` walks those fields and looks each attribute up through
``fields.get_attribute`` (checking for callables and missing keys) on every call: several
times the cost of building the dict by hand, and the push channel renders every event of a
blog, hundreds at once for a reader catching up. ``plain(SerializerClass)`` reads the
declared fields once and returns a function that reads the attributes (or a payload's keys)
in one step and converts only the values whose field would change them.
``tests/api/test_representation.py`` checks it gives what DRF gives.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from datetime import datetime
from typing import Any

from rest_framework import serializers

Represent = Callable[[Any], dict[str, Any]]


class IsoDateTimeField(serializers.DateTimeField):
    """A stored time in ISO 8601 with its UTC offset, as stored: ``+00:00``, never ``Z``."""

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


#: Fields whose ``to_representation`` returns what the model or payload holds (str, int,
#: bool, a choice's value) unchanged. Exact types: a subclass may convert.
_AS_STORED: frozenset[type[serializers.Field]] = frozenset(
    {
        serializers.CharField,
        serializers.SlugField,
        serializers.URLField,
        serializers.IntegerField,
        serializers.BooleanField,
        serializers.ChoiceField,
    }
)


class Shape(serializers.Serializer):
    """An output serializer represented by ``represent``: its fields, through ``plain``.

    Subclasses override ``represent`` to add what the fields cannot say (a retracted entry's
    words withheld, say); nested shapes are represented by their own ``represent``.
    """

    @classmethod
    def represent(cls, instance: Any) -> dict[str, Any]:
        return plain(cls)(instance)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return type(self).represent(instance)


def _converter(field: serializers.Field) -> Callable[[Any], Any] | None:
    """How to turn a field's value (not None) into JSON data; None: it is already."""
    if isinstance(field, serializers.ListSerializer):
        assert field.child is not None
        child = _converter(field.child)
        assert child is not None, "a list of values DRF keeps as they are: use a ListField"
        return lambda items: [child(item) for item in items]
    if isinstance(field, Shape):
        return type(field).represent
    if isinstance(field, serializers.Serializer):
        return plain(type(field))
    if type(field) in _AS_STORED:
        return None
    # The same as the fields' own methods, without a Python call each.
    if type(field) is IsoDateTimeField:
        return datetime.isoformat
    if type(field) is serializers.UUIDField and field.uuid_format == "hex_verbose":
        return str
    return field.to_representation


def _getter(sources: tuple[str, ...], get: type[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """One C-level call reading every source, always as a tuple."""
    if len(sources) == 1:
        single = get(sources[0])
        return lambda instance: (single(instance),)
    return get(*sources)


@functools.cache
def plain(
    serializer_class: type[serializers.Serializer], *, leaving_out: tuple[str, ...] = ()
) -> Represent:
    """A function representing an instance (an object or a dict) as the fields declare.

    A dict's fields are read by key (a source with dots is a path on objects only).
    ``leaving_out`` names fields the caller fills in itself (nested objects read in bulk).
    """
    fields = [
        (name, field)
        for name, field in serializer_class().fields.items()
        if not field.write_only and name not in leaving_out
    ]
    names: list[str] = []
    sources: list[str] = []
    whole: list[str] = []  # ``source="*"``, method fields: made from the whole instance
    for name, field in fields:
        assert field.source is not None  # set when the field was bound
        if field.source == "*":
            whole.append(name)
        else:
            names.append(name)
            sources.append(field.source)
    from_object = _getter(tuple(sources), operator.attrgetter) if sources else lambda _: ()
    from_dict = _getter(tuple(sources), operator.itemgetter) if sources else lambda _: ()
    conversions = [
        (name, convert) for name, field in fields if (convert := _converter(field)) is not None
    ]
    order = [name for name, _ in fields]

    def represent(instance: Any) -> dict[str, Any]:
        values = from_dict(instance) if isinstance(instance, dict) else from_object(instance)
        data = dict(zip(names, values, strict=True))
        for name in whole:
            data[name] = instance
        for name, convert in conversions:
            value = data[name]
            if value is not None:
                data[name] = convert(value)
        return data if not whole else {name: data[name] for name in order}

    return represent
