# Copyright (c) textboxes_retina authors.
"""The prepared GPU check behind ``tools/gpu_check.sh``: one command, one JSON.

Steps (each a subprocess with its own time limit; the JSON is rewritten after every step, so an
interrupted run still leaves what it measured):

1. ``environment``: torch, CUDA, the GPU, nccl, the mmcv build (CPU ops only, see DEVELOPERS.md).
2. ``tests``: the CUDA-relevant tests of the suite (their ``[cuda]`` cases, AMP, nccl, MMOCR's
   packaged tools), with pytest's JUnit report parsed into counts and failures.
3. ``training``: the full SE-ResNet50 C2-P7 config (``textboxes_retina_se-r50_fpn-c2_8xb2-768-20k
   _icdar2015.py``, batch 2 at 768 px) for ``--iters`` iterations with ``--amp`` on generated
   images through ``tools/train.py``, the backbone from ``--backbone-checkpoint`` or from
   scratch; the loss must fall (mean of the last fifth of the logged losses below the mean of
   the first fifth); iterations/s and peak GPU memory from the log.
4. ``inference``: ``tools/analysis_tools/benchmark.py --sections inference`` at 768, 1024 and
   1280 px for our models and MMOCR's DBNet-R50 on the device.

``--device cpu --quick`` is the dry run (a couple of minutes on a CPU): the same steps with tiny
sizes and counts, no AMP (mmengine's ``AmpOptimWrapper`` needs a GPU), and no pass/fail on the
loss trend. Exit status 0 when every step passed.

Usage::

    tools/gpu_check.sh                                 # on a CUDA machine, after tools/setup_env.sh
    tools/gpu_check.sh --device cpu --quick            # dry run
    python tools/gpu_check.py --out-dir work_dirs/gpu_check --steps environment training
"""
import argparse
import datetime
import glob
import json
import os
import os.path as osp
import platform
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
STEPS = ('environment', 'tests', 'training', 'inference')
TRAIN_CONFIG = 'configs/textboxes_retina/textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py'
#: Test files with CUDA cases, and the ``-k`` expression that picks those cases.
CUDA_TESTS = [
    'tests/test_models/test_losses/test_device_agnostic_focal_loss.py',
    'tests/test_models/test_device_portability.py',
    'tests/test_engine/test_runner_setup.py',
    'tests/test_engine/test_optim_wrappers',
    'tests/test_tools/test_train_resume_distributed.py',
    'tests/test_tools/test_mmocr_packaged_tools.py',
    'tests/test_tools/test_train_amp_on_cuda.py',
]
CUDA_SELECTION = 'cuda or nccl or amp or mmocr or mim'
QUICK_SELECTION = 'cuda or nccl'
INFERENCE_MODELS = ['ours_c2', 'ours_c3', 'ours_small', 'dbnet_r50']
#: Per-step time limits in seconds (full run, quick run): under 8 minutes in all on one GPU.
LIMITS = dict(tests=(200, 150), training=(120, 150), inference=(150, 120))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--device', default='cuda', help="'cuda' (default) or 'cpu'")
    parser.add_argument(
        '--quick', action='store_true', help='tiny sizes and counts: a dry run, not a measurement')
    parser.add_argument('--out-dir', default='work_dirs/gpu_check')
    parser.add_argument('--steps', nargs='+', choices=STEPS, default=list(STEPS))
    parser.add_argument(
        '--iters', type=int, default=None, help='training iterations (default 200; 4 with --quick)')
    parser.add_argument(
        '--train-images',
        type=int,
        default=None,
        help='generated training images (default 64; 4 with --quick)')
    parser.add_argument(
        '--backbone-checkpoint',
        default=None,
        help='ImageNet SE-ResNet50 weights (path or URL) for the training step; '
        'default: none, the backbone trains from scratch')
    parser.add_argument(
        '--sizes',
        nargs='+',
        type=int,
        default=None,
        help='inference sides (default 768 1024 1280; 128 with --quick)')
    args = parser.parse_args(argv)
    args.iters = args.iters or (4 if args.quick else 200)
    args.train_images = args.train_images or (4 if args.quick else 64)
    args.sizes = args.sizes or ([128] if args.quick else [768, 1024, 1280])
    args.out_dir = osp.abspath(args.out_dir)
    return args


class Report:
    """The JSON of the run, written again after every change."""

    def __init__(self, path: str, args: argparse.Namespace) -> None:
        self.path = path
        self.data = dict(started=_now(), finished=None, ok=None, args=vars(args), steps={})
        self.write()

    def step(self, name: str, result: Dict) -> None:
        self.data['steps'][name] = result
        self.write()

    def finish(self) -> bool:
        self.data['finished'] = _now()
        self.data['ok'] = all(s.get('status') == 'passed' for s in self.data['steps'].values())
        self.write()
        return self.data['ok']

    def write(self) -> None:
        tmp = self.path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(self.data, f, indent=1, default=str)
        os.replace(tmp, self.path)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')


