"""Synthetic, deterministic person records for Sinergi (no Django import).

Used for demos, tests and the record-linkage benchmark: see :func:`generate_persons` and
:func:`spelling_variant`.
"""

from sinergi.synthetic.migration import Episode, Job
from sinergi.synthetic.names import NameGroup, Sex
from sinergi.synthetic.persons import Kind, SyntheticPerson, generate_persons
from sinergi.synthetic.spelling import spelling_variant

__all__ = [
    "Episode",
    "Job",
    "Kind",
    "NameGroup",
    "Sex",
    "SyntheticPerson",
    "generate_persons",
    "spelling_variant",
]
