"""The clients of benchmarks/load.py: each asks for the scenario's addresses in turn, no pause.

benchmarks/load.py passes the scenario in the environment: ROGATORY_BENCH_REQUESTS (a JSON list
of [name, path, "session" or "token"]), ROGATORY_BENCH_COOKIE (a signed-in session's cookie)
and ROGATORY_BENCH_TOKEN (an API token). Any answer but 2xx, a redirect to the sign-in page
included, counts as a failure.
"""

import itertools
import json
import os
import random

import locust.stats
from locust import FastHttpUser, constant, task

REQUESTS = json.loads(os.environ["ROGATORY_BENCH_REQUESTS"])
HEADERS = {
    "session": {"Cookie": os.environ.get("ROGATORY_BENCH_COOKIE", "")},
    "token": {"Authorization": f"Bearer {os.environ.get('ROGATORY_BENCH_TOKEN', '')}"},
}


def _to_the_millisecond(response_time: float) -> int:
    return round(response_time)


# Locust keeps response times rounded to two significant digits (147 ms becomes 150 ms), too
# coarse beside a target of 150 ms; one client process can afford every millisecond.
locust.stats.bucket_response_time = _to_the_millisecond


class Client(FastHttpUser):
    """A signed-in supervisor or an API program that asks again as soon as it has the answer."""

    wait_time = constant(0)

    def on_start(self) -> None:
        # Clients start at different addresses of the scenario, so that all are asked at once.
        start = random.randrange(len(REQUESTS))
        self.turns = itertools.cycle(REQUESTS[start:] + REQUESTS[:start])

    @task
    def ask(self) -> None:
        name, path, auth = next(self.turns)
        with self.client.get(
            path, name=name, headers=HEADERS[auth], allow_redirects=False, catch_response=True
        ) as response:
            if not 200 <= response.status_code < 300:
                response.failure(f"HTTP {response.status_code}")
