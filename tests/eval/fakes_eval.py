"""A scripted QAService for fast tests of the evaluation tool.

Passages are real excerpts of the 2021 Zigong report (real section titles and pages). Each
question has a `Script`: the answer text, whether it is refused, which passages it cites
(in answer order, which may differ from document order), and the ranking per search mode.
Outcomes are therefore known by construction, so tests can derive the expected metrics.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.errors import QuestionTooLongError
from app.models import Answer, Citation, Turn
from app.service import ServiceInfo
from eval.dataset import EvalItem
from index.models import Hit, SearchMode
from ingest.models import Chunk, DocumentInfo, DocumentMeta

DOC_ID = "zigong-2021"
MODEL = "fake-scripted"
REVIEW = "一、2020 年工作回顾及“十三五”主要成就"
PLAN = "三、2021 年主要工作安排"

_PASSAGES: tuple[tuple[str, tuple[str, ...], int, str, str], ...] = (
    # key, section path, page, kind, text (document order)
    (
        "review",
        (REVIEW,),
        1,
        "body",
        "全年地区生产总值增长 3.9%、高于全省 0.1 个百分点，规模以上工业增加值增长 5.1%、"
        "居全省第 4 位，全社会固定资产投资增长 10.4%，服务业增加值增长 2.4%，农业增加值增长 5.7%。",
    ),
    (
        "fiveyear",
        (REVIEW, "这五年"),
        3,
        "body",
        "地区生产总值实现 1458.44 亿元，年均增长 7.3%，高于全省 0.3 个百分点，"
        "提前 2 年实现比 2010 年翻一番的目标。人均 GDP 从 3.5 万元增加到 5 万元左右。",
    ),
    (
        "ecology",
        (REVIEW, "这五年"),
        4,
        "body",
        "PM2.5、PM10 比 2015 年分别下降 41.2%、39%，空气优良天数比 2015 年增加 61 天，"
        "劣Ⅴ类断面和城市黑臭水体全面消除。",
    ),
    (
        "plan",
        (PLAN,),
        9,
        "body",
        "主要预期目标是：地区生产总值增长 7.5%以上，农业增加值增长 4%，"
        "规模以上工业增加值增长 9.0%以上，服务业增加值增长 9.0%以上，全社会固定资产投资增长 10%。",
    ),
    (
        "liuwen",
        ("相关用语注释", "六稳"),
        17,
        "glossary",
        "[1]“六稳”：指稳就业、稳金融、稳外贸、稳外资、稳投资、稳预期。",
    ),
)


def _chunks() -> dict[str, Chunk]:
    chunks, start = {}, 0
    for position, (key, path, page, kind, text) in enumerate(_PASSAGES):
        chunks[key] = Chunk(
            chunk_id=key,
            doc_id=DOC_ID,
            section_path=path,
            page_start=page,
            page_end=page,
            start=start,
            end=start + len(text),
            text=text,
            n_tokens=len(text) // 2,
            kind=kind,  # type: ignore[arg-type]
            position=position,
        )
        start += len(text) + 1
    return chunks


CHUNKS: Mapping[str, Chunk] = _chunks()


@dataclass(frozen=True)
class Script:
    answer: str
    refused: bool = False
    cite: tuple[str, ...] = ()  # chunk keys, in the order the answer numbers them
    ranking: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # mode -> keys
    reject: bool = False  # raise QuestionTooLongError (as the real service does)


@dataclass
class ScriptedService:
    """QAService whose every answer and ranking comes from `scripts` (keyed by question)."""

    scripts: Mapping[str, Script]
    delay_s: float = 0.0
    calls: list[tuple[str, str]] = field(default_factory=list)  # (operation, question)

    def _hits(self, question: str, mode: str, k: int) -> list[Hit]:
        script = self.scripts.get(question)
        keys = () if script is None else script.ranking.get(mode, script.ranking.get("hybrid", ()))
        return [
            Hit(chunk=CHUNKS[key], score=1.0 / rank, rank=rank)
            for rank, key in enumerate(keys[:k], start=1)
        ]

    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        top_k: int = 5,
        doc_ids: Sequence[str] | None = None,
    ) -> Answer:
        self.calls.append(("answer", question))
        time.sleep(self.delay_s)
        script = self.scripts.get(question, Script("文件中没有找到相关内容。", refused=True))
        if script.reject:
            raise QuestionTooLongError("问题过长。")
        passages = tuple(self._hits(question, "hybrid", top_k))
        citations = tuple(
            Citation(n, Hit(chunk=CHUNKS[key], score=0.5)) for n, key in enumerate(script.cite, 1)
        )
        return Answer(
            question=question,
            text=script.answer,
            refused=script.refused,
            citations=citations,
            passages=passages,
            kind="number",
            timings_ms={"total": self.delay_s * 1000},
        )

    def search(
        self,
        query: str,
        k: int = 5,
        mode: SearchMode = "hybrid",
        doc_ids: Sequence[str] | None = None,
    ) -> list[Hit]:
        self.calls.append((f"search:{mode}", query))
        time.sleep(self.delay_s)
        if self.scripts.get(query, Script("")).reject:
            raise QuestionTooLongError("问题过长。")
        return self._hits(query, mode, k)

    def chunk(self, chunk_id: str) -> Chunk:
        return CHUNKS[chunk_id]

    def documents(self) -> list[DocumentInfo]:
        return [DocumentInfo(DocumentMeta(DOC_ID, DOC_ID))]

    def info(self) -> ServiceInfo:
        return ServiceInfo(MODEL, 8, len(CHUNKS), (DOC_ID,), "2024-01-01T00:00:00+00:00", "/tmp/x")


def item(
    id_: str,
    question: str,
    answers: tuple[str, ...] = (),
    evidence: tuple[str, ...] = (),
    type_: str = "factoid_number",
    match: str = "any",
) -> EvalItem:
    return EvalItem(id_, question, answers, match, evidence, type_, "一")


# A scenario whose outcomes are known by construction (see tests/eval/test_run.py).
SCENARIO: tuple[tuple[EvalItem, Script], ...] = (
    (
        item("gdp", "去年全市GDP增长了多少？", ("3.9%",), ("全年地区生产总值增长3.9%",)),
        Script(
            "去年地区生产总值增长 3.9%[1]。",
            cite=("review",),
            ranking={
                "bm25": ("review", "fiveyear"),
                "dense": ("plan", "review", "fiveyear"),
                "hybrid": ("review", "plan"),
            },
        ),
    ),
    (
        item(
            "target",
            "今年地区生产总值预期增长多少？",
            ("7.5%以上", "7.5%"),
            ("地区生产总值增长7.5%以上",),
        ),
        Script(
            "规模以上工业增加值增长 9.0%以上[1]。",  # wrong answer; the citation holds evidence
            cite=("plan",),
            ranking={
                "bm25": ("fiveyear", "review"),  # miss
                "dense": ("review", "fiveyear", "plan"),
                "hybrid": ("review", "plan", "fiveyear"),
            },
        ),
    ),
    (
        item(
            "liuwen",
            "“六稳”是指什么？",
            ("稳就业", "稳金融", "稳外贸", "稳外资", "稳投资", "稳预期"),
            ("指稳就业、稳金融、稳外贸、稳外资、稳投资、稳预期",),
            "definition_glossary",
            "all",
        ),
        Script(
            "文件中没有找到相关内容。",  # a false refusal
            refused=True,
            ranking={"bm25": ("liuwen",), "dense": ("review",), "hybrid": ("liuwen", "review")},
        ),
    ),
    (
        item(
            "air",
            "PM2.5和空气优良天数分别怎样变化？",
            ("41.2%", "61天"),
            ("PM2.5、PM10比2015年分别下降41.2%", "空气优良天数比2015年增加61天"),
            "list",
            "all",
        ),
        Script(
            "PM2.5 下降 41.2%[2]，空气优良天数增加 61 天[1]。",
            cite=("ecology", "review"),  # answer order differs from document order
            ranking={"hybrid": ("ecology", "review")},
        ),
    ),
    (
        item("y2022", "2022年地区生产总值增长多少？", type_="unanswerable"),
        Script("文件中没有找到相关内容。", refused=True, ranking={"hybrid": ("review",)}),
    ),
    (
        item("y2019", "2019年服务业增加值增长多少？", type_="unanswerable"),
        Script("服务业增加值增长 2.4%[1]。", cite=("review",), ranking={"hybrid": ("review",)}),
    ),
)


def scenario_service(delay_s: float = 0.0) -> tuple[list[EvalItem], ScriptedService]:
    items = [it for it, _ in SCENARIO]
    return items, ScriptedService({it.question: s for it, s in SCENARIO}, delay_s=delay_s)
