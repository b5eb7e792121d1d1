"""Celery beside Spool, for bin/spool-bench --only celery (not a test; Debian's python3-celery).

As a worker:  python3 -m celery -A spool_celery_bench worker --pool threads --concurrency 8 ...
As a driver:  python3 spool_celery_bench.py   (reads commands on stdin, one JSON line per answer)
    map N     -> {"seconds": S}       N `square` tasks as one group, timed to the last result
    apply N   -> {"nanos": [..]}      N sequential square.delay(3).get() round trips

The broker is SPOOL_AMQP_URI (amqp://guest:guest@127.0.0.1:5672/ by default), the queue
CELERY_BENCH_QUEUE. Everything else is Celery's default: a durable classic queue, persistent
messages, no publisher confirms, the task acked as the worker receives it, results over the
rpc:// backend (a transient reply queue per client).
"""
import json
import os
import sys
import time

from celery import Celery, group

BROKER = os.environ.get("SPOOL_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
QUEUE = os.environ.get("CELERY_BENCH_QUEUE", "spool-celery-bench")

app = Celery("spool_celery_bench", broker=BROKER, backend="rpc://")
app.conf.task_default_queue = QUEUE
app.conf.worker_hijack_root_logger = False
app.conf.broker_connection_retry_on_startup = True
app.conf.worker_enable_remote_control = False  # no pidbox exchange left on the broker


@app.task(name="square")
def square(x):
    return x * x


def run_map(n):
    t0 = time.perf_counter()
    results = group(square.s(i) for i in range(n)).apply_async().get(timeout=1800)
    seconds = time.perf_counter() - t0
    if len(results) != n or results[n - 1] != (n - 1) * (n - 1):
        raise SystemExit("celery map: wrong results")
    return {"seconds": seconds}


def run_apply(n):
    nanos = []
    for _ in range(n):
        t0 = time.perf_counter_ns()
        if square.delay(3).get(timeout=60) != 9:
            raise SystemExit("celery apply: wrong result")
        nanos.append(time.perf_counter_ns() - t0)
    return {"nanos": nanos}


def main():
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "map":
            answer = run_map(int(words[1]))
        elif words[0] == "apply":
            answer = run_apply(int(words[1]))
        elif words[0] == "quit":
            break
        else:
            answer = {"error": "unknown command " + words[0]}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
