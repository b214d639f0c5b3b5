#!/usr/bin/env python3
"""A seccomp user-notification agent for keel_seccomp.bats.

    seccomp-listener.py SOCKET OUTDIR (--errno N | --continue)

Listens on the unix stream socket SOCKET for one runtime connection (as
runc and keel make for linux.seccomp.listenerPath), and writes to OUTDIR:

    state.json   the message bytes: the "containerProcessState" JSON
    fd-kind      what the received fd is (readlink of /proc/self/fd/N;
                 "anon_inode:seccomp notify" for a listener fd)
    calls        one line per notification: "<syscall nr> <arg0>"

and answers each notification with the errno N, or lets the syscall run
(SECCOMP_USER_NOTIF_FLAG_CONTINUE). Exits when every task using the filter
is gone (POLLHUP on the fd). OUTDIR/ready appears once it listens.
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


def serve(fd, outdir, answer):
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    with open(os.path.join(outdir, "calls"), "a", buffering=1) as calls:
        while True:
            events = poller.poll()
            if any(ev & select.POLLIN for _, ev in events):
                buf = bytearray(NOTIF_SIZE)
                try:
                    fcntl.ioctl(fd, NOTIF_RECV, buf)
                except OSError as e:
                    if e.errno in (errno.ENOENT, errno.EINTR):
                        continue  # the task went away meanwhile
                    raise
                nid, _pid, _flags, nr, _arch, _ip = struct.unpack_from("=QIIiIQ", buf)
                arg0 = struct.unpack_from("=Q", buf, 32)[0]
                calls.write(f"{nr} {arg0}\n")
                if answer == "continue":
                    resp = struct.pack(RESP_FORMAT, nid, 0, 0, FLAG_CONTINUE)
                else:
                    resp = struct.pack(RESP_FORMAT, nid, 0, -int(answer), 0)
                try:
                    fcntl.ioctl(fd, NOTIF_SEND, bytearray(resp))
                except OSError as e:
                    if e.errno != errno.ENOENT:
                        raise
            elif any(ev & (select.POLLHUP | select.POLLERR) for _, ev in events):
                return


def main():
    if len(sys.argv) < 4 or sys.argv[3] not in ("--errno", "--continue"):
        sys.exit(__doc__)
    path, outdir = sys.argv[1], sys.argv[2]
    answer = "continue" if sys.argv[3] == "--continue" else sys.argv[4]
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    open(os.path.join(outdir, "ready"), "w").close()
    conn, _ = server.accept()
    message, fd = receive(conn)
    conn.close()
    with open(os.path.join(outdir, "state.json"), "wb") as f:
        f.write(message)
    with open(os.path.join(outdir, "fd-kind"), "w") as f:
        f.write(os.readlink(f"/proc/self/fd/{fd}") + "\n")
    serve(fd, outdir, answer)


if __name__ == "__main__":
    main()
