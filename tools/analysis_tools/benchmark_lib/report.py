# Copyright (c) textboxes_retina authors.
"""Markdown tables of the benchmark results (the JSON keeps every number at full precision)."""
import math
from decimal import ROUND_DOWN, Decimal
from typing import Dict, List, Optional, Sequence


def fmt(value, digits: int = 4) -> str:
    """A number cut (never rounded up) to ``digits`` significant digits; integers and values
    of 1000 or more keep all their integer digits; ``-`` for None, yes/NO for booleans.

    Cutting instead of rounding means a printed ratio is never above the measured one
    (19.996 prints as 19.99, not 20).
    """
    if value is None:
        return '-'
    if isinstance(value, bool):
        return 'yes' if value else 'NO'
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 1000:
        return str(int(value))
    if value == 0:
        return '0'
    exact = Decimal(repr(value))
    step = Decimal(1).scaleb(exact.adjusted() - digits + 1)
    text = format(exact.quantize(step, rounding=ROUND_DOWN), 'f')
    return text.rstrip('0').rstrip('.') if '.' in text else text


def percent(fraction) -> str:
    """A fraction as a percentage, cut to 3 significant digits (``-`` for None)."""
    return '-' if fraction is None else fmt(100 * fraction, 3) + '%'


def table(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A GitHub markdown table."""
    lines = ['| ' + ' | '.join(headers) + ' |', '|' + '---|' * len(headers)]
    lines += [
        '| ' + ' | '.join(fmt(c) if not isinstance(c, str) else c for c in row) + ' |'
        for row in rows
    ]
    return '\n'.join(lines)


def inference_tables(rows: List[Dict], peak: Optional[Dict]) -> str:
    """Latency, stage shares and efficiency tables."""
    out = [
        '### Inference (1 image, `test_step`: preprocessing, network, decoding, NMS)', '',
        table([
            'model', 'size', 'network input', 'median ms', 'p90 ms', 'images/s', 'runs',
            'latency / DBNet-R50', 'DBNet-R50 latency / ours'
        ], [[
            r['label'], r['size'], 'x'.join(map(
                str, r['input_shape'])), r['median_ms'], r['p90_ms'], r['images_per_s'], r['runs'],
            r.get('latency_vs_dbnet_r50'),
            1 / r['latency_vs_dbnet_r50'] if r.get('latency_vs_dbnet_r50') else None
        ] for r in rows]), '', '### Where the time goes (share of the median latency)', '',
        table([
            'model', 'size', 'preprocess', 'backbone', 'neck', 'head (convs)',
            'decode + NMS + packing'
        ], [[r['label'], r['size']] + [
            percent(r['stage_shares'][s])
            for s in ('preprocess', 'backbone', 'neck', 'head', 'post')
        ] for r in rows])
    ]
    flops_rows = [r for r in rows if 'gmacs' in r]
    if flops_rows:
        conv_peak = peak['conv3x3']['best_gflops'] if peak else None
        mm_peak = peak['matmul']['best_gflops'] if peak else None
        out += [
            '', '### Efficiency (network forward only: backbone + neck + head)', '',
            'GMACs from mmengine `FlopAnalyzer` (a multiply-add counts once); achieved '
            'GFLOP/s = 2 x GMACs / measured network time.', '',
            table([
                'model', 'size', 'GMACs', 'backbone', 'neck', 'head', 'network ms',
                'achieved GFLOP/s', 'of conv3x3 peak', 'of matmul peak'
            ], [[
                r['label'], r['size'], r['gmacs']['total'], r['gmacs']['backbone'],
                r['gmacs']['neck'], r['gmacs']['head'],
                sum(r['stages_ms'][s] for s in ('backbone', 'neck', 'head')), r['achieved_gflops'],
                percent(r['achieved_gflops'] / conv_peak) if conv_peak else '-',
                percent(r['achieved_gflops'] / mm_peak) if mm_peak else '-'
            ] for r in flops_rows])
        ]
    return '\n'.join(out)


def postprocess_table(rows: List[Dict]) -> str:
    """Decode + quad NMS against the reference."""
    return table([
        'size', 'words (0 = dense)', 'candidates', 'ours ms', 'of which NMS ms',
        'anchor build ms (first image)', 'reference ms', 'speed-up', 'same kept', 'kept (ours/ref)',
        'of ours_c2 latency'
    ], [[
        r['size'], r['num_words'], r['candidates'], r['ours_ms'], r['nms_ms'], r['anchors_ms'],
        r['reference_ms'], r['speedup'], r['same'], f"{r['ours_kept']}/{r['reference_kept']}",
        percent(r.get('share_of_inference'))
    ] for r in rows])


def training_tables(result: Dict) -> str:
    """Head training speed / memory and data-pipeline rates."""
    out = []
    if result.get('heads'):
        out += [
            table([
                'head', 'size', 'batch', 'median s / iter', 'iters/s', 'runs', 'RSS before MiB',
                'peak RSS MiB', 'peak - before MiB'
            ], [[
                r['head_type'], r['size'], r['batch_size'], r['median_ms'] / 1e3, r['iters_per_s'],
                r['runs'], r['rss_start_mib'], r['rss_peak_mib'],
                r['rss_peak_mib'] - r['rss_start_mib']
            ] for r in result['heads']])
        ]
    if result.get('pipelines'):
        consumption = result.get('consumption_images_per_s')
        rows = []
        for r in result['pipelines']:
            loader = r.get('loader', {})
            supply = loader.get('images_per_s')
            rows.append([
                r['pipeline'], r['single_process']['images_per_s'],
                loader.get('num_workers'), supply, consumption,
                supply / consumption if supply and consumption else None
            ])
        out += [
            '',
            table([
                'train pipeline', 'images/s (1 process)', 'workers', 'images/s (DataLoader)',
                'training loop consumes images/s', 'supply / consumption'
            ], rows)
        ]
    return '\n'.join(out)


def evaluation_table(results: Dict[str, Dict], num_images: int) -> str:
    """Metric times on the generated images."""
    return table([
        'metric', f'seconds ({num_images} images)', 'ms / image',
        'speed-up vs MMOCR HmeanIOUMetric', 'hmean'
    ], [[
        name, r['seconds'], r['ms_per_image'],
        r.get('speedup_vs_mmocr'),
        next((v for k, v in r['metrics'].items() if k.endswith('/hmean')), None)
    ] for name, r in results.items()])


def metric_scaling_table(rows: List[Dict]) -> str:
    """Metric ms / image vs words per image."""
    keys = [k for k in rows[0] if k.endswith('_ms_per_image')] if rows else []
    return table(['words / image'] + [k[:-len('_ms_per_image')] + ' ms/img' for k in keys],
                 [[r['num_words']] + [r[k] for k in keys] for r in rows])


def onnxruntime_table(rows: List[Dict]) -> str:
    """ONNX Runtime vs PyTorch latency (``test_step`` and the network alone)."""
    return table([
        'model', 'size', 'network input', 'threads', 'PyTorch ms', 'ONNX Runtime ms',
        'ORT / PyTorch', 'PyTorch network ms', 'ORT network ms', 'ORT / PyTorch (network)', 'runs',
        'max abs diff of the maps'
    ], [[
        r['label'], r['size'], 'x'.join(map(str, r['input_shape'])), r['threads'],
        r['pytorch_median_ms'], r['onnxruntime_median_ms'], r['ort_vs_pytorch'],
        r['pytorch_network_median_ms'], r['onnxruntime_network_median_ms'],
        r['ort_vs_pytorch_network'], r['runs'], r['max_abs_diff']
    ] for r in rows])
