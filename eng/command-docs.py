#!/usr/bin/env python3
"""Writes src/PepperCache.Server/Commands/CommandDocs.json: COMMAND DOCS of every command of a redis-server, as JSON.

The docs of Redis's commands are Redis's data (summary, complexity, history, argument trees): PepperCache serves them
from this file rather than retyping them, the way Redis builds its own command table from JSON files. Run it against
the reference version (7.0.15) when the reference changes:

    redis-server --port 6399 --save '' --appendonly no &
    eng/command-docs.py 6399 > src/PepperCache.Server/Commands/CommandDocs.json

The JSON keeps the reply's shape: every map (a doc, an argument) becomes an object with its fields in Redis's order,
and every list stays a list. CommandDocs.cs turns it back into RESP by field name (flags and doc_flags are status
strings, key_spec_index an integer, everything else bulk strings and arrays), which CommandDocsParityTests checks
byte for byte against redis-server.
"""
import json
import socket
import sys


def read_reply(stream):
    line = stream.readline()
    kind, rest = line[:1], line[1:-2].decode()
    if kind == b"*":
        return [read_reply(stream) for _ in range(int(rest))]
    if kind == b"$":
        data = stream.read(int(rest) + 2)[:-2]
        return data.decode()
    if kind == b":":
        return int(rest)
    if kind == b"+":
        return rest
    raise ValueError(f"unexpected reply {line!r}")


def as_map(pairs):
    return {pairs[i]: pairs[i + 1] for i in range(0, len(pairs), 2)}


def doc(pairs):
    result = {}
    for name, value in as_map(pairs).items():
        if name == "arguments":
            value = [argument(a) for a in value]
        elif name == "subcommands":
            value = {n: doc(d) for n, d in as_map(value).items()}
        result[name] = value
    return result


def argument(pairs):
    result = {}
    for name, value in as_map(pairs).items():
        result[name] = [argument(a) for a in value] if name == "arguments" else value
    return result


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 6379
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(b"COMMAND DOCS\r\n")
        reply = read_reply(connection.makefile("rb"))
    docs = {name: doc(d) for name, d in sorted(as_map(reply).items())}
    json.dump(docs, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
