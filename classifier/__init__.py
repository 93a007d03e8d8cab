"""Keyword classifier routing deputies' concerns to topics and departments."""

from pathlib import Path

from classifier.engine import Classifier, load
from classifier.holder import ClassifierHolder, Holder
from classifier.model import ConfigError, ConfigProblem, Department, Route, RoutingConfig, Topic
from classifier.problems import ProblemCollector

# The routing file shipped with the code, found from the installation, not the current folder.
SHIPPED_ROUTING = Path(__file__).resolve().parents[1] / "config" / "routing.toml"

__all__ = [
    "SHIPPED_ROUTING",
    "Classifier",
    "ClassifierHolder",
    "ConfigError",
    "ConfigProblem",
    "Department",
    "Holder",
    "ProblemCollector",
    "Route",
    "RoutingConfig",
    "Topic",
    "load",
]
