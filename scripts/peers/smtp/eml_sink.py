"""An aiosmtpd handler that keeps every message it receives as a .eml file.

Used by scripts/peers/start.sh as the SMTP sink of the tests:

    TRIBUNE_SMTP_SINK_DIR=DIR python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c eml_sink.EmlDir

Each message is written to DIR/<time>-<n>.eml (written under a temporary name, then renamed,
so a reader never sees half a message), with an X-Sink-Rcpt-To header per envelope recipient.
"""

import itertools
import os
import time

_counter = itertools.count()


class EmlDir:
    def __init__(self):
        self.dir = os.environ.get("TRIBUNE_SMTP_SINK_DIR", "smtp-messages")
        os.makedirs(self.dir, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        name = "%d-%06d.eml" % (time.time_ns(), next(_counter))
        tmp = os.path.join(self.dir, "." + name + ".tmp")
        headers = "".join("X-Sink-Rcpt-To: %s\r\n" % r for r in envelope.rcpt_tos)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        with open(tmp, "wb") as f:
            f.write(headers.encode("ascii", "replace"))
            f.write(content)
        os.rename(tmp, os.path.join(self.dir, name))
        return "250 Message accepted for delivery"
