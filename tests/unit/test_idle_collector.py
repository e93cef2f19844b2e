"""Garbage is collected between key presses (attn_tui/ui/idle_collector.py), and still collected
when the keys never pause."""

from __future__ import annotations

import gc

import pytest

from attn_tui.ui import idle_collector
from attn_tui.ui.idle_collector import AT_LEAST, AUTOMATIC_THRESHOLD, FULL_EVERY, QUIET_FOR, IdleCollector


class FakeApp:
    def __init__(self) -> None:
        self.intervals: list[tuple[float, object]] = []

    def set_interval(self, interval, callback, name=None):
        self.intervals.append((interval, callback))


@pytest.fixture
def collections(monkeypatch):
    """The generations collected, instead of collecting; the clock set by the test."""
    collected: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: collected.append(generation) or 0)
    monkeypatch.setattr(gc, "get_count", lambda: (AT_LEAST, 0, 0))
    threshold = gc.get_threshold()
    yield collected
    gc.set_threshold(*threshold)


def at(monkeypatch, seconds: float) -> None:
    monkeypatch.setattr(idle_collector, "monotonic", lambda: seconds)


def test_it_collects_only_when_the_keys_pause(monkeypatch, collections):
    at(monkeypatch, 100.0)
    collector = IdleCollector()
    app = FakeApp()
    collector.start(app)
    assert gc.get_threshold()[0] == AUTOMATIC_THRESHOLD  # the automatic collections, rarer
    [(_, tick)] = app.intervals
    collector.note_activity()
    at(monkeypatch, 100.0 + QUIET_FOR / 2)
    tick()
    assert collections == []  # a key a moment ago: the next may come any time
    at(monkeypatch, 100.0 + QUIET_FOR * 2)
    tick()
    assert collections == [1]


def test_every_few_collections_cover_the_oldest_generation(monkeypatch, collections):
    at(monkeypatch, 100.0)
    collector = IdleCollector()
    collector.last_activity = 0.0
    for _ in range(FULL_EVERY * 2):
        collector.collect_if_idle()
    assert collections.count(2) == 2 and collections.count(1) == FULL_EVERY * 2 - 2


def test_too_little_garbage_is_left_for_later(monkeypatch, collections):
    monkeypatch.setattr(gc, "get_count", lambda: (AT_LEAST - 1, 0, 0))
    at(monkeypatch, 100.0)
    collector = IdleCollector()
    collector.last_activity = 0.0
    collector.collect_if_idle()
    assert collections == []


def test_started_once(monkeypatch, collections):
    collector, app = IdleCollector(), FakeApp()
    collector.start(app)
    collector.start(app)
    assert len(app.intervals) == 1
