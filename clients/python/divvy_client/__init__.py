"""A client for `divvy serve` (docs/protocol.md), standard library only.

    from divvy_client import Client
    with Client() as c:
        done = c.run(["git", "status", "--porcelain"], timeout=30)
        print(done.returncode, done.stdout)

errand-boy users change one import (see `divvy_client.errand_boy`):

    from divvy_client.errand_boy import UNIXSocketTransport
    stdout, stderr, returncode = UNIXSocketTransport().run_cmd("ls -al")
"""
import json
import os
import signal as _signal
import socket
import struct
import threading

PREFACE = b"DIVVY/1\n"
CHALLENGE, HELLO, READY = 0x01, 0x02, 0x03
RUN, STARTED, REJECTED = 0x10, 0x11, 0x12
STDIN, STDIN_EOF, STDOUT, STDERR = 0x20, 0x21, 0x22, 0x23
SIGNAL, EXIT, PING, PONG, STATUS, SHUTDOWN, ERROR = 0x40, 0x50, 0x60, 0x61, 0x71, 0x72, 0x7F
MAX_CHUNK = 64 * 1024
PIPE = -1


class ServeError(Exception):
    """The server refused the connection or a request (`code`: busy, bad_request, forbidden, ...)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def default_socket_path():
    """$DIVVY_SOCKET, else $XDG_RUNTIME_DIR/divvy/default.sock, else /tmp/divvy-UID/default.sock."""
    if os.environ.get("DIVVY_SOCKET"):
        return os.environ["DIVVY_SOCKET"]
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    directory = os.path.join(runtime, "divvy") if runtime else "/tmp/divvy-%d" % os.getuid()
    return os.path.join(directory, "default.sock")


class Completed:
    """What `Client.run` returns, like subprocess.CompletedProcess, plus `signal`, `reason`, `pid`."""

    def __init__(self, args, exit, stdout, stderr):
        self.args = args
        self.exit = exit
        self.stdout = stdout
        self.stderr = stderr
        self.reason = exit.get("reason")
        self.signal = exit.get("signal")
        self.pid = exit.get("pid")
        number = getattr(_signal, "SIG" + self.signal, None) if self.signal else None
        # As subprocess does: negative for a signal.
        self.returncode = exit.get("exit_code") if self.signal is None else -int(number or 0)


class Client:
    """One connection to the server; requests on it run one after the other (open several clients for parallel work)."""

    def __init__(self, socket_path=None, timeout=None):
        self.socket_path = socket_path or default_socket_path()
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(timeout)
        try:
            self._sock.connect(self.socket_path)
        except OSError as error:
            self._sock.close()
            raise ServeError("connection", "cannot reach divvy serve at %s: %s" % (self.socket_path, error))
        self._lock = threading.Lock()
        self._channel = 0
        self._sock.sendall(PREFACE)
        if self._read_exactly(len(PREFACE)) != PREFACE:
            raise ServeError("protocol", "not a divvy/1 server")
        self._expect(CHALLENGE)
        self._send(HELLO, 0, json.dumps({"client": "divvy_client.py", "version": "1"}).encode())
        self.ready = self._expect(READY)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._sock.close()

    def run(self, argv=None, input=None, timeout=None, shell=None, env=None, cwd=None, clean_env=False):
        """Runs a command to its end; returns a Completed with bytes stdout/stderr."""
        process = self.popen(argv, shell=shell, env=env, cwd=cwd, timeout=timeout, clean_env=clean_env, stdin=PIPE if input is not None else None)
        stdout, stderr = process.communicate(input)
        return Completed(argv if argv is not None else shell, process.exit, stdout, stderr)

    def popen(self, argv=None, shell=None, env=None, cwd=None, timeout=None, stdin=PIPE, clean_env=False, kill_grace=None):
        """Starts a command and returns a Popen-like object."""
        request = {"stdin": "pipe" if stdin == PIPE else "null", "env_mode": "clean" if clean_env else "merge"}
        if shell is not None:
            request["shell"] = shell
        else:
            request["argv"] = list(argv)
        if env:
            request["env"] = dict(env)
        if cwd:
            request["cwd"] = cwd
        if timeout is not None:
            request["timeout_ms"] = int(timeout * 1000)
        if kill_grace is not None:
            request["kill_grace_ms"] = int(kill_grace * 1000)
        self._channel += 1
        self._send(RUN, self._channel, json.dumps(request).encode())
        return Popen(self, self._channel)

    def perform(self, item):
        """Performs one item of the server's job: returns the EXIT fields (status, result, error, attempts)."""
        self._channel += 1
        self._send(RUN, self._channel, json.dumps({"item": item}).encode())
        return Popen(self, self._channel).wait_exit()

    def status(self):
        self._send(STATUS, 0, b"{}")
        return self._expect(STATUS)

    def shutdown(self, now=False):
        self._send(SHUTDOWN, 0, json.dumps({"now": now}).encode())

    # The wire ------------------------------------------------------------------------------

    def _send(self, kind, channel, payload=b""):
        with self._lock:
            self._sock.sendall(struct.pack(">IBI", len(payload) + 5, kind, channel) + payload)

    def _read_exactly(self, count):
        chunks = []
        while count:
            chunk = self._sock.recv(count)
            if not chunk:
                raise ServeError("connection", "divvy serve closed the connection")
            chunks.append(chunk)
            count -= len(chunk)
        return b"".join(chunks)

    def _read_frame(self):
        length, kind, channel = struct.unpack(">IBI", self._read_exactly(9))
        payload = self._read_exactly(length - 5) if length > 5 else b""
        if kind == ERROR:
            error = json.loads(payload)
            raise ServeError(error.get("code"), "divvy serve: %s" % error.get("message"))
        return kind, channel, payload

    def _expect(self, kind):
        while True:
            got, channel, payload = self._read_frame()
            if got == kind:
                return json.loads(payload)
            if got == PING:
                self._send(PONG, 0, payload)


