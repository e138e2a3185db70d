# Runs a command in a new pseudo-terminal, as an interactive shell would: its stdin, stdout and stderr are the
# terminal, and it leads the terminal's foreground process group (so Ctrl+C reaches it as SIGINT). What this
# script reads on its own stdin is typed into the terminal; what the terminal shows goes to this script's stdout.
# Exits with the command's exit code (128 + the signal's number when a signal ended it).
#   python3 pty_run.py <command> [args...]
import os
import pty
import select
import sys

pid, master = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])

typing = True
while True:
    ready, _, _ = select.select([master] + ([0] if typing else []), [], [])
    if master in ready:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the command closed its end of the terminal (it has exited)
            data = b''
        if not data:
            break
        os.write(1, data)
    if 0 in ready:
        data = os.read(0, 65536)
        if data:
            os.write(master, data)
        else:
            typing = False  # the caller stopped typing; the terminal itself stays open, as a real one would

_, status = os.waitpid(pid, 0)
if os.WIFSIGNALED(status):
    sys.exit(128 + os.WTERMSIG(status))
sys.exit(os.WEXITSTATUS(status))
