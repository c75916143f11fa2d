"""Pictures of tasks (and of a program's run on them) as PNG (Pillow) or SVG.

The picture is first laid out as a `Scene`, a flat list of shapes in pixel coordinates, and then
painted by one of two small back ends, so the PNG a vision model sees and the SVG a person opens
show exactly the same thing: the grid with coordinates, walls, forbidden cells (grey, hatched),
missing cells (left blank), items as coloured shapes with their counts, the turtle as a green
arrow pointing its heading, and the target picture's lines in their colours. With a program, the
lines it drew, the cells it visited and where it crashed (a move off the grid: against the edge it
crossed) are drawn on top, and the target's lines in lighter tints beneath them.

This module draws only: it never decides whether a program solves a task (the verdict does) and
it imports Pillow only inside `render_png`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from ..ast import Program, check_tree
from ..errors import UsageError
from ..files import write_file
from ..task_format import check_task
from ..tasks import Task
from ..world import COLOR_TO_HEX, LETTERS, World
from .arguments import path_text

CELL = 64  # pixels per cell
MARGIN = 26  # room for the coordinates on the top and left
PAD = 8  # room on the bottom and right

PEN_RGB = COLOR_TO_HEX  # a line is drawn in the colour its task file names
ITEM_RGB = {
    **PEN_RGB,
    "yellow": "#F9C800",
    "orange": "#FF8F00",
    "purple": "#8E24AA",
    "pink": "#F06292",
}
ITEM_NO_COLOR_RGB = "#795548"  # items without a colour (and colours not listed)
FLOOR = "#F4F4F0"
GRID = "#C8C8C0"
FORBIDDEN = "#A8A8A8"
HATCH = "#7A7A7A"
WALL = "#2B2118"
TURTLE = "#2E7D32"
TEXT = "#333333"


@dataclass(frozen=True)
class Shape:
    kind: str  # rect | line | polygon | ellipse | text
    points: tuple[float, ...]
    fill: str | None = None
    outline: str | None = None
    width: float = 1
    text: str = ""
    size: int = 12


@dataclass
class Scene:
    width: int
    height: int
    shapes: list[Shape] = field(default_factory=list)

    def add(self, kind: str, *points: float, **kw: object) -> None:
        self.shapes.append(Shape(kind, tuple(points), **kw))  # type: ignore[arg-type]


def _centre(x: int, y: int) -> tuple[float, float]:
    return MARGIN + x * CELL + CELL / 2, MARGIN + y * CELL + CELL / 2


def scene(task: Task, program: Program | None = None, who: str = "scene") -> Scene:
    """Lay out the picture of `task` (and of `program`'s run when given). A task that is not a
    Task, or a program that is not a Program (text: parse it first), is a TypeError naming `who`,
    the public function it was given to, as in `run`."""
    check_task(task, who)
    if program is not None:
        check_tree(program, who=who)
    w = task.world
    sc = Scene(MARGIN + w.cols * CELL + PAD, MARGIN + w.rows * CELL + PAD)
    sc.add("rect", 0, 0, sc.width, sc.height, fill="#FFFFFF")
    _cells(sc, w)
    _coordinates(sc, w)
    _target_lines(sc, w, faded=program is not None)
    for index in sorted(w.items):
        _item(sc, w, index)
    if program is not None:
        _run(sc, task, program)
    _walls(sc, w)
    t = w.turtle
    _turtle(sc, t.x, t.y, t.direction, TURTLE)
    return sc


def _cells(sc: Scene, w: World) -> None:
    for tile in w.tiles:
        if not tile.exist:
            continue
        x0, y0 = MARGIN + tile.x * CELL, MARGIN + tile.y * CELL
        x1, y1 = x0 + CELL, y0 + CELL
        sc.add(
            "rect", x0, y0, x1, y1, fill=FLOOR if tile.allowed else FORBIDDEN, outline=GRID, width=1
        )
        if not tile.allowed:
            h = CELL / 2
            for a, b, c, d in (
                (x0, y0 + h, x0 + h, y0),
                (x0, y1, x1, y0),
                (x0 + h, y1, x1, y0 + h),
            ):
                sc.add("line", a, b, c, d, outline=HATCH, width=2)


def _coordinates(sc: Scene, w: World) -> None:
    for x in range(w.cols):
        sc.add("text", MARGIN + x * CELL + CELL / 2, MARGIN / 2, fill=TEXT, text=str(x), size=13)
    for y in range(w.rows):
        sc.add("text", MARGIN / 2, MARGIN + y * CELL + CELL / 2, fill=TEXT, text=str(y), size=13)


def _segment(
    sc: Scene,
    a: tuple[int, int],
    b: tuple[int, int],
    color: str,
    width: float,
    *,
    faded: bool = False,
) -> None:
    (ax, ay), (bx, by) = _centre(*a), _centre(*b)
    rgb = PEN_RGB.get(color, "#000000")
    if color == "white":  # a white line needs an edge to be seen on a light floor
        sc.add("line", ax, ay, bx, by, outline="#9A9A9A", width=width + 4)
    sc.add("line", ax, ay, bx, by, outline=_tint(rgb) if faded else rgb, width=width)


def _tint(rgb: str) -> str:
    """`rgb` mixed 60% towards white: a target line under a program's run, so that the lines the
    program drew in the same colour (narrower, on top) stand out from the ones it did not."""
    return "#" + "".join(
        f"{round(int(rgb[i : i + 2], 16) * 0.4 + 255 * 0.6):02X}" for i in (1, 3, 5)
    )


def _target_lines(sc: Scene, w: World, *, faded: bool) -> None:
    for ln in w.lines:
        for a, b in ln.unit_segments():
            _segment(sc, a, b, ln.color, 6 if faded else 8, faded=faded)


def _item(sc: Scene, w: World, index: int) -> None:
    item = w.items[index]
    x, y = w.cell(index)
    cx, cy = _centre(x, y)
    r = CELL * 0.28
    color = ITEM_NO_COLOR_RGB if item.color is None else ITEM_RGB.get(item.color, ITEM_NO_COLOR_RGB)
    name = item.name
    if name == "strawberry":
        sc.add(
            "polygon",
            cx - r,
            cy - r * 0.55,
            cx + r,
            cy - r * 0.55,
            cx,
            cy + r,
            fill=color,
            outline="#7F0000",
        )
        sc.add(
            "ellipse", cx - r, cy - r * 0.95, cx + r, cy - r * 0.15, fill=color, outline="#7F0000"
        )
        sc.add(
            "polygon",
            cx - r * 0.5,
            cy - r * 1.05,
            cx + r * 0.5,
            cy - r * 1.05,
            cx,
            cy - r * 0.55,
            fill="#2E7D32",
        )
    elif name == "lemon":
        sc.add(
            "ellipse",
            cx - r * 1.1,
            cy - r * 0.7,
            cx + r * 1.1,
            cy + r * 0.7,
            fill=color,
            outline="#8D6E00",
        )
    elif name == "triangle":
        sc.add(
            "polygon",
            cx,
            cy - r,
            cx + r,
            cy + r * 0.8,
            cx - r,
            cy + r * 0.8,
            fill=color,
            outline="#222222",
        )
    elif name == "rectangle":
        sc.add("rect", cx - r, cy - r * 0.7, cx + r, cy + r * 0.7, fill=color, outline="#222222")
    elif name == "cross":
        t = r * 0.35
        sc.add("rect", cx - r, cy - t, cx + r, cy + t, fill=color)
        sc.add("rect", cx - t, cy - r, cx + t, cy + r, fill=color)
    elif name == "circle":
        sc.add("ellipse", cx - r, cy - r, cx + r, cy + r, fill=color, outline="#222222")
    elif name in LETTERS:
        sc.add("text", cx, cy, fill=color, text=name, size=30)
    else:  # a platform decoration (house, boxes): a labelled square, outside the catalogue
        sc.add("rect", cx - r, cy - r, cx + r, cy + r, fill="#D7CCC8", outline="#5D4037")
        sc.add("text", cx, cy, fill="#3E2723", text=name[:5], size=10)
    if item.count is not None and item.count > 1:
        bx, by = cx + CELL * 0.3, cy + CELL * 0.3
        sc.add("ellipse", bx - 9, by - 9, bx + 9, by + 9, fill="#FFFFFF", outline=TEXT)
        sc.add("text", bx, by, fill=TEXT, text=str(item.count), size=13)


def _walls(sc: Scene, w: World) -> None:
    for tile in w.tiles:
        x0, y0 = MARGIN + tile.x * CELL, MARGIN + tile.y * CELL
        x1, y1 = x0 + CELL, y0 + CELL
        edges = {
            "top": (x0, y0, x1, y0),
            "bottom": (x0, y1, x1, y1),
            "left": (x0, y0, x0, y1),
            "right": (x1, y0, x1, y1),
        }
        for side in sorted(tile.walls):
            sc.add("line", *edges[side], outline=WALL, width=6)


def _turtle(sc: Scene, x: int, y: int, direction: int, color: str, hollow: bool = False) -> None:
    cx, cy = _centre(x, y)
    r = CELL * 0.3
    # an arrow pointing north, turned to the heading
    pts = [(0, -r), (r * 0.75, r * 0.7), (0, r * 0.35), (-r * 0.75, r * 0.7)]
    rot = {
        0: lambda a, b: (a, b),
        1: lambda a, b: (-b, a),
        2: lambda a, b: (-a, -b),
        3: lambda a, b: (b, -a),
    }[direction]
    flat: list[float] = []
    for a, b in pts:
        dx, dy = rot(a, b)
        flat += [cx + dx, cy + dy]
    sc.add(
        "polygon",
        *flat,
        fill=None if hollow else color,
        outline=color if hollow else "#1B5E20",
        width=3 if hollow else 1,
    )


def _run(sc: Scene, task: Task, program: Program) -> None:
    from ..interpreter import execute

    ex = execute(task.world, program)
    w = task.world
    last = None
    for step in ex.steps:
        if step.segment is not None:
            a, b = step.segment
            _segment(sc, a, b, step.pen, 3)
        last = step
    for cell in dict.fromkeys(ex.cells):
        cx, cy = _centre(*w.cell(cell))
        sc.add("ellipse", cx - 4, cy - 4, cx + 4, cy + 4, fill="#1565C0")
    crash = ex.crash
    if crash is not None and crash.x is not None and crash.y is not None:
        k = CELL * 0.3
        # a move off the grid crashes at a cell outside the picture: the cross goes against the
        # edge it crossed, inside the cell it left (a move is one cell, so clamping finds it)
        x, y = min(max(crash.x, 0), w.cols - 1), min(max(crash.y, 0), w.rows - 1)
        cx, cy = _centre(x, y)
        cx += (crash.x - x) * (CELL / 2 - k)
        cy += (crash.y - y) * (CELL / 2 - k)
        sc.add("line", cx - k, cy - k, cx + k, cy + k, outline="#C62828", width=5)
        sc.add("line", cx - k, cy + k, cx + k, cy - k, outline="#C62828", width=5)
    elif last is not None and w.inside(last.x, last.y):
        _turtle(sc, last.x, last.y, last.direction, "#1565C0", hollow=True)


# -- back ends -----------------------------------------------------------------------------------


def render_png(task: Task, program: Program | None = None) -> bytes:
    """The picture as PNG bytes (deterministic for a given task and program)."""
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise UsageError("rendering PNG needs Pillow: pip install 'xlogo-lang[eval]'") from None
    sc = scene(task, program, "render_png")
    img = Image.new("RGB", (sc.width, sc.height), "#FFFFFF")
    draw = ImageDraw.Draw(img)
    fonts: dict[int, object] = {}
    for s in sc.shapes:
        p = s.points
        if s.kind == "rect":
            draw.rectangle(p, fill=s.fill, outline=s.outline, width=int(s.width))
        elif s.kind == "ellipse":
            draw.ellipse(p, fill=s.fill, outline=s.outline, width=int(s.width))
        elif s.kind == "polygon":
            draw.polygon(p, fill=s.fill, outline=s.outline, width=int(s.width))
        elif s.kind == "line":
            draw.line(p, fill=s.outline, width=int(s.width))
            if s.width >= 5:  # round the ends so segments join cleanly at cell centres
                r = s.width / 2 - 0.5
                for cx, cy in ((p[0], p[1]), (p[2], p[3])):
                    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=s.outline)
        elif s.kind == "text":
            if s.size not in fonts:
                fonts[s.size] = ImageFont.load_default(size=s.size)
            draw.text((p[0], p[1]), s.text, fill=s.fill, font=fonts[s.size], anchor="mm")  # type: ignore[arg-type]
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def render_svg(task: Task, program: Program | None = None) -> str:
    """The same picture as an SVG document."""
    sc = scene(task, program, "render_svg")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{sc.width}" height="{sc.height}" '
        f'viewBox="0 0 {sc.width} {sc.height}">'
    ]

    def paint(s: Shape) -> str:
        fill = s.fill or "none"
        stroke = f' stroke="{s.outline}" stroke-width="{s.width:g}"' if s.outline else ""
        return f'fill="{fill}"{stroke}'

    for s in sc.shapes:
        p = s.points
        if s.kind == "rect":
            out.append(
                f'<rect x="{p[0]:g}" y="{p[1]:g}" width="{p[2] - p[0]:g}" '
                f'height="{p[3] - p[1]:g}" {paint(s)}/>'
            )
        elif s.kind == "ellipse":
            cx, cy, rx, ry = (
                (p[0] + p[2]) / 2,
                (p[1] + p[3]) / 2,
                (p[2] - p[0]) / 2,
                (p[3] - p[1]) / 2,
            )
            out.append(f'<ellipse cx="{cx:g}" cy="{cy:g}" rx="{rx:g}" ry="{ry:g}" {paint(s)}/>')
        elif s.kind == "polygon":
            pts = " ".join(f"{p[i]:g},{p[i + 1]:g}" for i in range(0, len(p), 2))
            out.append(f'<polygon points="{pts}" {paint(s)}/>')
        elif s.kind == "line":
            out.append(
                f'<line x1="{p[0]:g}" y1="{p[1]:g}" x2="{p[2]:g}" y2="{p[3]:g}" '
                f'stroke="{s.outline}" '
                f'stroke-width="{s.width:g}" stroke-linecap="round"/>'
            )
        elif s.kind == "text":
            out.append(
                f'<text x="{p[0]:g}" y="{p[1]:g}" fill="{s.fill}" font-size="{s.size}" '
                'font-family="sans-serif" text-anchor="middle" dominant-baseline="central">'
                f"{escape(s.text)}</text>"
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_picture(task: Task, path: str | Path, program: Program | None = None) -> Path:
    """Write the picture to `path`; the suffix (.png or .svg) chooses the format."""
    p = Path(path_text("path", path))
    suffix = p.suffix.lower()
    if suffix == ".png":
        data = render_png(task, program)
        write_file(p, data)
    elif suffix == ".svg":
        write_file(p, render_svg(task, program).encode("utf-8"))
    else:
        raise UsageError(
            f"unknown picture format {p.suffix or '(none)'!r}: use .png or .svg", file=str(p)
        )
    return p
