#!/usr/bin/env python3
"""Writes COUNT keys 'key:%012d' (16 bytes) with VALUE_SIZE-byte values to a RESP server on 127.0.0.1:PORT.

Batches of 1000 SETs, each batch's replies read before the next is sent: the server never buffers more than one
batch, so what the process holds afterwards is the dataset, not a backlog of unread input (redis-cli --pipe would
measure that backlog too). Exits non-zero unless every reply is +OK.

usage: load_keys.py PORT COUNT [VALUE_SIZE=32] [TTL_MS=0] [FIRST=0]
"""
import socket
import sys


def main():
    port, count = int(sys.argv[1]), int(sys.argv[2])
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    ttl = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    first = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    value = b"v" * size
    tail = b"" if ttl == 0 else b"$2\r\nPX\r\n$%d\r\n%d\r\n" % (len(str(ttl)), ttl)
    head = b"*3\r\n$3\r\nSET\r\n" if ttl == 0 else b"*5\r\n$3\r\nSET\r\n"
    sock = socket.create_connection(("127.0.0.1", port))
    batch = 1000
    for start in range(first, first + count, batch):
        end = min(first + count, start + batch)
        sock.sendall(b"".join(head + b"$16\r\nkey:%012d\r\n$%d\r\n%s\r\n" % (i, size, value) + tail for i in range(start, end)))
        expected = b"+OK\r\n" * (end - start)
        got = bytearray()
        while len(got) < len(expected):
            data = sock.recv(65536)
            if not data:
                sys.exit("load_keys.py: connection closed")
            got += data
        if bytes(got) != expected:
            sys.exit("load_keys.py: a write was not answered +OK: " + bytes(got[:200]).decode(errors="replace"))


if __name__ == "__main__":
    main()
