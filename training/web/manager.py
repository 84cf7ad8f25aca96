"""The manager's pages: compliance dashboard, matrix, a person's record and exports, all within their scope."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session

from training.extensions import db, reader
from training.services import NotFound
from training.services import reports as report_service
from training.services.exports import csv_chunks, write_xlsx
from training.services.reports import FILTER_LABELS, FILTERS, STATUS_LABELS, STATUSES, Bar, MatrixFilters, MonthCount, StatusCounts
from training.services.scope import Scope, scope_for

from .access import protect
from .pagecache import cached_page

bp = protect(Blueprint("manager", __name__, url_prefix="/reports"), "manager")

MAX_PAGE = 1_000_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _scope() -> Scope:
    return scope_for(db.session, current_user._get_current_object())


def _filters() -> MatrixFilters:
    """The matrix filters from the query string; values that mean nothing fall back to the defaults."""
    args = request.args
    status = args.get("status") or None
    sort = args.get("sort", "name")
    return MatrixFilters(
        unit_id=args.get("unit", type=int),
        audience=args.get("audience") or None,
        module=args.get("module") or None,
        status=status if status in FILTERS else None,
        sort=sort if sort in report_service.SORTS else "name",
        # Far past the last page is still a page (an empty one), never a number the database cannot hold.
        page=min(max(1, args.get("page", 1, type=int) or 1), MAX_PAGE),
    )


def filter_args(filters: MatrixFilters, **changes: Any) -> dict[str, Any]:
    """Query-string arguments for these filters with some changed (None drops one); page 1 unless given."""
    values: dict[str, Any] = {
        "unit": filters.unit_id, "audience": filters.audience, "module": filters.module, "status": filters.status,
        "sort": None if filters.sort == "name" else filters.sort,
    }  # fmt: skip
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


@bp.context_processor
def report_helpers() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS, "statuses": STATUSES, "filters": FILTERS, "filter_labels": FILTER_LABELS,
        "filter_args": filter_args, "chart_rows": chart_rows, "month_chart": month_chart,
    }  # fmt: skip


# ---------------------------------------------------------------- chart geometry (SVG user units)

BAR_WIDTH = 1000


@dataclass(frozen=True)
class Segment:
    status: str
    x: int
    width: int
    count: int


def segments(counts: StatusCounts) -> list[Segment]:
    """A 100% stacked bar: one rectangle per status with any cells, in the order of STATUSES."""
    if not counts.total:
        return []
    placed, edge = [], 0
    running = 0
    for status in STATUSES:
        value = counts.get(status)
        if not value:
            continue
        running += value
        right = round(BAR_WIDTH * running / counts.total)
        placed.append(Segment(status, edge, right - edge, value))
        edge = right
    return placed


@dataclass(frozen=True)
class ChartRow:
    """One bar of a stacked chart, ready to print: its rectangles, its words for a screen reader, its numbers."""

    label: str
    unit_id: int | None
    current: int  # percent
    summary: str
    segments: list[Segment]
    numbers: list[str]  # one per status, then the total
    detail: str = ""  # what is not current, in words under the bar: colour is never the only sign


def chart_rows(bars: tuple[Bar, ...]) -> list[ChartRow]:
    rows = []
    for bar in bars:
        counts = bar.counts
        current = counts.percent("current")
        others = [f"{counts.get(s):,} {STATUS_LABELS[s].lower()}" for s in STATUSES if s != "current" and counts.get(s)]
        rest = "".join(f"; {other}" for other in others)
        numbers = [f"{counts.get(s):,}" for s in STATUSES] + [f"{counts.total:,}"]
        summary = f"{current}% current of {counts.total:,}{rest}"
        rows.append(ChartRow(bar.label, bar.unit_id, current, summary, segments(counts), numbers, " · ".join(others)))
    return rows


@dataclass(frozen=True)
class Column:
    label: str
    year: str
    value: int
    x: float
    y: float
    height: float
    share: int  # of BAR_WIDTH, for the narrow-screen version drawn as horizontal bars


@dataclass(frozen=True)
class MonthChart:
    width: int
    height: int
    baseline: float
    bar_width: float
    columns: tuple[Column, ...]
    top: int


def month_chart(months: tuple[MonthCount, ...]) -> MonthChart:
    width, height, left, right, top_pad, bottom = 960, 250, 10, 10, 28, 44
    plot = height - top_pad - bottom
    peak = max((m.completions for m in months), default=0) or 1
    slot = (width - left - right) / max(len(months), 1)
    bar = slot * 0.62
    columns = []
    for index, month in enumerate(months):
        h = plot * month.completions / peak
        x = left + index * slot + (slot - bar) / 2
        columns.append(
            Column(
                month.month.strftime("%b"), month.month.strftime("%Y"), month.completions, round(x, 1), round(top_pad + plot - h, 1), round(h, 1),
                round(BAR_WIDTH * month.completions / peak),
            )
        )  # fmt: skip
    return MonthChart(width, height, top_pad + plot, round(bar, 1), tuple(columns), peak)


# ---------------------------------------------------------------- pages


@bp.get("/")
def dashboard() -> ResponseReturnValue:
    try:
        view = report_service.dashboard(
            reader(), scope_for(reader(), current_user._get_current_object()), now=now(), unit_id=request.args.get("unit", type=int)
        )
    except NotFound:
        abort(404)
    # The figures are read on every request; the charts are drawn again only when the figures change.
    return cached_page(view, lambda: render_template("manager/dashboard.html", view=view))


@bp.get("/matrix")
def matrix() -> ResponseReturnValue:
    try:
        view = report_service.matrix(db.session, _scope(), _filters(), now=now())
    except NotFound:
        abort(404)
    return render_template("manager/matrix.html", view=view, page_size=report_service.PAGE_SIZE)


@bp.get("/people/<int:person_id>")
def person(person_id: int) -> ResponseReturnValue:
    try:
        view = report_service.person_report(db.session, _scope(), person_id, now=now())
    except NotFound:
        abort(404)
    return render_template("manager/person.html", view=view)


@bp.get("/exports")
def exports() -> ResponseReturnValue:
    filters = _filters()
    try:
        report_service.reach(db.session, _scope(), filters.unit_id)
    except NotFound:
        abort(404)
    return render_template("manager/exports.html", filters=filters, now_date=now().date().isoformat())


@bp.get("/exports/matrix.<fmt>")
def export_matrix(fmt: str) -> ResponseReturnValue:
    return _export(report_service.matrix_table, fmt)


@bp.get("/exports/overdue.<fmt>")
def export_overdue(fmt: str) -> ResponseReturnValue:
    return _export(report_service.overdue_table, fmt)


def _export(build: Callable[..., report_service.Table], fmt: str) -> ResponseReturnValue:
    if fmt not in ("csv", "xlsx"):
        abort(404)
    moment = now()
    # The export reads through a server-side cursor, which needs a transaction of its own (a GET may run
    # in autocommit) and keeps its connection until the last row is sent.
    connection = db.engine.connect()
    session = Session(bind=connection)

    def close() -> None:
        session.close()
        connection.close()

    try:
        table = build(session, scope_for(session, current_user._get_current_object()), _filters(), now=moment)
    except NotFound:
        close()
        abort(404)
    filename = f"conduit-{table.name}-{moment.date().isoformat()}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    if fmt == "csv":

        def text() -> Iterator[str]:
            try:
                yield from csv_chunks(table)
            finally:
                close()

        return Response(text(), mimetype="text/csv", headers=headers)
    # XlsxWriter needs the whole file before the zip directory is written: build it on disk, then stream it.
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the generator below
    try:
        write_xlsx(table, spooled)
    finally:
        close()
    size = spooled.seek(0, 2)
    spooled.seek(0)

    def chunks() -> Iterator[bytes]:
        with spooled:
            while block := spooled.read(64 * 1024):
                yield block

    response = Response(chunks(), mimetype=XLSX, headers=headers)
    response.headers["Content-Length"] = str(size)
    return response


@bp.route("/evidence", methods=["GET", "POST"])
def evidence() -> ResponseReturnValue:
    """The audit evidence pack for the people the viewer may see: a form, and the zip it asks for."""
    from flask import send_file

    from training.services import ServiceError
    from training.services.evidence import build_evidence_pack

    from .forms import EvidenceForm

    form = EvidenceForm()
    if form.validate_on_submit():
        framework = form.framework.data or None
        # Small packs stay in memory; a big organisation's spills to a temporary file. send_file closes it.
        pack = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115
        try:
            build_evidence_pack(
                db.session, _scope(), date_from=form.date_from.data, date_to=form.date_to.data, framework=framework, out=pack, now=now()
            )
        except ServiceError as error:
            pack.close()
            form.form_errors.append(str(error))
        else:
            pack.seek(0)
            name = f"conduit-evidence-{form.date_from.data.isoformat()}-to-{form.date_to.data.isoformat()}{'-' + framework if framework else ''}.zip"
            response = send_file(pack, mimetype="application/zip", as_attachment=True, download_name=name)
            response.headers["Cache-Control"] = "no-store"
            return response
    status = 400 if request.method == "POST" else 200
    return render_template("manager/evidence.html", form=form), status
