# Copyright (c) textboxes_retina authors.
"""Base class of the datasets stored as ICDAR-style image folders + ``gt_<image>.txt`` files."""
import os.path as osp
import re
from contextlib import ExitStack
from typing import Dict, List, Optional, Sequence, Tuple, Union

from mmengine.dataset import BaseDataset
from PIL import Image

from .bad_input_policy import BadInputPolicy, DatasetInputError
from .folder_or_zip import FolderOrZip
from .icdar_parsers import LineParser, decode_annotation_lines, parse_annotation_lines

_GT_NAME = re.compile(r'^gt_(?P<stem>.+)\.txt$', re.IGNORECASE)


def natural_sort_key(name: str) -> Tuple:
    """Sort key that puts ``img_2`` before ``img_10``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r'(\d+)', name))


def read_image_size(path: str) -> Tuple[int, int]:
    """Return ``(height, width)`` of an image after checking that the whole file decodes.

    A truncated file passes a header check but not this one: a JPEG is decoded at 1/8 scale
    (libjpeg's DCT scaling still reads every entropy-coded byte, about a tenth of the cost of a
    full decode), a PNG has every chunk checksum verified, other formats are decoded.

    Raises:
        OSError, ValueError, SyntaxError: What PIL raises for an unreadable or truncated file
            (e.g. ``image file is truncated``).
    """
    with Image.open(path) as image:
        width, height = image.size
        if image.format == 'PNG':
            image.verify()
        else:
            if image.format == 'JPEG':
                image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
            image.load()
    return height, width


def load_image_info(source: FolderOrZip, member: str, policy: BadInputPolicy,
                    with_image_size: bool) -> Optional[dict]:
    """Return ``img_path``, ``height``, ``width`` of an image, or None if it is unreadable.

    Args:
        source (FolderOrZip): The open folder / archive holding the image.
        member (str): The image's name in ``source`` (zip members are extracted).
        policy (BadInputPolicy): Receives an unreadable image ('image skipped').
        with_image_size (bool): Read the header; if False, ``height`` and ``width`` are None.
    """
    try:
        img_path = source.local_path(member)
    except DatasetInputError as error:  # a damaged archive member
        policy.report(error, 'image skipped', 'damaged archive member')
        return None
    height = width = None
    if with_image_size:
        try:
            height, width = read_image_size(img_path)
        except Exception as error:  # PIL raises several types for corrupt files
            policy.report(
                DatasetInputError(source.display_path(member), f'unreadable image ({error})'),
                'image skipped', 'unreadable image')
            return None
    return dict(img_path=img_path, height=height, width=width)


def resolve_file_list(file_list: Union[str, Sequence[str], None],
                      data_root: str) -> Tuple[Optional[List[str]], str]:
    """Return the names of a ``file_list`` option and the name to quote in messages.

    Args:
        file_list (str | Sequence[str] | None): Names, or a text file (relative to
            ``data_root`` unless absolute) with one name a line.
        data_root (str): Root that a relative list file is joined to.
    """
    if file_list is None:
        return None, ''
    if isinstance(file_list, str):
        path = file_list if osp.isabs(file_list) else osp.join(data_root, file_list)
        if not osp.isfile(path):
            raise FileNotFoundError(f'file_list not found: {path}')
        with open(path, encoding='utf-8-sig') as f:
            return [line.strip() for line in f if line.strip()], path
    return list(file_list), 'file_list'


class BaseICDARDataset(BaseDataset):
    """Images in one or more folders or zips, ground truth ``gt_<image stem>.txt`` in another.

    Subclasses set :attr:`parse_line` (a function of :mod:`.icdar_parsers`) and
    :attr:`IMG_SUFFIXES`. Images and ground-truth files are paired by name
    (``img_1.jpg`` <-> ``gt_img_1.txt``, ``100.jpg`` <-> ``gt_100.txt``) and sorted naturally. The
    produced ``data_info`` has the keys of MMOCR's ``OCRDataset``: ``img_path``, ``height``,
    ``width`` and ``instances`` (``polygon``, ``bbox``, ``bbox_label``, ``ignore``, ``text``).

    Bad input raises a :class:`DatasetInputError` naming file and line (``archive.zip/member``
    for an archive) when ``strict``; otherwise the word or image is skipped and one
    :class:`BadInputWarning` per file lists what was skipped. Bad input is: an image without
    ground truth or the reverse; two images with one name stem (``img_1.jpg`` and ``img_1.png``:
    lenient keeps the first by name); an image that does not decode to its end (truncated,
    corrupt); a ground-truth file that is not UTF-8/16/32 text (a BOM is required for UTF-16/32);
    a malformed word (wrong value count, a coordinate that is not a plain decimal number or is
    beyond float32), a degenerate quad, a quad outside the image or a vertex farther outside it
    than the image size; an empty ground-truth file (lenient keeps the image without words); a
    zip member named with ``..`` or an absolute path (never read) or whose data is damaged. A
    dataset left without any image raises ``ValueError`` naming the folders looked in and the
    count of problems per kind, in both modes. Images that become unreadable after
    construction are handled by the pipeline: ``LoadImageFromFile(ignore_empty=True)`` returns
    None and :class:`BaseDataset` fetches another sample.

    The dataset base configs use ``strict=True`` for test and validation sets (a silently
    shorter test set changes the reported hmean) and ``strict=False`` for training sets.

    Args:
        data_root (str): Root of the dataset; relative ``img_dir`` / ``ann_dir`` are joined to
            it. Defaults to ''.
        img_dir (str | Sequence[str]): Image folder(s) or official zip archive(s); a name
            without ``.zip`` also finds ``<name>.zip``. Defaults to ''.
        ann_dir (str): Ground-truth folder or zip archive (same lookup). Defaults to ''.
        file_list (str | Sequence[str], optional): Restrict to these images (file names or stems),
            or a text file listing them one a line. Defaults to None (all).
        limit (int, optional): Keep only the first ``limit`` images after sorting. Defaults to
            None.
        strict (bool): Raise on bad input instead of skipping it with a warning. Defaults to
            False (the base configs set it explicitly).
        ignore_text (str): Transcription marking a don't-care word. Defaults to '###'.
        min_quad_area (float): Smallest quad area (px^2) accepted, also inside the image.
            Defaults to 1.0.
        with_image_size (bool): Read every image at construction for ``height`` / ``width``,
            the out-of-image check and early detection of unreadable or truncated images (see
            :func:`read_image_size`). Defaults to True.
        extract_dir (str, optional): Where images of zip archives are extracted, in one
            sub-folder per archive. Defaults to None (``<archive>_extracted/`` beside each).
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset` (``pipeline``, ``test_mode``,
            ``lazy_init``, ``indices``, ``serialize_data``, ``max_refetch``, ``metainfo``).

    Raises:
        FileNotFoundError: ``data_root``, an ``img_dir`` or ``ann_dir`` does not exist.
    """

    IMG_SUFFIXES: Tuple[str, ...] = ('.jpg', '.jpeg', '.png')
    parse_line: LineParser

    def __init__(self,
                 data_root: str = '',
                 img_dir: Union[str, Sequence[str]] = '',
                 ann_dir: str = '',
                 file_list: Union[str, Sequence[str], None] = None,
                 limit: Optional[int] = None,
                 strict: bool = False,
                 ignore_text: str = '###',
                 min_quad_area: float = 1.0,
                 with_image_size: bool = True,
                 extract_dir: Optional[str] = None,
                 **kwargs) -> None:
        if data_root and not osp.isdir(data_root):
            raise FileNotFoundError(f'data_root not found: {data_root}')
        img_dirs = [img_dir] if isinstance(img_dir, str) else list(img_dir)
        self.img_dirs = [osp.join(data_root, d) for d in img_dirs]
        self.ann_dir = osp.join(data_root, ann_dir)
        for path in self.img_dirs + [self.ann_dir]:
            FolderOrZip.resolve(path)  # fail now, naming the path
        self.file_list, self._file_list_name = resolve_file_list(file_list, data_root)
        self.limit = limit
        self.strict = strict
        self.ignore_text = ignore_text
        self.min_quad_area = min_quad_area
        self.with_image_size = with_image_size
        self.extract_dir = extract_dir
        super().__init__(data_root=data_root, **kwargs)

    def _select_stems(self, stems: List[str], names: Dict[str, str],
                      policy: BadInputPolicy) -> List[str]:
        """Apply ``file_list`` and ``limit`` to the naturally sorted ``stems``.

        Args:
            stems (list[str]): All stems of the dataset.
            names (dict[str, str]): Image file name -> stem, to accept names with suffix.
            policy (BadInputPolicy): Receives unknown names.
        """
        stems = sorted(stems, key=natural_sort_key)
        if self.file_list is not None:
            known, wanted = set(stems), set()
            for name in self.file_list:
                stem = names.get(name, name)
                if stem in known:
                    wanted.add(stem)
                else:
                    policy.report(
                        DatasetInputError(self._file_list_name, f'{name!r} is not in the dataset'),
                        'name skipped', 'not in the dataset')
            stems = [stem for stem in stems if stem in wanted]
        return stems if self.limit is None else stems[:self.limit]

    def load_data_list(self) -> List[dict]:
        """Pair images with ground-truth files and parse them.

        Returns:
            list[dict]: One ``OCRDataset``-style data info per usable image, naturally sorted.

        Raises:
            DatasetInputError: In strict mode, at the first bad input.
            ValueError: No usable image is left; the message names the folders looked in and
                counts the files dropped per reason.
        """
        policy = BadInputPolicy(self.strict)
        data_list = []
        with ExitStack() as stack:
            ann_source = stack.enter_context(FolderOrZip(self.ann_dir))
            gts = {}
            for member in ann_source.list_files():
                match = _GT_NAME.match(osp.basename(member))
                if match:
                    gts[match.group('stem')] = member
            self._report_unsafe_members(ann_source, policy)
            images = self._find_images(stack, policy)
            names = {osp.basename(member): stem for stem, (_, member) in images.items()}
            for stem in self._select_stems(list(set(images) | set(gts)), names, policy):
                if stem not in images:
                    policy.report(
                        DatasetInputError(
                            ann_source.display_path(gts[stem]),
                            f'no image {stem}.{{{",".join(s[1:] for s in self.IMG_SUFFIXES)}}}'
                            f' in {", ".join(self.img_dirs)}'), 'ground truth skipped', 'no image')
                    continue
                source, member = images[stem]
                if stem not in gts:
                    policy.report(
                        DatasetInputError(
                            source.display_path(member),
                            f'no ground truth gt_{stem}.txt in {self.ann_dir}'), 'image skipped',
                        'no ground truth')
                    continue
                lines = self._read_annotation(ann_source, gts[stem], policy)
                if lines is None:
                    continue
                info = load_image_info(source, member, policy, self.with_image_size)
                if info is None:
                    continue
                info['instances'] = parse_annotation_lines(
                    lines,
                    self.parse_line,
                    ann_source.display_path(gts[stem]),
                    policy,
                    width=info['width'],
                    height=info['height'],
                    ignore_text=self.ignore_text,
                    min_area=self.min_quad_area)
                data_list.append(info)
        policy.flush()
        if not data_list:
            raise ValueError(
                f'{type(self).__name__}: no usable image. Looked for images '
                f'({", ".join(self.IMG_SUFFIXES)}) in {", ".join(self.img_dirs)} '
                f'({len(images)} found) and for gt_<image>.txt in {self.ann_dir} ({len(gts)} '
                f'found); problems by kind: {policy.summary()}' +
                ('' if self.file_list is None else
                 f'; file_list {self._file_list_name or "given"} kept {len(self.file_list)}'
                 ' name(s)') + '.')
        return data_list

    def _find_images(self, stack: ExitStack,
                     policy: BadInputPolicy) -> Dict[str, Tuple[FolderOrZip, str]]:
        """Stem -> (source, member) of every image of ``img_dirs``; two image files with one stem
        are ambiguous (strict: error; lenient: the first in name order is kept, with a
        warning)."""
        images: Dict[str, Tuple[FolderOrZip, str]] = {}
        for path in self.img_dirs:
            source = stack.enter_context(FolderOrZip(path, self._extract_dir_for(path)))
            for member in source.list_files():
                stem, suffix = osp.splitext(osp.basename(member))
                if suffix.lower() not in self.IMG_SUFFIXES:
                    continue
                if stem in images:
                    kept_source, kept = images[stem]
                    policy.report(
                        DatasetInputError(
                            source.display_path(member),
                            f'ambiguous image: {kept_source.display_path(kept)} has the same '
                            f'name stem {stem!r} (one ground-truth file gt_{stem}.txt for both); '
                            'remove or rename one'), f'{kept} used', 'ambiguous image')
                    continue
                images[stem] = (source, member)
            self._report_unsafe_members(source, policy)
        return images

    @staticmethod
    def _report_unsafe_members(source: FolderOrZip, policy: BadInputPolicy) -> None:
        """Report the members of a zip ``source`` whose names would leave the archive."""
        for member, reason in source.unsafe_members:
            policy.report(
                DatasetInputError(
                    source.display_path(member),
                    f'unsafe archive member name ({reason}); only names inside '
                    'the archive are read'), 'member skipped', 'unsafe archive member')

    @staticmethod
    def _read_annotation(source: FolderOrZip, member: str,
                         policy: BadInputPolicy) -> Optional[List[Tuple[int, str]]]:
        """Numbered lines of a ground-truth file, or None (reported) when it cannot be read or
        decoded: its image is then skipped rather than trained on with no words."""
        try:
            return decode_annotation_lines(source.read_bytes(member))
        except DatasetInputError as error:  # a damaged archive member
            policy.report(error, 'image skipped', 'damaged archive member')
        except ValueError as error:
            policy.report(
                DatasetInputError(source.display_path(member), f'undecodable text ({error})'),
                'image skipped', 'undecodable ground truth')
        return None

    def _extract_dir_for(self, path: str) -> Optional[str]:
        """Extraction folder of the archive ``path`` under ``extract_dir`` (None: default)."""
        if self.extract_dir is None:
            return None
        return osp.join(self.extract_dir, osp.splitext(osp.basename(path))[0])
