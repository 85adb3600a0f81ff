"""For the tests of the reissue pages."""

from __future__ import annotations


def detail_path(request) -> str:
    return f"/requests/{request.number}"
