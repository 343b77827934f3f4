"""A web node told to stop (SIGTERM) first leaves the proxy, then stops.

gunicorn closes its listening socket the moment it gets SIGTERM. A connection the proxy
had just opened is then reset, and the proxy can send a small request again to the other
node but not an upload it was still streaming: the person's upload failed. So for
GUNICORN_DRAIN_SECONDS the node keeps serving while /readyz answers 503, long enough for
the proxy's checks to take it out; only then does gunicorn's own graceful stop begin.

The flag lives in shared memory made in gunicorn's master, before it forks its workers,
so every worker sees the master set it. Under runserver or the tests it is never set.
"""

import multiprocessing

_stopping = multiprocessing.RawValue("b", 0)


def stopping_start() -> None:
    _stopping.value = 1


def stopping() -> bool:
    return bool(_stopping.value)
