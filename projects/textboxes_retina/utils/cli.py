# Copyright (c) textboxes_retina authors.
"""Command-line helpers shared by the tools: argument types and actions with clear errors."""
import argparse

from mmengine.config import DictAction


def add_strict_load_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--strict-load`` / ``--no-strict-load`` (default: strict) to a tool's ``parser``;
    see :func:`textboxes_retina.utils.check_checkpoint_fits`."""
    parser.add_argument(
        '--strict-load',
        action=argparse.BooleanOptionalAction,
        default=True,
        help='refuse a checkpoint whose parameters differ from the model\'s (shape, missing or '
        'extra keys), naming them (default); --no-strict-load loads the matching ones only')


def positive_int(text: str) -> int:
    """``argparse`` type: an integer >= 1 (e.g. ``--batch-size``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected a whole number, got {text!r}') from None
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be at least 1, got {value}')
    return value


class CfgOptionsAction(DictAction):
    """mmengine's :class:`~mmengine.config.DictAction` (``--cfg-options KEY=VALUE ...``) that
    rejects an item without ``=`` with an argparse error naming it (mmengine fails with
    ``not enough values to unpack``)."""

    def __call__(self, parser, namespace, values, option_string=None):
        for item in values:
            if '=' not in item or item.startswith('='):
                raise argparse.ArgumentError(
                    self, f'expected KEY=VALUE, got {item!r} (e.g. '
                    'model.test_cfg.score_thr=0.3; quote values with spaces)')
        super().__call__(parser, namespace, values, option_string)
