"""The webhook receiver: signed Meta webhooks and token-checked Chatwoot webhooks to landing/.

    python -m pipelines.receiver --host 127.0.0.1 --port 8600

A body is answered 200 only once it sits, fsynced, in a `.jsonl.part` landing file;
requests waiting at the same moment share one fsync (group commit). See `app.py` for the
routes and `durable_log.py` for the file protocol.
"""
