"""Read dataset files the way they are distributed: from a folder or from the official zip."""
import os
import os.path as osp
import zipfile
from typing import List, Optional


class FolderOrZip:
    """A folder, or a zip archive read in place (its images extracted on demand).

    Use it as a context manager so that the archive is opened once::

        with FolderOrZip('data/icdar2015/ch4_training_images.zip') as source:
            for member in source.list_files():
                path = source.local_path(member)

    Args:
        path (str): A folder or a ``.zip`` file. A path without ``.zip`` that does not exist is
            looked up with ``.zip`` appended, so configs can name the official folder and work
            with either the folder or the downloaded archive.
        extract_dir (str, optional): Where :meth:`local_path` extracts zip members. Defaults to
            None: beside the archive, ``ch4_training_images.zip`` ->
            ``ch4_training_images_extracted/`` (not the official folder name, which a later run
            would take for the complete folder although only the members used were extracted).

    Raises:
        FileNotFoundError: ``path`` does not exist (the message names it).
        ValueError: ``path`` is a file but not a zip archive.
    """

    def __init__(self, path: str, extract_dir: Optional[str] = None) -> None:
        path = self.resolve(path)
        self.path = path
        self.is_zip = osp.isfile(path)
        if self.is_zip and not zipfile.is_zipfile(path):
            raise ValueError(f'{path} is neither a folder nor a zip archive')
        if extract_dir is None and self.is_zip:
            extract_dir = osp.splitext(path)[0] + '_extracted'
        self.extract_dir = extract_dir
        self._zip: Optional[zipfile.ZipFile] = None

    @staticmethod
    def resolve(path: str) -> str:
        """Return ``path`` if it exists, else ``path + '.zip'`` if that exists.

        Raises:
            FileNotFoundError: Neither exists; the message names ``path``.
        """
        if osp.exists(path):
            return path
        if not path.lower().endswith('.zip') and osp.isfile(path + '.zip'):
            return path + '.zip'
        raise FileNotFoundError(f'dataset folder or archive not found: {path} (nor {path}.zip)')

    def __enter__(self) -> 'FolderOrZip':
        if self.is_zip:
            self._zip = zipfile.ZipFile(self.path)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def _archive(self) -> zipfile.ZipFile:
        if self._zip is None:
            raise RuntimeError(f'open {self.path} with a `with` block before reading it')
        return self._zip

    def list_files(self) -> List[str]:
        """Relative names of the files: a folder's own files (not its sub-folders'), or every
        file member of the archive (``__MACOSX`` metadata left out)."""
        if not self.is_zip:
            return [name for name in os.listdir(self.path)
                    if osp.isfile(osp.join(self.path, name))]
        return [info.filename for info in self._archive().infolist()
                if not info.is_dir() and not info.filename.startswith('__MACOSX/')]

    def display_path(self, member: str) -> str:
        """The name used in messages: ``folder/member`` or ``archive.zip/member``."""
        return osp.join(self.path, member)

    def read_bytes(self, member: str) -> bytes:
        """Return the content of ``member``."""
        if not self.is_zip:
            with open(osp.join(self.path, member), 'rb') as f:
                return f.read()
        return self._archive().read(member)

    def exists(self, member: str) -> bool:
        """Whether ``member`` is a file of the folder or the archive."""
        if not self.is_zip:
            return osp.isfile(osp.join(self.path, member))
        try:
            self._archive().getinfo(member)
        except KeyError:
            return False
        return True

    def local_path(self, member: str) -> str:
        """A path on disk for ``member``; zip members are extracted to ``extract_dir`` unless a
        file of the same size is already there."""
        if not self.is_zip:
            return osp.join(self.path, member)
        target = osp.join(self.extract_dir, member)
        info = self._archive().getinfo(member)
        if not (osp.isfile(target) and osp.getsize(target) == info.file_size):
            self._archive().extract(info, self.extract_dir)
        return target
