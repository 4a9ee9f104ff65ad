from django import template

from search.query import related_articles

register = template.Library()


@register.inclusion_tag("search/_related.html")
def related(article, limit: int = 5):
    """Articles most like this one, from the search index (nothing if the index is not built)."""
    return {"related": related_articles(article, limit=limit)}
