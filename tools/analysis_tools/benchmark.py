# Copyright (c) textboxes_retina authors.
"""Speed of textboxes_retina next to MMOCR's DBNet and mmdet's RetinaNet, in one process.

Sections (``--sections``, all by default), each measured on the same machine, with the same
torch thread settings, in this one process:

- ``inference``: images/s and latency (median, p90 after warm-up) of ``test_step`` at each
  ``--sizes`` for each ``--models`` (randomly initialised, no pretrained weights), ratios
  against DBNet-R50, the time split (preprocess, backbone, neck, head convs, decoding + NMS)
  and the FLOP efficiency (mmengine GMACs / measured time vs the matmul and conv3x3 GFLOP/s
  measured at start-up);
- ``postprocess``: our decoding + quad NMS at the default ``nms_pre`` against a plain reference
  (Python loops, shapely polygons) on the same head outputs, checking the kept quads match;
- ``training``: iterations/s and peak RSS of ``train_step`` with our head and with mmdet's
  ``RetinaHead`` on the same backbone and input size;
- ``pipeline``: images/s of our train pipeline and MMOCR's DBNet train pipeline on the same
  generated images, in one process and through a DataLoader with the default number of
  workers, against what the training loop consumes;
- ``evaluation``: our IC15 and IC13 metrics and MMOCR's ``HmeanIOUMetric`` on the same
  predictions of generated images, and their cost vs words per image;
- ``onnxruntime``: ``test_step`` and the network alone of ``--ort-models`` at ``--ort-sizes``
  in PyTorch and in ONNX Runtime (the network exported by ``textboxes_retina.deployment``, run
  by the CPU provider with as many threads as torch; same preprocessing and post-processing),
  alternating run by run, and their ratio (needs ``requirements/deploy.txt``).

Writes ``<out-dir>/benchmark.json``, ``<out-dir>/benchmark.md`` and ``<out-dir>/scaling.png``.

Usage::

    python tools/analysis_tools/benchmark.py                      # everything (long on a CPU)
    python tools/analysis_tools/benchmark.py --quick              # tiny smoke run (~1 min)
    python tools/analysis_tools/benchmark.py --sections inference --models ours_c2 dbnet_r50 \\
        --sizes 512 768 --repeats 5
    python tools/analysis_tools/benchmark.py --device cuda        # GPU: synchronised timing
    python tools/analysis_tools/benchmark.py --render work_dirs/benchmark/benchmark.json \
        --out-dir docs/benchmarks                                   # tables + plot again
"""
import argparse
import datetime
import json
import os
import os.path as osp
import sys
import time
from typing import Dict, List

# benchmark_lib sits beside this script (Python puts the script's folder first on sys.path).
from benchmark_lib import (data, evaluation, inference, machine, model_zoo, ort_inference, plotting,
                           postprocess, report, training)

