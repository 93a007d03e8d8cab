"""Keyword classifier routing deputies' concerns to topics and departments."""

from classifier.engine import Classifier, load
from classifier.holder import ClassifierHolder
from classifier.model import ConfigError, ConfigProblem, Department, Route, RoutingConfig, Topic

__all__ = [
    "Classifier",
    "ClassifierHolder",
    "ConfigError",
    "ConfigProblem",
    "Department",
    "Route",
    "RoutingConfig",
    "Topic",
    "load",
]
