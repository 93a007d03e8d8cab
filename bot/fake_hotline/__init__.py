"""A simulated 12345 work-order platform for the offline demo, the tests and the benches.

It receives deputybot's signed work orders and events (checking signatures, dropping repeats
by their Idempotency-Key), keeps them in arrival order, serves its own reports for the poll,
and reports back through signed callbacks, by hand or by itself (auto mode). Fault modes make
it answer 503, 429 or a refusal, or go away altogether.
"""

from bot.fake_hotline.platform import FakeHotline, Received

__all__ = ["FakeHotline", "Received"]
