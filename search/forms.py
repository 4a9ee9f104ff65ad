from django import forms

from search.service import SORTS


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=1000, strip=True)
    sort = forms.ChoiceField(choices=list(SORTS.items()), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def clean_sort(self) -> str:
        return self.cleaned_data.get("sort") or "relevance"

    def clean_page(self) -> int:
        return self.cleaned_data.get("page") or 1