class Popen:
    """A subset of subprocess.Popen for a command on the server: communicate, wait, poll,
    send_signal, terminate, kill, returncode (negative for a signal), stdin.write/close."""

    def __init__(self, client, channel):
        self._client = client
        self._channel = channel
        self.exit = None
        self.returncode = None
        self.pid = None
        self.stdin = _Stdin(self)

    def communicate(self, input=None, timeout=None):
        """Sends `input` (bytes or str), closes stdin, reads everything; returns (stdout, stderr) as bytes."""
        if input is not None:
            self.stdin.write(input)
        self.stdin.close()
        out, err = [], []
        self._pump(out.append, err.append)
        return b"".join(out), b"".join(err)

    def iter_output(self):
        """Yields (stream, bytes) as the command writes them: stream 1 is stdout, 2 stderr."""
        while self.exit is None:
            kind, channel, payload = self._client._read_frame()
            item = self._handle(kind, channel, payload)
            if item is not None:
                yield item

    def wait(self, timeout=None):
        self.stdin.close()
        self._pump(lambda b: None, lambda b: None)
        return self.returncode

    def wait_exit(self):
        self._pump(lambda b: None, lambda b: None)
        return self.exit

    def poll(self):
        return self.returncode

    def send_signal(self, sig):
        name = _signal.Signals(sig).name[3:] if isinstance(sig, int) else str(sig).replace("SIG", "", 1)
        self._client._send(SIGNAL, self._channel, json.dumps({"signal": name}).encode())

    def terminate(self):
        self.send_signal(_signal.SIGTERM)

    def kill(self):
        self.send_signal(_signal.SIGKILL)

    def _pump(self, on_out, on_err):
        for stream, data in self.iter_output():
            (on_out if stream == 1 else on_err)(data)

    def _handle(self, kind, channel, payload):
        if channel != self._channel:
            if kind == PING:
                self._client._send(PONG, 0, payload)
            return None
        if kind == STDOUT:
            return 1, payload
        if kind == STDERR:
            return 2, payload
        if kind == STARTED:
            self.pid = json.loads(payload).get("pid")
        elif kind == REJECTED:
            error = json.loads(payload)
            self.exit = {"reason": "rejected"}
            raise ServeError(error.get("code"), "divvy serve refused the request: %s" % error.get("message"))
        elif kind == EXIT:
            self.exit = json.loads(payload)
            signal_name = self.exit.get("signal")
            number = getattr(_signal, "SIG" + signal_name, None) if signal_name else None
            self.returncode = self.exit.get("exit_code") if signal_name is None else -int(number or 0)
        return None


class _Stdin:
    def __init__(self, process):
        self._process = process
        self.closed = False

    def write(self, data):
        if isinstance(data, str):
            data = data.encode()
        for at in range(0, len(data), MAX_CHUNK):
            self._process._client._send(STDIN, self._process._channel, data[at:at + MAX_CHUNK])
        return len(data)

    def close(self):
        if not self.closed:
            self.closed = True
            self._process._client._send(STDIN_EOF, self._process._channel)
