"""Find the title (留言主题) at the start of a message whose title was run into its body.

Letters to the 12345 board arrive as one string, title first: "K3县楚江河在哭泣蒋厅长：您好！
K3县楚江河现在是污水横流…". The title ends where the letter starts: at a greeting (尊敬的, 您好),
at an addressee (蒋厅长：), after a question or exclamation mark, where the body repeats the
title's opening or its place, after the 问题 / 建议 of a 关于… title, or before 我是 / 本人.
Without any of these, the first clause (at most 30 characters) stands in for the title.
"""

from __future__ import annotations

import re

ONE_LINE = 40
"""A message of at most this many characters is all one line: it has no separate title."""

_ROLES = "厅长|局长|书记|市长|县长|区长|省长|主任|部长|院长|镇长|乡长|校长|处长|主席|领导|同志"
# The hundred commonest surnames: 蒋厅长 starts the letter, not just 厅长.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤易"
)
_ADDRESSEE = re.compile(rf"(?:{_ROLES})们?(?:您好|你好|好|[：:，,！!])")
_GREETING = re.compile(r"尊敬的|敬爱的|您好|你好|大家好|各位")
_MARK = re.compile(r"[？?！!]+")
_PLACE = re.compile(r"[A-Z]\d{0,2}[市县区州]")
_ABOUT = re.compile(r"(?:关于|咨询|反映|建议|请求|投诉|举报)")
_ABOUT_END = re.compile(
    r"(?:的问题|问题|的建议|建议|的咨询|咨询|一事|事宜|的报告|报告|的请求|现象)"
)
_SELF = re.compile(
    r"我是|我们是|我们这|本人|我叫|我系|我于|我家|近日|近期|最近|目前|随着|自从|据了解"
)
_CLAUSE = re.compile(r"[，。；：,.;:\s]")
_LOW, _HIGH, _CLAUSE_MAX = 5, 60, 30


def _repeat(text: str) -> int | None:
    """Return where the body starts by repeating the title's opening (after a place prefix)."""
    for skip in range(8):
        key = text[skip : skip + 5]
        if len(key) < 5:
            return None
        at = text.find(key, skip + _LOW, _HIGH)
        if at > 0:
            return at - skip if text[at - skip : at] == text[:skip] else at
    return None


def _ends(text: str) -> list[int]:
    """Return every place where the letter may start."""
    ends = []
    if greeting := _GREETING.search(text, _LOW, _HIGH):
        ends.append(greeting.start())
    if addressee := _ADDRESSEE.search(text, _LOW, _HIGH):
        at = addressee.start()
        ends.append(at - 1 if at - 1 >= _LOW and text[at - 1] in _SURNAMES else at)
    if (mark := _MARK.search(text, _LOW, _HIGH)) and mark.end() < len(text):
        ends.append(mark.end())
    if (repeat := _repeat(text)) is not None:
        ends.append(repeat)
    if place := _PLACE.match(text):
        again = text.find(place.group(), max(_LOW, place.end() + 3), _HIGH)
        if again > 0:
            ends.append(again)
    if _ABOUT.match(text) and (end := _ABOUT_END.search(text, 6, _HIGH)) and end.end() < len(text):
        ends.append(end.end())
    if self_ := _SELF.search(text, 10, _HIGH):
        ends.append(self_.start())
    return ends


def split_title(text: str) -> tuple[str, str]:
    """Return (title, body) of a message; a message of one line has no title: ("", text)."""
    text = text.strip()
    if len(text) <= ONE_LINE:
        return "", text
    ends = _ends(text)
    if ends:
        end = min(ends)
    else:
        clause = _CLAUSE.search(text, _LOW, _CLAUSE_MAX + 1)
        end = clause.start() if clause else _CLAUSE_MAX
    return text[:end].rstrip(), text[end:].lstrip("，。；：,.;: ")


def short_text(title: str, text: str) -> str:
    """Return what a deputy would type on a phone for this message: its title alone.

    A message given with a separate title yields the title; one whose title was run into
    the text yields the title found there; a one-line message is its own title.
    """
    return title.strip() or split_title(text)[0] or text.strip()
