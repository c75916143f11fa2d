"""Pictures of tasks: PNG through Pillow, SVG by hand, the same scene for both."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

from PIL import Image

from xlogo_lang import parse
from xlogo_lang.cli import main as cli_main
from xlogo_lang.eval.render import CELL, MARGIN, PEN_RGB, render_png, render_svg, scene


def test_png_has_one_cell_per_grid_square_and_is_deterministic(real_tasks):
    t = real_tasks["87"]
    img = Image.open(io.BytesIO(render_png(t)))
    assert img.size == (MARGIN + t.world.cols * CELL + 8, MARGIN + t.world.rows * CELL + 8)
    assert render_png(t) == render_png(t)


def test_target_lines_are_drawn_in_their_colours(real_tasks):
    t = real_tasks["73"]
    img = Image.open(io.BytesIO(render_png(t))).convert("RGB")
    # the green segment from (0,1) to (0,2) passes through the edge between the two cells
    x, y = MARGIN + CELL // 2, MARGIN + 2 * CELL
    assert img.getpixel((x, y)) == tuple(int(PEN_RGB["green"][i : i + 2], 16) for i in (1, 3, 5))


def test_svg_is_well_formed_and_shows_the_same_shapes(real_tasks):
    t = real_tasks["22"]
    root = ET.fromstring(render_svg(t))
    shapes = scene(t).shapes
    assert len(list(root)) == len(shapes)
    assert sum(1 for s in shapes if s.kind == "ellipse") == 8  # eight circles


def test_a_program_adds_its_path_and_marks_a_crash(real_tasks):
    t = real_tasks["22"]
    plain = scene(t).shapes
    ok = scene(t, parse("fd fd rt fd")).shapes
    crash = scene(t, parse("lt fd")).shapes
    assert len(ok) > len(plain)
    red_x = [s for s in crash if s.kind == "line" and s.outline == "#C62828"]
    assert len(red_x) == 2


def test_cli_render_writes_png_and_svg_with_a_program(tasks_dir, tmp_path):
    png, svg = tmp_path / "t.png", tmp_path / "t.svg"
    assert cli_main(["render", str(tasks_dir / "22.json"), "-e", "rt fd", "-o", str(png)]) == 0
    assert cli_main(["render", str(tasks_dir / "22.json"), "-o", str(svg)]) == 0
    assert png.read_bytes().startswith(b"\x89PNG")
    assert svg.read_text().startswith("<svg")


def test_cli_render_json_gives_the_program_as_run_json_does(tasks_dir, tmp_path, capsys):
    # run, show and score give "program" as its canonical text; render gave a bare true
    task, svg = str(tasks_dir / "22.json"), str(tmp_path / "t.svg")
    assert cli_main(["render", task, "-e", "rt fd", "-o", svg, "--json"]) == 0
    with_program = json.loads(capsys.readouterr().out)
    assert cli_main(["render", task, "-o", svg, "--json"]) == 0
    without = json.loads(capsys.readouterr().out)
    assert with_program["program"] == "rt\nfd\n"
    assert without["program"] is None


def test_cli_render_refuses_an_unknown_format(tasks_dir, tmp_path, capsys):
    assert cli_main(["render", str(tasks_dir / "22.json"), "-o", str(tmp_path / "t.gif")]) == 2
    assert "use .png or .svg" in capsys.readouterr().err


def test_a_crash_off_the_grid_is_marked_inside_the_picture(real_tasks):
    # task 22's turtle starts on the bottom row: `bk` leaves the grid at (0,3), below the picture
    t = real_tasks["22"]
    red_x = [s for s in scene(t, parse("bk")).shapes if s.outline == "#C62828"]
    xs, ys = [p for s in red_x for p in s.points[0::2]], [p for s in red_x for p in s.points[1::2]]
    assert len(red_x) == 2
    assert MARGIN <= min(xs) <= max(xs) <= MARGIN + t.world.cols * CELL
    assert MARGIN <= min(ys) <= max(ys) <= MARGIN + t.world.rows * CELL


def test_a_program_line_stands_out_from_the_target_line_it_covers(real_tasks):
    # task 56's target has black lines up from (1,3) and from (3,3); `fd` draws the first one
    t = real_tasks["56"]
    img = Image.open(io.BytesIO(render_png(t, parse("fd")))).convert("RGB")
    drawn = img.getpixel((MARGIN + CELL + CELL // 2, MARGIN + 3 * CELL))
    not_drawn = img.getpixel((MARGIN + 3 * CELL + CELL // 2, MARGIN + 3 * CELL))
    assert drawn == (0, 0, 0)
    assert not_drawn != drawn
