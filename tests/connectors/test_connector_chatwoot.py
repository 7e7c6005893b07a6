"""Chatwoot REST connector against a live fake Chatwoot on loopback."""

from __future__ import annotations

import logging

import pytest
from fake_servers import FakeChatwoot, all_written_text, read_landed

from pipelines.connectors import chatwoot_api
from pipelines.connectors.cursors import CursorStore
from pipelines.connectors.env import MissingCredentialError
from pipelines.connectors.http import ApiError, RetryPolicy
from pipelines.settings import Paths

LONG_THREAD = 5  # the conversation with 45 messages (three pages backwards)


def _seed(fake: FakeChatwoot, conversations: int = 60) -> None:
    for n in range(1, conversations + 1):
        fake.add_conversation(inbox_id=1 + n % 3, messages=45 if n == LONG_THREAD else 3)


def _message_count(fake: FakeChatwoot) -> int:
    return sum(len(thread) for thread in fake.messages.values())


def _landed(home: Paths) -> tuple[list[dict], list[dict]]:
    base = home.landing / "chatwoot_api"
    return read_landed(base / "conversations"), read_landed(base / "messages")


def test_first_sync_lands_every_conversation_and_message_once(
    home: Paths, fake_chatwoot: FakeChatwoot, policy: RetryPolicy
) -> None:
    _seed(fake_chatwoot)
    counts = chatwoot_api.sync(home, policy=policy)
    conversations, messages = _landed(home)

    assert sorted(c["id"] for c in conversations) == list(range(1, 61))
    expected = sorted(m["id"] for thread in fake_chatwoot.messages.values() for m in thread)
    assert sorted(m["id"] for m in messages) == expected  # every message, none twice
    assert counts["conversations"] == 60 and counts["messages"] == 59 * 3 + 45
    assert counts["pages"] == 3  # 25 + 25 + 10, then an empty payload ends the listing
    listing = fake_chatwoot.calls("/conversations", "GET")
    assert all(c.query["status"] == "all" for c in listing if c.path.endswith("conversations"))

    # messages stand alone: REST shape plus the conversation, inbox and account ids
    sample = next(m for m in messages if m["conversation_id"] == LONG_THREAD)
    assert isinstance(sample["message_type"], int) and isinstance(sample["created_at"], int)
    assert sample["inbox_id"] == fake_chatwoot.conversations[LONG_THREAD]["inbox_id"]
    assert sample["account_id"] == fake_chatwoot.account_id
    # the long thread was read backwards with before=<oldest id seen>
    thread_calls = fake_chatwoot.calls(f"/conversations/{LONG_THREAD}/messages")
    befores = [c.query.get("before") for c in thread_calls]
    assert befores[0] is None and all(b is not None for b in befores[1:]) and len(befores) == 4
    long_thread = [m["id"] for m in messages if m["conversation_id"] == LONG_THREAD]
    assert long_thread == sorted(long_thread) and len(long_thread) == 45


def test_unchanged_sync_lands_nothing_and_a_changed_one_only_the_changes(
    home: Paths, fake_chatwoot: FakeChatwoot, policy: RetryPolicy
) -> None:
    _seed(fake_chatwoot)
    chatwoot_api.sync(home, policy=policy)
    files_before = sorted(p.name for p in (home.landing / "chatwoot_api").rglob("*.jsonl"))

    fake_chatwoot.reset_log()
    second = chatwoot_api.sync(home, policy=policy)
    assert (second["conversations"], second["messages"], second["files"]) == (0, 0, 0)
    assert sorted(p.name for p in (home.landing / "chatwoot_api").rglob("*.jsonl")) == files_before
    assert fake_chatwoot.calls("/messages") == []
    # newest activity first: paging stopped at the first page wholly older than the cursor
    assert [c.query["page"] for c in fake_chatwoot.calls("/conversations")] == ["1", "2"]

    new_message = fake_chatwoot.add_message(10, "Avete il divano in pronta consegna?")
    fake_chatwoot.resolve(20)
    fake_chatwoot.reset_log()
    third = chatwoot_api.sync(home, policy=policy)
    conversations, messages = _landed(home)

    assert (third["conversations"], third["messages"]) == (2, 2)
    assert [c["id"] for c in conversations[-2:]] == [20, 10]  # newest activity first
    assert conversations[-1]["timestamp"] == new_message["created_at"]
    assert {(m["conversation_id"], m["message_type"]) for m in messages[-2:]} == {(10, 0), (20, 2)}
    assert len(messages) == len({m["id"] for m in messages})  # still none twice
    assert len(fake_chatwoot.calls("/messages")) == 2  # one page each reached the known message


