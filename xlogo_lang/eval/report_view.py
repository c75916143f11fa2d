"""A report shown: rich tables for the terminal, PNG charts and a self-contained HTML page.

Everything here reads a built `Report` (`report.py`) and changes nothing; matplotlib is imported
only for the charts, which are drawn on Figures of their own (not pyplot: the backend a caller
chose is left alone).
"""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..files import make_folder
from .arguments import path_text
from .failures import FAILURE_WORDS
from .passk import bootstrap_ci
from .report import Report, RunStats, mean, sorted_by_id
from .skills import SKILLS

# -- rich tables -----------------------------------------------------------------------------


def tables(report: Report) -> list[Any]:
    """The overall, runs, solver, per-skill and failure tables, in the order they print."""
    tables = [
        overall_table(report),
        runs_table(report),
        skills_table(report),
        failures_table(report),
    ]
    if report.baseline.available:
        tables.insert(2, solver_table(report))
    return tables


def overall_title(report: Report) -> str:
    """'Overall (62 tasks)', or '(3 of 62 tasks attempted)' for a run of part of the set: the
    task set's size alone read as the size of what the runs were measured on."""
    n, tried = len(report.task_ids), len(report.attempted_ids)
    return f"Overall ({tried} of {n} tasks attempted)" if tried < n else f"Overall ({n} tasks)"


def shown_ks(report: Report) -> list[int]:
    """The k > 1 some run is shown pass@k for (its own sample count among them), in order."""
    return sorted({k for r in report.runs for k in r.ks(report.ks) if k > 1})


def overall_table(report: Report) -> Any:
    from rich.markup import escape  # run names are file names and model ids: `[x]` is text
    from rich.table import Table

    n = len(report.task_ids)
    extra_ks = shown_ks(report)
    overall = Table(
        title=overall_title(report),
        title_justify="left",
        caption=published_note(report),
        caption_justify="left",
    )
    overall.add_column("run")
    for col in (
        "attempts",
        "tasks tried",
        "tasks solved",
        "pass@1",
        "95% CI",
        *[f"pass@{k}" for k in extra_ks],
        "no reply",
    ):
        overall.add_column(col, justify="right")
    for r in report.runs:
        overall.add_row(escape(r.name), *_overall_cells(r, n, extra_ks))
    b = report.baseline
    dashes = ["-"] * len(extra_ks)
    if b.available:
        overall.add_row(
            "solver (baseline)", "-", f"{len(b.status)}/{n}", str(b.count("solved")),
            _pct(b.success(report.task_ids)), "-", *dashes, "-",
        )  # fmt: skip
    else:
        overall.add_row("solver (baseline)", "-", "-", "-", "-", "-", *dashes, "-")
    return overall


def published_note(report: Report) -> str | None:
    """The paper's rates under the overall table, for a report on real tasks."""
    published = report.published()
    if published is None:
        return None
    rates = ", ".join(f"{model} {rate * 100:g}%" for model, rate in published["success"].items())
    covered, other, total = published["tasks_covered"], published["tasks_other"], published["tasks"]
    if other:
        over = f"{covered + other} tasks, {covered} of them among the {total}"
    else:
        over = f"the same {total}" if covered == total else f"{covered} of them"
    source = published["source"]
    return f"published on all {total} real tasks ({source}): {rates}; pass@1 here is over {over}"


def _overall_cells(r: RunStats, n: int, extra_ks: list[int]) -> list[str]:
    """A run's cells after its name: "-" for a pass@k its samples do not allow."""
    s = r.success()
    lo, hi = bootstrap_ci(r.task_rates())
    ks = r.pass_at_k(tuple(extra_ks))
    return [
        str(r.attempts), f"{r.tasks_attempted}/{n}", str(r.tasks_solved), _pct(s),
        f"{_pct(lo)}-{_pct(hi)}" if s is not None else "-",
        *[_pct(ks[k]["value"]) if k in ks else "-" for k in extra_ks], str(r.errors),
    ]  # fmt: skip


def runs_table(report: Report) -> Any:
    from rich.markup import escape
    from rich.table import Table

    b = report.baseline
    about = Table(title="Runs", title_justify="left")
    for col in ("run", "model", "mode", "answer", "template", "tokens in", "tokens out"):
        about.add_column(col, justify="right" if col.startswith("tokens") else "left")
    for r in report.runs:
        about.add_row(
            escape(r.name),
            escape(r.model),
            r.mode,
            r.answer_format,
            r.template_hash,
            str(r.prompt_tokens),
            str(r.completion_tokens),
        )
    if b.available:
        about.add_row(
            "solver (baseline)", f"symbolic (enumerative), {b.limit}", "-", "-", "-", "-", "-"
        )
    else:
        about.add_row("solver (baseline)", b.note or "unavailable", "-", "-", "-", "-", "-")
    return about


