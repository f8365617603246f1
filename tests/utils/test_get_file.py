import hashlib
import io
import tarfile
import urllib.error
import urllib.request
import zipfile

import pytest

from lamina.utils import get_file


def test_a_file_origin_is_copied_into_the_cache_and_its_hash_checked(tmp_path):
    src = tmp_path / "data.csv"
    src.write_text("a,b\n1,2\n")
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    path = get_file(origin=src.as_uri(), cache_dir=tmp_path / "cache", file_hash=digest)
    assert path == str(tmp_path / "cache" / "datasets" / "data.csv")
    assert open(path).read() == "a,b\n1,2\n"
    with pytest.raises(ValueError, match="does not match the expected hash"):
        get_file("other.csv", origin=str(src), cache_dir=tmp_path / "cache", md5_hash="0" * 32)


def test_a_cached_file_is_used_without_any_network(tmp_path, monkeypatch):
    cached = tmp_path / "datasets" / "imdb.npz"
    cached.parent.mkdir()
    cached.write_bytes(b"x")

    def no_network(*args, **kwargs):
        raise AssertionError("get_file tried the network")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    assert get_file("imdb.npz", "https://example.invalid/imdb.npz", cache_dir=tmp_path) == \
        str(cached)


def test_offline_download_says_where_to_put_the_file(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(OSError, match="could not download .*put the file at .*cats.zip"):
        get_file("cats.zip", "https://example.invalid/cats.zip", cache_dir=tmp_path)
    assert not (tmp_path / "datasets" / "cats.zip").exists()


def test_extract_unpacks_tar_and_refuses_a_zip_that_escapes(tmp_path):
    archive = tmp_path / "pets.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("pets/cat.txt")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"meow"))
    folder = get_file("pets.tar.gz", archive.as_uri(), extract=True, cache_dir=tmp_path / "c")
    assert folder.endswith("pets_extracted")
    assert open(f"{folder}/pets/cat.txt").read() == "meow"
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("../../escaped.txt", "x")
    with pytest.raises(ValueError, match="holds a path outside its folder"):
        get_file("bad.zip", bad.as_uri(), extract=True, cache_dir=tmp_path / "c")
    assert not (tmp_path / "escaped.txt").exists()
