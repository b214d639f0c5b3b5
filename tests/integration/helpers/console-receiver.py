#!/usr/bin/env python3
"""Receives a container's pty master over a --console-socket and copies it.

    console-receiver.py SOCKET OUTFILE [INPUT]

Listens on the unix socket SOCKET (which appears only once it listens),
accepts one connection, takes the file descriptor sent with SCM_RIGHTS (the
pty master), writes INPUT to it if given, then copies everything the container writes to OUTFILE until the
terminal closes (EIO on the master). Exits 0 on success, 1 if no fd came.
"""
import os
import socket
import sys


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    path, outfile = sys.argv[1], sys.argv[2]
    data = sys.argv[3].encode() if len(sys.argv) == 4 else b""

    # Listening before the socket appears at PATH: a caller that waits for
    # PATH and then connects must not find it bound but not yet listening.
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path + ".tmp")
    server.listen(1)
    os.rename(path + ".tmp", path)
    conn, _ = server.accept()
    _, fds, _, _ = socket.recv_fds(conn, 4096, 4)
    conn.close()
    server.close()
    if len(fds) != 1:
        print(f"console-receiver: expected one fd, got {len(fds)}", file=sys.stderr)
        return 1
    master = fds[0]
    if data:
        os.write(master, data)
    with open(outfile, "wb") as out:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every slave fd is closed
                break
            if not chunk:
                break
            out.write(chunk)
            out.flush()
    os.close(master)
    return 0


if __name__ == "__main__":
    sys.exit(main())