def skills_table(report: Report) -> Any:
    """Success per skill over the attempted tasks with the skill; the caption says where the
    program skills came from, since reference and solver solutions can label a task apart."""
    from rich.markup import escape
    from rich.table import Table

    b = report.baseline
    notes = [report.skills_from_text()]
    if report.runs_differ_in_tasks():
        notes.append("the runs attempted different tasks: each rate is over its run's own")
    per_skill = Table(
        title="Success per skill (pass@1 over the attempted tasks with the skill)",
        title_justify="left",
        caption="; ".join(notes),
        caption_justify="left",
    )
    per_skill.add_column("skill")
    part = len(report.attempted_ids) < len(report.task_ids)
    per_skill.add_column("tasks attempted" if part else "tasks", justify="right")
    for r in report.runs:
        per_skill.add_column(escape(r.name), justify="right")
    per_skill.add_column("solver", justify="right")
    for skill in SKILLS:
        ids = report.attempted_skill_ids(skill)
        total = report.skill_total(skill)
        per_skill.add_row(
            skill,
            f"{len(ids)} of {total}" if part and total is not None else str(len(ids)),
            *[_pct(r.success(ids)) for r in report.runs],
            _pct(b.success(ids)) if b.available else "-",
        )
    return per_skill


def failures_table(report: Report) -> Any:
    from rich.markup import escape
    from rich.table import Table

    fails = Table(title="Failure types (attempts; % of each run's attempts)", title_justify="left")
    fails.add_column("failure")
    for r in report.runs:
        fails.add_column(escape(r.name), justify="right")
    for key in report.failure_keys():
        fails.add_row(
            FAILURE_WORDS.get(key, key),
            *[f"{r.failures.get(key, 0)} ({_pct(failure_share(r, key))})" for r in report.runs],
        )
    fails.add_row(
        "[dim]mean commands before a crash[/dim]", *[_num(r.mean_crash_step) for r in report.runs]
    )
    limit = report.repair_timeout
    bound = f" (repair: at most {limit:g} s per program)" if limit is not None else ""
    fails.add_row(
        f"[dim]mean edit distance to a solution{bound}[/dim]",
        *[_num(r.mean_edit_distance) for r in report.runs],
    )
    return fails


def failure_share(r: RunStats, key: str) -> float | None:
    """The share of a run's attempts that failed as `key`: what the table and the chart show,
    so that runs with 1 and 5 samples per task compare."""
    return _share(r.failures.get(key, 0), r.attempts)


def solver_table(report: Report) -> Any:
    """What the solver proved, and apart from it what it only found before it was stopped."""
    from rich.table import Table

    b = report.baseline
    table = Table(
        title=f"Solver baseline (enumerative, {b.limit}; only proved sizes are shortest)",
        title_justify="left",
    )
    table.add_column("outcome")
    table.add_column("tasks", justify="right")
    table.add_column("sizes (blocks)")
    sizes = list(b.sizes.values())
    table.add_row(
        "solved, proved shortest",
        str(b.count("solved")),
        f"mean {_num(mean(sizes))}, max {max(sizes)}" if sizes else "-",
    )
    if b.count("timeout"):
        found = ", ".join(f"{t}: {n}" for t, n in sorted_by_id(b.found_sizes).items())
        table.add_row("timeout: program found, not proved shortest", str(len(b.found_sizes)), found)
        if none := b.count("timeout") - len(b.found_sizes):
            table.add_row("timeout: no program found", str(none), "-")
    if b.count("no_solution"):
        table.add_row("no solution within the size bound", str(b.count("no_solution")), "-")
    if b.count("error"):
        table.add_row(f"solver error ({b.note})", str(b.count("error")), "-")
    return table


def render(report: Report, console: Any) -> None:
    for t in tables(report):
        console.print(t)
        console.print()


# -- charts and HTML -------------------------------------------------------------------------


def charts(report: Report) -> dict[str, bytes]:
    """PNG charts: per-skill success and failure types, side by side for every run."""
    return {"skills": _png(skills_figure(report)), "failures": _png(failures_figure(report))}


