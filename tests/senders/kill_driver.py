"""Runs of the campaign CLI forked from one warm interpreter, for the kill test.

The interpreter imports `senders.campaign_cli` once (seconds on a busy machine), prints
`ready`, then for every `run` line on stdin forks a child that runs
`campaign_cli.main(<its own arguments>)`, prints the child's pid, waits for it and
prints `exit <code>` (negative: the signal that killed it). Each child is a real
process with its own ledger connection and HTTP client, killed with SIGKILL by the
test; only the import is shared, so twenty kills take seconds, not minutes.
"""

import os
import sys

from senders import campaign_cli


def main() -> None:
    arguments = sys.argv[1:]
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            continue
        pid = os.fork()
        if pid == 0:
            try:
                code = campaign_cli.main(arguments)
            except BaseException:  # noqa: BLE001 (reported as the exit code)
                code = 1
            sys.stdout.flush()
            os._exit(code)
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"exit {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    main()
