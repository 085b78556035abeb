#!/usr/bin/env python3
"""The abusive clients of bench/abuse.sh, each bounded in count and time, against a server whose pid is given so its
RSS and CPU can be sampled from /proc. Prints one line of key=value figures.

  abuse.py flood  PORT PID CLIENTS             open CLIENTS connections, PING each; CPU over two 3 s windows; close some
  abuse.py unread PORT PID GETS VALUE_BYTES    SET one value, pipeline GETS GETs of it and read nothing for a while
  abuse.py giant  PORT PID MB                  SET a value of MB megabytes, then DEL it
  abuse.py probe  PORT PID                     how long until a new client is served (at most 10 s)
"""
import os
import socket
import sys
import threading
import time

CLK = os.sysconf("SC_CLK_TCK")


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


class Peak:
    """Samples a process's RSS every 20 ms in a thread; .peak is the highest seen."""

    def __init__(self, pid):
        self.pid, self.peak, self._stop = pid, rss(pid), False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            try:
                self.peak = max(self.peak, rss(self.pid))
            except OSError:
                return
            time.sleep(0.02)

    def stop(self):
        self._stop = True
        self._thread.join()
        return self.peak


def command(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += [b"$%d\r\n" % len(a), a, b"\r\n"]
    return b"".join(out)


def ping(sock, timeout=2.0):
    """What a PING got back: 'served', 'refused' (Redis's maxclients error), 'closed', or 'hung' (nothing in time)."""
    sock.settimeout(timeout)
    try:
        sock.sendall(b"PING\r\n")
        data = sock.recv(100)
    except socket.timeout:
        return "hung"
    except OSError:
        return "closed"
    if data.startswith(b"+PONG"):
        return "served"
    if data.startswith(b"-ERR max number of clients reached"):
        return "refused"
    return "closed"


def mib(b):
    return f"{b / 1048576:.0f}MiB"


def flood(port, pid, clients):
    socks, outcomes = [], {"served": 0, "refused": 0, "closed": 0, "hung": 0, "connect-failed": 0}
    start, attempted = time.time(), 0
    # Bounded: 30 s at most (a server that stops accepting leaves each client hanging for its timeouts).
    while attempted < clients and time.time() - start < 30:
        attempted += 1
        s = socket.socket()
        s.settimeout(1)
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            outcomes["connect-failed"] += 1
            s.close()
            continue
        outcome = ping(s, 0.2)
        outcomes[outcome] += 1
        socks.append((s, outcome))
    flood_s = time.time() - start
    # The server's CPU while the refused or waiting clients stay connected: a spinning accept loop shows here.
    shares = []
    for _ in range(2):
        c0, t0 = cpu(pid), time.time()
        time.sleep(3)
        shares.append((cpu(pid) - c0) / (time.time() - t0))
    served = [s for s, o in socks if o == "served"]
    still = sum(ping(s) == "served" for s in served[:20])
    for s in served[:200]:
        s.close()
    recovered = served_within(port, 5)
    alive = os.path.exists(f"/proc/{pid}")
    print(f"attempted={attempted}", " ".join(f"{k}={v}" for k, v in outcomes.items()),
          f"flood_s={flood_s:.1f} cpu_next_3s={shares[0] * 100:.0f}% cpu_3s_after={shares[1] * 100:.0f}%",
          f"earlier_clients_served={still}/{min(20, len(served))}",
          f"new_client_after_closing_200={recovered} rss={mib(rss(pid)) if alive else 'exited'} alive={alive}")
    for s, _ in socks:
        s.close()


def served_within(port, seconds):
    t0 = time.time()
    while time.time() - t0 < seconds:
        s = socket.socket()
        try:
            s.connect(("127.0.0.1", port))
            if ping(s) == "served":
                return f"{time.time() - t0:.2f}s"
        except OSError:
            pass
        finally:
            s.close()
        time.sleep(0.1)
    return "no"


def unread(port, pid, gets, value_bytes):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(command("SET", "abuse:v", b"x" * value_bytes))
    s.recv(100)
    idle = rss(pid)
    peak = Peak(pid)
    request = command("GET", "abuse:v") * 1000
    sent, stalled, start = 0, False, time.time()
    s.settimeout(5)
    try:
        while sent < gets and time.time() - start < 60:
            s.sendall(request)
            sent += 1000
    except socket.timeout:
        stalled = True          # the server stopped reading: its buffers are full and TCP holds the client back
    time.sleep(5)               # let the server do what it will with what it got
    top = peak.stop()
    print(f"gets_sent={sent} of {gets} send_stalled={stalled} idle_rss={mib(idle)} peak_rss={mib(top)}",
          f"growth={mib(top - idle)} reply_bytes_asked={mib(sent * (value_bytes + 13))}")
    s.close()


def giant(port, pid, mb):
    size = mb * 1048576
    s = socket.create_connection(("127.0.0.1", port))
    idle = rss(pid)
    peak = Peak(pid)
    chunk = b"v" * 1048576
    s.sendall(b"*3\r\n$3\r\nSET\r\n$9\r\nabuse:big\r\n$%d\r\n" % size)
    for _ in range(mb):
        s.sendall(chunk)
    s.sendall(b"\r\n")
    s.settimeout(120)
    reply = s.recv(100)
    time.sleep(1)
    after_set = rss(pid)
    set_peak = peak.stop()
    s.sendall(command("DEL", "abuse:big"))
    s.recv(100)
    time.sleep(3)
    after_del = rss(pid)
    print(f"reply={reply.strip().decode()} idle_rss={mib(idle)} peak_rss={mib(set_peak)} ({set_peak / size:.2f}x the value)",
          f"rss_after_set={mib(after_set)} rss_3s_after_del={mib(after_del)}")
    s.close()


if __name__ == "__main__":
    mode, port, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if mode == "flood":
        flood(port, pid, int(sys.argv[4]))
    elif mode == "unread":
        unread(port, pid, int(sys.argv[4]), int(sys.argv[5]))
    elif mode == "giant":
        giant(port, pid, int(sys.argv[4]))
    elif mode == "probe":
        print(f"new_client_after_releasing_the_held_ones={served_within(port, 10)} alive={os.path.exists(f'/proc/{pid}')}")
    else:
        sys.exit(f"unknown mode {mode}")
