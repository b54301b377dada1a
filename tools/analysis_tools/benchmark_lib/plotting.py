# Copyright (c) textboxes_retina authors.
"""The scaling figure: latency vs input size, post-processing and metric time vs words."""
from typing import Dict, List


def scaling_plot(inference_rows: List[Dict],
                 nms_rows: List[Dict],
                 metric_rows: List[Dict],
                 path: str,
                 title: str = '') -> str:
    """Write a three-panel PNG (matplotlib, Agg backend).

    Args:
        inference_rows (list[dict]): Rows with ``label``, ``size``, ``median_ms``.
        nms_rows (list[dict]): Rows with ``num_words``, ``ours_ms``, ``reference_ms``.
        metric_rows (list[dict]): Rows with ``num_words`` and ``<metric>_ms_per_image``.
        path (str): Output file.
        title (str): Figure title (e.g. the machine). Defaults to ''.

    Returns:
        str: ``path``.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    curves = {}
    for label in dict.fromkeys(row['label'] for row in inference_rows):
        rows = sorted((r for r in inference_rows if r['label'] == label), key=lambda r: r['size'])
        curves[label] = ([r['size'] for r in rows], [r['median_ms'] / 1e3 for r in rows])
    _panel(
        axes[0],
        curves,
        'input side (px)',
        'median latency (s / image)',
        'Inference latency vs input size',
        log=False)

    rows = sorted(nms_rows, key=lambda r: r['num_words'])
    words = [r['num_words'] for r in rows]
    _panel(
        axes[1], {
            label: (words, [r[key] for r in rows])
            for label, key in (('ours: decode + quad NMS', 'ours_ms'),
                               ('ours: quad NMS alone', 'nms_ms'),
                               ('reference (shapely loop)', 'reference_ms'))
        }, 'words per image', 'ms / image', 'Post-processing vs words per image')

    rows = sorted(metric_rows, key=lambda r: r['num_words'])
    keys = [k for k in rows[0] if k.endswith('_ms_per_image')] if rows else []
    _panel(
        axes[2], {
            key[:-len('_ms_per_image')]: ([r['num_words'] for r in rows], [r[key] for r in rows])
            for key in keys
        }, 'words per image', 'ms / image', 'Evaluation vs words per image')
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _panel(ax, curves: Dict, xlabel: str, ylabel: str, title: str, log: bool = True) -> None:
    """Draw ``label -> (xs, ys)`` curves on one axis."""
    for label, (xs, ys) in curves.items():
        ax.plot(xs, ys, 'o-', label=label)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if log and curves:
        ax.set_yscale('log')
    if curves:
        ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
