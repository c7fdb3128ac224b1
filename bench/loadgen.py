"""An open-loop HTTP load generator: requests start on a fixed schedule (rate per second),
whether or not earlier ones have finished, and each latency is measured from the moment its
request was due, not from when it was sent. So a server that falls behind shows it in the
latencies, as a person waiting would see it (wrk's closed loop hides that: it waits for a
response before sending the next request).

Loopback only, bounded: `rate * duration` requests, at most `max_in_flight` open at once (the
rest wait their turn, and that wait counts in their latency), and whatever is still unanswered
`drain` seconds after the last is due is given up and reported as incomplete.

Each request uses a new connection ("Connection: close"), as gunicorn's sync workers do."""

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class OpenLoopResult:
    offered_rps: float
    achieved_rps: float  # completed responses per second of the schedule
    sent: int
    completed: int
    incomplete: int  # not answered by the end of the drain: counted at the time given up
    non_2xx: int
    latencies_ms: list  # sorted, one per request (incomplete ones as lower bounds)
    cpu_seconds: float  # this process's CPU time during the run
    wall_seconds: float

    def percentile(self, p: float) -> float | None:
        return nearest_rank(self.latencies_ms, p) if self.latencies_ms else None


def nearest_rank(ordered: list, p: float):
    """The `p`th percentile of `ordered` (sorted, not empty), by the nearest-rank method."""
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def _one(host, port, request: bytes, due: float, slots: asyncio.Semaphore, out: list):
    async with slots:
        reader = writer = None
        try:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            await reader.read()  # the server closes the connection after the body
            status = int(status_line.split()[1])
        except (OSError, ValueError, IndexError):
            status = 0
        finally:
            if writer is not None:
                writer.close()
        out.append((time.perf_counter() - due, status))


async def _run(url: str, rate: float, duration: float, headers: dict, max_in_flight: int,
               drain: float) -> OpenLoopResult:  # fmt: skip
    parts = urlsplit(url)
    if parts.hostname not in LOOPBACK:
        raise ValueError("The load generator only sends to this machine (127.0.0.1).")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    if rate <= 0:
        raise ValueError("The rate must be above zero.")
    total = max(1, round(rate * duration))
    slots = asyncio.Semaphore(max_in_flight)
    done: list = []
    tasks = {}
    cpu0 = time.process_time()
    start = time.perf_counter() + 0.05
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(_one(parts.hostname, parts.port, request, due, slots, done))
        tasks[task] = due
    end_of_schedule = start + total / rate
    _, pending = await asyncio.wait(
        tasks, timeout=max(0.0, end_of_schedule + drain - time.perf_counter())
    )
    gave_up_at = time.perf_counter()
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    completed = list(done)
    # Incomplete requests: their wait so far is a lower bound on their latency.
    waits = [latency for latency, _ in completed]
    waits += [gave_up_at - tasks[task] for task in pending]
    answered = len(completed)
    return OpenLoopResult(
        offered_rps=rate,
        achieved_rps=answered / (total / rate),
        sent=total,
        completed=answered,
        incomplete=total - answered,
        non_2xx=sum(1 for _, status in completed if not 200 <= status < 300),
        latencies_ms=sorted(1000 * w for w in waits),
        cpu_seconds=time.process_time() - cpu0,
        wall_seconds=time.perf_counter() - start,
    )


def open_loop(url: str, *, rate: float, duration: float, headers: dict | None = None,
              max_in_flight: int = 64, drain: float = 10.0) -> OpenLoopResult:  # fmt: skip
    """Send GET `url` at `rate` requests a second for `duration` seconds."""
    return asyncio.run(_run(url, rate, duration, headers or {}, max_in_flight, drain))
