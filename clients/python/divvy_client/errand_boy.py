"""errand-boy's client surface on divvy serve: change one import, keep the calls.

    # from errand_boy.transports.unixsocket import UNIXSocketTransport
    from divvy_client.errand_boy import UNIXSocketTransport

    transport = UNIXSocketTransport()
    stdout, stderr, returncode = transport.run_cmd("ls -al")

    with transport.get_session() as session:
        process = session.subprocess.Popen("cat", stdin=session.subprocess.PIPE, stdout=session.subprocess.PIPE, stderr=session.subprocess.PIPE)
        stdout, stderr = process.communicate(input=b"hello")
        returncode = process.returncode

Commands given as a string run with /bin/sh -c, as errand-boy runs them; a list runs without a
shell. Nothing is pickled: the wire is divvy/1 (docs/protocol.md).
"""
import subprocess as _subprocess

from . import Client, PIPE


class SessionClosedError(Exception):
    """The session is over (errand-boy raises it for calls after the session closed)."""


class _Subprocess:
    PIPE = PIPE
    CalledProcessError = _subprocess.CalledProcessError

    def __init__(self, session):
        self._session = session

    def Popen(self, cmd, stdin=None, stdout=None, stderr=None, shell=None, env=None, cwd=None, **ignored):
        client = self._session._client_or_raise()
        if isinstance(cmd, str):
            return client.popen(shell=cmd, stdin=stdin, env=env, cwd=cwd)
        return client.popen(list(cmd), stdin=stdin, env=env, cwd=cwd)


class Session:
    def __init__(self, socket_path):
        self._client = Client(socket_path)
        self.subprocess = _Subprocess(self)

    def _client_or_raise(self):
        if self._client is None:
            raise SessionClosedError("the session is closed")
        return self._client

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._client is not None:
            self._client.close()
            self._client = None


class UNIXSocketTransport:
    def __init__(self, socket_path=None):
        self.socket_path = socket_path

    def run_cmd(self, cmd):
        """Runs `cmd` (a shell line) and returns (stdout, stderr, returncode), as errand-boy does."""
        with Client(self.socket_path) as client:
            if isinstance(cmd, str):
                done = client.run(shell=cmd)
            else:
                done = client.run(list(cmd))
        return done.stdout, done.stderr, done.returncode

    def get_session(self):
        return Session(self.socket_path)
