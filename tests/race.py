"""One harness for the tests of what happens when people do the same thing at the same moment (PostgreSQL only)."""

import threading

from django.db import connection


def race(n, fn, *, refused=()):
    """Call fn(0), fn(1) … fn(n - 1) at the same moment, each in a thread and database connection of its own.

    Returns what each call returned, in order. A call that raised one of the `refused` exceptions (a refusal the
    service tells its user) gives that exception in its place; any other exception, a deadlock or an integrity
    error, fails the test once every call has finished.
    """
    barrier = threading.Barrier(n)
    outcomes, unexpected = [None] * n, []

    def run(i):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = fn(i)
        except refused as error:
            outcomes[i] = error
        except Exception as error:  # raised below, in the test's own thread
            unexpected.append(error)
        finally:
            connection.close()  # each thread opened its own; the test database cannot be dropped while it is open

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a call was still running after two minutes"
    if unexpected:
        raise AssertionError(f"{len(unexpected)} of {n} calls failed: {unexpected!r}") from unexpected[0]
    return outcomes
