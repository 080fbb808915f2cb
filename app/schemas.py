"""Wire models (pydantic) for the HTTP API. Domain records are converted here, at the edge."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StrictStr

from app.models import Answer, Citation, ReportRef
from app.service import ServiceInfo
from index.models import Hit
from ingest.models import Chunk, DocumentInfo, Footnote


class FootnoteOut(BaseModel):
    number: int
    term: str
    definition: str

    @classmethod
    def from_footnote(cls, footnote: Footnote) -> FootnoteOut:
        return cls(number=footnote.number, term=footnote.term, definition=footnote.definition)


class PassageOut(BaseModel):
    """A cited passage (n = its [n] marker) or a ranked passage (n = its rank, quote = ""),
    with the report it comes from."""

    n: int
    chunk_id: str
    doc_id: str = Field(description="报告 id")
    title: str = Field(description="报告标题")
    region: str = Field(description="报告所属地区")
    year: int | None = Field(description="报告年份")
    section_path: list[str]
    page_start: int | None = Field(description="首页页码；来源无分页（网页、Word）时为 null")
    page_end: int | None
    text: str
    quote: str
    score: float
    footnotes: list[FootnoteOut]

    @classmethod
    def from_hit(cls, hit: Hit, n: int, report: ReportRef, quote: str = "") -> PassageOut:
        chunk = hit.chunk
        return cls(
            n=n,
            chunk_id=chunk.chunk_id,
            doc_id=chunk.doc_id,
            title=report.title,
            region=report.region,
            year=report.year,
            section_path=list(chunk.section_path),
            page_start=chunk.page_start,
            page_end=chunk.page_end,
            text=chunk.text,
            quote=quote,
            score=float(hit.score),
            footnotes=[FootnoteOut.from_footnote(f) for f in chunk.footnotes],
        )

    @classmethod
    def from_citation(cls, citation: Citation, report: ReportRef) -> PassageOut:
        return cls.from_hit(citation.hit, citation.n, report, citation.quote)


def passages_out(hits: Sequence[Hit], report: Callable[[str], ReportRef]) -> list[PassageOut]:
    return [PassageOut.from_hit(hit, n, report(hit.chunk.doc_id)) for n, hit in enumerate(hits, 1)]


class DocumentOut(BaseModel):
    """A loaded report: its record and what the index holds of it."""

    doc_id: str
    title: str
    region: str
    level: str
    year: int | None
    date: str
    speaker: str
    sections: int
    pages: int | None = Field(description="页数；来源无分页时为 null")
    chunks: int

    @classmethod
    def from_info(cls, info: DocumentInfo, chunks: int) -> DocumentOut:
        meta = info.meta
        return cls(
            doc_id=meta.doc_id,
            title=meta.title,
            region=meta.region,
            level=meta.level,
            year=meta.year,
            date=meta.date,
            speaker=meta.speaker,
            sections=sum(1 for o in info.outline if o.kind == "section"),
            pages=info.pages,
            chunks=chunks,
        )


class DocumentsResponse(BaseModel):
    documents: list[DocumentOut]
    index_built_at: str = Field(description="索引构建时间（ISO 8601，UTC）")


MAX_CHUNK_ID = 200  # characters; chunk ids are "<doc id>-<position>-<hash>"
MAX_DOC_IDS = 100  # reports one request may name


def _integral(value: object) -> object:
    """10.0 is the integer 10, as JSON Schema counts it; 2.5 and "5" stay errors."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


WholeNumber = Annotated[StrictInt, BeforeValidator(_integral)]


class HistoryTurnIn(BaseModel):
    role: Literal["user", "assistant"]
    content: StrictStr


class AskRequest(BaseModel):
    # The bounds are checked at the edge (app/deps.py, for a precise Chinese message) and
    # stated in the OpenAPI schema with this server's settings (app/openapi_limits.py).
    question: StrictStr = Field(
        description=(
            "问题（中文或英文），不能为空，最长 max_question_chars 个字符；"
            "追问时，用对话历史补全后的问题也不能超过这个长度（否则 422）"
        )
    )
    top_k: WholeNumber | None = Field(
        default=None, description="返回的检索段落数，1..max_top_k；缺省为 settings.top_k（5）"
    )
    history: list[HistoryTurnIn] = Field(
        default_factory=list,
        description="此前的对话轮次（最多 max_history_turns 轮）；请求体不能超过 max_body_bytes（否则 413）",
    )
    doc_ids: list[StrictStr] | None = Field(
        default=None,
        max_length=MAX_DOC_IDS,
        description="只从这些报告中回答（见 GET /api/documents）；缺省为全部已加载的报告；未知的 id 返回 422",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"question": "今年地区生产总值预期增长多少？", "top_k": 5, "history": []}]
        }
    )


