"""``bench.opcodes`` replays wrk's items in-process: the requests it makes of them."""

from __future__ import annotations

import json

import pytest

from bench.opcodes import requests_of


def test_get_items_are_sent_in_turn_and_over_again():
    items = [{"type": "get", "paths": ["/a", "/b"], "headers": {"X": "1"}},
             {"type": "get", "paths": ["/c"], "headers": {"X": "2"}}]
    sent = requests_of(items, 5)
    assert [(method, path) for method, path, _, _ in sent] == [("GET", "/a"), ("GET", "/b"), ("GET", "/c"),
                                                             ("GET", "/a"), ("GET", "/b")]
    assert sent[2][2] == {"X": "2"} and sent[0][3] is None


def test_check_items_post_the_first_step_on_each_waiting_request():
    items = [{"type": "check", "numbers": ["PT10-20261203-0001", "PT10-20261203-0002"],
              "steps": ["id_document", "face_match"], "headers": {"Authorization": "Bearer t"}}]
    sent = requests_of(items, 2)
    assert [(m, p) for m, p, _, _ in sent] == [("POST", "/api/v1/requests/PT10-20261203-0001/checks"),
                                               ("POST", "/api/v1/requests/PT10-20261203-0002/checks")]
    assert json.loads(sent[1][3]) == {"step": "id_document", "result": "pass"}


def test_items_it_cannot_replay_are_refused():
    with pytest.raises(ValueError, match="intake"):
        requests_of([{"type": "intake"}], 1)
