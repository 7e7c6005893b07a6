"""`python -m pipelines.privacy erase | export [--out FILE] | hash`.

The phone number or e-mail is read from THREADLINE_ERASE_CONTACT (what `make erase
CONTACT=...` and `make export-contact CONTACT=...` set), else from stdin: never from the
command line, so it shows in no process list and no Dagster run config.

- `erase` runs the Dagster job `erase_contact` in process (recorded in $DAGSTER_HOME
  like `make pipeline`'s runs) and prints what was removed, counts per place;
- `export` writes everything held about the person as JSON (stdout, or --out);
- `hash` prints the tombstone hash to put in the `erase_contact` job's config when
  launching it from the Dagster UI.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from pipelines.privacy.definitions import CONTACT_ENV
from pipelines.privacy.identifiers import tombstone_of
from pipelines.privacy.tombstones import checked_salt
from pipelines.settings import paths


def read_contact() -> str:
    contact = os.environ.get(CONTACT_ENV) or ("" if sys.stdin.isatty() else sys.stdin.readline())
    if not contact.strip():
        raise SystemExit(f"give the phone number or e-mail in {CONTACT_ENV} (make erase CONTACT=...) or on stdin")
    return contact.strip()


def run_erase(contact: str, verbose: bool) -> None:
    from pipelines.cli import _instance, outcome, run_config, terminal
    from pipelines.definitions import defs
    from pipelines.run_recovery import free_dead_runs, run_tags

    chosen = paths().ensure()
    tombstone = tombstone_of(contact, checked_salt(chosen.state))
    instance = _instance()
    free_dead_runs(instance)
    os.environ[CONTACT_ENV] = contact  # read by the op in this process only
    config = {**run_config(verbose), "ops": {"erase_contact_op": {"config": {"contact_hash": tombstone}}}}
    started = time.monotonic()
    try:
        with terminal(verbose) as out:
            result = defs.resolve_job_def("erase_contact").execute_in_process(
                instance=instance,
                raise_on_error=False,
                tags=run_tags(),
                run_config=config,
            )
            outcome("erase_contact", result, out)
    finally:
        os.environ.pop(CONTACT_ENV, None)
    report = result.output_for_node("erase_contact_op")
    print(f"THREADLINE_HOME={chosen.home}: erased in {time.monotonic() - started:.1f}s")
    print(f"  contacts in the warehouse: {report['contacts']}, identifiers: {report['identifiers']}, "
          f"new tombstone hashes: {report['tombstones_added']}")
    for place, count in sorted(report["removed"].items()):
        print(f"  {place:<36} {count:>7} removed")
    left = report["left"]
    print(f"  files still naming them: {len(left)}" + (f" ({', '.join(left)})" if left else ""))
    if left:
        raise SystemExit(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pipelines.privacy")
    parser.add_argument("command", choices=["erase", "export", "hash"])
    parser.add_argument("--out", type=Path, help="export: write the JSON here (default: stdout)")
    parser.add_argument("--verbose", action="store_true", help="erase: print the whole Dagster log")
    args = parser.parse_args(argv)
    contact = read_contact()
    if args.command == "erase":
        run_erase(contact, args.verbose)
    elif args.command == "hash":
        print(tombstone_of(contact, checked_salt(paths().ensure().state)))
    else:
        from pipelines.privacy.export import export_json

        text = export_json(paths(), contact)
        if args.out:
            args.out.write_text(text, encoding="utf-8")
            print(f"export written to {args.out}")
        else:
            sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
