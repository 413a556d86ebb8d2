"""The embedded broker (``make run``'s ``filesystem://``) publishes a message whole: a worker polling
the queue folder while a message is written never takes it half written (kombu's own transport
creates the file under its final name, then writes it: a poll in between lost the message)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from queue import Empty

from kombu import Connection

from config import embedded_broker

ROOT = Path(__file__).resolve().parent.parent


def _connection(tmp_path, transport) -> Connection:
    for d in ("queue", "processed", "control"):
        (tmp_path / d).mkdir(parents=True, exist_ok=True)
    return Connection(transport=transport, transport_options={
        "data_folder_in": str(tmp_path / "queue"), "data_folder_out": str(tmp_path / "queue"),
        "processed_folder": str(tmp_path / "processed"), "control_folder": str(tmp_path / "control"),
        "store_processed": False})


def test_settings_register_the_whole_message_transport(tmp_path):
    """With the embedded default (no CELERY_BROKER_URL), filesystem:// resolves to
    config.embedded_broker (config/settings.py); the Celery app's connection uses it."""
    probe = ("import django; django.setup(); from kombu.transport import resolve_transport; "
             "from config.celery import app; "
             "print(resolve_transport('filesystem').__module__, type(app.connection_for_write().transport).__module__)")
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "DATABASE_URL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(tmp_path), SECRET_KEY="test-only")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["config.embedded_broker", "config.embedded_broker"]


def test_a_poll_during_a_write_never_takes_a_part(tmp_path, monkeypatch):
    """While ``_put`` writes, a consumer polls the folder (in the middle of the write, made slow):
    it finds nothing to take; once written, it takes the whole message. kombu's own _put, the same
    way, loses it."""
    def run(transport) -> tuple[list, list]:
        conn = _connection(tmp_path / transport.__module__, transport)
        channel = conn.default_channel
        channel_cls = transport.Channel
        assert isinstance(channel, channel_cls)
        taken, errors = [], []
        writing, polled = threading.Event(), threading.Event()

        class SlowFile:
            """The message file, its write held until the consumer has polled."""

            def __init__(self, f):
                self.f = f

            def write(self, data):
                self.f.write(data[:10])
                writing.set()
                polled.wait(5)
                return self.f.write(data[10:])

            def __getattr__(self, name):
                return getattr(self.f, name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return self.f.__exit__(*exc)

        real_open = open

        def slow_open(path, mode="r", *a, **kw):
            f = real_open(path, mode, *a, **kw)
            return SlowFile(f) if "w" in mode and str(path).endswith((".msg", ".part")) else f

        def consumer():
            writing.wait(5)
            try:
                taken.append(channel_cls._get(channel, "mail"))
            except Empty:
                taken.append(None)
            except Exception as exc:  # noqa: BLE001 (kombu's loses the message here)
                errors.append(exc)
            polled.set()

        monkeypatch.setattr("builtins.open", slow_open)
        t = threading.Thread(target=consumer)
        t.start()
        channel_cls._put(channel, "mail", {"body": "x" * 200})
        t.join(10)
        monkeypatch.undo()
        rest = []
        try:
            rest.append(channel_cls._get(channel, "mail"))
        except Empty:
            pass
        conn.release()
        return taken + rest, errors

    taken, errors = run(embedded_broker.Transport)
    assert errors == [] and taken == [None, {"body": "x" * 200}]

    from kombu.transport import filesystem

    taken, errors = run(filesystem.Transport)  # kombu's: the poll takes the file half written
    assert errors and isinstance(errors[0], ValueError) and taken == []  # a JSON error; the file is gone
