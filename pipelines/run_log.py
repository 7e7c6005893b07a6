"""What `make pipeline` shows: one line per stage, the full log in a file.

`quiet_output(log_file)` sends everything the process writes to stdout and stderr (the
Dagster debug log, dbt's own output, warnings) into the log file and returns a stream
on the terminal. The `stages` logger, given that stream, prints one line per finished
stage with its counts, seconds and rejects, a progress line every PROGRESS_SECONDS
while a stage runs, and failed checks and steps with their reason.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import dagster as dg

PROGRESS_SECONDS = 15.0
NOTHING_NEW = "nothing new"
NOT_CONFIGURED = "connectors not configured (their variables: README, Connectors)"
QUIET_SUMMARIES = {NOTHING_NEW, NOT_CONFIGURED}

# where the `stages` logger prints (set by `quiet_output`; stdout otherwise)
_report: TextIO | None = None


@contextmanager
def quiet_output(log_file: Path) -> Iterator[TextIO]:
    """Everything written to fds 1 and 2 goes to `log_file` (appended); yields a stream
    on the original stdout for the stage lines."""
    global _report
    log_file.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    terminal = os.fdopen(os.dup(1), "w", buffering=1)
    log_fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    _report = terminal
    try:
        yield terminal
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_out, 1)
        os.dup2(saved_err, 2)
        os.close(saved_out)
        os.close(saved_err)
        _report = None
        terminal.close()


def error_reason(error: Any) -> str:
    """The first line of the error a step raised (a SerializableErrorInfo chain), without
    its class name: "dagster._core.definitions.events.Failure: why" -> "why"."""
    while error is not None and error.cause is not None:
        error = error.cause
    message = (error.message if error else "failed").strip().splitlines()[0]
    return re.sub(r"^[\w.]+(Error|Exception|Failure): ", "", message)


def stage_name(step_key: str) -> str:
    """`ingest_whatsapp` → `ingest whatsapp`, `senders__x` → `campaign x`, …"""
    if step_key.startswith("ingest_"):
        return f"ingest {step_key.removeprefix('ingest_')}"
    if step_key.startswith("senders__"):
        return f"campaign {step_key.removeprefix('senders__')}"
    if step_key.startswith("landing__"):
        return f"connector {step_key.removeprefix('landing__')}"
    return {
        "threadline_dbt": "dbt build",
        "raw__phone_numbers": "phone numbers",
        "raw__contact_registry_state": "contact registry",
        "raw__segment_membership_state": "segment membership history",
        "serving__warehouse_snapshot": "publish serving copy",
    }.get(step_key, step_key.replace("__", "."))


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) else 0


def summary(step_key: str, metadata: dict[str, Any]) -> str:
    """The counts worth a glance, from the stage's materialization metadata."""
    if {"files", "lines"} <= metadata.keys() and not _int(metadata["files"]):
        return NOTHING_NEW
    if {"files", "lines"} <= metadata.keys():
        text = f"{_int(metadata['lines']):,} lines from {_int(metadata['files']):,} new files"
        if _int(metadata.get("rejected")):
            text += f", {_int(metadata['rejected']):,} rejected (raw.rejected_records)"
        if _int(metadata.get("erased")):
            text += f", {_int(metadata['erased']):,} of erased people dropped (docs/privacy.md)"
        return text
    if metadata.get("configured") is False:
        return NOT_CONFIGURED
    if "audience" in metadata:
        skipped = sum(_int(v) for k, v in metadata.items() if k.startswith("skipped_"))
        parts = [f"audience {_int(metadata['audience']):,}", f"accepted {_int(metadata.get('accepted')):,}",
                 f"skipped {skipped:,}"]
        parts += [f"{k} {_int(metadata[k]):,}" for k in ("failed", "unknown") if _int(metadata.get(k))]
        return ", ".join(parts)
    if step_key == "ingest_campaign_sends":
        return f"{_int(metadata.get('rows')):,} sends in the ledger"
    if step_key == "raw__phone_numbers":
        return f"{_int(metadata.get('added')):,} new, {_int(metadata.get('total')):,} known"
    if step_key == "serving__warehouse_snapshot":
        return "dashboards read it now"
    numbers = [f"{k} {_int(v):,}" for k, v in metadata.items() if isinstance(v, int) and not isinstance(v, bool)]
    return ", ".join(numbers[:4])


