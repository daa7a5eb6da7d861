#!/usr/bin/env python3
"""A stand-in for a Pod's container: says who it is and whom it is talking to.

HTTP on a TCP port and a UDP echo on the same port number both answer one line,

    pod=NAME client=IP:PORT

so a test or the demo can tell which Pod a Service sent it to, and which source address
(after any SNAT) the Pod saw. Standard library only; quiet per request unless --verbose,
because the lab runs many of these and their logs would only be noise.

    podserver.py --name web-1 [--port 8080] [--bind 0.0.0.0] [--verbose]
"""

import argparse
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def answer(name, client):
    return f"pod={name} client={client[0]}:{client[1]}\n".encode()


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps a client's connection open for the next request, as curl expects.
    protocol_version = "HTTP/1.1"
    pod_name = ""
    verbose = False

    def do_GET(self):
        self.reply(with_body=True)

    def do_HEAD(self):
        self.reply(with_body=False)

    def reply(self, with_body):
        body = answer(self.pod_name, self.client_address)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format, *args):
        if self.verbose:
            sys.stderr.write(f"{self.client_address[0]}:{self.client_address[1]} {format % args}\n")


class Server(ThreadingHTTPServer):
    # A restarted server must not wait for TIME_WAIT sockets of the one before it.
    allow_reuse_address = True
    daemon_threads = True


def serve_udp(sock, name, verbose):
    while True:
        _, client = sock.recvfrom(65535)
        sock.sendto(answer(name, client), client)
        if verbose:
            sys.stderr.write(f"{client[0]}:{client[1]} udp\n")


def main():
    parser = argparse.ArgumentParser(description="HTTP and UDP echo that names the Pod it runs as.")
    parser.add_argument("--name", required=True, help="the Pod's name, echoed in every answer")
    parser.add_argument("--port", type=int, default=8080, help="TCP and UDP port (default 8080)")
    parser.add_argument("--bind", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    options = parser.parse_args()

    Handler.pod_name = options.name
    Handler.verbose = options.verbose
    # Both sockets are bound before anything is served, so once the TCP port listens the
    # UDP port answers too (netns-lab waits for the TCP listener).
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    udp.bind((options.bind, options.port))
    http = Server((options.bind, options.port), Handler)

    threading.Thread(target=serve_udp, args=(udp, options.name, options.verbose), daemon=True).start()
    try:
        http.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
