# Copyright (c) textboxes_retina authors.
"""Evaluator configs in any of their three forms: read their metrics, append one."""
from collections.abc import Mapping
from typing import Dict, List, Sequence, Union

EvaluatorConfig = Union[Dict, Sequence[Dict]]


def metric_configs(evaluator: EvaluatorConfig) -> List[Dict]:
    """The metric configs of an evaluator config, as a list.

    Args:
        evaluator (dict | Sequence[dict]): ``cfg.test_evaluator`` (or ``val_evaluator``): one
            metric config, a list of them, or ``dict(type='Evaluator', metrics=...)``.

    Returns:
        list[dict]: Its metric configs, in order (the configs themselves, not copies).
    """
    if isinstance(evaluator, Mapping) and 'metrics' in evaluator:
        return metric_configs(evaluator['metrics'])
    return [evaluator] if isinstance(evaluator, Mapping) else list(evaluator)


def with_metric(evaluator: EvaluatorConfig, metric: Dict) -> EvaluatorConfig:
    """An evaluator config with ``metric`` appended, in the form it came in.

    One metric or a list becomes a list; ``dict(type='Evaluator', metrics=...)`` stays an
    ``Evaluator`` config whose ``metrics`` is a list. The input is not modified.

    Args:
        evaluator (dict | Sequence[dict]): One metric config, a list of them, or an
            ``Evaluator`` config with ``metrics``.
        metric (dict): The metric config to append.

    Returns:
        dict | list[dict]: The new evaluator config.
    """
    if isinstance(evaluator, Mapping) and 'metrics' in evaluator:
        return dict(evaluator, metrics=with_metric(evaluator['metrics'], metric))
    return metric_configs(evaluator) + [metric]
