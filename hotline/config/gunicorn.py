"""gunicorn settings read by `hotline serve` (``--config python:hotline.config.gunicorn``).

Each worker warms what the first request would otherwise load: the triage model, tokeniser and
gazetteer (about 0.2 s) and the knowledge-base index (about 1 s at 10,000 articles). Without
this, the first agent to type into the intake page after a restart waits for all of it.
"""


def post_worker_init(worker):
    from hotline.common.warmup import warm

    warm()
