#!/usr/bin/env python3
"""Sends an HTTP GET to --url every --interval seconds until SIGINT, each with a 1 s timeout,
then prints `sent=N failed=M` and one line per failure. The system tests run it while they
restart an agent: a restart must fail no request."""
import argparse
import signal
import sys
import time
import urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--url", required=True)
parser.add_argument("--interval", type=float, default=0.01)
arguments = parser.parse_args()

stopping = False


def stop(*_):
    global stopping
    stopping = True


signal.signal(signal.SIGINT, stop)
sent, failures = 0, []
while not stopping:
    started = time.monotonic()
    sent += 1
    try:
        with urllib.request.urlopen(arguments.url, timeout=1) as response:
            response.read()
    except Exception as error:  # every failure counts, whatever its kind
        failures.append(f"{time.strftime('%H:%M:%S')} {error}")
    time.sleep(max(0.0, arguments.interval - (time.monotonic() - started)))
print(f"sent={sent} failed={len(failures)}")
for failure in failures[:20]:
    print(failure)
sys.stdout.flush()
