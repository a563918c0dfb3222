"""`notecheck listen --mllp HOST:PORT --out PATH`: an asyncio MLLP listener.

Per message: parse, check, write the record durably to the sink, then send the ACK (so an ACKed
message is never lost). Messages of one connection are answered in order; all checking and writing
runs on one worker thread (one Checker, ordered durable writes). Framing is our own small state
machine over `<VT> message <FS><CR>` (python-hl7's stream reader gives up on bytes outside a
frame): frames split across packets, several frames per packet and garbage between frames are all
fine. SIGTERM/SIGINT: stop accepting, finish the message in hand, close, exit 0. The log holds ids,
sizes and ACK codes only.
"""
from __future__ import annotations

import asyncio
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Union

from notecheck.interchange.hl7_intake import CheckFn, Hl7Exchange, check_document, respond
from notecheck.interchange.hl7_message import (
    DEFAULT_DOCUMENT_TYPES,
    Hl7Error,
    Hl7Parsed,
    interpret,
    read_message,
)
from notecheck.interchange.sinks import Sink

log = logging.getLogger("notecheck.listen")

START_BLOCK, END_BLOCK, CARRIAGE_RETURN = b"\x0b", b"\x1c", b"\x0d"
HEAD_KEPT = 65536  # of an oversized message: enough for its MSH, to address the AE


@dataclass(frozen=True)
class Oversized:
    head: bytes
    size: int


Frame = Union[bytes, Oversized]


class MllpFramer:
    """Bytes in, complete frames out. Bytes outside a frame are counted and dropped; a start
    block inside a frame abandons the unterminated one."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._buf = bytearray()
        self._in_frame = False
        self._size = 0  # bytes of the current frame already dropped because it is oversized
        self._head = b""  # the first bytes of a frame being dropped
        self.garbage = 0

    def feed(self, data: bytes) -> Iterator[Frame]:
        self._buf += data
        while self._buf:
            if not self._in_frame:
                start = self._buf.find(START_BLOCK)
                if start < 0:
                    self.garbage += len(self._buf)
                    self._buf.clear()
                    return
                self.garbage += start
                del self._buf[: start + 1]
                self._in_frame, self._size, self._head = True, 0, b""
                continue
            end = self._buf.find(END_BLOCK)
            restart = self._buf.find(START_BLOCK)
            if restart >= 0 and (end < 0 or restart < end):
                self.garbage += restart + self._size
                del self._buf[:restart]
                self._in_frame = False
                continue
            if end < 0:
                self._trim()
                return
            if end == len(self._buf) - 1:
                return  # wait for the byte after <FS>: it should be <CR>
            body = bytes(self._buf[:end])
            skip = end + 2 if self._buf[end + 1 : end + 2] == CARRIAGE_RETURN else end + 1
            del self._buf[:skip]
            self._in_frame = False
            total = self._size + len(body)
            if total > self.max_bytes:
                yield Oversized(self._head if self._size else body[:HEAD_KEPT], total)
            else:
                yield body

    def _trim(self) -> None:
        """Hold at most the frame's head once it is over the limit (the rest is counted only)."""
        if len(self._buf) + self._size > self.max_bytes and len(self._buf) > HEAD_KEPT:
            if self._size == 0:
                self._head = bytes(self._buf[:HEAD_KEPT])
            self._size += len(self._buf)
            self._buf.clear()


def sender_key(parsed: Hl7Parsed) -> str:
    """Sending application + facility + control id: what makes a resend recognisable."""
    if parsed.message is None:
        return ""
    msh = parsed.message.segment("MSH")
    parts = [str(msh(i)) if len(msh) > i else "" for i in (3, 4)]
    return "|".join([*parts, parsed.control_id])


