"""Triage: read an appeal in well under a millisecond and say why.

``assess(text, *, caller=None, when=None, city="4409") -> Assessment`` is pure (no database) and
explains itself. See docs/TRIAGE.md for the pipeline and the measured figures.
"""

from hotline.triage.assess import Assessment, assess
from hotline.triage.gazetteer import Place

__all__ = ["Assessment", "Place", "assess"]
