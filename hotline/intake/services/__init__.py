"""Every write of the intake app: each door parses its input elsewhere and calls one of these,
which hand the appeal to ``orders.services.receive`` / ``receive_batch`` (the seam)."""

from .channels import check_signature, hook_secret, open311_key, receive_hook, receive_open311, sign
from .imports import create_job, run, run_job, start_job, validate
from .portal import Submission, rate, send_code, submit, track, verify_code

__all__ = [
    "Submission",
    "check_signature",
    "create_job",
    "hook_secret",
    "open311_key",
    "rate",
    "receive_hook",
    "receive_open311",
    "run",
    "run_job",
    "send_code",
    "sign",
    "start_job",
    "submit",
    "track",
    "validate",
    "verify_code",
]