def skills_figure(report: Report) -> Any:
    """Success per skill, as in the table: a skill a run attempted no task of gets no bar,
    labelled "-" as in the table, not a bar at 0% that reads as every such task failed."""
    # a Figure of its own, not pyplot: no global backend to switch (a caller's notebook keeps
    # its own) and no figure left in pyplot's registry when a chart fails half-way
    from matplotlib.figure import Figure

    names = [r.name for r in report.runs] + (["solver"] if report.baseline.available else [])
    fig = Figure(figsize=(max(7, 1.1 * len(SKILLS) * max(1, len(names)) / 2), 4))
    ax = fig.subplots()
    width = 0.8 / max(1, len(names))
    for j, name in enumerate(names):
        vals = []
        for s in SKILLS:
            ids = report.attempted_skill_ids(s)
            run = report.runs[j] if j < len(report.runs) else report.baseline
            v = run.success(ids)
            vals.append(100 * v if v is not None else math.nan)  # NaN: no bar is drawn
        xs = [i + j * width for i in range(len(SKILLS))]
        ax.bar(xs, vals, width, label=name)
        # a bar of 0% is as flat as none: each says its number, or "-" as the table does
        for x, v in zip(xs, vals, strict=True):
            label, top = ("-", 0.0) if math.isnan(v) else (f"{v:.0f}%", v)
            ax.text(x, top, label, ha="center", va="bottom", fontsize="x-small")
    ax.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(SKILLS))])
    ax.set_xticklabels([s.replace("_", " ") for s in SKILLS], rotation=20, ha="right")
    ax.set_ylabel("success (%)")
    ax.set_ylim(0, 108)  # room for the labels of bars at 100%
    ax.set_yticks(range(0, 101, 20))
    ax.set_title("Success per skill")
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def failures_figure(report: Report) -> Any:
    """Failure types as shares of each run's attempts, as in the table: raw counts made a
    5-sample run's bars five times a 1-sample run's."""
    from matplotlib.figure import Figure

    keys = report.failure_keys()
    fig = Figure(figsize=(8, max(2.5, 0.35 * max(1, len(keys)) * max(1, len(report.runs)) + 1)))
    ax = fig.subplots()
    height = 0.8 / max(1, len(report.runs))
    for j, r in enumerate(report.runs):
        ax.barh(
            [i + j * height for i in range(len(keys))],
            [100 * (failure_share(r, k) or 0) for k in keys],
            height,
            label=r.name,
        )
    ax.set_yticks([i + height * (len(report.runs) - 1) / 2 for i in range(len(keys))])
    ax.set_yticklabels([FAILURE_WORDS.get(k, k) for k in keys], fontsize="small")
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of the run's attempts")
    ax.set_title("Failure types (% of each run's attempts)")
    if report.runs:
        ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def write_html(report: Report, path: str | Path) -> list[Path]:
    """The HTML page (charts embedded) plus the charts as PNG files beside it. `path` is the
    page's file, its folder made if missing; a folder given instead is refused before anything
    is drawn (its charts went beside it, `/tmp` giving `/tmp_skills.png`, before the page
    failed)."""
    p = Path(path_text("path", path))
    if p.is_dir():
        raise UsageError(
            "is a folder: give the page's file name (its charts are written beside it)",
            file=str(p),
        )
    make_folder(p.parent, p, "the folder for the report")
    pictures = charts(report)
    written = []
    try:
        for name, data in pictures.items():
            png = p.with_name(f"{p.stem}_{name}.png")
            png.write_bytes(data)
            written.append(png)
        p.write_text(_html(report, pictures), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the report: {exc.strerror or exc}", file=str(p)) from None
    return [p, *written]


def _html(report: Report, charts: dict[str, bytes]) -> str:
    from rich.console import Console

    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>xlogo report</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:72em}"
        "table{border-collapse:collapse;margin-bottom:2em}"
        "td,th{border:1px solid #ccc;padding:.3em .6em}"
        "td{text-align:right}td:first-child{text-align:left}"
        "caption{text-align:left;font-weight:bold;padding:.4em 0}"
        "p.note{margin-top:-1.5em;color:#555}</style>",
        "</head><body><h1>xlogo evaluation report</h1>",
    ]
    parts.extend(f"<p><b>warning:</b> {html.escape(w)}</p>" for w in report.warnings())
    for table in tables(report):
        parts.append(_table_html(table, Console(width=200)))
    for name, data in charts.items():
        b64 = base64.b64encode(data).decode("ascii")
        parts.append(
            f"<h2>{html.escape(name.capitalize())}</h2>"
            f"<img alt='{name}' src='data:image/png;base64,{b64}'>"
        )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return buf.getvalue()


def _table_html(table: Any, console: Any) -> str:
    """A rich Table as an HTML table (cells rendered to plain text)."""
    from rich.text import Text

    def plain(cell: Any) -> str:
        if isinstance(cell, Text):
            return cell.plain
        return Text.from_markup(str(cell)).plain if isinstance(cell, str) else str(cell)

    title = plain(table.title) if table.title else ""
    head = "".join(f"<th>{html.escape(plain(c.header))}</th>" for c in table.columns)
    rows = []
    for i in range(table.row_count):
        cells = "".join(f"<td>{html.escape(plain(list(c.cells)[i]))}</td>" for c in table.columns)
        rows.append(f"<tr>{cells}</tr>")
    note = f"<p class='note'>{html.escape(plain(table.caption))}</p>" if table.caption else ""
    return (
        f"<table><caption>{html.escape(title)}</caption><tr>{head}</tr>{''.join(rows)}</table>"
        + note
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f}%"


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"
