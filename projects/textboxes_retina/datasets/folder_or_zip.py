# Copyright (c) textboxes_retina authors.
"""Read dataset files the way they are distributed: from a folder or from the official zip."""
import os
import os.path as osp
import shutil
import tempfile
import zipfile
import zlib
from typing import List, Optional

from .bad_input_policy import DatasetInputError

#: What reading a damaged zip member can raise (bad CRC, bad deflate data, cut-off data).
_MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)


def unsafe_member_name(name: str) -> Optional[str]:
    """Why the zip member ``name`` could resolve outside its archive, or None if it cannot.

    Args:
        name (str): A member name as stored in the archive.

    Returns:
        str or None: ``'absolute path'`` or ``"'..' in the path"``; None for a safe name.
    """
    if name.startswith(('/', '\\')) or (len(name) > 1 and name[1] == ':'):
        return 'absolute path'
    if '..' in name.replace('\\', '/').split('/'):
        return "'..' in the path"
    return None


def _file_crc32(path: str) -> int:
    """CRC-32 of a file's content (the checksum zip archives store per member)."""
    crc = 0
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            crc = zlib.crc32(block, crc)
    return crc


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

    Member names are only taken inside the archive: :meth:`list_files` leaves out members with
    an absolute path or a ``..`` component and lists them in :attr:`unsafe_members` (name,
    reason), for the dataset to report. Reading a damaged member raises
    :class:`DatasetInputError` naming ``archive.zip/member``.

    Raises:
        FileNotFoundError: ``path`` does not exist (the message names it).
        ValueError: ``path`` is a file but not a zip archive, or its directory is damaged.
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
        self.unsafe_members: List[tuple] = []
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
            try:
                self._zip = zipfile.ZipFile(self.path)
            except (zipfile.BadZipFile, OSError) as error:
                raise ValueError(f'{self.path}: damaged zip archive ({error}); download it '
                                 'again or unpack what can be read into a folder') from None
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
        file member of the archive with a safe name (``__MACOSX`` metadata left out; unsafe names
        go to :attr:`unsafe_members`), sorted."""
        if not self.is_zip:
            return sorted(
                name for name in os.listdir(self.path) if osp.isfile(osp.join(self.path, name)))
        names, self.unsafe_members = [], []
        for info in self._archive().infolist():
            if info.is_dir() or info.filename.startswith('__MACOSX/'):
                continue
            reason = unsafe_member_name(info.filename)
            if reason is None:
                names.append(info.filename)
            else:
                self.unsafe_members.append((info.filename, reason))
        return sorted(names)

    def display_path(self, member: str) -> str:
        """The name used in messages: ``folder/member`` or ``archive.zip/member`` (the member
        name as stored, even an absolute one)."""
        return f'{self.path}/{member}' if self.is_zip else osp.join(self.path, member)

    def read_bytes(self, member: str) -> bytes:
        """Return the content of ``member``.

        Raises:
            DatasetInputError: A damaged zip member (bad CRC or compressed data).
        """
        if not self.is_zip:
            with open(osp.join(self.path, member), 'rb') as f:
                return f.read()
        try:
            return self._archive().read(self._safe_info(member))
        except _MEMBER_ERRORS as error:
            raise self._damaged(member, error) from None

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
        """A path on disk for ``member``; a zip member is extracted to ``extract_dir`` unless a
        file with its size and CRC-32 is already there (a replaced archive whose member kept its
        size is extracted again). Extraction writes a temporary file and renames it, so a
        concurrent reader never sees half a file.

        Raises:
            DatasetInputError: A damaged zip member (bad CRC or compressed data).
        """
        if not self.is_zip:
            return osp.join(self.path, member)
        info = self._safe_info(member)
        target = osp.join(self.extract_dir, *member.split('/'))
        if osp.isfile(target) and osp.getsize(target) == info.file_size and \
                _file_crc32(target) == info.CRC:
            return target
        os.makedirs(osp.dirname(target), exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=osp.dirname(target), suffix='.part')
        try:
            with os.fdopen(handle, 'wb') as out, self._archive().open(info) as data:
                shutil.copyfileobj(data, out)
            os.replace(temp, target)
        except _MEMBER_ERRORS as error:
            raise self._damaged(member, error) from None
        finally:
            if osp.exists(temp):
                os.remove(temp)
        return target

    def _safe_info(self, member: str) -> zipfile.ZipInfo:
        """The ``ZipInfo`` of ``member``, refused if its name could leave the archive."""
        reason = unsafe_member_name(member)
        if reason is not None:
            raise DatasetInputError(
                self.display_path(member), f'unsafe archive member name ({reason})')
        return self._archive().getinfo(member)

    def _damaged(self, member: str, error: Exception) -> DatasetInputError:
        return DatasetInputError(self.display_path(member), f'damaged archive member ({error})')
