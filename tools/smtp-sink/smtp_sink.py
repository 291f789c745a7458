"""A real SMTP server for Lectern's tests (aiosmtpd): accepts mail on 127.0.0.1 and
writes each message as it arrived to DIR/<n>.eml, so a test reads what a registrant got.

    python3 tools/smtp-sink/smtp_sink.py --dir DIR [--refuse N] [--port P --until-stopped]

Prints "PORT <port>" once it listens (a free port unless `--port`). `--refuse N` answers
the first N messages with 451 (try again later), as a busy mail server does. Stops when
its stdin closes (the test that started it ended), or with `--until-stopped` only on
SIGTERM or SIGINT (the browser suite starts it beside the server).
"""

import argparse
import pathlib
import signal
import socket
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder: pathlib.Path, refuse: int):
        self.folder = folder
        self.refuse = refuse
        self.kept = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Busy, try again later"
        self.kept += 1
        name = self.folder / f"{self.kept:05}.eml"
        partial = name.with_suffix(".part")
        head = f"X-Envelope-From: {envelope.mail_from}\r\nX-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        partial.write_bytes(head.encode() + envelope.original_content)
        partial.rename(name)
        return "250 2.0.0 Kept"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--dir", required=True)
    args.add_argument("--refuse", type=int, default=0)
    args.add_argument("--port", type=int, default=0)
    args.add_argument("--until-stopped", action="store_true")
    opts = args.parse_args()
    folder = pathlib.Path(opts.dir)
    folder.mkdir(parents=True, exist_ok=True)
    port = opts.port or free_port()
    controller = Controller(Sink(folder, opts.refuse), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"PORT {port}", flush=True)
    try:
        if opts.until_stopped:
            stop = threading.Event()
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
            stop.wait()
        else:
            sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
