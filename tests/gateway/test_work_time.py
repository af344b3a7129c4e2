"""The validation budget's clock does not count garbage collection."""

import gc
import time

from gateway.limits.work_time import WORK_TIME


def test_a_collection_is_not_counted_as_work():
    garbage = [[i] for i in range(200_000)]
    for item in garbage:
        item.append(item)  # cycles: only the collector frees them
    del garbage, item
    started_cpu, started_work = time.thread_time(), WORK_TIME()
    gc.collect()
    spent_cpu, spent_work = time.thread_time() - started_cpu, WORK_TIME() - started_work
    assert spent_cpu > 0.001  # the collection did real work
    assert spent_work < spent_cpu / 10
