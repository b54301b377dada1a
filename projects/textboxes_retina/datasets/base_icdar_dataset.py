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
    """Return ``(height, width)`` from the image header (the pixels are not decoded)."""
    with Image.open(path) as image:
        width, height = image.size
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
    img_path = source.local_path(member)
    height = width = None
    if with_image_size:
        try:
            height, width = read_image_size(img_path)
        except Exception as error:  # PIL raises several types for corrupt files
            policy.report(
                DatasetInputError(source.display_path(member), f'unreadable image ({error})'),
                'image skipped')
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

    Bad input (an image without ground truth or the reverse, an unreadable image, a malformed or
    degenerate or out-of-image word, an empty ground-truth file) raises a
    :class:`DatasetInputError` naming file and line when ``strict``, else the word or image is
    skipped and one :class:`BadInputWarning` per file lists what was skipped. Images that
    become unreadable later are handled by the pipeline: ``LoadImageFromFile(ignore_empty=True)``
    returns None and :class:`BaseDataset` fetches another sample.

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
        strict (bool): Raise on bad input instead of skipping it. Defaults to False.
        ignore_text (str): Transcription marking a don't-care word. Defaults to '###'.
        min_quad_area (float): Smallest quad area (px^2) accepted, also inside the image.
            Defaults to 1.0.
        with_image_size (bool): Read every image header at construction for ``height`` /
            ``width``, the out-of-image check and early detection of unreadable images.
            Defaults to True.
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
                        'name skipped')
            stems = [stem for stem in stems if stem in wanted]
        return stems if self.limit is None else stems[:self.limit]

    def load_data_list(self) -> List[dict]:
        """Pair images with ground-truth files and parse them.

        Returns:
            list[dict]: One ``OCRDataset``-style data info per usable image, naturally sorted.
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
            images = {}
            for path in self.img_dirs:
                source = stack.enter_context(FolderOrZip(path, self._extract_dir_for(path)))
                for member in source.list_files():
                    stem, suffix = osp.splitext(osp.basename(member))
                    if suffix.lower() in self.IMG_SUFFIXES:
                        images.setdefault(stem, (source, member))
            names = {osp.basename(member): stem for stem, (_, member) in images.items()}
            for stem in self._select_stems(list(set(images) | set(gts)), names, policy):
                if stem not in images:
                    policy.report(
                        DatasetInputError(
                            ann_source.display_path(gts[stem]),
                            f'no image {stem}.{{{",".join(s[1:] for s in self.IMG_SUFFIXES)}}}'
                            f' in {", ".join(self.img_dirs)}'), 'ground truth skipped')
                    continue
                source, member = images[stem]
                if stem not in gts:
                    policy.report(
                        DatasetInputError(source.display_path(member),
                                          f'no ground truth gt_{stem}.txt in {self.ann_dir}'),
                        'image skipped')
                    continue
                info = load_image_info(source, member, policy, self.with_image_size)
                if info is None:
                    continue
                lines = decode_annotation_lines(ann_source.read_bytes(gts[stem]))
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
        return data_list

    def _extract_dir_for(self, path: str) -> Optional[str]:
        """Extraction folder of the archive ``path`` under ``extract_dir`` (None: default)."""
        if self.extract_dir is None:
            return None
        return osp.join(self.extract_dir, osp.splitext(osp.basename(path))[0])
