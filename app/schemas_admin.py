"""Wire models of the admin routes (present only when REPORTQA_ADMIN_TOKEN is set)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from app.admin import AdminChange, Progress
from app.reload import ReloadOutcome
from app.schemas import DocumentOut


class LibraryChangeOut(BaseModel):
    added: list[DocumentOut] = Field(description="新添加的报告")
    removed: list[str] = Field(description="移除的报告 id")
    documents: list[str] = Field(description="新索引中的全部报告 id")
    chunk_count: int
    embedded: int = Field(description="本次新向量化的文字段数（只含新报告的）")
    seconds: float = Field(description="导入、向量化和建索引用时（秒）")
    index_version: str = Field(description="正在服务的索引版本")

    @classmethod
    def from_change(cls, admin: AdminChange) -> LibraryChangeOut:
        change, counts = admin.change, admin.change.chunks_per_document
        return cls(
            added=[DocumentOut.from_info(d, counts.get(d.doc_id, 0)) for d in change.added],
            removed=list(change.removed),
            documents=list(change.documents),
            chunk_count=change.chunk_count,
            embedded=change.embedded,
            seconds=change.seconds,
            index_version=admin.serving.version,
        )


class ReloadOut(BaseModel):
    reloaded: bool = Field(description="是否切换到了新的索引版本")
    index_version: str
    documents: list[str]

    @classmethod
    def from_outcome(cls, outcome: ReloadOutcome) -> ReloadOut:
        return cls(
            reloaded=outcome.reloaded,
            index_version=outcome.version,
            documents=list(outcome.documents),
        )


class ProgressOut(BaseModel):
    state: Literal["idle", "running", "done", "failed"]
    action: str = Field(description="add 或 remove")
    name: str = Field(description="正在处理的文件名或报告 id")
    stage: str
    stage_label: str = Field(description="当前步骤（中文）")
    done: int
    total: int
    message: str

    @classmethod
    def from_progress(cls, p: Progress) -> ProgressOut:
        return cls(
            state=p.state,
            action=p.action,
            name=p.name,
            stage=p.stage,
            stage_label=p.stage_label,
            done=p.done,
            total=p.total,
            message=p.message,
        )


UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "报告文件（.txt、.md、.docx、.pdf）",
                        }
                    },
                    "required": ["file"],
                }
            }
        },
    }
}
