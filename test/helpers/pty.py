"""Runs a command under a pseudo-terminal and relays bytes: stdin to the terminal, the terminal to stdout.

test/helpers/pty.ts drives it (node has no pty of its own, and node-pty needs a native build). The
terminal is 200x50 so completion lists come out on few lines. Ends when the command does or stdin closes.
Run it with python3 -I: otherwise this file, first on sys.path, is what "import pty" finds.
"""
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])

fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
stdin = sys.stdin.fileno()
stdout = sys.stdout.fileno()
# After stdin closes the command gets a second to finish what it was sent, then a hangup.
hangup_at = None
try:
    while True:
        if hangup_at is not None and time.monotonic() >= hangup_at:
            os.kill(pid, signal.SIGHUP)
            hangup_at = float("inf")
        ready, _, _ = select.select([fd] if hangup_at is not None else [fd, stdin], [], [], 0.1)
        if fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            os.write(stdout, data)
        if stdin in ready:
            data = os.read(stdin, 65536)
            if not data:
                hangup_at = time.monotonic() + 1
                continue
            os.write(fd, data)
finally:
    _, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else 0)
