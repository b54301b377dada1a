# Copyright (c) textboxes_retina authors.
"""Why a detector misses the words it misses: each legible word of a test run, by kind.

Reads the predictions that ``tools/test.py CONFIG CHECKPOINT --out RESULTS.pkl`` dumps (with
their ground truth) and puts every legible word (not ``###``) in one kind, the first that
applies, at the submission threshold ``--score-thr``:

- ``found``: a reported quad (score >= the threshold) has IoU >= 0.5 with it (before the
  protocol's one-to-one matching, so the count can exceed the metric's);
- ``unseen by the map`` (with ``--map-folder``): the PP-OCRv4 text probability map's maximum
  inside the word is under ``--map-thr`` (``text_map_coverage.py``'s measure), so a
  ``MapRescoredTextBoxesRetina`` hardly ever reports it;
- ``scored low``: a quad with IoU >= 0.5 was predicted but scores under the threshold;
- ``partly covered``: the best reported quad has IoU 0.2-0.5 (a piece of the word, or the word
  with its neighbours);
- ``nothing``: no quad near it.

Prints, per kind, the number of words, their median height and the fraction under
``--small`` px high (the height is :func:`~textboxes_retina.structures.quad_short_sides`). ::

    python tools/test.py CONFIG CHECKPOINT --out work_dirs/ood.pkl \\
        --cfg-options test_dataloader.dataset.data_root=data/synthetic_text/test_ood
    python tools/analysis_tools/word_misses.py work_dirs/ood.pkl --score-thr 0.4 \\
        --map-folder data/synthetic_text/test_ood
"""
import argparse
import os.path as osp
import pickle
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

KINDS = ('found', 'unseen by the map', 'scored low', 'partly covered', 'nothing')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('results', help='the pickle of tools/test.py --out')
    parser.add_argument('--score-thr', type=float, required=True, help='the submission threshold')
    parser.add_argument(
        '--map-folder',
        help='the ICDAR 2015-layout folder (imgs/, gts/) the results are of: also count the '
        'words the PP-OCRv4 map does not see')
    parser.add_argument('--map-thr', type=float, default=0.3, help='a word is seen above this')
    parser.add_argument('--small', type=float, default=12, help='small words: under this height')
    return parser.parse_args(argv)


def word_kinds(samples: Sequence[Dict],
               score_thr: float,
               map_maxima: Optional[np.ndarray] = None,
               map_thr: float = 0.3) -> Dict[str, np.ndarray]:
    """The kind (an index into :data:`KINDS`) and height of every legible word.

    Args:
        samples (Sequence[dict]): Test results with their annotations (``tools/test.py
            --out``): ``pred_instances`` (``polygons``, ``scores``), ``gt_instances``
            (``polygons``, ``ignored``).
        score_thr (float): Quads scoring at least this are reported.
        map_maxima (np.ndarray, optional): The map's maximum in every legible word, in the
            order of ``samples`` and of their annotations. Defaults to None (no such kind).
        map_thr (float): A word is seen by the map above this. Defaults to 0.3.

    Returns:
        dict: ``kinds`` (int) and ``heights`` (float), one per legible word.
    """
    from textboxes_retina.evaluation.metrics.text_det_sample_arrays import text_det_sample_arrays
    from textboxes_retina.structures import quad_ious, quad_short_sides
    all_arrays = [text_det_sample_arrays(sample, index) for index, sample in enumerate(samples)]
    num_words = sum(int((~arrays['gt_ignored']).sum()) for arrays in all_arrays)
    if map_maxima is not None and len(map_maxima) != num_words:
        raise ValueError(f'{len(map_maxima)} map maxima for {num_words} legible words: the '
                         'map folder is not the one the results are of')
    kinds: List[int] = []
    heights: List[np.ndarray] = []
    for arrays in all_arrays:
        gts = arrays['gt_polygons'][~arrays['gt_ignored']]
        if not len(gts):
            continue
        preds, scores = arrays['pred_polygons'], arrays['scores']
        ious = (
            quad_ious(torch.from_numpy(gts), torch.from_numpy(preds)).numpy()
            if len(preds) else np.zeros((len(gts), 0)))
        reported = scores >= score_thr
        for word_ious in ious:
            best_reported = word_ious[reported].max(initial=0.0)
            if best_reported >= 0.5:
                kinds.append(0)
            elif map_maxima is not None and map_maxima[len(kinds)] < map_thr:
                kinds.append(1)
            elif word_ious.max(initial=0.0) >= 0.5:
                kinds.append(2)
            elif best_reported >= 0.2:
                kinds.append(3)
            else:
                kinds.append(4)
        heights.append(quad_short_sides(torch.from_numpy(gts)).numpy())
    return dict(
        kinds=np.array(kinds, int), heights=np.concatenate(heights) if heights else np.zeros(0))


def summary_lines(words: Dict[str, np.ndarray], small: float = 12) -> List[str]:
    """One line for all the words, then one per kind with words in it."""
    lines = [f'{len(words["kinds"])} legible words']
    for index, kind in enumerate(KINDS):
        inside = words['kinds'] == index
        if inside.any():
            heights = words['heights'][inside]
            lines.append(f'  {kind}: {inside.sum()} words, median height {np.median(heights):.1f} '
                         f'px, {np.mean(heights < small):.2f} under {small:g} px')
    return lines


def main(argv=None) -> None:
    args = parse_args(argv)
    with open(args.results, 'rb') as f:
        samples = pickle.load(f)
    if not isinstance(samples, list) or not all(
            isinstance(sample, dict) and 'gt_instances' in sample for sample in samples):
        raise SystemExit(f'{args.results}: not the predictions of tools/test.py --out (a list of '
                         'samples with their gt_instances)')
    map_maxima = None
    if args.map_folder:
        coverage_tool = _load_sibling('text_map_coverage.py')
        map_maxima = coverage_tool.word_coverage(args.map_folder,
                                                 coverage_tool.build_map_model())['maxima']
    words = word_kinds(samples, args.score_thr, map_maxima, args.map_thr)
    print('\n'.join(summary_lines(words, args.small)), flush=True)


def _load_sibling(name: str):
    """The tool ``name`` next to this one, as a module."""
    from textboxes_retina.testing import load_tool
    return load_tool(osp.join(osp.dirname(osp.abspath(__file__)), name))


if __name__ == '__main__':
    main()
