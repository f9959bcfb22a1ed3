"""In-process clients: signed in by a real access token, and many requests at one instant."""
import threading

from django.db import connections
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken


def bearer_client(user):
    """An API client signed in as `user` with a real access token in the Authorization header."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def at_once(calls):
    """Run the callables at the same instant, one thread each; their results, in order.

    A barrier releases every thread together. Each thread closes the Django database
    connections it opened, so in-process requests (test clients) leave none behind.
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
