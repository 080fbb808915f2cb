"""A small deterministic QAService for fast tests of the serving layer.

It serves real `Chunk` / `Hit` / `Answer` / `Citation` records built from excerpts of the
2021 Zigong report (real section paths, pages and footnotes). Retrieval is character-bigram
overlap; the "answer" is the best-overlapping sentence of each well-matching passage.
It refuses any question that mentions a year the report does not cover (e.g. 2022).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from app.errors import (
    ChunkNotFoundError,
    EmptyQuestionError,
    QuestionTooLongError,
    UnknownDocumentError,
)
from app.models import Answer, Citation, Quote, ReportRef, Turn
from app.service import ServiceInfo
from index.models import Hit, SearchMode
from ingest.models import Chunk, DocumentInfo, DocumentMeta, Footnote, Timeline

DOC_ID = "zigong-2021"
FAKE_TITLE = "2021年自贡市政府工作报告"
FAKE_REPORT = ReportRef(DOC_ID, FAKE_TITLE, "示例市", 2021)
FAKE_MODEL = "fake-bigram"
REFUSED_YEARS = ("2022", "2023", "2019")
MIN_SCORE = 0.30

REVIEW = "一、2020 年工作回顾及“十三五”主要成就"
PLAN = "三、2021 年主要工作安排"
SIX_STABLE = Footnote(1, "六稳", "指稳就业、稳金融、稳外贸、稳外资、稳投资、稳预期。")
SIX_GUARANTEE = Footnote(
    2,
    "六保",
    "指保居民就业、保基本民生、保市场主体、保粮食能源安全、保产业链供应链稳定、保基层运转。",
)
TEN_ACTIONS = Footnote(
    3,
    "十大行动",
    "指全面摸排、疫源阻断、医疗救治、物资保障、卫生防疫、技能培训、群防群治、舆论引导、"
    "一线督导和“小手牵大手”行动。",
)


@dataclass(frozen=True)
class _Spec:
    section_path: tuple[str, ...]
    pages: tuple[int, int]
    text: str
    kind: str = "body"
    footnotes: tuple[Footnote, ...] = ()


_SPECS: tuple[_Spec, ...] = (
    _Spec(
        (REVIEW,),
        (1, 1),
        "刚刚过去的 2020 年，是极不平凡的一年，也是自贡发展历程中极不寻常的一年。"
        "我们坚定以习近平新时代中国特色社会主义思想为指导，扎实做好“六稳”[1]工作，"
        "全面落实“六保”[2]任务，推进实施“1743”战略举措，奋力夺取疫情防控和经济社会发展“双胜利”。"
        "全年地区生产总值增长 3.9%、高于全省 0.1 个百分点，规模以上工业增加值增长 5.1%、"
        "居全省第 4 位，全社会固定资产投资增长 10.4%，服务业增加值增长 2.4%，农业增加值增长 5.7%。",
        footnotes=(SIX_STABLE, SIX_GUARANTEE),
    ),
    _Spec(
        (REVIEW,),
        (2, 2),
        "我们闻令而动、众志成城，疫情防控取得重大成果。市委、市政府及时构建应急指挥体系，"
        "系统谋划一体实施“十大行动”[3]，迅速打响疫情防控人民战争、总体战、阻击战。"
        "32 天确诊病例“清零”，46 天所有区县降为低风险区，无死亡病例、无二代感染、无医务人员感染。",
        footnotes=(TEN_ACTIONS,),
    ),
    _Spec(
        (PLAN,),
        (19, 19),
        "主要预期目标是：地区生产总值增长 7.5%以上，农业增加值增长 4%，规模以上工业增加值增长 9.0%以上，"
        "服务业增加值增长 9.0%以上，全社会固定资产投资增长 10%，社会消费品零售总额增长 11.5%，"
        "地方一般公共预算收入同口径增长 8%，城乡居民人均可支配收入分别增长 8%、9%，"
        "城镇登记失业率控制在 4.5%以内。",
    ),
    _Spec(
        (PLAN, "第四，深入推进改革创新，着力建设创新型城市"),
        (23, 24),
        "大力提升科技支撑能力。围绕产业链布局创新链，加快建设院士（专家）产业园、自贡科技创新服务中心，"
        "推进四川大学自贡技术转移中心、重庆大学自贡技术转移中心建设，新增 5 家省级以上创新平台。",
    ),
    _Spec(
        (PLAN, "第七，切实保障改善民生，持续提升群众生活品质"),
        (29, 29),
        "坚决兜住基本民生底线。办好 20 件民生实事。健全公共服务就业体系，落实就业创业补助和稳岗返还政策，"
        "动态消除“零就业”家庭，统筹做好高校毕业生、农民工、退役军人等重点群体就业工作，"
        "新增城镇就业 3.5 万人以上。",
    ),
    _Spec(
        (PLAN, "第七，切实保障改善民生，持续提升群众生活品质"),
        (29, 30),
        "大力提升教育发展质量。持续实施“盐都未来工程”，发展更加公平更有质量的教育。"
        "新建公办幼儿园 10 所，确保公立幼儿园在园人数占比达到 50%。"
        "深入推进义务教育优质均衡发展，建成射击射箭运动学校。",
    ),
    _Spec(
        ("相关用语注释",),
        (33, 33),
        "1.六稳：指稳就业、稳金融、稳外贸、稳外资、稳投资、稳预期。"
        "2.六保：指保居民就业、保基本民生、保市场主体、保粮食能源安全、保产业链供应链稳定、保基层运转。",
        kind="glossary",
    ),
)


def _chunk_id(position: int, text: str) -> str:
    digest = hashlib.sha1(f"{DOC_ID}:{position}:{text}".encode()).hexdigest()[:12]
    return f"{DOC_ID}-{position:04d}-{digest}"


def build_chunks() -> tuple[Chunk, ...]:
    """Chunks laid out back to back (two separator characters between them)."""
    chunks, offset = [], 0
    for position, spec in enumerate(_SPECS):
        chunks.append(
            Chunk(
                chunk_id=_chunk_id(position, spec.text),
                doc_id=DOC_ID,
                section_path=spec.section_path,
                page_start=spec.pages[0],
                page_end=spec.pages[1],
                start=offset,
                end=offset + len(spec.text),
                text=spec.text,
                n_tokens=len(spec.text) // 2,
                kind=spec.kind,  # type: ignore[arg-type]
                position=position,
                footnotes=spec.footnotes,
            )
        )
        offset += len(spec.text) + 2
    return tuple(chunks)


_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff]|[A-Za-z]+|\d+(?:\.\d+)?")


def _bigrams(text: str) -> set[str]:
    tokens = _CJK_OR_WORD.findall(text)
    return {a + b for a, b in zip(tokens, tokens[1:], strict=False)}


def _sentences(chunk: Chunk) -> list[Quote]:
    quotes, start = [], 0
    for match in re.finditer(r"[^。！？]+[。！？]?", chunk.text):
        text = match.group().strip()
        if text:
            start = match.start() + match.group().index(text)
            quotes.append(Quote(text, chunk.start + start, chunk.start + start + len(text)))
    return quotes


def _language(question: str) -> str:
    return "zh" if re.search(r"[\u4e00-\u9fff]", question) else "en"


class FakeQAService:
    """Deterministic stand-in for the real service; records every call it receives."""

    def __init__(self, max_question_chars: int = 1000) -> None:
        self.chunks = build_chunks()
        self.max_question_chars = max_question_chars
        self.calls: list[tuple[str, tuple[Turn, ...], int]] = []
        self._lock = threading.Lock()

    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        top_k: int = 5,
        doc_ids: Sequence[str] | None = None,
    ) -> Answer:
        q = question.strip()
        if not q:
            raise EmptyQuestionError("问题不能为空")
        if len(q) > self.max_question_chars:
            raise QuestionTooLongError("问题过长")
        if "触发内部错误" in q:
            raise RuntimeError("/srv/secret/index.faiss is corrupt")
        self._check(doc_ids)
        with self._lock:
            self.calls.append((question, tuple(history), top_k))
        passages = tuple(self.search(q, k=top_k))
        strong = [h for h in passages if h.score >= MIN_SCORE][:2]
        if any(year in q for year in REFUSED_YEARS) or not strong:
            return self._refusal(q, passages)
        citations = tuple(self._cite(n, hit, q) for n, hit in enumerate(strong, start=1))
        text = "".join(f"{c.quote}[{c.n}]" for c in citations)
        return Answer(
            question=q,
            text=text,
            refused=False,
            citations=citations,
            passages=passages,
            language=_language(q),  # type: ignore[arg-type]
            kind="fact",
            timings_ms={"retrieve": 1.5, "answer": 0.5},
            reports=(FAKE_REPORT,),
        )

    def search(
        self,
        query: str,
        k: int = 5,
        mode: SearchMode = "hybrid",
        doc_ids: Sequence[str] | None = None,
    ) -> list[Hit]:
        self._check(doc_ids)
        wanted = _bigrams(query)
        scored = []
        for chunk in self.chunks:
            overlap = len(wanted & _bigrams(chunk.text)) / max(len(wanted), 1)
            if overlap > 0:
                scored.append((round(overlap, 4), chunk))
        scored.sort(key=lambda pair: (-pair[0], pair[1].position))
        return [
            Hit(chunk=c, score=s, dense_score=s, lexical_score=s * 10, rank=rank)
            for rank, (s, c) in enumerate(scored[:k], start=1)
        ]

    def documents(self) -> list[DocumentInfo]:
        meta = DocumentMeta(DOC_ID, FAKE_TITLE, region="示例市", year=2021)
        timeline = Timeline(year=2021)
        return [DocumentInfo(meta, timeline, pages=36, glossary_terms=("六稳", "六保"))]

    def _check(self, doc_ids: Sequence[str] | None) -> None:
        unknown = [d for d in doc_ids or () if d != DOC_ID]
        if unknown:
            raise UnknownDocumentError(f"没有这些报告：{', '.join(unknown)}", tuple(unknown))

    def chunk(self, chunk_id: str) -> Chunk:
        for chunk in self.chunks:
            if chunk.chunk_id == chunk_id:
                return chunk
        raise ChunkNotFoundError(f"no chunk {chunk_id}")

    def info(self) -> ServiceInfo:
        return ServiceInfo(
            model=FAKE_MODEL,
            dim=8,
            chunk_count=len(self.chunks),
            documents=(DOC_ID,),
            index_built_at="2024-01-01T00:00:00+00:00",
            index_dir="/tmp/fake-index",
            chunks_per_document={DOC_ID: len(self.chunks)},
        )

    def _cite(self, n: int, hit: Hit, question: str) -> Citation:
        wanted = _bigrams(question)
        best = max(_sentences(hit.chunk), key=lambda s: len(wanted & _bigrams(s.text)))
        return Citation(n=n, hit=hit, quotes=(best,))

    @staticmethod
    def _refusal(question: str, passages: tuple[Hit, ...]) -> Answer:
        english = _language(question) == "en"
        text = (
            "The report does not answer this question."
            if english
            else "报告中没有找到这个问题的答案。"
        )
        return Answer(
            question=question,
            text=text,
            refused=True,
            passages=passages,
            language="en" if english else "zh",
            kind="refusal",
            timings_ms={"retrieve": 1.5},
            reports=(FAKE_REPORT,),
        )


class SlowService(FakeQAService):
    """Answers after `delay` seconds, one at a time, recording the order it was asked in."""

    def __init__(self, delay: float = 1.0) -> None:
        super().__init__()
        self.delay = delay
        self.order: list[str] = []
        self.answering = threading.Lock()

    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        top_k: int = 5,
        doc_ids: Sequence[str] | None = None,
    ) -> Answer:
        with self.answering:
            self.order.append(question)
            time.sleep(self.delay)
            return super().answer(question, history, top_k, doc_ids)
