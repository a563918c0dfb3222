"""`notecheck listen --mllp` over real loopback sockets: 200 messages over several connections
(one through python-hl7's asyncio MLLP client), frames split across packets, several frames in
one packet, garbage between frames; every message ACKed once and written once, a log with ids and
sizes only; SIGKILL mid-stream loses no ACKed message and a resend is not written twice; SIGTERM
stops cleanly. Waits poll with generous deadlines; nothing races a fixed sleep."""
from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator, Optional

import hl7
import pytest
from hl7.mllp import open_hl7_connection

from notecheck.interchange.mllp import MllpFramer, Oversized

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "sample_notes" / "interchange"
SB, EB = b"\x0b", b"\x1c\r"
DEADLINE = 120.0
NOTE_FRAGMENTS = ("PREOPERATIVE", "K-wires", "Scar tissue", "plate was exposed", "Discharged home")


def _template(name: str, control: str) -> tuple[bytes, str]:
    return (FIXTURES / name).read_bytes(), control


TEMPLATES = [
    (_template("mdm_t02_ft_presign.hl7", "MSG000101"), "AA"),
    (_template("oru_r01_tx_final.hl7", "MSG000202"), "AA"),
    (_template("skip_discharge_summary.hl7", "MSG000401"), "AA"),
    (_template("refuse_empty_text.hl7", "MSG000406"), "AE"),
]


def make_messages(n: int, prefix: str = "LT") -> list[tuple[str, bytes, str]]:
    out = []
    for i in range(n):
        (raw, control), expected = TEMPLATES[0 if i % 10 < 5 else 1 if i % 10 < 8 else 2 if i % 10 == 8 else 3]
        new = f"{prefix}{i:06d}"
        body = raw.replace(f"|{control}|".encode(), f"|{new}|".encode())
        body = body.replace(b"DOC-2026-000123^", f"DOC-{new}^".encode()).replace(b"DOC-2026-000124^", f"DOC-{new}^".encode())
        out.append((new, body, expected))
    return out


class Listener:
    def __init__(self, out: Path, log: Path) -> None:
        self.log = log
        self.offset = log.stat().st_size if log.exists() else 0  # this process's lines start here
        self.fh = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "notecheck.cli", "listen", "--mllp", "127.0.0.1:0", "--out", str(out)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.fh,
        )
        self.port = self._wait_port()

    def _wait_port(self) -> int:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            text = self.log.read_bytes()[self.offset:].decode("utf-8", errors="replace")
            match = re.search(r"MLLP on 127\.0\.0\.1:(\d+)", text)
            if match:
                return int(match.group(1))
            if self.proc.poll() is not None:
                raise AssertionError(f"listener exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            time.sleep(0.05)
        raise AssertionError("listener did not start")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout=DEADLINE)
        self.fh.close()
        return code


def read_frame(sock: socket.socket, buf: bytearray) -> bytes:
    while EB not in buf:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    end = buf.index(EB)
    start = buf.index(SB)
    frame = bytes(buf[start + 1:end])
    del buf[:end + 2]
    return frame


def ack_of(frame: bytes) -> tuple[str, str]:
    msa = hl7.parse(frame.decode("utf-8")).segment("MSA")
    return str(msa(2)), str(msa(1))


def send_split(port: int, messages: list[tuple[str, bytes, str]], acks: list[tuple[str, str]]) -> None:
    """One at a time, each frame cut into 7-byte packets, with garbage before every frame."""
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = bytearray()
        for _, raw, _ in messages:
            data = b"\r\nNOISE\x00\xff" + SB + raw + EB
            for i in range(0, len(data), 7):
                sock.sendall(data[i:i + 7])
            acks.append(ack_of(read_frame(sock, buf)))


def send_pipelined(port: int, messages: list[tuple[str, bytes, str]], acks: list[tuple[str, str]]) -> None:
    """Every frame in one write, garbage between frames; then read all the ACKs."""
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as sock:
        sock.sendall(b"junk".join(SB + raw + EB for _, raw, _ in messages))
        buf = bytearray()
        for _ in messages:
            acks.append(ack_of(read_frame(sock, buf)))


def send_asyncio_client(port: int, messages: list[tuple[str, bytes, str]], acks: list[tuple[str, str]]) -> None:
    async def run() -> None:
        reader, writer = await open_hl7_connection("127.0.0.1", port)
        try:
            for _, raw, _ in messages:
                writer.writemessage(hl7.parse(raw.decode("utf-8")))
                await writer.drain()
                ack = await asyncio.wait_for(reader.readmessage(), DEADLINE)
                msa = ack.segment("MSA")
                acks.append((str(msa(2)), str(msa(1))))
        finally:
            writer.close()
            await writer.wait_closed()

    asyncio.run(run())


