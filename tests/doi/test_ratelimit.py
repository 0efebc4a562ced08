"""The token bucket keeps every window of DataCite's length under its limit, in one process
(fake clock) and shared by several workers through the real Redis."""

import threading
import time
import uuid

import pytest

from doi.ratelimit import LocalTokenBucket, RedisTokenBucket


def _max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_local_bucket_never_exceeds_the_limit_and_runs_near_its_rate():
    clock = FakeClock()
    bucket = LocalTokenBucket(limit=3000, window=300, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(10_000):
        bucket.acquire()
        times.append(clock.now)
    assert _max_in_window(times, 300) <= 3000
    minimum = (10_000 - 3000) / 3000 * 300  # the first 3,000 may go at once, at best
    assert clock.now >= minimum
    # Close to DataCite's rate: the safety margin (two bucket capacities) costs under 4 %.
    assert clock.now <= 1.04 * 10_000 / 3000 * 300


@pytest.mark.broker
def test_redis_bucket_is_shared_by_workers(settings):
    key = f"test:datacite:{uuid.uuid4().hex}"
    buckets = [
        RedisTokenBucket(redis_url=settings.BROKER_URL, limit=40, window=1.0, capacity=4, key=key)
        for _ in range(3)
    ]
    times: list[float] = []
    lock = threading.Lock()

    def worker(bucket):
        for _ in range(30):
            bucket.acquire()
            with lock:
                times.append(time.monotonic())

    threads = [threading.Thread(target=worker, args=(b,)) for b in buckets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    buckets[0].reset()
    assert len(times) == 90
    # At most limit - capacity per window: the margin covers the jitter of the threads.
    assert _max_in_window(times, 1.0) <= 40
