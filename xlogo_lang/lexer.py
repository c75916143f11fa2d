"""Syntax highlighting of Mini programs: the Pygments lexer, its colour theme, `highlight`.

One lexer serves every place code is coloured: the REPL (its input line through prompt_toolkit's
`PygmentsLexer`, its listings through `highlight_text`, rich Text), `xlogo fmt --color`
(`highlight`, a string with ANSI codes), and documentation tools, which find it as the Pygments
plugin `xlogo` (entry point group `pygments.lexers` in pyproject.toml).

The lexer follows `grammar/xlogo.lark` token for token (any letter case, long names, Logo-style
`repeat 3 [...]`, quoted colours, `#` and `//` comments), so what it colours as a command is what
the parser reads as one; words the parser would reject are `Error` tokens. Pen colour names get a
token per colour (`Name.Constant.Red` ...), so `setpc(red)` shows in red wherever the theme is
used; other Pygments styles fall back to their `Name.Constant` colour.

This module only colours text: it never parses programs or decides whether they are valid.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from pygments.lexer import RegexLexer
from pygments.style import Style as PygmentsStyle
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    Punctuation,
    String,
    Text,
    Token,
    Whitespace,
    _TokenType,
)

from .ast import PEN_COLORS

if TYPE_CHECKING:
    import rich.style
    import rich.text

__all__ = [
    "PEN_TOKENS",
    "XlogoLexer",
    "XlogoStyle",
    "color_system_from_env",
    "highlight",
    "highlight_text",
    "rich_style",
]

# One token type per pen colour, under Name.Constant.
PEN_TOKENS: dict[str, _TokenType] = {c: getattr(Name.Constant, c.capitalize()) for c in PEN_COLORS}

_END = r"(?![A-Za-z0-9_])"  # the grammar's word boundary


def _colour_word(lexer: RegexLexer, match: re.Match[str]):
    word = match.group(0)
    yield match.start(), PEN_TOKENS.get(word.lower(), Name.Constant), word


def _quoted_colour(lexer: RegexLexer, match: re.Match[str]):
    text = match.group(0)
    token = PEN_TOKENS.get(text[1:-1].lower())
    if token is None:
        yield match.start(), String, text
    else:
        yield match.start(), String, text[0]
        yield match.start() + 1, token, text[1:-1]
        yield match.end() - 1, String, text[-1]


class XlogoLexer(RegexLexer):
    """XLogoOnline Mini: `fd`, `bk`, `lt`, `rt`, `setpc(colour)`, `repeat(n){...}`."""

    name = "XLogo"
    aliases = ["xlogo", "xlogo-mini"]  # noqa: RUF012 (Pygments reads these class attributes)
    filenames = ["*.xlogo"]  # noqa: RUF012
    mimetypes = ["text/x-xlogo"]  # noqa: RUF012
    url = "https://xlogo.inf.ethz.ch/"
    flags = re.IGNORECASE

    tokens = {  # noqa: RUF012
        "root": [
            (r"\s+", Whitespace),
            (r"(#|//)[^\n]*", Comment.Single),
            (rf"repeat{_END}", Keyword),
            (rf"(setpencolou?r|setpc){_END}", Name.Function),
            (rf"(forward|fd|backward|back|bk|left|lt|right|rt){_END}", Name.Builtin),
            (rf"({'|'.join(PEN_COLORS)}){_END}", _colour_word),
            (r"\"[^\"\n]*\"|'[^'\n]*'", _quoted_colour),
            (r"[0-9]+", Number.Integer),
            (r"[{}\[\]();,]", Punctuation),
            (r"[A-Za-z_][A-Za-z0-9_]*", Error),  # an unknown command or colour
            (r".", Error),
        ]
    }

    def analyse_text(text: str) -> float:  # Pygments calls it unbound
        """Guess for `guess_lexer`: Mini code is made of the command words and brackets only."""
        words = re.findall(r"[A-Za-z]+", text)
        if not words:
            return 0.0
        known = {"fd", "bk", "lt", "rt", "repeat", "setpc", *PEN_COLORS}
        share = sum(w.lower() in known for w in words) / len(words)
        return 0.5 * share if share > 0.8 else 0.0


# Pen colours as shown on a terminal: the same choices as the grid view (black shows as grey, so
# it stays visible on a dark background).
PEN_HEX = {
    "red": "#ff3030",
    "black": "#b2b2b2",
    "blue": "#1e90ff",
    "green": "#00c800",
    "yellow": "#ffff00",
    "white": "#ffffff",
}


class XlogoStyle(PygmentsStyle):
    """The xlogo colour theme, for terminals with a dark background."""

    name = "xlogo"
    background_color = "#000000"
    styles = {  # noqa: RUF012
        Token: "",
        Comment: "italic #808080",
        Keyword: "bold #d75fd7",
        Name.Builtin: "bold #00d7d7",
        Name.Function: "bold #5f87ff",
        Name.Constant: "#d7d7af",
        Number: "#ffaf5f",
        String: "#87d787",
        Punctuation: "#a8a8a8",
        Error: "bold underline #ff5f5f",
        **{PEN_TOKENS[c]: f"bold {h}" for c, h in PEN_HEX.items()},
    }


@cache
def rich_style(ttype: _TokenType) -> rich.style.Style:
    """The rich style of a token type under `XlogoStyle` (a type inherits what it leaves out)."""
    from rich.style import Style

    s = XlogoStyle.style_for_token(ttype)
    return Style(
        color=f"#{s['color']}" if s["color"] else None,
        bgcolor=f"#{s['bgcolor']}" if s["bgcolor"] and ttype is not Token else None,
        bold=s["bold"] or None,
        italic=s["italic"] or None,
        underline=s["underline"] or None,
    )


@cache
def _lexer() -> XlogoLexer:
    return XlogoLexer()


def highlight_text(text: str) -> rich.text.Text:
    """`text` as rich Text coloured by the xlogo theme; its plain string is `text` unchanged.

    (The tokens are taken unprocessed, so no newline is added or stripped and tabs stay tabs;
    only control characters a terminal cannot show, such as a carriage return, are dropped.)
    Print it with `Console.print(highlight_text(src), end="")`: rich then leaves the colours
    out by itself when the output is not a terminal.
    """
    from rich.text import Text as RichText

    out = RichText()
    for _, ttype, value in _lexer().get_tokens_unprocessed(text):
        out.append(value, rich_style(ttype) if ttype not in (Text, Whitespace) else None)
    return out


# The theme in the 16 standard terminal colours (dark background), for terminals without 256.
ANSI16 = {
    Token: ("", ""),
    Comment: ("gray", "gray"),
    Keyword: ("*magenta*", "*brightmagenta*"),
    Name.Builtin: ("*cyan*", "*brightcyan*"),
    Name.Function: ("*blue*", "*brightblue*"),
    Name.Constant: ("yellow", "yellow"),
    Number: ("yellow", "yellow"),
    String: ("green", "green"),
    Punctuation: ("gray", "gray"),
    Error: ("_red_", "_brightred_"),
    PEN_TOKENS["red"]: ("*red*", "*brightred*"),
    PEN_TOKENS["black"]: ("*black*", "*gray*"),
    PEN_TOKENS["blue"]: ("*blue*", "*brightblue*"),
    PEN_TOKENS["green"]: ("*green*", "*brightgreen*"),
    PEN_TOKENS["yellow"]: ("*yellow*", "*brightyellow*"),
    PEN_TOKENS["white"]: ("*gray*", "*white*"),
}


def color_system_from_env(environ: dict[str, str] | None = None) -> str:
    """ "truecolor", "256" or "standard", from COLORTERM and TERM as terminals announce them."""
    import os

    env = os.environ if environ is None else environ
    if env.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return "truecolor"
    return "256" if "256" in env.get("TERM", "") else "standard"


def highlight(text: str, *, color_system: str = "auto") -> str:
    """`text` with ANSI colour codes, always (for `xlogo fmt --color`): write it as it is.

    `color_system` is "auto" (from COLORTERM and TERM), "standard" (16 colours), "256" or
    "truecolor". Stripping the escape codes gives `text` back. (Pygments' terminal formatters
    do the work; rich is not used here because it caches escape codes per style, whatever the
    colour system.)
    """
    import io

    from pygments.formatters import (
        Terminal256Formatter,
        TerminalFormatter,
        TerminalTrueColorFormatter,
    )

    system = color_system_from_env() if color_system == "auto" else color_system
    if system == "truecolor":
        formatter = TerminalTrueColorFormatter(style=XlogoStyle)
    elif system == "256":
        formatter = Terminal256Formatter(style=XlogoStyle)
    else:
        formatter = TerminalFormatter(bg="dark", colorscheme=ANSI16)
    buf = io.StringIO()
    formatter.format(((t, v) for _, t, v in _lexer().get_tokens_unprocessed(text)), buf)
    return buf.getvalue()
