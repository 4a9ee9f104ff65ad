"""OpenAPI details drf-spectacular cannot guess from the archive's FilterSet."""

from __future__ import annotations

from django_filters import filters
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_array_type, build_basic_type, build_parameter_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class SlugFilterExtension(DjangoFilterExtension):
    """Filters by related objects (source, entity, tag) take slugs, several at once.

    The stock extension would look for a model field named after the filter and, failing
    that, list every source, entity and tag as an enum: thousands of values in the schema.
    """

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        if isinstance(filter_field, filters.ModelMultipleChoiceFilter):
            return [
                build_parameter_type(
                    name=field_name,
                    schema=build_array_type(build_basic_type(OpenApiTypes.STR)),
                    location="query",
                    description=f"{filter_field.label}: slugs, repeat the parameter for several"
                    + (" (all must apply)." if filter_field.conjoined else " (any may apply)."),
                    explode=True,
                    style="form",
                )
            ]
        return super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)


class ErrorSerializer(serializers.Serializer):
    """An error: ``detail`` says what is wrong; bad filters are listed by parameter name instead."""

    detail = serializers.CharField(required=False)


class ArchiveAutoSchema(AutoSchema):
    """Documents the errors every endpoint can answer, so clients (and the fuzz test) know them."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {
            "400": "A parameter is not valid (bad filter value, unreadable query).",
            "401": "Authentication is needed (a private archive).",
            "403": "This account may not read the archive.",
            "404": "No such object, or a cursor that is not valid.",
            "429": "Too many requests; wait and try again.",
        }
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code, direction=direction
                )
        return responses
