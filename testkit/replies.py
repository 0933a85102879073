"""Reading oov-bot's answers as a test sees them."""

from __future__ import annotations

import json
from typing import Any

import requests


def answer(response: requests.Response) -> dict[str, Any]:
    """The JSON body of a 200 answer to a slash command or interaction ({} when empty)."""
    assert response.status_code == 200, response.text
    return response.json() if response.text else {}


def text_of(body: dict[str, Any] | list[Any]) -> str:
    """All text of a reply's blocks (or of a list of blocks), for `in` checks."""
    blocks = body.get("blocks", []) if isinstance(body, dict) else body
    return json.dumps(blocks, ensure_ascii=False)