def records(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path


def test_two_hundred_messages_over_several_connections(workdir: Path) -> None:
    out, log = workdir / "results.jsonl", workdir / "listen.log"
    messages = make_messages(200)
    listener = Listener(out, log)
    acks: list[tuple[str, str]] = []
    try:
        groups = [messages[0:40], messages[40:80], messages[80:120], messages[120:160], messages[160:200]]
        senders = [send_split, send_pipelined, send_asyncio_client, send_pipelined, send_split]
        results: list[list[tuple[str, str]]] = [[] for _ in groups]
        threads = [threading.Thread(target=s, args=(listener.port, g, r)) for s, g, r in zip(senders, groups, results)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(DEADLINE)
        for r in results:
            acks.extend(r)
    finally:
        assert listener.stop() == 0
    expected = {control: code for control, _, code in messages}
    assert sorted(c for c, _ in acks) == sorted(expected)  # every message ACKed exactly once
    assert dict(acks) == expected
    written = records(out)
    assert sorted(r["control_id"] for r in written) == sorted(expected)  # written once each
    checked = [r for r in written if "result" in r]
    assert len(checked) == 160
    for record in checked:
        assert record["result"]["note_id"] == f"DOC-{record['control_id']}^" + ("DICTSYS" if "MDM" in record["event"] else "TRANSCRIBE")
        assert len(record["result"]["text_sha256"]) == 64
    text = log.read_text(encoding="utf-8")
    assert not any(fragment in text for fragment in NOTE_FRAGMENTS)
    assert "control_id=LT000000" in text and "bytes=" in text and "Traceback" not in text


def test_folder_sink_and_sigkill_mid_stream(workdir: Path) -> None:
    out, log = workdir / "results", workdir / "listen.log"
    messages = make_messages(30, prefix="KL")
    listener = Listener(out, log)
    acked: list[str] = []
    with socket.create_connection(("127.0.0.1", listener.port), timeout=DEADLINE) as sock:
        buf = bytearray()
        for control, raw, _ in messages[:20]:
            sock.sendall(SB + raw + EB)
            acked.append(ack_of(read_frame(sock, buf))[0])
        # Two more messages in flight, then the process dies without any cleanup.
        sock.sendall(SB + messages[20][1] + EB + SB + messages[21][1] + EB)
        listener.stop(signal.SIGKILL)
    files = {json.loads(p.read_text())["control_id"] for p in out.glob("*.json")}
    assert set(acked) <= files  # nothing ACKed was lost
    # The sender resends everything it has no ACK for; the new listener answers every one.
    listener = Listener(out, log)
    try:
        acks: list[tuple[str, str]] = []
        send_pipelined(listener.port, messages[20:], acks)
    finally:
        assert listener.stop() == 0
    assert [c for c, _ in acks] == [c for c, _, _ in messages[20:]]
    per_control: dict[str, int] = {}
    for path in out.glob("*.json"):
        control = json.loads(path.read_text())["control_id"]
        per_control[control] = per_control.get(control, 0) + 1
    assert per_control == {c: 1 for c, _, _ in messages}
    assert not list(out.glob(".*.tmp"))


def test_jsonl_sink_survives_a_cut_line_and_dedupes(workdir: Path) -> None:
    out, log = workdir / "results.jsonl", workdir / "listen.log"
    messages = make_messages(4, prefix="DP")
    listener = Listener(out, log)
    try:
        send_pipelined(listener.port, messages[:2], [])
    finally:
        listener.stop()
    with out.open("ab") as fh:
        fh.write(b'{"key":"cut by a cra')  # what a crash mid-write leaves
    listener = Listener(out, log)
    try:
        acks: list[tuple[str, str]] = []
        send_pipelined(listener.port, messages, acks)  # the first two are resends
    finally:
        assert listener.stop() == 0
    assert [c for c, _ in acks] == [c for c, _, _ in messages]
    assert [r["control_id"] for r in records(out)] == [c for c, _, _ in messages]
    assert "resent; not written again" in log.read_text(encoding="utf-8")


def test_sigterm_with_an_idle_connection_open(workdir: Path) -> None:
    out, log = workdir / "r.jsonl", workdir / "listen.log"
    listener = Listener(out, log)
    sock = socket.create_connection(("127.0.0.1", listener.port), timeout=DEADLINE)
    try:
        buf = bytearray()
        control, raw, _ = make_messages(1, prefix="TM")[0]
        sock.sendall(SB + raw + EB)
        assert ack_of(read_frame(sock, buf)) == (control, "AA")
        assert listener.stop(signal.SIGTERM) == 0
        assert sock.recv(10) == b""  # the listener closed the connection
    finally:
        sock.close()
    assert [r["control_id"] for r in records(out)] == [control]


def test_listen_usage_errors(workdir: Path) -> None:
    for args in (["--mllp", "nohost", "--out", str(workdir / "x.jsonl")],
                 ["--mllp", "127.0.0.1:0", "--out", str(workdir / "missing" / "x.jsonl")]):
        proc = subprocess.run([sys.executable, "-m", "notecheck.cli", "listen", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=DEADLINE)
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_framer_unit() -> None:
    framer = MllpFramer(max_bytes=50)
    frames: list[object] = []
    for chunk in (b"xx\x0bMSH|1", b"\x1c", b"\r\x0bMSH|2\x1c\rzz\x0b", b"MSH|" + b"9" * 80 + b"\x1c\r", b"\x0bcut\x0bMSH|3\x1c\r"):
        frames.extend(framer.feed(chunk))
    assert frames[:2] == [b"MSH|1", b"MSH|2"]
    assert isinstance(frames[2], Oversized) and frames[2].size == 84
    assert frames[3] == b"MSH|3"
    assert framer.garbage == 2 + 2 + 3


def test_oversized_message_gets_ae(workdir: Path, checker) -> None:  # type: ignore[no-untyped-def]
    from notecheck.interchange.mllp import MessageHandler
    from notecheck.interchange.sinks import open_sink

    sink = open_sink(workdir / "o.jsonl")
    handler = MessageHandler(checker.check, sink, max_bytes=200)
    raw = (FIXTURES / "mdm_t02_ft_presign.hl7").read_bytes()
    ack, exchange, duplicate = handler.handle(Oversized(raw[:200], len(raw)))
    msa = hl7.parse(ack.decode()).segment("MSA")
    assert (str(msa(1)), str(msa(2))) == ("AE", "MSG000101") and not duplicate
    assert str(hl7.parse(ack.decode()).segment("ERR")(3)).startswith("104^")
    sink.close()
