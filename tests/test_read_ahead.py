"""`exchange.exporting.read_ahead`: a flat export's next chunks are read in a thread while the
writer works on the ones it has (issue 14: a 100,000-row XLSX well inside a worker's timeout),
and nothing is left reading when the writer stops."""

import threading
import time

import pytest

from exchange.exporting import read_ahead


def running() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "read-ahead"]


def test_it_yields_every_item_in_order_read_in_another_thread():
    readers = []

    def items():
        for number in range(10):
            readers.append(threading.get_ident())
            yield number

    assert list(read_ahead(items())) == list(range(10))
    assert set(readers) != {threading.get_ident()}
    assert not running()


def test_the_next_item_is_read_while_the_caller_works_on_one():
    def slow_items():
        for number in range(4):
            time.sleep(0.1)  # the database working: the GIL is free
            yield number

    started = time.perf_counter()
    for _item in read_ahead(slow_items()):
        time.sleep(0.1)  # the writer working
    # One after the other it would take 0.8 s; side by side about 0.5 s.
    assert time.perf_counter() - started < 0.7


def test_an_error_while_reading_reaches_the_caller_after_what_was_read():
    def failing():
        yield 1
        raise ValueError("the database went away")

    stream = read_ahead(failing())
    assert next(stream) == 1
    with pytest.raises(ValueError, match="went away"):
        next(stream)
    assert not running()


def test_a_caller_that_stops_early_leaves_nothing_reading():
    read = []

    def items():
        for number in range(1000):
            read.append(number)
            yield number

    stream = read_ahead(items(), depth=2)
    assert next(stream) == 0
    time.sleep(0.2)  # the thread fills its queue, then waits
    stream.close()
    assert not running()
    # It read only what fits ahead of the caller: the queue, and the item it held.
    assert len(read) <= 1 + 2 + 1