class AskResponse(BaseModel):
    answer: str
    refused: bool
    citations: list[PassageOut]
    passages: list[PassageOut]
    timings_ms: dict[str, float]

    @classmethod
    def from_answer(cls, answer: Answer, timings_ms: dict[str, float]) -> AskResponse:
        return cls(
            answer=answer.text,
            refused=answer.refused,
            citations=citations_out(answer),
            passages=passages_out(answer.passages, answer.report),
            timings_ms=timings_ms,
        )


def citations_out(answer: Answer) -> list[PassageOut]:
    return [
        PassageOut.from_citation(c, answer.report(c.hit.chunk.doc_id)) for c in answer.citations
    ]


class SearchResponse(BaseModel):
    query: str
    mode: str
    passages: list[PassageOut]
    timings_ms: dict[str, float]


class ChunkOut(BaseModel):
    chunk_id: str
    doc_id: str
    section_path: list[str]
    page_start: int | None
    page_end: int | None
    start: int
    end: int
    text: str
    n_tokens: int
    kind: str
    position: int
    period: str
    footnotes: list[FootnoteOut]

    @classmethod
    def from_chunk(cls, chunk: Chunk) -> ChunkOut:
        return cls.model_validate(chunk.to_dict())


# the chat UI: not served, being built (`reportqa serve` mounts it late), served, broken
UIState = Literal["off", "loading", "ready", "failed"]


class HealthResponse(BaseModel):
    status: Literal["ok"]
    model: str
    dim: int
    chunk_count: int
    documents: list[str]
    index_built_at: str
    index_version: str = Field("", description="所服务的索引版本（新版本发布后自动切换）")
    ui: UIState = Field(
        "ready", description="网页对话界面：未启用、加载中、已可用或加载失败（API 不受影响）"
    )

    @classmethod
    def from_info(cls, info: ServiceInfo, ui: UIState = "ready") -> HealthResponse:
        # index_dir is deliberately left out: no internal paths on the wire.
        return cls(
            status="ok",
            model=info.model,
            dim=info.dim,
            chunk_count=info.chunk_count,
            documents=list(info.documents),
            index_built_at=info.index_built_at,
            index_version=info.index_version,
            ui=ui,
        )


class ErrorResponse(BaseModel):
    detail: str


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse, "description": description}
    for code, description in (
        (400, "请求体无法解析"),
        (404, "未找到"),
        (413, "请求体过大"),
        (422, "请求参数无效"),
        (500, "服务器内部错误"),
    )
}


# --- OpenAI-compatible chat completions -------------------------------------------------


class ContentPart(BaseModel):
    """Text only: an image or file part is a 422."""

    type: Literal["text"]
    text: StrictStr = ""


class ChatMessageIn(BaseModel):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: StrictStr | list[ContentPart] | None = None

    def plain_text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content if part.type == "text")
        return self.content or ""


class StreamOptions(BaseModel):
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """The subset of the OpenAI request we use; sampling parameters are accepted and ignored."""

    model: str = "reportqa"
    messages: list[ChatMessageIn] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    top_k: WholeNumber | None = Field(
        default=None, description="扩展参数：检索段落数，1..max_top_k"
    )


class ChatMessageOut(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatMessageOut
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    """Counts are characters, not tokens: the answerer is extractive and has no tokenizer."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletionResponse(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage
    refused: bool
    citations: list[PassageOut]


class ChunkDelta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: ChunkDelta
    finish_reason: Literal["stop"] | None = None


class ChatCompletionChunk(BaseModel):
    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    usage: Usage | None = None
    refused: bool | None = None
    citations: list[PassageOut] | None = None


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "reportqa"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