def log(message: str) -> None:
    print(f'[gpu_check {time.strftime("%H:%M:%S")}] {message}', flush=True)


def run(command: List[str], timeout: float, log_path: str, env: Optional[Dict] = None) -> Dict:
    """Run ``command`` in the repository, its output into ``log_path`` (and echoed with a
    prefix); return ``returncode`` (None on timeout), ``seconds`` and the output's tail."""
    log(' '.join(command))
    start = time.time()
    full_env = dict(os.environ, PYTHONUNBUFFERED='1', **(env or {}))
    lines: List[str] = []
    with open(log_path, 'w') as log_file:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors='replace',
            start_new_session=True)
        try:
            for line in _lines_until(process, start + timeout):
                log_file.write(line)
                lines.append(line)
                if len(lines) > 400:
                    del lines[:200]
                print('    ' + line, end='', flush=True)
            returncode = process.wait(timeout=max(1.0, start + timeout - time.time()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
            returncode = None
            log(f'timed out after {timeout:.0f} s')
    return dict(
        returncode=returncode,
        seconds=round(time.time() - start, 1),
        log=log_path,
        tail=''.join(lines[-40:]))


def _lines_until(process: subprocess.Popen, deadline: float):
    """Lines of ``process.stdout`` until it closes; TimeoutExpired past ``deadline``."""
    import selectors
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    while True:
        left = deadline - time.time()
        if left <= 0:
            raise subprocess.TimeoutExpired(process.args, 0)
        if not selector.select(timeout=min(left, 5.0)):
            continue
        line = process.stdout.readline()
        if not line:
            return
        yield line


def python_json(code: str, timeout: float = 120) -> Dict:
    """Run ``code`` (which prints one JSON object last) in a fresh interpreter."""
    result = subprocess.run([sys.executable, '-c', code],
                            cwd=REPO,
                            capture_output=True,
                            text=True,
                            timeout=timeout)
    if result.returncode != 0:
        return dict(error=result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


ENVIRONMENT_CODE = r'''
import json, os, platform, torch
info = dict(python=platform.python_version(), torch=torch.__version__,
            torch_cuda=torch.version.cuda, cuda_available=torch.cuda.is_available(),
            device_count=torch.cuda.device_count() if torch.cuda.is_available() else 0,
            cudnn=torch.backends.cudnn.version() if torch.cuda.is_available() else None,
            nccl_available=torch.distributed.is_nccl_available(),
            cuda_visible_devices=os.environ.get('CUDA_VISIBLE_DEVICES'))
if torch.cuda.is_available():
    props = torch.cuda.get_device_properties(0)
    info.update(gpu=props.name, gpu_memory_gib=round(props.total_memory / 2**30, 1),
                capability='%d.%d' % (props.major, props.minor))
    try:
        version = torch.cuda.nccl.version()
        info['nccl_version'] = '.'.join(map(str, version)) if isinstance(
            version, (tuple, list)) else str(version)
    except Exception as error:  # informative only
        info['nccl_version'] = f'unknown ({error})'
import mmcv, mmdet, mmengine, mmocr
from mmcv.ops import get_compiling_cuda_version
import textboxes_retina
info.update(mmcv=mmcv.__version__, mmcv_ops_cuda=get_compiling_cuda_version(),
            mmdet=mmdet.__version__, mmengine=mmengine.__version__, mmocr=mmocr.__version__,
            textboxes_retina=textboxes_retina.__file__)
print(json.dumps(info))
'''


def step_environment(args, out_dir: str) -> Dict:
    info = python_json(ENVIRONMENT_CODE)
    info.update(host=platform.node(), cpus=os.cpu_count(), commit=_git_commit())
    if 'error' in info:
        return dict(info, status='failed')
    if args.device.startswith('cuda') and not info['cuda_available']:
        return dict(info, status='failed', reason='--device cuda but torch sees no CUDA GPU')
    log(f"torch {info['torch']} (CUDA {info['torch_cuda']}), GPU: {info.get('gpu', 'none')}, "
        f"mmcv {info['mmcv']} ops compiled for CUDA: {info['mmcv_ops_cuda']}")
    return dict(info, status='passed')


def _git_commit() -> Optional[str]:
    try:
        return subprocess.run(
            ['git', 'rev-parse', 'HEAD'], cwd=REPO, capture_output=True, text=True,
            timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def step_tests(args, out_dir: str) -> Dict:
    junit = osp.join(out_dir, 'tests.xml')
    if osp.exists(junit):
        os.remove(junit)
    selection = QUICK_SELECTION if args.quick else CUDA_SELECTION
    files = [path for path in CUDA_TESTS if osp.exists(osp.join(REPO, path))]
    command = [
        sys.executable, '-m', 'pytest', *files, '-k', selection, '-q', '-rs', '-p',
        'no:cacheprovider', f'--junitxml={junit}'
    ]
    result = run(command, LIMITS['tests'][args.quick], osp.join(out_dir, 'tests.log'))
    result.update(files=files, selection=selection, **_junit_counts(junit))
    passed = result['returncode'] == 0 and result.get('failures') == 0 \
        and result.get('errors') == 0
    if args.device.startswith('cuda') and not args.quick and result.get('passed', 0) == 0:
        passed = False  # every CUDA case skipped: the GPU was not used
    return dict(result, status='passed' if passed else 'failed')


def _junit_counts(path: str) -> Dict:
    if not osp.exists(path):
        return dict(junit='missing')
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == 'testsuite' else list(root)
    counts = {
        key: sum(int(s.get(key, 0)) for s in suites)
        for key in ('tests', 'failures', 'errors', 'skipped')
    }
    counts['passed'] = counts['tests'] - counts['failures'] - counts['errors'] - counts['skipped']
    failed = []
    for case in root.iter('testcase'):
        if case.find('failure') is not None or case.find('error') is not None:
            failed.append(f"{case.get('classname')}::{case.get('name')}")
    counts['failed_tests'] = failed
    return counts


def write_train_config(args, out_dir: str, data_root: str) -> str:
    """The SE-ResNet50 C2-P7 step-2 config on the generated images: no checkpoint to start
    from, no validation, a checkpoint at the end, a log line every few iterations. Without
    ``--backbone-checkpoint`` (a GPU machine is usually offline) the backbone starts from
    random weights with trainable batch norm, as SEResNet requires without ImageNet weights."""
    code = f'''
import json, sys
from mmengine.config import Config
cfg = Config.fromfile({osp.join(REPO, TRAIN_CONFIG)!r})
cfg.load_from = None
backbone = cfg.model.backbone
if {args.backbone_checkpoint!r}:
    backbone.init_cfg = dict(type='Pretrained', checkpoint={args.backbone_checkpoint!r})
else:  # no ImageNet weights offline: the backbone trains from scratch, its batch norm too
    backbone.init_cfg = None
    backbone.update(norm_cfg=dict(type='BN', requires_grad=True), norm_eval=False,
                    frozen_stages=-1)
cfg.train_dataloader.dataset.update(data_root={data_root!r}, img_dir='imgs', ann_dir='gts')
cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
cfg.train_cfg.update(max_iters={args.iters}, val_interval={args.iters + 1})
cfg.default_hooks.checkpoint.update(interval={args.iters}, max_keep_ckpts=1)
# One log line every 5 iterations (1 in a dry run), its loss and time the mean since the last.
cfg.default_hooks.logger.interval = cfg.log_processor.window_size = {1 if args.quick else 5}
cfg.randomness = dict(seed=0)
if {args.quick!r}:  # dry run: small images, one loader worker
    for transform in cfg.train_dataloader.dataset.pipeline:
        if transform['type'] == 'Resize':
            transform['scale'] = (128, 128)
    cfg.train_dataloader.update(num_workers=1, persistent_workers=False)
cfg.dump({osp.join(out_dir, 'train_config.py')!r})
print(json.dumps(dict(ok=True)))
'''
    result = python_json(code)
    if 'error' in result:
        raise RuntimeError(result['error'])
    return osp.join(out_dir, 'train_config.py')


def step_training(args, out_dir: str) -> Dict:
    data = osp.join(out_dir, 'data')
    if not osp.isdir(osp.join(data, 'train', 'imgs')):
        made = run([
            sys.executable, 'tools/make_synthetic_dataset.py', '--out-dir', data, '--split',
            'train', '--num-images',
            str(args.train_images), '--img-size', *(['192'] if args.quick else ['640', '1024']),
            '--seed', '0', '--no-progress'
        ], 120, osp.join(out_dir, 'data.log'))
        if made['returncode'] != 0:
            return dict(made, status='failed', reason='generating the images failed')
    config = write_train_config(args, out_dir, osp.join(data, 'train'))
    work_dir = osp.join(out_dir, 'train')
    amp = args.device.startswith('cuda')
    command = [sys.executable, 'tools/train.py', config, '--work-dir', work_dir]
    env = None
    if amp:
        command.append('--amp')
    else:
        env = dict(CUDA_VISIBLE_DEVICES='')  # --device cpu: train on the CPU even with a GPU
    result = run(command, LIMITS['training'][args.quick], osp.join(out_dir, 'train.log'), env)
    result.update(
        config=TRAIN_CONFIG,
        iters=args.iters,
        amp=amp,
        backbone=args.backbone_checkpoint or 'from scratch, trainable batch norm',
        **_training_stats(work_dir))
    ok = result['returncode'] == 0 and result.get('iterations_logged', 0) > 0
    if not args.quick:
        ok = ok and bool(result.get('loss_fell'))
    if not ok and result['returncode'] == 0 and not args.quick:
        result['reason'] = 'the loss did not fall'
    return dict(result, status='passed' if ok else 'failed')


def _training_stats(work_dir: str) -> Dict:
    """Loss trend, speed and peak memory from mmengine's ``vis_data/scalars.json``."""
    paths = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not paths:
        return dict(iterations_logged=0)
    rows = []
    with open(paths[-1]) as f:
        for line in f:
            row = json.loads(line)
            if 'loss' in row and 'iter' in row:
                rows.append(row)
    if not rows:
        return dict(iterations_logged=0)
    losses = [row['loss'] for row in rows]
    fifth = max(1, len(losses) // 5)
    first, last = sum(losses[:fifth]) / fifth, sum(losses[-fifth:]) / fifth
    # 'time' is the mean seconds per iteration since the previous log line; skip the first
    # line (start-up, cuDNN autotuning, the first batches of the loader).
    times = sorted(row['time'] for row in rows[1:] if 'time' in row) or \
        [row['time'] for row in rows if 'time' in row]
    stats = dict(
        iterations_logged=rows[-1]['iter'],
        loss_first_fifth=first,
        loss_last_fifth=last,
        loss_fell=last < first,
        losses=[(row['iter'], round(row['loss'], 4)) for row in rows])
    if times:
        median = times[len(times) // 2]
        stats.update(seconds_per_iter_median=median, iters_per_s=1.0 / median)
    memory = [row['memory'] for row in rows if 'memory' in row]
    if memory:
        stats['peak_memory_mib'] = max(memory)  # torch.cuda.max_memory_allocated, in MiB
    return stats


def step_inference(args, out_dir: str) -> Dict:
    bench_dir = osp.join(out_dir, 'benchmark')
    command = [
        sys.executable, 'tools/analysis_tools/benchmark.py', '--sections', 'inference', '--device',
        args.device, '--out-dir', bench_dir, '--sizes', *map(str, args.sizes)
    ]
    if args.quick:
        command += ['--quick', '--no-flops']
    else:
        command += [
            '--models', *INFERENCE_MODELS, '--repeats', '10', '--warmup', '2', '--budget-s', '5',
            '--no-flops'
        ]
    env = None if args.device.startswith('cuda') else dict(CUDA_VISIBLE_DEVICES='')
    result = run(command, LIMITS['inference'][args.quick], osp.join(out_dir, 'inference.log'), env)
    path = osp.join(bench_dir, 'benchmark.json')
    if result['returncode'] == 0 and osp.exists(path):
        with open(path) as f:
            bench = json.load(f)
        keys = ('model', 'label', 'size', 'median_ms', 'p90_ms', 'runs', 'images_per_s',
                'latency_vs_dbnet_r50', 'num_detections')
        result['latency'] = [{
            k: row[k]
            for k in keys if k in row
        } for row in bench.get('inference', [])]
        result['machine'] = bench.get('machine')
        for row in result['latency']:
            log(f"  {row['model']} @ {row['size']}: {row['median_ms']:.1f} ms")
    ok = result['returncode'] == 0 and bool(result.get('latency'))
    return dict(result, status='passed' if ok else 'failed')


def main(argv=None) -> int:
    args = parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    report = Report(osp.join(args.out_dir, 'gpu_check.json'), args)
    log(f'device {args.device}{" (quick dry run)" if args.quick else ""}, results in '
        f'{report.path}')
    steps = dict(
        environment=step_environment,
        tests=step_tests,
        training=step_training,
        inference=step_inference)
    for name in STEPS:
        if name not in args.steps:
            continue
        log(f'step {name} ...')
        start = time.time()
        try:
            result = steps[name](args, args.out_dir)
        except Exception as error:  # record it and go on with the next step
            result = dict(status='failed', reason=f'{type(error).__name__}: {error}')
        result.setdefault('seconds', round(time.time() - start, 1))
        report.step(name, result)
        log(f"step {name}: {result['status']} ({result['seconds']} s)" +
            (f" - {result['reason']}" if result.get('reason') else ''))
        if name == 'environment' and result['status'] != 'passed':
            break  # nothing else can run meaningfully
    ok = report.finish()
    log(f"{'all steps passed' if ok else 'FAILED'}: {report.path}")
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
