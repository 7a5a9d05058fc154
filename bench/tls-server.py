#!/usr/bin/env python3
"""A loopback https server for bench/cold-start.sh: answers every GET with one fixed JSON body.

Usage: tls-server.py CERT KEY BODY_FILE   (prints "listening PORT" once ready; stop it with a signal)
The body is soup-dev-server's own answer, fetched once over http, so both clients parse the same
secrets; serving it directly keeps a reverse proxy's latency out of the figures.
"""
import http.server
import ssl
import sys

cert, key, body_file = sys.argv[1:4]
body = open(body_file, "rb").read()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes: without TCP_NODELAY the body waits for the
    # client's delayed ACK (40 ms), which would swamp what the bench measures.
    disable_nagle_algorithm = True

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", '"bench"')
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print("listening", server.server_address[1], flush=True)
server.serve_forever()