@dataclass
class _Stage:
    key: str
    started: float
    metadata: dict[str, Any] = field(default_factory=dict)
    materialized: int = 0
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)


class StageReporter(logging.Handler):
    """Turns the Dagster events of a run into stage lines on `stream`."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(level=logging.DEBUG)
        self.stream = stream
        self.stages: dict[str, _Stage] = {}
        self.quiet: dict[str, list[str]] = {}  # "nothing new" / "not configured" -> stages
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._ticker.start()

    def say(self, text: str) -> None:
        with self._lock:
            if self.stream.closed:
                return
            self.stream.write(text + "\n")
            self.stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(PROGRESS_SECONDS):
            now = time.monotonic()
            for stage in list(self.stages.values()):
                done = f", {stage.materialized + stage.checks_passed:,} models/tests done" if stage.materialized else ""
                self.say(f"  {stage_name(stage.key):<34} … running {now - stage.started:.0f} s{done}")

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_event", None)
        if event is None:
            return
        try:
            if event.event_type in (dg.DagsterEventType.RUN_SUCCESS, dg.DagsterEventType.RUN_FAILURE):
                self._flush_quiet()
                self._stop.set()  # (not in close(): logging.config calls close on every handler)
            elif event.step_key:
                self._on_event(event)
        except Exception:  # a report line must never fail the run
            self.handleError(record)

    def _on_event(self, event: dg.DagsterEvent) -> None:
        key = event.step_key
        if event.is_step_start:
            self.stages[key] = _Stage(key, time.monotonic())
            return
        stage = self.stages.get(key)
        if stage is None:
            return
        if event.is_step_materialization:
            materialization = event.step_materialization_data.materialization
            stage.materialized += 1
            if not stage.metadata:
                stage.metadata = {k: getattr(v, "value", v) for k, v in materialization.metadata.items()}
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.asset_check_evaluation_data
            if evaluation.passed:
                stage.checks_passed += 1
            else:
                stage.checks_failed.append(evaluation.check_name)
                rejected = evaluation.metadata.get("rejected")
                detail = f": {rejected.value:,} rejected lines (raw.rejected_records)" if rejected else ""
                severity = "warning" if evaluation.severity == dg.AssetCheckSeverity.WARN else "error"
                if key != "threadline_dbt":
                    self.say(f"  check {evaluation.check_name} failed ({severity}){detail}")
        elif event.is_step_success:
            del self.stages[key]
            if not stage.materialized:
                return  # an asset check's step: only a failed check is worth a line (above)
            text = self._summary(stage)
            if text in QUIET_SUMMARIES:
                self.quiet.setdefault(text, []).append(stage_name(key).split(" ", 1)[-1])
                return
            if not stage_name(key).startswith(("ingest ", "connector ")):
                self._flush_quiet()
            self.say(f"  {stage_name(key):<34} {text:<60} {time.monotonic() - stage.started:6.1f} s")
        elif event.is_step_failure:
            del self.stages[key]
            self.say(f"  {stage_name(key):<34} FAILED: {error_reason(event.step_failure_data.error)}")

    def _flush_quiet(self) -> None:
        for text, names in self.quiet.items():
            self.say(f"  {text}: {', '.join(names)}")
        self.quiet.clear()

    def _summary(self, stage: _Stage) -> str:
        if stage.key == "threadline_dbt":
            failed = len(stage.checks_failed)
            text = f"{stage.materialized:,} models and seeds, {stage.checks_passed:,} tests passed"
            return text + (f", {failed} failed ({', '.join(stage.checks_failed[:3])})" if failed else "")
        return summary(stage.key, stage.metadata)


@dg.logger(
    config_schema={"stages": dg.Field(bool, default_value=False)},
    description="One line per stage on the terminal (pipelines.cli turns it on).",
)
def stage_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("threadline.stages", level=logging.DEBUG)
    if init_context.logger_config["stages"]:
        logger.addHandler(StageReporter(_report or sys.stdout))
    return logger
