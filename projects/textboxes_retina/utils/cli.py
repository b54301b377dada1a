"""Command-line helpers shared by the tools: argument types and actions with clear errors."""
import argparse

from mmengine.config import DictAction


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
