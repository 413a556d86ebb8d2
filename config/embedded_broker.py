"""kombu's filesystem transport (the embedded broker of ``make run``) with messages published whole.

kombu 5 creates a message's file under its final name, then locks and writes it. A worker polling
the folder in between moves the file away and reads it empty or cut short: the message is lost (the
decode fails after the file is gone). Seen under load: an email handed over and never sent until the
outbox sweep handed it over again, minutes later. Here the message is written under a name the
consumer does not take (a leading dot: kombu reads only ``<stamp>_<uuid>.<queue>.msg``) and renamed
to its final name once complete: a rename is atomic, so a poll sees the whole message or nothing.
Registered for ``filesystem://`` by config/settings.py.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put ``payload`` onto ``queue``: written aside, then renamed into the queue's folder."""
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb", buffering=0) as f:
                f.write(str_to_bytes(dumps(payload)))
                os.fsync(f.fileno())  # whole on disk before it can be taken (the broker survives restarts)
            os.replace(partial, final)
        except OSError as exc:
            try:
                os.unlink(partial)
            except OSError:
                pass
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
