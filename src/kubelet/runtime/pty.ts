/**
 * Pseudo-terminals for `exec -t` in the process runtime, without a native module: a short
 * Python helper (Debian's python3 ships the `pty` module) forks the command on a new pty and
 * relays it over plain pipes — fd 0 to the terminal, the terminal to fd 1 (a TTY merges
 * stdout and stderr, as upstream) — and reads `<cols> <rows>\n` lines on fd 3 to resize it.
 * It exits with the command's exit code (128+signal when killed), as a shell would.
 */
import { existsSync } from 'node:fs';

const HELPER = `
import os, sys, pty, select, struct, fcntl, termios
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[2:])
def put(f, b):
    while b:
        b = b[os.write(f, b):]
watch = [fd, 0, 3]
pending = b''
while True:
    try:
        ready = select.select(watch, [], [])[0]
    except InterruptedError:
        continue
    if fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b''
        if not data:
            break
        put(1, data)
    if 0 in ready:
        data = os.read(0, 65536)
        if data:
            put(fd, data)
        else:
            watch.remove(0)
            put(fd, b'\\x04')
    if 3 in ready:
        data = os.read(3, 4096)
        if not data:
            watch.remove(3)
        pending += data
        while b'\\n' in pending:
            line, pending = pending.split(b'\\n', 1)
            try:
                cols, rows = (int(x) for x in line.split())
                fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
            except (ValueError, OSError):
                pass
status = os.waitpid(pid, 0)[1]
code = os.waitstatus_to_exitcode(status)
sys.exit(128 - code if code < 0 else code)
`;

let python: string | null | undefined;

/** ptyPython is the python3 that runs the helper, or null when there is none (no TTY then). */
export function ptyPython(): string | null {
  if (python === undefined) python = ['/usr/bin/python3', '/usr/local/bin/python3', '/bin/python3'].find((p) => existsSync(p)) ?? null;
  return python;
}

/**
 * ptyArgv is the argv that runs `exe` with `args` (argv[0] `arg0`) on a new pty; spawn it with
 * stdio [pipe, pipe, ignore, pipe] and write `cols rows\n` to fd 3 to resize.
 */
export function ptyArgv(python: string, exe: string, arg0: string, args: string[]): string[] {
  return [python, '-c', HELPER, exe, arg0, ...args];
}
