"""Admin routes under /api/admin: upload or delete a report, reload the index, progress.

They exist only when REPORTQA_ADMIN_TOKEN is set (else /api/admin/... is a 404 like any
unknown path), and every one needs `Authorization: Bearer <token>`: 401 without it, 403
with another. The token is checked before the body is read.
"""

from __future__ import annotations

import hmac
from typing import Annotated, cast

from fastapi import APIRouter, Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.admin import LibraryAdmin
from app.http_errors import RequestRejected, Text
from app.reload import ServiceSwap
from app.schemas import ERROR_RESPONSES
from app.schemas_admin import UPLOAD_BODY, LibraryChangeOut, ProgressOut, ReloadOut
from ingest.errors import FileTooLargeError

_bearer = HTTPBearer(auto_error=False, description="REPORTQA_ADMIN_TOKEN")
MAX_DOC_ID = 120

NO_TOKEN = Text(
    "需要管理令牌：请求头 Authorization: Bearer <令牌>。", "An admin token is required."
)
WRONG_TOKEN = Text("管理令牌不正确。", "The admin token is wrong.")
NOT_MULTIPART = Text(
    "请以 multipart/form-data 上传，文件放在字段 file 中。",
    "Upload as multipart/form-data with the file in field 'file'.",
)


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    token: str = request.app.state.settings.admin_token
    if credentials is None:
        raise RequestRejected(401, NO_TOKEN, headers={"WWW-Authenticate": "Bearer"})
    given = credentials.credentials.encode("utf-8", "replace")
    if not token or not hmac.compare_digest(given, token.encode()):
        raise RequestRejected(403, WRONG_TOKEN)


def get_admin(request: Request) -> LibraryAdmin:
    return cast(LibraryAdmin, request.app.state.admin)


def get_swap(request: Request) -> ServiceSwap:
    return cast(ServiceSwap, request.app.state.swap)


AdminDep = Annotated[LibraryAdmin, Depends(get_admin)]
SwapDep = Annotated[ServiceSwap, Depends(get_swap)]

router = APIRouter(
    prefix="/api/admin",
    tags=["admin"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_admin)],
)


async def read_upload(request: Request, limit: int) -> tuple[str, bytes]:
    """(client's file name, bytes) of the form's one file field `file`."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise RequestRejected(422, NOT_MULTIPART)
    try:
        form = await request.form(max_files=1, max_fields=4)
    except StarletteHTTPException as exc:
        if exc.status_code != 400:
            raise
        raise RequestRejected(422, NOT_MULTIPART) from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise RequestRejected(422, NOT_MULTIPART)
        name = upload.filename or ""
        if upload.size is not None and upload.size > limit:
            raise FileTooLargeError(f"文件过大：{name[-100:]}（上限 {limit} 字节）")
        return name, await upload.read()
    finally:
        await form.close()


@router.post(
    "/documents",
    status_code=201,
    response_model=LibraryChangeOut,
    summary="上传并添加一份报告（需管理令牌）",
    openapi_extra=UPLOAD_BODY,
)
async def upload_document(request: Request, admin: AdminDep) -> LibraryChangeOut:
    """Checked (type, size, text, duplicates), ingested, only it embedded; answers once the
    new index is being served."""
    name, data = await read_upload(request, admin.max_upload_bytes)
    change = await run_in_threadpool(admin.add_upload, name, data)
    return LibraryChangeOut.from_change(change)


@router.delete(
    "/documents/{doc_id}", response_model=LibraryChangeOut, summary="移除一份报告（需管理令牌）"
)
def delete_document(
    doc_id: Annotated[str, Path(max_length=MAX_DOC_ID, description="报告 id")],
    admin: AdminDep,
) -> LibraryChangeOut:
    return LibraryChangeOut.from_change(admin.remove(doc_id))


@router.post("/reload", response_model=ReloadOut, summary="载入最新的索引版本（需管理令牌）")
def reload(swap: SwapDep) -> ReloadOut:
    return ReloadOut.from_outcome(swap.reload(retry=True))


@router.get("/progress", response_model=ProgressOut, summary="当前报告添加或移除的进度")
def progress(admin: AdminDep) -> ProgressOut:
    return ProgressOut.from_progress(admin.board.snapshot())
