"""Small synthetic reports in the real format (title block, 一、回顾, 二、安排, （一）…),
for fast tests of adding and removing reports; each region's text is its own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from index.build import ensure_index
from index.library import LibraryChange, LibraryConfig, add_reports
from index.store import BuildOptions, IndexStore
from ingest.pipeline import load_corpus
from tests.fakes import HashEmbedder

_TEMPLATE = """{year}年{region}政府工作报告
——{year}年1月20日在{region}第三届人民代表大会第五次会议上
{region}市长 {speaker}
各位代表：
现在，我代表{region}人民政府，向大会报告工作，请予审议。
一、{last}年工作回顾
过去一年，全市地区生产总值增长{growth}%，城镇新增就业{jobs}万人。{product}产业实现产值{output}亿元。
我们推进{nature}保护，完成植树造林{trees}万亩。
二、{year}年主要工作安排
{year}年全市地区生产总值预期增长{target}%左右，城镇新增就业{jobs}万人以上。
（一）做强{product}产业。建设{product}基地{bases}个，培育{product}龙头企业{firms}家。
（二）保护{nature}。新建{nature}公园{parks}个。
"""

REGIONS = {
    "qingshan": ("青山市", "李明", "茶叶", "竹林", 5.2),
    "baishui": ("白水市", "王芳", "柑橘", "湿地", 4.8),
    "honghe": ("红河市", "赵强", "咖啡", "草原", 6.1),
    "jinsha": ("金沙市", "陈静", "陶瓷", "江岸", 5.6),
}


def report_text(key: str, year: int = 2026) -> str:
    region, speaker, product, nature, growth = REGIONS[key]
    n = len(key)
    return _TEMPLATE.format(
        year=year,
        last=year - 1,
        region=region,
        speaker=speaker,
        product=product,
        nature=nature,
        growth=growth,
        jobs=n,
        output=n * 3,
        trees=n + 1,
        target=round(growth - 0.2, 1),
        bases=n + 2,
        firms=n - 1,
        parks=n % 4 + 1,
    )


def write_report(directory: Path, key: str, name: str | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (name or f"{key}-2026.txt")
    path.write_text(report_text(key), encoding="utf-8")
    return path


@dataclass
class Library:
    config: LibraryConfig
    embedder: HashEmbedder

    @property
    def version(self) -> Path:
        return self.config.index_dir.resolve()

    def corpus(self) -> list[str]:
        return sorted(p.name for d in self.config.corpus_dirs for p in d.iterdir())

    def full_build(self) -> IndexStore:
        """What `reportqa index build` (and a server start) makes of the corpus now."""
        documents, chunks = load_corpus(
            self.config.corpus_dirs, cache_dir=self.config.cache_dir, max_tokens=256
        )
        options = BuildOptions()
        return ensure_index(
            self.config.index_dir, chunks, self.embedder, options, self.config.cache_dir, documents
        )

    def add(self, *paths: Path) -> LibraryChange:
        return add_reports(self.config, list(paths), lambda: self.embedder)

    def embedded(self) -> list[str]:
        return [t for kind, texts in self.embedder.calls if kind == "passage" for t in texts]


def make_library(root: Path) -> Library:
    """Two reports in two corpus directories, indexed."""
    first, second = root / "corpus", root / "more"
    write_report(first, "qingshan")
    write_report(second, "baishui")
    config = LibraryConfig((first, second), root / "var" / "index", root / "cache")
    lib = Library(config, HashEmbedder())
    lib.full_build()
    lib.embedder.calls.clear()
    return lib
