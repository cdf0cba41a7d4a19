"""Helpers for the test suites of several apps (imported by tests only)."""

from __future__ import annotations


def fuzz_operations(
    schema, headers: dict[str, dict], *, examples: int, real_path: dict[str, str] | None = None
) -> list[int]:
    """Send schemathesis-generated requests to every operation of ``schema``, as each of the
    ``headers`` identities in turn, and fail on any 5xx ("never a 500 for anything a client can
    send"). With ``real_path`` ({"number": …}), half the cases use an existing object so the
    requests reach past the 404. Returns the status codes seen."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    failures, statuses = [], []
    real_path = real_path or {}
    for operation in [op.ok() for op in schema.get_all_operations()]:

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=operation.as_strategy(),
            who=st.sampled_from(sorted(headers)),
            use_real=st.booleans(),
        )
        def run(case, who, use_real):
            if use_real and case.path_parameters:
                for name, value in real_path.items():
                    if name in case.path_parameters:
                        case.path_parameters[name] = value
            response = case.call(headers=headers[who])
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(
                    (case.operation.label, case.path_parameters, case.query, case.body,
                     response.status_code, response.text[:300])
                )  # fmt: skip

        run()
    assert not failures, failures[:5]
    # The run really reached the endpoints: some requests succeeded.
    assert any(200 <= s < 300 for s in statuses), sorted(set(statuses))
    return statuses


def workbook_damaged_after_its_header(header: list[str]) -> bytes:
    """An .xlsx file that opens (its sheet's first part and dimension are readable) and breaks
    in its second row: a read-only workbook parses its sheet as it is read, so a reader that
    only guards the opening meets the error later (a 500, if nothing catches it there)."""
    import io
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(header)
    whole = io.BytesIO()
    book.save(whole)
    damaged = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(whole.getvalue())) as source,
        zipfile.ZipFile(damaged, "w") as out,
    ):
        for name in source.namelist():
            data = source.read(name)
            if name.endswith("sheet1.xml"):
                data = data.split(b"</row>")[0] + b'</row><row r="2"><c'
            out.writestr(name, data)
    return damaged.getvalue()
