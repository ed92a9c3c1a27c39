"""The Python client against a real `divvy serve` (DIVVY_SOCKET names it). Run by the .NET test suite:
    DIVVY_SOCKET=/path/s.sock python3 -m unittest -v test_divvy_client
"""
import signal
import unittest

import divvy_client
from divvy_client import Client, PIPE, ServeError
from divvy_client.errand_boy import UNIXSocketTransport, SessionClosedError


class ClientTests(unittest.TestCase):
    def test_run_returns_output_exit_code_and_reason(self):
        with Client() as client:
            done = client.run(["sh", "-c", "echo out; echo err >&2; exit 3"])
        self.assertEqual((done.stdout, done.stderr, done.returncode, done.reason), (b"out\n", b"err\n", 3, "exited"))

    def test_every_byte_value_and_crlfcrlf_travel_unchanged(self):
        data = bytes(range(256)) * 64 + b"a\r\n\r\nb"
        with Client() as client:
            done = client.run(["cat"], input=data)
        self.assertEqual(done.stdout, data)

    def test_popen_communicate_sends_input_and_closes_stdin(self):
        with Client() as client:
            process = client.popen(["wc", "-c"], stdin=PIPE)
            stdout, _ = process.communicate(input="hello")
        self.assertEqual((stdout.strip(), process.returncode), (b"5", 0))

    def test_a_signal_ends_the_command_and_returncode_is_negative_as_in_subprocess(self):
        with Client() as client:
            process = client.popen(shell="echo ready; exec sleep 100", stdin=None)
            for stream, data in process.iter_output():
                if data == b"ready\n":
                    process.send_signal(signal.SIGTERM)
            self.assertEqual((process.returncode, process.exit["signal"]), (-signal.SIGTERM, "TERM"))

    def test_a_timeout_is_reported_as_such(self):
        with Client() as client:
            done = client.run(["sleep", "100"], timeout=0.3)
        self.assertEqual(done.reason, "timeout")

    def test_a_missing_program_is_exit_code_127_with_the_reason(self):
        with Client() as client:
            done = client.run(["no-such-program-divvy"])
        self.assertEqual((done.returncode, done.reason), (127, "spawn_failed"))

    def test_status_names_the_slots(self):
        with Client() as client:
            self.assertGreaterEqual(client.status()["slots"], 1)


class ErrandBoyShimTests(unittest.TestCase):
    def test_run_cmd_runs_a_shell_line_as_errand_boy_does(self):
        stdout, stderr, returncode = UNIXSocketTransport().run_cmd("echo hi; echo oops >&2; exit 4")
        self.assertEqual((stdout, stderr, returncode), (b"hi\n", b"oops\n", 4))

    def test_a_session_popen_communicates_and_refuses_calls_once_closed(self):
        transport = UNIXSocketTransport()
        with transport.get_session() as session:
            process = session.subprocess.Popen("cat", stdin=session.subprocess.PIPE, stdout=session.subprocess.PIPE, stderr=session.subprocess.PIPE)
            stdout, stderr = process.communicate(input=b"hello")
            self.assertEqual((stdout, process.returncode), (b"hello", 0))
        with self.assertRaises(SessionClosedError):
            session.subprocess.Popen("true")


if __name__ == "__main__":
    unittest.main()