SECTIONS = ('inference', 'postprocess', 'training', 'pipeline', 'evaluation', 'onnxruntime')
QUICK = dict(
    sizes=[128],
    models=['ours_small', 'dbnet_r50'],
    repeats=1,
    warmup=0,
    post_sizes=[128],
    words=[2, 8],
    post_words_size=128,
    train_size=128,
    train_repeats=1,
    pipeline_images=4,
    loader_samples=8,
    eval_images=10,
    metric_images=2,
    budget_s=30.0,
    ort_models=['ours_small'],
    ort_sizes=[128])


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line (``argv`` defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    specs = list(model_zoo.model_specs())
    parser.add_argument('--sections', nargs='+', choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument(
        '--models',
        nargs='+',
        choices=specs,
        default=specs,
        help='detectors of the inference section')
    parser.add_argument(
        '--sizes',
        nargs='+',
        type=int,
        default=[512, 768, 960, 1280],
        help='square inference input sides')
    parser.add_argument('--repeats', type=int, default=3, help='timed runs per measurement')
    parser.add_argument('--warmup', type=int, default=1, help='untimed runs per measurement')
    parser.add_argument(
        '--budget-s',
        type=float,
        default=60.0,
        help='per measurement, stop adding timed runs after this many seconds '
        '(at least one timed run is made)')
    parser.add_argument('--no-flops', action='store_true', help='skip the GMAC count')
    parser.add_argument(
        '--configured-thresholds',
        action='store_true',
        help="anchor heads keep their config's score_thr (random weights then "
        'leave nothing to decode); by default score_thr=0: every level\'s '
        'nms_pre candidates are decoded and suppressed, the worst case')
    parser.add_argument(
        '--post-sizes',
        nargs='+',
        type=int,
        default=None,
        help='post-processing sizes (default: --sizes)')
    parser.add_argument(
        '--words',
        nargs='+',
        type=int,
        default=[5, 20, 50, 100, 200],
        help='words per image of the scaling curves')
    parser.add_argument(
        '--post-words-size',
        type=int,
        default=768,
        help='input side of the post-processing vs words curve')
    parser.add_argument(
        '--allow-mismatch',
        action='store_true',
        help='report, instead of failing, when our decoding + NMS keeps other '
        'quads than the reference (the default asserts they are the same)')
    parser.add_argument(
        '--train-model',
        default='ours_c2',
        choices=specs[:3],
        help='our detector whose backbone and neck both heads train on')
    parser.add_argument('--train-size', type=int, default=512)
    parser.add_argument(
        '--train-batch',
        type=int,
        default=None,
        help='images per iteration (default: the leaf configs\' batch size)')
    parser.add_argument(
        '--train-repeats',
        type=int,
        default=None,
        help='timed training iterations (default: --repeats)')
    parser.add_argument(
        '--num-workers',
        type=int,
        default=None,
        help='DataLoader workers (default: the leaf configs\' num_workers)')
    parser.add_argument(
        '--pipeline-images', type=int, default=40, help='generated images of the pipeline section')
    parser.add_argument(
        '--loader-samples',
        type=int,
        default=160,
        help='samples timed through the DataLoader (cycling over the images); '
        'enough that worker start-up and the last stragglers do not dominate')
    parser.add_argument('--eval-images', type=int, default=500)
    parser.add_argument(
        '--metric-images',
        type=int,
        default=20,
        help='images per point of the metric vs words curve')
    parser.add_argument(
        '--ort-models',
        nargs='+',
        choices=specs[:3],
        default=['ours_small', 'ours_c2'],
        help='our detectors of the onnxruntime section')
    parser.add_argument(
        '--ort-sizes',
        nargs='+',
        type=int,
        default=[768],
        help='square input sides of the onnxruntime section')
    parser.add_argument('--device', default='cpu', help="'cpu' or 'cuda[:N]'")
    parser.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    parser.add_argument('--out-dir', default='work_dirs/benchmark')
    parser.add_argument(
        '--data-dir',
        default=None,
        help='generated images (default: <out-dir>/data; reused when present)')
    parser.add_argument(
        '--quick',
        action='store_true',
        help='tiny sizes and counts: a smoke run, not a measurement')
    parser.add_argument(
        '--render',
        metavar='JSON',
        default=None,
        help='measure nothing: rewrite the tables and the plot of a saved '
        'benchmark.json into --out-dir')
    args = parser.parse_args(argv)
    if args.quick:
        explicit = {
            a.lstrip('-').replace('-', '_').split('=')[0]
            for a in (argv or sys.argv[1:]) if a.startswith('--')
        }
        for key, value in QUICK.items():
            if key not in explicit:
                setattr(args, key, value)
    args.post_sizes = args.post_sizes or args.sizes
    args.train_repeats = args.train_repeats or args.repeats
    args.data_dir = args.data_dir or osp.join(args.out_dir, 'data')
    return args


def loader_defaults() -> Dict:
    """``batch_size`` and ``num_workers`` of the leaf configs' train dataloader."""
    from mmengine.config import Config
    cfg = Config.fromfile(
        osp.join(model_zoo.REPO_ROOT, 'configs', 'textboxes_retina',
                 '_base_textboxes_retina_se-r50_fpn-c2.py'))
    return dict(
        batch_size=cfg.train_dataloader.batch_size, num_workers=cfg.train_dataloader.num_workers)


def train_pipelines() -> Dict[str, List[Dict]]:
    """Our ICDAR 2015 train pipeline and MMOCR's DBNet-R50 train pipeline (their configs)."""
    from mmengine.config import Config
    ours = Config.fromfile(
        osp.join(model_zoo.REPO_ROOT, 'configs', 'textboxes_retina',
                 '_base_textboxes_retina_se-r50_fpn-c2.py'))
    dbnet = Config.fromfile(model_zoo.model_specs()['dbnet_r50'].config)
    return dict(
        ours_icdar2015=list(ours.icdar2015_train_pipeline),
        mmocr_dbnet_r50=list(dbnet.train_pipeline))


def run_inference(args, results: Dict, log) -> None:
    before = machine.peak_gflops(args.device)
    log(f"peak: matmul {before['matmul']['best_gflops']:.1f} GFLOP/s, "
        f"conv3x3 {before['conv3x3']['best_gflops']:.1f} GFLOP/s")
    specs = model_zoo.model_specs()
    rows = []
    for name in args.models:
        rows += inference.benchmark_model(
            specs[name],
            args.sizes,
            args.repeats,
            args.warmup,
            args.device,
            args.budget_s,
            count_flops=not args.no_flops,
            all_candidates=not args.configured_thresholds,
            log=log)
    # The reachable peak: the best of a measurement before and one after the models.
    peak = machine.best_of(before, machine.peak_gflops(args.device))
    results['peak_gflops'] = dict(before_models=before, best=peak)
    inference.add_ratios(rows, peak['conv3x3']['best_gflops'])
    results['inference'] = rows


def run_postprocess(args, results: Dict, log) -> None:
    spec = model_zoo.model_specs()['ours_c2']
    head = model_zoo.build_detector(spec, 'cpu').bbox_head
    latency = {
        r['size']: r['median_ms']
        for r in results.get('inference', []) if r['model'] == 'ours_c2'
    }
    cases = [(size, 0) for size in args.post_sizes]
    cases += [(args.post_words_size, words) for words in args.words]
    rows = []
    for size, words in cases:
        row = postprocess.benchmark_case(
            head, size, words, args.repeats, check=not args.allow_mismatch)
        if size in latency:
            row['share_of_inference'] = row['ours_ms'] / latency[size]
        rows.append(row)
        log(f"  post @ {size}, {words} words: ours {row['ours_ms']:.1f} ms, reference "
            f"{row['reference_ms']:.1f} ms, same kept: {row['same']}")
    results['postprocess'] = rows


def run_training(args, results: Dict, log) -> None:
    spec = model_zoo.model_specs()[args.train_model]
    batch = args.train_batch or loader_defaults()['batch_size']
    rows = training.benchmark_training(spec, args.train_size, batch, args.train_repeats,
                                       args.warmup, args.device, args.budget_s)
    for row in rows:
        log(f"  train {row['head_type']}: {row['iters_per_s']:.3f} it/s, "
            f"peak RSS {row['rss_peak_mib']:.0f} MiB")
    results.setdefault('training', {})['heads'] = rows
    results['training']['model'] = args.train_model


def run_pipeline(args, results: Dict, log) -> None:
    defaults = loader_defaults()
    workers = defaults['num_workers'] if args.num_workers is None else args.num_workers
    root = data.ensure_split(args.data_dir, 'pipeline_720-1280', args.pipeline_images, (720, 1280))
    rows = training.benchmark_pipelines(root, train_pipelines(), args.pipeline_images,
                                        defaults['batch_size'], workers, args.loader_samples)
    section = results.setdefault('training', {})
    section['pipelines'] = rows
    heads = [r for r in section.get('heads', []) if r['head'] == 'quad']
    if heads:
        section['consumption_images_per_s'] = heads[0]['images_per_s']
    for row in rows:
        log(f"  pipeline {row['pipeline']}: {row['single_process']['images_per_s']:.2f} img/s "
            f"(1 process)")


def run_evaluation(args, results: Dict, log) -> None:
    root = data.ensure_split(args.data_dir, 'eval_320-512', args.eval_images, (320, 512))
    images = evaluation.images_from_annotations(data.annotations(root, args.eval_images))
    samples = evaluation.make_samples(images)
    generated = evaluation.benchmark_metrics(samples)
    words = []
    for count in args.words:
        times = evaluation.benchmark_metrics(
            evaluation.make_samples(evaluation.images_with_words(args.metric_images, count)),
            ['ours_ic15', 'ours_ic13', 'mmocr_hmean_iou'])
        words.append(
            dict(
                num_words=count,
                **{
                    f'{k}_ms_per_image': v['ms_per_image']
                    for k, v in times.items()
                }))
    results['evaluation'] = dict(
        num_images=len(samples), generated=generated, words=words, words_images=args.metric_images)
    for name, r in generated.items():
        log(f"  {name}: {r['seconds']:.3f} s, x{r['speedup_vs_mmocr']:.2f} vs MMOCR")


def run_onnxruntime(args, results: Dict, log) -> None:
    specs = model_zoo.model_specs()
    rows = []
    for name in args.ort_models:
        rows += ort_inference.benchmark_onnxruntime(specs[name], args.ort_sizes,
                                                    args.repeats, args.warmup,
                                                    os.path.join(args.out_dir, 'onnx'), args.device,
                                                    args.budget_s, log)
    results['onnxruntime'] = rows


def write_outputs(args, results: Dict) -> str:
    """Write the JSON, the markdown tables and the plot; return the markdown."""
    os.makedirs(args.out_dir, exist_ok=True)
    with open(osp.join(args.out_dir, 'benchmark.json'), 'w') as f:
        json.dump(results, f, indent=1)
    m = results['machine']
    parts = [
        f"Machine: {m['cpu_model']}, {m['usable_cpus']} usable of {m['logical_cpus']} "
        f"logical CPUs, torch {m['torch']} with {m['torch_threads']} threads, device "
        f"{m['device']}. Load average before {results['load_before']}, after "
        f"{results.get('load_after')}. Wall time {results.get('wall_s', 0):.0f} s.", ''
    ]
    if 'inference' in results:
        parts += [
            report.inference_tables(results['inference'],
                                    results.get('peak_gflops', {}).get('best')), ''
        ]
    if 'postprocess' in results:
        parts += [
            '### Decode + quad NMS vs plain reference', '',
            report.postprocess_table(results['postprocess']), ''
        ]
    if 'training' in results:
        parts += ['### Training', '', report.training_tables(results['training']), '']
    if 'evaluation' in results:
        ev = results['evaluation']
        parts += [
            '### Evaluation', '',
            report.evaluation_table(ev['generated'], ev['num_images']), '',
            report.metric_scaling_table(ev['words']), ''
        ]
    if 'onnxruntime' in results:
        parts += [
            '### ONNX Runtime vs PyTorch', '',
            report.onnxruntime_table(results['onnxruntime']), ''
        ]
    markdown = '\n'.join(parts)
    with open(osp.join(args.out_dir, 'benchmark.md'), 'w') as f:
        f.write(markdown)
    if 'inference' in results or 'postprocess' in results or 'evaluation' in results:
        words_size = args.post_words_size
        plotting.scaling_plot(
            results.get('inference', []), [
                r for r in results.get('postprocess', [])
                if r['num_words'] > 0 and r['size'] == words_size
            ],
            results.get('evaluation', {}).get('words', []),
            osp.join(args.out_dir, 'scaling.png'),
            title=f"{m['cpu_model']}, {m['torch_threads']} torch threads, {m['device']}")
    return markdown


def main(argv=None) -> Dict:
    args = parse_args(argv)
    if args.render:
        with open(args.render) as f:
            results = json.load(f)
        args.post_words_size = results['args']['post_words_size']
        print(write_outputs(args, results))
        return results
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    start = time.time()

    def log(message: str) -> None:
        print(f'[{time.time() - start:7.1f}s] {message}', flush=True)

    results = dict(
        started=datetime.datetime.now().isoformat(timespec='seconds'),
        args=vars(args),
        machine=machine.describe_machine(args.device),
        load_before=machine.load_average(),
        quick=args.quick)
    runners = dict(
        inference=run_inference,
        postprocess=run_postprocess,
        training=run_training,
        pipeline=run_pipeline,
        evaluation=run_evaluation,
        onnxruntime=run_onnxruntime)
    for section in SECTIONS:
        if section in args.sections:
            log(f'{section} ...')
            runners[section](args, results, log)
    results['load_after'] = machine.load_average()
    results['wall_s'] = time.time() - start
    print(write_outputs(args, results))
    log(f'results in {args.out_dir}')
    return results


if __name__ == '__main__':
    main()