def test_rate_limited_and_failing_requests_are_retried(
    home: Paths, fake_chatwoot: FakeChatwoot, policy: RetryPolicy, sleeps: list[float]
) -> None:
    _seed(fake_chatwoot, conversations=30)
    fake_chatwoot.inject(429, times=2, headers={"Retry-After": "1"},
                    body={"error": "Rack::Attack: too many requests"})
    fake_chatwoot.inject(503, times=1, path_contains="/messages")
    counts = chatwoot_api.sync(home, policy=policy)

    assert counts["conversations"] == 30 and counts["messages"] == _message_count(fake_chatwoot)
    assert sleeps[:2] == [1.0, 1.0]  # Retry-After honoured
    assert len(sleeps) == 3 and sleeps[2] < 0.01  # the 503: a short exponential backoff
    assert [c.status for c in fake_chatwoot.requests[:3]] == [429, 429, 200]


@pytest.mark.parametrize("variable", [chatwoot_api.URL_ENV, chatwoot_api.ACCOUNT_ENV,
                                      chatwoot_api.TOKEN_ENV])
def test_missing_credentials_name_the_variable(
    home: Paths, fake_chatwoot: FakeChatwoot, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.delenv(variable)
    with pytest.raises(MissingCredentialError, match=variable):
        chatwoot_api.sync(home)
    assert fake_chatwoot.requests == []


def test_the_token_never_reaches_logs_landing_or_cursors(
    home: Paths, fake_chatwoot: FakeChatwoot, policy: RetryPolicy, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    _seed(fake_chatwoot, conversations=5)
    fake_chatwoot.inject(429, times=1, headers={"Retry-After": "0"})
    chatwoot_api.sync(home, policy=policy)
    assert "retrying" in caplog.text  # the retry was logged...
    assert fake_chatwoot.token not in caplog.text  # ...without the token
    assert fake_chatwoot.token not in all_written_text(home.home)

    monkeypatch.setenv(chatwoot_api.TOKEN_ENV, "wrong-" + fake_chatwoot.token)
    with pytest.raises(ApiError) as refused:
        chatwoot_api.sync(home, policy=policy)
    assert refused.value.status_code == 401 and fake_chatwoot.token not in str(refused.value)
    assert fake_chatwoot.token not in caplog.text


def test_cursor_is_saved_page_by_page(
    home: Paths, fake_chatwoot: FakeChatwoot, policy: RetryPolicy
) -> None:
    """A sync that dies on page 2 keeps page 1's progress; the next one lands the rest once."""
    _seed(fake_chatwoot, conversations=40)
    fake_chatwoot.inject(500, times=policy.max_attempts, path_contains="/conversations/5/")
    with pytest.raises(ApiError):
        chatwoot_api.sync(home, policy=policy)
    saved = CursorStore.for_paths(home).get(chatwoot_api.CURSOR_KEY)
    assert saved is not None and len(saved["conversations"]) == 25 and saved["high_ms"] is None

    chatwoot_api.sync(home, policy=policy)
    conversations, messages = _landed(home)
    assert sorted(c["id"] for c in conversations) == list(range(1, 41))
    assert len(messages) == len({m["id"] for m in messages}) == _message_count(fake_chatwoot)
