# Copyright (c) textboxes_retina authors.
"""SynthText in the Wild (Gupta et al., 2016), read from the official ``gt.mat``."""
import os.path as osp
from typing import List, Optional, Sequence, Union

import numpy as np
import scipy.io
from mmengine.dataset import BaseDataset
from mmocr.registry import DATASETS

from .bad_input_policy import BadInputPolicy, DatasetInputError
from .base_icdar_dataset import load_image_info, resolve_file_list
from .folder_or_zip import FolderOrZip
from .icdar_parsers import check_quad, make_instance


def word_quads(word_bb: np.ndarray) -> np.ndarray:
    """Convert one ``wordBB`` entry to quads.

    Args:
        word_bb (np.ndarray): ``(2, 4, K)``, or ``(2, 4)`` when the image has one word (MATLAB
            drops the trailing singleton dimension); ``[0]`` holds x, ``[1]`` y of the 4 points.

    Returns:
        np.ndarray: ``(K, 8)`` quads ``[x1, y1, ..., x4, y4]``, float64.
    """
    word_bb = np.asarray(word_bb, dtype=np.float64)
    if word_bb.ndim == 2:
        word_bb = word_bb[:, :, None]
    if word_bb.ndim != 3 or word_bb.shape[:2] != (2, 4):
        raise ValueError(f'wordBB must have shape (2, 4, K) or (2, 4), got {word_bb.shape}')
    return word_bb.transpose(2, 1, 0).reshape(-1, 8)


def words_of(txt: np.ndarray) -> List[str]:
    """Split one ``txt`` entry (text blocks, possibly space padded and multi-line) into words."""
    return ' '.join(str(block) for block in np.asarray(txt).ravel()).split()


@DATASETS.register_module()
class SynthTextDataset(BaseDataset):
    """SynthText: ``gt.mat`` (``imnames``, ``wordBB``, ``txt``) and images under the root.

    The full set has about 800k images; ``limit`` and ``file_list`` select a subset before any
    image is touched (``gt.mat`` itself is read once, without its large ``charBB``). Official
    layout::

        data/synthtext/            (or SynthText.zip with the same content under SynthText/)
        ├── gt.mat
        ├── 1/ant+hill_1_0.jpg
        └── ...

    ``data_info`` has the keys of MMOCR's ``OCRDataset`` (see :class:`BaseICDARDataset`); word
    boxes may reach outside the image, which ``QuadRandomCrop`` clips in the train pipeline.

    Args:
        data_root (str): The dataset folder, or the official zip archive. Defaults to ''.
        ann_file (str): ``gt.mat`` relative to ``data_root`` (inside the archive for a zip).
            Defaults to 'gt.mat'.
        img_dir (str): Folder of the images relative to ``data_root``, joined to ``imnames``.
            Defaults to ''.
        file_list (str | Sequence[str], optional): Restrict to these ``imnames``
            (e.g. ``'8/ballet_106_0.jpg'``), or a text file listing them. Defaults to None.
        limit (int, optional): Keep only the first ``limit`` images. Defaults to None.
        strict (bool): Raise on bad input instead of skipping it. Defaults to False.
        min_quad_area (float): Smallest word-box area (px^2) accepted. Defaults to 1.0.
        with_image_size (bool): Read each image header for ``height`` / ``width`` and the
            out-of-image check (slow on the full set). Defaults to False.
        extract_dir (str, optional): Where members of a zip ``data_root`` are extracted.
            Defaults to None (``<archive>_extracted/`` beside it).
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`.

    Raises:
        FileNotFoundError: ``data_root`` or ``ann_file`` does not exist.
    """

    def __init__(self,
                 data_root: str = '',
                 ann_file: str = 'gt.mat',
                 img_dir: str = '',
                 file_list: Union[str, Sequence[str], None] = None,
                 limit: Optional[int] = None,
                 strict: bool = False,
                 min_quad_area: float = 1.0,
                 with_image_size: bool = False,
                 extract_dir: Optional[str] = None,
                 **kwargs) -> None:
        self.source = FolderOrZip(data_root or '.', extract_dir)
        with self.source:
            if not self.source.exists(ann_file):
                raise FileNotFoundError(
                    f'SynthText annotation not found: {self.source.display_path(ann_file)}')
        self.mat_file = ann_file
        self.img_dir = img_dir
        self.file_list, self._file_list_name = resolve_file_list(
            file_list, '' if self.source.is_zip else data_root)
        self.limit = limit
        self.strict = strict
        self.min_quad_area = min_quad_area
        self.with_image_size = with_image_size
        super().__init__(data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Read ``gt.mat`` and build one data info per selected image.

        Returns:
            list[dict]: ``img_path``, ``height``, ``width``, ``instances``.
        """
        policy = BadInputPolicy(self.strict)
        with self.source:
            mat_name = self.source.display_path(self.mat_file)
            gt = scipy.io.loadmat(
                self.source.local_path(self.mat_file), variable_names=('imnames', 'wordBB', 'txt'))
            names = [str(np.asarray(name).ravel()[0]) for name in gt['imnames'].ravel()]
            indices = range(len(names))
            if self.file_list is not None:
                position = {name: i for i, name in enumerate(names)}
                indices = []
                for name in self.file_list:
                    if name in position:
                        indices.append(position[name])
                    else:
                        policy.report(
                            DatasetInputError(self._file_list_name,
                                              f'{name!r} is not in {mat_name}'), 'name skipped')
                indices = sorted(indices)
            if self.limit is not None:
                indices = indices[:self.limit]
            data_list = []
            for i in indices:
                info = self._load_image(names[i], gt['wordBB'].ravel()[i], gt['txt'].ravel()[i],
                                        mat_name, policy)
                if info is not None:
                    data_list.append(info)
        policy.flush()
        return data_list

    def _load_image(self, name: str, word_bb: np.ndarray, txt: np.ndarray, mat_name: str,
                    policy: BadInputPolicy) -> Optional[dict]:
        """Data info of one ``gt.mat`` entry, or None when the image is skipped."""
        member = osp.join(self.img_dir, name) if self.img_dir else name
        if not self.source.exists(member):
            policy.report(
                DatasetInputError(mat_name,
                                  f'{name}: image not found ({self.source.display_path(member)})'),
                'image skipped')
            return None
        try:
            quads = word_quads(word_bb)
        except ValueError as error:
            policy.report(DatasetInputError(mat_name, f'{name}: {error}'), 'image skipped')
            return None
        words = words_of(txt)
        if len(words) != len(quads):
            policy.report(
                DatasetInputError(mat_name,
                                  f'{name}: {len(quads)} word boxes but {len(words)} words'),
                'image skipped')
            return None
        info = load_image_info(self.source, member, policy, self.with_image_size)
        if info is None:
            return None
        instances = []
        for k, (quad, word) in enumerate(zip(quads, words)):
            problem = 'non-finite coordinate' if not np.isfinite(quad).all() else check_quad(
                quad, info['width'], info['height'], self.min_quad_area)
            if problem is not None:
                policy.report(
                    DatasetInputError(mat_name, f'{name}: word {k}: {problem}'), 'word skipped')
                continue
            instances.append(make_instance(quad, word))
        info['instances'] = instances
        return info
