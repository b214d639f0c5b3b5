#!/usr/bin/env python3
"""Runs a command on a new pseudo-terminal and copies what it prints to stdout.

CI has no terminal, and script(1) with stdin at /dev/null races: it writes
the terminal's EOF character as soon as its own stdin ends, which podman or
ctr may read as the end of the user's input before they switch the terminal
to raw mode, and then drop the container's output. This runner never writes
to the terminal, so the command sees a terminal whose input simply stays
quiet. It exits with the command's status (128+N when killed by signal N).

usage: pty-run.py COMMAND [ARG...]
"""
import errno
import fcntl
import os
import select
import struct
import sys
import termios


def spawn_on_pty(argv):
    master, slave = os.openpty()
    # A real size, as a terminal emulator would set: some clients ask for it.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        try:
            os.execvp(argv[0], argv)
        except OSError as e:
            os.write(2, f"pty-run.py: {argv[0]}: {e.strerror}\n".encode())
            os._exit(127)
    os.close(slave)
    return pid, master


def read_available(master, timeout):
    """One read of the terminal's output; b"" once it has hung up."""
    ready, _, _ = select.select([master], [], [], timeout)
    if not ready:
        return None
    try:
        return os.read(master, 65536)
    except OSError as e:
        if e.errno == errno.EIO:  # the last slave fd was closed
            return b""
        raise


def copy_output(pid, master):
    """Copies the terminal's output while the command runs, then what is left.

    A helper the command left behind (conmon, a shim) may keep the slave
    open, so the end is the command's exit, not the terminal's hang-up."""
    out = sys.stdout.buffer
    status = None
    while True:
        data = read_available(master, 0.05 if status is None else 0.2)
        if data:
            out.write(data)
            out.flush()
            continue
        if data == b"" or status is not None:
            break
        waited, st = os.waitpid(pid, os.WNOHANG)
        if waited:
            status = st
    if status is None:
        _, status = os.waitpid(pid, 0)
    return status


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: pty-run.py COMMAND [ARG...]\n")
        return 2
    pid, master = spawn_on_pty(sys.argv[1:])
    status = copy_output(pid, master)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main())