class MessageHandler:
    """Everything that happens to one message, on the worker thread."""

    def __init__(self, check: CheckFn, sink: Sink, max_bytes: int,
                 accepted_types: frozenset[str] = DEFAULT_DOCUMENT_TYPES) -> None:
        self.check = check
        self.sink = sink
        self.max_bytes = max_bytes
        self.accepted_types = accepted_types

    def handle(self, frame: Frame) -> tuple[bytes, Hl7Exchange, bool]:
        """(ACK bytes, exchange, duplicate?)"""
        if isinstance(frame, Oversized):
            parsed = read_message(frame.head)
            if parsed.message is not None:
                parsed.outcome = Hl7Error("AE", 104, "MSH", f"message is {frame.size:,} bytes, over the {self.max_bytes:,}-byte limit")
            parsed.size = frame.size
        else:
            parsed = interpret(read_message(frame), self.accepted_types, self.max_bytes)
        doc = parsed.document
        key = sender_key(parsed)
        duplicate = bool(key) and self.sink.seen(key)
        exchange = respond(parsed, check_document(self.check, doc) if doc is not None else None)
        if key and not duplicate:
            self.sink.write(key, exchange.sink_record())
        codec = parsed.charset if parsed.message is not None else "utf-8"
        return exchange.ack.encode(codec, errors="replace"), exchange, duplicate


class MllpListener:
    def __init__(self, handler: MessageHandler, host: str, port: int, idle_timeout: Optional[float] = 300.0) -> None:
        self.handler = handler
        self.host, self.port = host, port
        self.idle_timeout = idle_timeout
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="notecheck-listen")
        self._stopping = asyncio.Event()
        self._connections: dict[asyncio.Task[None], tuple[asyncio.StreamWriter, list[bool]]] = {}
        self.server: Optional[asyncio.base_events.Server] = None
        self.messages = 0

    async def start(self) -> tuple[str, int]:
        self.server = await asyncio.start_server(self._connection, self.host, self.port)
        sock = self.server.sockets[0].getsockname()
        return sock[0], sock[1]

    def stop(self) -> None:
        self._stopping.set()

    async def run_until_stopped(self) -> None:
        await self._stopping.wait()
        assert self.server is not None
        self.server.close()
        # A connection accepted just before the close registers on the next loop turns.
        await asyncio.sleep(0.05)
        while self._connections:
            for writer, busy in list(self._connections.values()):
                if not busy[0]:
                    writer.close()  # idle: nothing in hand to finish
            await asyncio.gather(*list(self._connections), return_exceptions=True)
            await asyncio.sleep(0)
        await self.server.wait_closed()
        self._executor.shutdown(wait=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        busy = [False]
        self._connections[task] = (writer, busy)
        peer = writer.get_extra_info("peername")
        framer = MllpFramer(self.handler.max_bytes)
        loop = asyncio.get_running_loop()
        log.info("connection opened from %s", peer)
        try:
            while not self._stopping.is_set():
                try:
                    data = await asyncio.wait_for(reader.read(65536), self.idle_timeout)
                except asyncio.TimeoutError:
                    log.info("connection from %s idle, closing", peer)
                    break
                if not data:
                    break
                for frame in framer.feed(data):
                    if self._stopping.is_set():
                        break  # received but not ACKed: the sender will resend it
                    busy[0] = True
                    try:
                        ack, exchange, duplicate = await loop.run_in_executor(self._executor, self.handler.handle, frame)
                        writer.write(START_BLOCK + ack + END_BLOCK + CARRIAGE_RETURN)
                        await writer.drain()
                    finally:
                        busy[0] = False
                    self.messages += 1
                    log.info(
                        "message control_id=%s note_id=%s bytes=%d ack=%s%s",
                        exchange.control_id or "-", exchange.note_id or "-", exchange.size, exchange.ack_code,
                        " (resent; not written again)" if duplicate else "",
                    )
        except (ConnectionError, OSError) as exc:
            log.info("connection lost (%s)", type(exc).__name__)
        finally:
            if framer.garbage:
                log.info("dropped %d bytes outside MLLP frames", framer.garbage)
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass
            finally:
                # Only now: a stop waits for every registered connection, closing ones included,
                # so none is cancelled mid-close when the loop ends.
                self._connections.pop(task, None)


async def listen(handler: MessageHandler, host: str, port: int, idle_timeout: Optional[float],
                 on_ready: Callable[[str, int], None]) -> int:
    listener = MllpListener(handler, host, port, idle_timeout)
    bound_host, bound_port = await listener.start()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, listener.stop)
    on_ready(bound_host, bound_port)
    await listener.run_until_stopped()
    log.info("stopped after %d messages", listener.messages)
    return 0

