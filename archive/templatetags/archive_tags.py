from django import template

from archive.place_lists import place_label

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, or None."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def located(entity) -> str:
    """An entity's name, with the place it lies in for a city or region: "Almaty, in Kazakhstan"."""
    return place_label(entity)
