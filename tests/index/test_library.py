"""Adding and removing reports (index/library.py) over real ingest, a real FAISS/BM25 index in
tmp and the deterministic fake embedder: only new texts are embedded, a remove embeds nothing,
the result is the index a full build of the corpus gives, and bad input changes nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.errors import DuplicateReportError, LibraryBusyError, LibraryError, UnknownReportError
from index.library import add_reports, list_reports, remove_report
from index.library_files import library_lock
from index.store import IndexStore, passage_text, sentence_texts
from ingest.errors import BinaryFileError, EmptyFileError, IngestError, UnsupportedFormatError
from tests.fakes import HashEmbedder
from tests.reports import Library, make_library, report_text, write_report


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return make_library(tmp_path)


@pytest.fixture(scope="module")
def untouched(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """One library for the tests that show an attempt changes nothing."""
    return make_library(tmp_path_factory.mktemp("untouched"))


def texts_of(store: IndexStore, doc_id: str) -> set[str]:
    chunks = [c for c in store.chunks if c.doc_id == doc_id]
    return {passage_text(c) for c in chunks} | {t for c in chunks for t in sentence_texts(c)}


def test_an_add_embeds_only_the_new_report_and_is_what_a_full_build_gives(
    library: Library, tmp_path: Path
) -> None:
    before = library.version
    old = IndexStore.load(library.config.index_dir)
    known = set().union(*(texts_of(old, doc_id) for doc_id in old.documents))
    change = library.add(write_report(tmp_path / "incoming", "honghe"))
    store = IndexStore.load(library.config.index_dir)
    new_texts = texts_of(store, "honghe-2026") - known  # a text the others have is reused
    assert len(new_texts) > 10 and sorted(library.embedded()) == sorted(new_texts)
    assert change.embedded == len(new_texts)
    assert library.version != before
    assert "honghe-2026.txt" in library.corpus()
    # the corpus order (corpus/ sorted, then more/): the manifest a full build would write
    assert store.manifest.documents == ("honghe-2026", "qingshan-2026", "baishui-2026")
    library.embedder.calls.clear()
    assert library.full_build().manifest.built_at == store.manifest.built_at
    assert library.embedded() == [] and library.version == store_dir(library)


def store_dir(library: Library) -> Path:
    return library.config.index_dir.resolve()


def test_a_remove_embeds_nothing_and_gives_back_the_index_without_it(
    library: Library, tmp_path: Path
) -> None:
    original = IndexStore.load(library.config.index_dir)
    library.add(write_report(tmp_path / "incoming", "honghe"))
    library.embedder.calls.clear()
    change = remove_report(library.config, "honghe-2026")
    assert change.removed == ("honghe-2026",) and change.embedded == 0
    assert library.embedder.calls == [] and "honghe-2026.txt" not in library.corpus()
    after = IndexStore.load(library.config.index_dir)
    assert after.manifest.corpus_hash == original.manifest.corpus_hash
    assert [c.chunk_id for c in after.chunks] == [c.chunk_id for c in original.chunks]
    assert np.array_equal(after.dense.vectors, original.dense.vectors)
    query = "地区生产总值预期增长"
    assert np.allclose(after.lexical.scores(query), original.lexical.scores(query))
    assert library.full_build().manifest.built_at == after.manifest.built_at


def test_removing_a_report_of_another_corpus_directory_deletes_its_file(
    library: Library,
) -> None:
    remove_report(library.config, "baishui-2026")
    assert library.corpus() == ["qingshan-2026.txt"]
    assert IndexStore.load(library.config.index_dir).manifest.documents == ("qingshan-2026",)


def test_a_meta_json_beside_the_source_comes_along(library: Library, tmp_path: Path) -> None:
    source = write_report(tmp_path / "incoming", "jinsha", "report.txt")
    (tmp_path / "incoming" / "report.meta.json").write_text('{"doc_id": "jinsha-2026-a"}')
    library.add(source)
    assert {"report.txt", "report.meta.json"} <= set(library.corpus())
    assert "jinsha-2026-a" in IndexStore.load(library.config.index_dir).documents
    remove_report(library.config, "jinsha-2026-a")
    assert not {"report.txt", "report.meta.json"} & set(library.corpus())


def bad_sources(incoming: Path) -> dict[str, tuple[Path, type[Exception]]]:
    incoming.mkdir()
    (incoming / "empty.txt").write_bytes(b"")
    (incoming / "binary.txt").write_bytes(b"\x00\x01PK" * 200)
    (incoming / "report.exe").write_text(report_text("honghe"))
    (incoming / "copy.txt").write_text(report_text("qingshan"))
    (incoming / "two words.txt").write_text(report_text("jinsha"))
    (incoming / ".hidden.txt").write_text(report_text("jinsha"))
    write_report(incoming / "sub", "jinsha", "qingshan-2026.txt")  # a name the corpus has
    write_report(incoming / "sub2", "jinsha", "baishui-2026.txt")  # an id another dir has
    return {
        "empty": (incoming / "empty.txt", EmptyFileError),
        "binary": (incoming / "binary.txt", BinaryFileError),
        "unsupported": (incoming / "report.exe", UnsupportedFormatError),
        "same content": (incoming / "copy.txt", DuplicateReportError),
        "bad doc id": (incoming / "two words.txt", LibraryError),
        "hidden": (incoming / ".hidden.txt", LibraryError),
        "same name": (incoming / "sub" / "qingshan-2026.txt", DuplicateReportError),
        "same doc id": (incoming / "sub2" / "baishui-2026.txt", DuplicateReportError),
        "missing": (incoming / "nothing.txt", IngestError),
    }


BAD = (
    "empty",
    "binary",
    "unsupported",
    "same content",
    "bad doc id",
    "hidden",
    "same name",
    "same doc id",
    "missing",
)


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_refused_before_the_model_loads_and_changes_nothing(
    untouched: Library, tmp_path: Path, case: str
) -> None:
    library = untouched
    source, error = bad_sources(tmp_path / "incoming")[case]
    version, corpus = library.version, library.corpus()

    def no_model() -> HashEmbedder:
        raise AssertionError("the model was loaded for a bad file")

    with pytest.raises(error) as raised:
        add_reports(library.config, [source], no_model)
    assert str(raised.value) and any("\u4e00" <= ch <= "\u9fff" for ch in str(raised.value))
    assert library.version == version and library.corpus() == corpus


def test_one_bad_file_among_several_adds_none(untouched: Library, tmp_path: Path) -> None:
    library = untouched
    good = write_report(tmp_path / "incoming", "honghe")
    bad = tmp_path / "incoming" / "empty.txt"
    bad.write_bytes(b"")
    version, corpus = library.version, library.corpus()
    with pytest.raises(EmptyFileError):
        library.add(good, bad)
    assert library.version == version and library.corpus() == corpus


def test_a_second_change_meanwhile_is_refused(untouched: Library, tmp_path: Path) -> None:
    library = untouched
    with library_lock(library.config.index_dir):
        with pytest.raises(LibraryBusyError):
            library.add(write_report(tmp_path / "incoming", "honghe"))
        with pytest.raises(LibraryBusyError):
            remove_report(library.config, "baishui-2026")
    assert len(IndexStore.load(library.config.index_dir).documents) == 2


def test_a_failed_publish_leaves_corpus_and_index_as_they_were(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    version, corpus = library.version, library.corpus()

    def disk_full(self: IndexStore, index_dir: Path) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(IndexStore, "save", disk_full)
    with pytest.raises(OSError):
        library.add(write_report(tmp_path / "incoming", "honghe"))
    with pytest.raises(OSError):
        remove_report(library.config, "baishui-2026")
    assert library.version == version and library.corpus() == corpus


def test_unknown_and_last_reports_cannot_be_removed(library: Library) -> None:
    with pytest.raises(UnknownReportError, match="没有报告"):
        remove_report(library.config, "nobody-2026")
    remove_report(library.config, "baishui-2026")
    with pytest.raises(LibraryError, match="最后一份"):
        remove_report(library.config, "qingshan-2026")


def test_list_names_each_report_its_file_and_the_files_not_indexed(library: Library) -> None:
    stray = write_report(library.config.corpus_dirs[0], "jinsha")
    entries, unindexed = list_reports(library.config)
    assert [(e.info.doc_id, e.info.meta.region) for e in entries] == [
        ("qingshan-2026", "青山市"),
        ("baishui-2026", "白水市"),
    ]
    assert all(e.chunks > 0 and e.source is not None and e.source.is_file() for e in entries)
    assert unindexed == [stray]
