"""db.store.per_dialect: statements are built once per dialect, never shared across dialects."""

from types import SimpleNamespace

from db.store import per_dialect


def _conn(name):
    return SimpleNamespace(dialect=SimpleNamespace(name=name))


def test_builds_once_per_dialect_name():
    calls = []

    @per_dialect
    def build(dialect):
        calls.append(dialect.name)
        return object()

    first = build(_conn("sqlite"))
    assert build(_conn("sqlite")) is first
    assert build(_conn("postgresql")) is not first
    assert calls == ["sqlite", "postgresql"]
