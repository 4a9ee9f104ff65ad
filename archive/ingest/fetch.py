"""Fetching feeds and pages over HTTP, politely and within bounds.

Every request names Dossier in its user agent, has a timeout, reads at most a set
number of bytes, follows only http and https addresses, and can be conditional
(ETag, Last-Modified), so a feed that has not changed costs the publisher nothing.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

USER_AGENT = "Dossier/1.0 (news archive; feed reader; +https://github.com/dossier-archive)"
TIMEOUT_SECONDS = 15.0


class FetchError(OSError):
    """The address could not be fetched; the message says why."""


@dataclass(frozen=True)
class Fetched:
    status: int  # 200, or 304 when the conditional request found nothing new
    content: bytes
    url: str  # after redirects
    etag: str = ""
    last_modified: str = ""


class _NoRedirectToOtherSchemes(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise FetchError(f"redirected to a non-web address ({newurl[:80]})")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = urllib.request.build_opener(_NoRedirectToOtherSchemes())


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    max_bytes: int | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> Fetched:
    """GET ``url``; raises FetchError for anything but a usable answer."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"not a web address: {url[:80]}")
    limit = max_bytes or settings.IMPORT_MAX_ARTICLE_BYTES
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    try:
        with _opener.open(request, timeout=timeout) as response:
            content = response.read(limit + 1)
            if len(content) > limit:
                raise FetchError(f"larger than the limit ({limit / 1e6:.1f} MB)")
            return Fetched(
                status=response.status,
                content=content,
                url=response.geturl(),
                etag=response.headers.get("ETag", "") or "",
                last_modified=response.headers.get("Last-Modified", "") or "",
            )
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return Fetched(status=304, content=b"", url=url, etag=etag, last_modified=last_modified)
        raise FetchError(f"HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise FetchError(f"cannot reach it ({error.reason})") from None
    except (TimeoutError, ConnectionError) as error:
        raise FetchError(f"no answer ({error or 'timed out'})") from None
    except http.client.HTTPException as error:  # a connection cut off mid-answer
        raise FetchError(f"the answer was cut off ({type(error).__name__})") from None
    except ValueError as error:  # a malformed address or header
        raise FetchError(str(error)) from None


def fetch_page(url: str) -> bytes:
    """A page's bytes, for extracting a feed entry's full text (--fetch)."""
    return fetch(url).content
