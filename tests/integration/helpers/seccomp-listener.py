#!/usr/bin/env python3
"""A seccomp user-notification agent for keel_seccomp.bats.

    seccomp-listener.py SOCKET OUTDIR (--errno N | --continue) [--connections N]

Listens on the unix stream socket SOCKET for N runtime connections (as
runc and keel make for linux.seccomp.listenerPath: one for the container,
one per exec'd process; default 1), and writes to OUTDIR:

    state.json   the message bytes: the "containerProcessState" JSON
    fd-kind      what the received fd is (readlink of /proc/self/fd/N;
                 "anon_inode:seccomp notify" for a listener fd)
    state-2.json, fd-kind-2 ...  the same for the later connections
    calls        one line per notification: "<syscall nr> <arg0> <connection>"

and answers each notification with the errno N, or lets the syscall run
(SECCOMP_USER_NOTIF_FLAG_CONTINUE). Exits when every task using the filter
is gone (POLLHUP on every fd). OUTDIR/ready appears once it listens.
"""
import array
import errno
import fcntl
import json
import os
import select
import socket
import struct
import sys

# struct seccomp_notif: id u64, pid u32, flags u32, data {nr i32, arch u32,
# ip u64, args u64[6]} = 80 bytes; struct seccomp_notif_resp: id u64,
# val s64, error s32, flags u32 = 24 bytes.
NOTIF_SIZE = 80
RESP_FORMAT = "=QqiI"
IOC_RW = 3 << 30
NOTIF_RECV = IOC_RW | (NOTIF_SIZE << 16) | (ord("!") << 8) | 0
NOTIF_SEND = IOC_RW | (struct.calcsize(RESP_FORMAT) << 16) | (ord("!") << 8) | 1
FLAG_CONTINUE = 1


def receive(conn):
    """The whole message and the one fd that came with it. The runtime may
    keep the connection open (runc does), so the message ends where the
    JSON does, not at EOF."""
    fds = array.array("i")
    message = b""
    while True:
        data, ancdata, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(4 * fds.itemsize))
        for level, kind, cdata in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(cdata[: len(cdata) - len(cdata) % fds.itemsize])
        message += data
        if not data or complete(message):
            break
    if len(fds) != 1:
        sys.exit(f"seccomp-listener: expected one fd, got {len(fds)}")
    return message, fds[0]


def complete(message):
    try:
        json.loads(message)
        return True
    except ValueError:
        return False


def answer_one(fd, conn_no, answer, calls):
    buf = bytearray(NOTIF_SIZE)
    try:
        fcntl.ioctl(fd, NOTIF_RECV, buf)
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.EINTR):
            return  # the task went away meanwhile
        raise
    nid, _pid, _flags, nr, _arch, _ip = struct.unpack_from("=QIIiIQ", buf)
    arg0 = struct.unpack_from("=Q", buf, 32)[0]
    calls.write(f"{nr} {arg0} {conn_no}\n")
    if answer == "continue":
        resp = struct.pack(RESP_FORMAT, nid, 0, 0, FLAG_CONTINUE)
    else:
        resp = struct.pack(RESP_FORMAT, nid, 0, -int(answer), 0)
    try:
        fcntl.ioctl(fd, NOTIF_SEND, bytearray(resp))
    except OSError as e:
        if e.errno != errno.ENOENT:
            raise


def take_connection(server, outdir, conn_no):
    """Records what connection conn_no (1, 2 ...) brought; returns the fd."""
    conn, _ = server.accept()
    message, fd = receive(conn)
    conn.close()
    suffix = "" if conn_no == 1 else f"-{conn_no}"
    with open(os.path.join(outdir, f"state{suffix}.json"), "wb") as f:
        f.write(message)
    with open(os.path.join(outdir, f"fd-kind{suffix}"), "w") as f:
        f.write(os.readlink(f"/proc/self/fd/{fd}") + "\n")
    return fd


def serve(server, outdir, answer, connections):
    """Takes the connections and answers every listener fd until all of
    them hang up (no task uses their filter any more)."""
    poller = select.poll()
    poller.register(server.fileno(), select.POLLIN)
    conn_of = {}  # listener fd -> connection number
    taken = 0
    with open(os.path.join(outdir, "calls"), "a", buffering=1) as calls:
        while taken < connections or conn_of:
            for fd, ev in poller.poll():
                if fd == server.fileno():
                    taken += 1
                    nfd = take_connection(server, outdir, taken)
                    conn_of[nfd] = taken
                    poller.register(nfd, select.POLLIN)
                    if taken == connections:
                        poller.unregister(server.fileno())
                elif ev & select.POLLIN:
                    answer_one(fd, conn_of[fd], answer, calls)
                elif ev & (select.POLLHUP | select.POLLERR):
                    poller.unregister(fd)
                    os.close(fd)
                    del conn_of[fd]


def main():
    args = sys.argv[1:]
    connections = 1
    if "--connections" in args:
        i = args.index("--connections")
        connections = int(args[i + 1])
        del args[i : i + 2]
    if len(args) < 3 or args[2] not in ("--errno", "--continue"):
        sys.exit(__doc__)
    path, outdir = args[0], args[1]
    answer = "continue" if args[2] == "--continue" else args[3]
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(connections)
    open(os.path.join(outdir, "ready"), "w").close()
    serve(server, outdir, answer, connections)


if __name__ == "__main__":
    main()
