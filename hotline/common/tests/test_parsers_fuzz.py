"""Property tests (hypothesis) of the parsers that read what people and files send: identity
numbers, the knowledge import lines, and the maskers that stand between personal data and
every page, export and log line."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.accounts.audit import mask_text
from hotline.common.identity import (
    check_digit,
    id_hash,
    is_valid_id_number,
    normalize_id_number,
)
from hotline.common.masking import mask_address, mask_id_number, mask_name, mask_phone

FAST = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


@FAST
@given(st.text(max_size=40))
def test_identity_parsing_never_raises(text):
    assert isinstance(is_valid_id_number(text), bool)
    once = normalize_id_number(text)
    assert normalize_id_number(once) == once


@FAST
@given(
    region=st.from_regex(r"\A44[0-9]{4}\Z"),
    born=st.dates(min_value=__import__("datetime").date(1900, 1, 1)),
    seq=st.from_regex(r"\A[0-9]{3}\Z"),
)
def test_every_well_formed_number_is_valid_and_one_changed_digit_is_not(region, born, seq):
    first17 = f"{region}{born:%Y%m%d}{seq}"
    number = first17 + check_digit(first17)
    assert is_valid_id_number(number) and is_valid_id_number(" " + number.lower() + " ")
    changed = first17[:-1] + str((int(first17[-1]) + 1) % 10)
    assert not is_valid_id_number(changed + number[-1])
    assert len(id_hash(number)) == 64 and number not in mask_id_number(number)


@FAST
@given(st.text(max_size=60))
def test_maskers_never_raise_and_keep_length_bounded(text):
    for mask in (mask_phone, mask_name, mask_id_number):
        out = mask(text)
        assert len(out) <= len(text.strip())
    mask_address(text)
    mask_text(text)


@FAST
@given(st.from_regex(r"\A1[3-9][0-9]{9}\Z"), st.text(max_size=20), st.text(max_size=20))
def test_no_mobile_number_survives_mask_text(phone, before, after):
    # Digits glued to the number make it another number: separate it as a person would.
    out = mask_text(f"{before} {phone} {after}")
    assert phone not in out


@pytest.mark.django_db
@FAST
@given(st.lists(st.one_of(st.text(max_size=80), st.builds(json.dumps, st.dictionaries(
    st.sampled_from(["key", "title", "body", "tags", "category", "audience", "status", "x"]),
    st.one_of(st.text(max_size=30), st.integers(), st.none(), st.lists(st.text(max_size=5))),
    max_size=8,
))), max_size=6))  # fmt: skip
def test_knowledge_import_lines_fail_only_with_a_line_report(lines):
    from hotline.knowledge.importer import ImportFileError, parse_lines

    try:
        rows = parse_lines(lines)
    except ImportFileError as exc:
        assert exc.problems and all(isinstance(n, int) and msg for n, msg in exc.problems)
    else:
        assert all(isinstance(key, str) for key, _content, _status in rows)
