#!/usr/bin/env python3
"""Reads INFO memory's used_memory from a RESP server on 127.0.0.1:PORT every 0.25 s over one connection, while the
process PID lives, and prints how many seconds passed until used_memory was at most TARGET ("" when it never was).

One connection and one process for the whole watch, so the polling disturbs the server as little as it can and the
same way in every run it accompanies (bench/memory.sh polls beside both of its GET runs). It keeps polling after PID
exits until TARGET is met, for at most MAX_SECONDS; a TARGET below 0 only polls while PID lives.

usage: poll_used_memory.py PORT PID TARGET MAX_SECONDS
"""
import os
import re
import socket
import sys
import time


def main():
    port, pid, target, limit = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    sock = socket.create_connection(("127.0.0.1", port))
    replies = sock.makefile("rb")
    start = time.monotonic()
    reclaimed = None
    while time.monotonic() - start < limit:
        if not os.path.exists("/proc/%d" % pid) and (reclaimed is not None or target < 0):
            break
        sock.sendall(b"*2\r\n$4\r\nINFO\r\n$6\r\nmemory\r\n")
        header = replies.readline()
        if not header.startswith(b"$"):
            sys.exit("poll_used_memory.py: unexpected reply " + header.decode(errors="replace"))
        body = replies.read(int(header[1:]) + 2)
        used = int(re.search(rb"used_memory:(\d+)", body).group(1))
        if reclaimed is None and target >= 0 and used <= target:
            reclaimed = time.monotonic() - start
        time.sleep(0.25)
    print("" if reclaimed is None else "%.1f" % reclaimed)


if __name__ == "__main__":
    main()
